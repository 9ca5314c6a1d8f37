#include "sim/duration.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace clustersim::sim {
namespace {

absl::Status Bad(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError("bad duration '" + std::string(text) +
                                    "': " + std::string(why));
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct Unit {
  std::string_view suffix;
  int64_t us;
};
// Longer suffixes first, so "ms" is not read as "m".
constexpr Unit kUnits[] = {{"us", 1},
                           {"ms", 1'000},
                           {"s", 1'000'000},
                           {"m", 60'000'000},
                           {"h", 3'600'000'000}};

}  // namespace

absl::StatusOr<int64_t> ParseDurationUs(std::string_view text) {
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      unit = &u;
      break;
    }
  }
  if (unit == nullptr) {
    return Bad(text, "expected a number and a unit (us, ms, s, m, h)");
  }
  std::string_view number = text.substr(0, text.size() - unit->suffix.size());
  std::string_view whole = number;
  std::string_view fraction;
  if (size_t dot = number.find('.'); dot != std::string_view::npos) {
    whole = number.substr(0, dot);
    fraction = number.substr(dot + 1);
    if (fraction.empty()) return Bad(text, "nothing after the decimal point");
  }
  if (whole.empty() || !AllDigits(whole) || !AllDigits(fraction)) {
    return Bad(text, "expected a number and a unit (us, ms, s, m, h)");
  }
  if (whole.size() > 16 || fraction.size() > 16) return Bad(text, "too long");
  int64_t w = 0;
  std::from_chars(whole.data(), whole.data() + whole.size(), w);
  if (w > kMaxDurationUs / unit->us) return Bad(text, "too long");
  int64_t us = w * unit->us;
  if (!fraction.empty()) {
    // fraction / 10^digits of a unit must be a whole number of microseconds.
    int64_t f = 0;
    std::from_chars(fraction.data(), fraction.data() + fraction.size(), f);
    __int128 scaled = static_cast<__int128>(f) * unit->us;
    __int128 denominator = 1;
    for (size_t i = 0; i < fraction.size(); ++i) denominator *= 10;
    if (scaled % denominator != 0) {
      return Bad(text, "not a whole number of microseconds");
    }
    us += static_cast<int64_t>(scaled / denominator);
  }
  if (us > kMaxDurationUs) return Bad(text, "too long");
  return us;
}

absl::StatusOr<int64_t> ParseSignedDurationUs(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    absl::StatusOr<int64_t> magnitude = ParseDurationUs(text.substr(1));
    if (!magnitude.ok()) return Bad(text, "expected [+|-]NUMBER UNIT");
    return text[0] == '-' ? -*magnitude : *magnitude;
  }
  return ParseDurationUs(text);
}

std::string FormatDurationUs(int64_t us) {
  if (us < 0) return "-" + FormatDurationUs(-us);
  if (us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
  if (us % 1'000 == 0) return std::to_string(us / 1'000) + "ms";
  return std::to_string(us) + "us";
}

}  // namespace clustersim::sim
