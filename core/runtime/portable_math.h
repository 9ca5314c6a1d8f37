// Elementary functions that give the same bits on every x86-64 or ARM CPU:
// natural logarithm, log(1 + x), exponential and integer powers, built from
// IEEE 754 operations that are exactly rounded (+, -, *, /, frexp, ldexp).
//
// Why not <cmath>: glibc picks its exp/log/pow at load time by CPU feature
// (an FMA variant or an SSE2 one), and the two differ in the last bit for
// some inputs. A latency drawn through std::exp on a machine with FMA then
// differs from one drawn on a machine without it, and the same seed gives a
// different trace on another machine. The simulator's promise (a seed
// reproduces a run anywhere) needs these instead. They are accurate to a
// few units in the last place, which the distributions need and no more.
//
// The build compiles with -ffp-contract=off so that the compiler never fuses
// a multiply and an add here on a target that has FMA. Pure functions;
// thread-safe.
#ifndef CLUSTERSIM_CORE_RUNTIME_PORTABLE_MATH_H_
#define CLUSTERSIM_CORE_RUNTIME_PORTABLE_MATH_H_

#include <cstdint>

namespace clustersim {

// ln(x): NaN for x < 0 or NaN, -inf at 0, +inf at +inf.
double PortableLog(double x);

// ln(1 + x), accurate for small x: NaN below -1, -inf at -1.
double PortableLog1p(double x);

// e^x: +inf past about 709.78, +0 below about -745.13, NaN for NaN.
double PortableExp(double x);

// base^exponent by repeated squaring, exponent >= 0 (1 at exponent 0).
double PowInt(double base, int32_t exponent);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_PORTABLE_MATH_H_
