#include "core/cluster/parse_int.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace clustersim {

absl::StatusOr<int64_t> ParseDecimal(std::string_view what,
                                     std::string_view text, int64_t min,
                                     int64_t max) {
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  bool all_digits = !digits.empty();
  for (char c : digits) all_digits = all_digits && absl::ascii_isdigit(c);
  if (!all_digits) {
    return absl::InvalidArgumentError(
        fmt::format("{} {:?} is not a decimal integer", what, text));
  }
  // Accumulate towards the sign so that INT64_MIN parses; any overflow is
  // out of range.
  int64_t value = 0;
  bool overflow = false;
  for (char c : digits) {
    const int digit = c - '0';
    if (negative) {
      overflow = overflow || value < (INT64_MIN + digit) / 10;
      if (!overflow) value = value * 10 - digit;
    } else {
      overflow = overflow || value > (INT64_MAX - digit) / 10;
      if (!overflow) value = value * 10 + digit;
    }
  }
  if (overflow || value < min || value > max) {
    return absl::InvalidArgumentError(
        fmt::format("{} {:?} is out of range [{}, {}]", what, text, min, max));
  }
  return value;
}

}  // namespace clustersim
