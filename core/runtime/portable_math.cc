#include "core/runtime/portable_math.h"

#include <cmath>
#include <limits>

#include "core/base/check.h"

namespace clustersim {
namespace {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (the high part has
// its low 21 bits zero), as in fdlibm.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ln(1 + f) for 1 + f in [sqrt(1/2), sqrt(2)): with s = f / (2 + f),
// ln(1 + f) = 2 atanh(s) = 2s (1 + s^2/3 + s^4/5 + ...). |s| <= 0.1716, so
// s^2 <= 0.0295 and twelve terms reach far below one unit in the last place.
double Log1pNearZero(double f) {
  const double s = f / (2.0 + f);
  const double z = s * s;
  double series = 1.0 / 25.0;
  for (int n = 11; n >= 1; --n) {
    series = 1.0 / (2.0 * n + 1.0) + z * series;
  }
  const double two_s = 2.0 * s;
  return two_s + two_s * z * series;
}

}  // namespace

double PortableLog(double x) {
  if (std::isnan(x) || x < 0.0) return kNaN;
  if (x == 0.0) return -kInfinity;
  if (x == kInfinity) return kInfinity;
  int exponent = 0;
  double m = std::frexp(x, &exponent);  // exact; m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2.0;  // exact
    exponent -= 1;
  }
  const double k = static_cast<double>(exponent);
  // m - 1 is exact: m is within a factor of 2 of 1.
  return k * kLn2Hi + (k * kLn2Lo + Log1pNearZero(m - 1.0));
}

double PortableLog1p(double x) {
  if (std::isnan(x) || x < -1.0) return kNaN;
  if (x == -1.0) return -kInfinity;
  // Past 2^53 the 1 is lost in 1 + x anyway.
  if (x > 9007199254740992.0) return PortableLog(x);
  // 1 + x in [sqrt(1/2), sqrt(2)): x itself is the exact f.
  if (x >= kSqrtHalf - 1.0 && x < 0.41421356237309504880) {
    return Log1pNearZero(x);
  }
  const double u = 1.0 + x;
  // Kahan: ln(u) * x / (u - 1) corrects for the rounding of 1 + x.
  return PortableLog(u) * (x / (u - 1.0));
}

double PortableExp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893383973096) return kInfinity;
  if (x < -745.133219101941108420) return 0.0;
  // x = k ln 2 + r with |r| <= ln(2)/2; e^x = 2^k e^r.
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // Taylor series of e^r to r^17/17!: |r|^18/18! < 2^-80 for |r| <= 0.35.
  double sum = 1.0;
  for (int n = 17; n >= 1; --n) {
    sum = 1.0 + r * sum / n;
  }
  return std::ldexp(sum, static_cast<int>(k));
}

double PowInt(double base, int32_t exponent) {
  CHECK(exponent >= 0, "PowInt needs a non-negative exponent");
  double result = 1.0;
  double square = base;
  for (uint32_t e = static_cast<uint32_t>(exponent); e != 0; e >>= 1) {
    if ((e & 1) != 0) result *= square;
    square *= square;
  }
  return result;
}

}  // namespace clustersim
