#include "core/runtime/portable_math.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace clustersim {
namespace {

// Distance in units in the last place between two finite doubles of the
// same sign.
int64_t Ulps(double a, double b) {
  const int64_t x = std::bit_cast<int64_t>(a);
  const int64_t y = std::bit_cast<int64_t>(b);
  return x > y ? x - y : y - x;
}

// A fixed xorshift stream: the inputs are the same on every run.
struct Inputs {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  double Next01() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  }
};

TEST(PortableMathTest, LogIsWithinTwoUlpsOfLibm) {
  Inputs in;
  for (int i = 0; i < 200000; ++i) {
    // Spread over the whole exponent range, subnormals included.
    const double x = std::ldexp(0.5 + in.Next01(),
                                static_cast<int>(in.Next01() * 2098) - 1074);
    ASSERT_LE(Ulps(PortableLog(x), std::log(x)), 2) << x;
  }
}

TEST(PortableMathTest, Log1pIsWithinTwoUlpsOfLibm) {
  Inputs in;
  for (int i = 0; i < 200000; ++i) {
    const double u = in.Next01();
    // The distributions' use: log1p(-u) for u in [0, 1); and tiny inputs.
    ASSERT_LE(Ulps(PortableLog1p(-u), std::log1p(-u)), 2) << -u;
    const double tiny = u * 1e-9;
    ASSERT_LE(Ulps(PortableLog1p(tiny), std::log1p(tiny)), 2) << tiny;
  }
}

TEST(PortableMathTest, ExpIsWithinTwoUlpsOfLibm) {
  Inputs in;
  for (int i = 0; i < 200000; ++i) {
    const double x = -700.0 + 1400.0 * in.Next01();
    ASSERT_LE(Ulps(PortableExp(x), std::exp(x)), 2) << x;
    const double small = in.Next01() - 0.5;
    ASSERT_LE(Ulps(PortableExp(small), std::exp(small)), 2) << small;
  }
}

TEST(PortableMathTest, ExactAndSpecialValues) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(PortableLog(1.0), 0.0);
  EXPECT_EQ(PortableLog(0.0), -kInf);
  EXPECT_EQ(PortableLog(kInf), kInf);
  EXPECT_TRUE(std::isnan(PortableLog(-1.0)));
  EXPECT_TRUE(std::isnan(PortableLog(std::nan(""))));
  EXPECT_EQ(PortableLog1p(0.0), 0.0);
  EXPECT_EQ(PortableLog1p(-1.0), -kInf);
  EXPECT_TRUE(std::isnan(PortableLog1p(-2.0)));
  EXPECT_EQ(PortableLog1p(1e300), PortableLog(1e300));
  EXPECT_EQ(PortableExp(0.0), 1.0);
  EXPECT_EQ(PortableExp(710.0), kInf);
  EXPECT_EQ(PortableExp(-746.0), 0.0);
  EXPECT_GT(PortableExp(-745.0), 0.0);  // subnormal, not flushed
  EXPECT_TRUE(std::isnan(PortableExp(std::nan(""))));
  EXPECT_EQ(PowInt(1.5, 0), 1.0);
  EXPECT_EQ(PowInt(1.5, 33), std::ldexp(5559060566555523.0, -33));  // 3^33
  EXPECT_EQ(PowInt(2.0, 1023), std::ldexp(1.0, 1023));
}

// The bits themselves, so that a build or CPU that computes differently
// fails here by name rather than as a changed trace somewhere else.
TEST(PortableMathTest, GoldenBits) {
  EXPECT_EQ(std::bit_cast<uint64_t>(PortableLog(0.1)), 0xc0026bb1bbb55515ull);
  EXPECT_EQ(std::bit_cast<uint64_t>(PortableLog1p(-0.75)),
            0xbff62e42fefa39efull);
  EXPECT_EQ(std::bit_cast<uint64_t>(PortableExp(3.3)), 0x403b1cd5e7807b7bull);
  EXPECT_EQ(std::bit_cast<uint64_t>(PortableExp(-0.123456789)),
            0x3fec48946a8fcf96ull);
}

}  // namespace
}  // namespace clustersim
