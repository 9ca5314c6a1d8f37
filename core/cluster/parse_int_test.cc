#include "core/cluster/parse_int.h"

#include <cstdint>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(ParseDecimalTest, ParsesWithinRange) {
  EXPECT_EQ(*ParseDecimal("n", "0", 0, 10), 0);
  EXPECT_EQ(*ParseDecimal("n", "10", 0, 10), 10);
  EXPECT_EQ(*ParseDecimal("n", "-7", -10, 10), -7);
  EXPECT_EQ(*ParseDecimal("n", "007", 0, 10), 7);
  EXPECT_EQ(*ParseDecimal("n", "9223372036854775807", INT64_MIN, INT64_MAX),
            INT64_MAX);
  EXPECT_EQ(*ParseDecimal("n", "-9223372036854775808", INT64_MIN, INT64_MAX),
            INT64_MIN);
}

TEST(ParseDecimalTest, RejectsNonDecimalText) {
  for (const char* text :
       {"", "-", "+1", " 1", "1 ", "0x10", "1e3", "1.5", "one", "--1", "1-"}) {
    absl::StatusOr<int64_t> value = ParseDecimal("port", text, 0, 100);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ParseDecimal("port", "x1", 0, 100).status().message(),
            "port \"x1\" is not a decimal integer");
}

TEST(ParseDecimalTest, RejectsOutOfRange) {
  EXPECT_EQ(ParseDecimal("port", "65536", 1, 65535).status().message(),
            "port \"65536\" is out of range [1, 65535]");
  EXPECT_EQ(ParseDecimal("port", "0", 1, 65535).status().message(),
            "port \"0\" is out of range [1, 65535]");
  EXPECT_FALSE(
      ParseDecimal("n", "9223372036854775808", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(
      ParseDecimal("n", "-9223372036854775809", INT64_MIN, INT64_MAX).ok());
  EXPECT_FALSE(
      ParseDecimal("n", "99999999999999999999999", INT64_MIN, INT64_MAX).ok());
}

}  // namespace
}  // namespace clustersim
