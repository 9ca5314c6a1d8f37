// Cron::Parse: an expression's fields (Effect's Cron.parse) and the time
// zone it names; the DST overlap policy's names.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/cluster/cron.h"
#include "core/cluster/cron_internal.h"
#include "fmt/format.h"

namespace clustersim {
namespace cron_internal {

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace cron_internal

namespace {

using cron_internal::AsciiLower;
using cron_internal::ParseOffsetSuffix;
using cron_internal::ZoneName;
using cron_internal::ZoneNames;

struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  // Names of min, min + 1, ... (months from 1, weekdays from 0), or empty.
  std::vector<std::string_view> aliases;
  // Weekday 7 is Sunday (0).
  bool seven_is_zero = false;
};

const FieldSpec& SecondSpec() {
  static const FieldSpec spec{"seconds", 0, 59, {}};
  return spec;
}
const FieldSpec& MinuteSpec() {
  static const FieldSpec spec{"minutes", 0, 59, {}};
  return spec;
}
const FieldSpec& HourSpec() {
  static const FieldSpec spec{"hours", 0, 23, {}};
  return spec;
}
const FieldSpec& DaySpec() {
  static const FieldSpec spec{"days", 1, 31, {}};
  return spec;
}
const FieldSpec& MonthSpec() {
  static const FieldSpec spec{"months",
                              1,
                              12,
                              {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                               "aug", "sep", "oct", "nov", "dec"}};
  return spec;
}
const FieldSpec& WeekdaySpec() {
  static const FieldSpec spec{"weekdays",
                              0,
                              7,
                              {"sun", "mon", "tue", "wed", "thu", "fri", "sat"},
                              true};
  return spec;
}

// A number as Effect reads one: nullopt where JavaScript would get NaN (or
// an alias-table miss). Anything above the largest field bound saturates,
// which keeps every comparison Effect makes.
using Number = std::optional<int64_t>;
constexpr int64_t kHuge = std::numeric_limits<int32_t>::max();

// /^\d+$/ then Number(text).
Number Decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(kHuge, value * 10 + (c - '0'));
  }
  return value;
}

Number AliasOrValue(std::string_view text, const FieldSpec& spec) {
  // Only ASCII letters lower-case onto an alias, so ASCII lowering is
  // JavaScript's toLowerCase here.
  const std::string lower = AsciiLower(text);
  for (size_t i = 0; i < spec.aliases.size(); ++i) {
    if (lower == spec.aliases[i]) return spec.min + static_cast<int64_t>(i);
  }
  return Decimal(text);
}

struct ParsedField {
  Cron::Field field;
  bool wildcard = false;
};

absl::StatusOr<ParsedField> ParseField(std::string_view input,
                                       const FieldSpec& spec) {
  auto fail = [&](std::string_view message) {
    return absl::InvalidArgumentError(
        fmt::format("{} field {:?}: {}", spec.name, input, message));
  };
  struct Item {
    std::string_view raw;
    bool has_step = false;
    Number step;
  };
  auto split_step = [](std::string_view item) {
    const size_t slash = item.find('/');
    if (slash == std::string_view::npos) return Item{item, false, std::nullopt};
    return Item{item.substr(0, slash), true, Decimal(item.substr(slash + 1))};
  };
  std::vector<std::string_view> items;
  for (size_t start = 0;;) {
    const size_t comma = input.find(',', start);
    items.push_back(input.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  ParsedField parsed;
  const Item first = split_step(items[0]);
  parsed.wildcard = first.raw == "*";
  // "*" or "*/1" first: unrestricted, and the other items are only checked.
  const bool ignore_values =
      parsed.wildcard && (!first.has_step || first.step == 1);
  auto add = [&](int64_t value) {
    if (ignore_values) return;
    if (spec.seven_is_zero && value == 7) value = 0;
    parsed.field.allowed[value] = true;
  };
  for (size_t index = 0; index < items.size(); ++index) {
    const Item item = index == 0 ? first : split_step(items[index]);
    if (item.has_step) {
      if (!item.step.has_value()) {
        return fail("Expected step value to be a positive integer");
      }
      if (*item.step < 1) {
        return fail("Expected step value to be greater than 0");
      }
      if (*item.step > spec.max) {
        return fail(fmt::format(
            "Expected step value to be less than or equal to {}", spec.max));
      }
    }
    const int64_t step = item.has_step ? *item.step : 1;
    if (item.raw == "*") {
      if (index == 0 && step == 1) continue;
      for (int64_t v = spec.min; v <= spec.max; v += step) add(v);
      continue;
    }
    const size_t dash = item.raw.find('-');
    const Number left = AliasOrValue(item.raw.substr(0, dash), spec);
    auto check = [&](const Number& value) -> absl::Status {
      if (!value.has_value()) return fail("Expected a positive integer");
      if (*value < spec.min || *value > spec.max) {
        return fail(fmt::format("Expected a value between {} and {}", spec.min,
                                spec.max));
      }
      return absl::OkStatus();
    };
    if (absl::Status status = check(left); !status.ok()) return status;
    if (dash == std::string_view::npos) {
      const int64_t last = item.has_step ? spec.max : *left;
      for (int64_t v = *left; v <= last; v += step) add(v);
      continue;
    }
    const Number right = AliasOrValue(item.raw.substr(dash + 1), spec);
    if (absl::Status status = check(right); !status.ok()) return status;
    if (*left > *right) return fail("Invalid value range");
    for (int64_t v = *left; v <= *right; v += step) add(v);
  }
  return parsed;
}

// Decodes one UTF-8 code point at `pos`; nullopt if malformed.
std::optional<char32_t> DecodeUtf8(std::string_view text, size_t& pos) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const unsigned char lead = byte(pos);
  int length = 0;
  char32_t cp = 0;
  if (lead < 0x80) {
    ++pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (pos + length > text.size()) return std::nullopt;
  for (int i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  static constexpr char32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[length] || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  pos += length;
  return cp;
}

// JavaScript's \s (WhiteSpace and LineTerminator).
bool IsJsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// expression.trim().split(/\s+/) without the empty pieces.
absl::StatusOr<std::vector<std::string_view>> SplitFields(
    std::string_view expression) {
  std::vector<std::string_view> fields;
  size_t start = std::string_view::npos;
  for (size_t pos = 0; pos < expression.size();) {
    const size_t at = pos;
    const std::optional<char32_t> c = DecodeUtf8(expression, pos);
    if (!c.has_value()) {
      return absl::InvalidArgumentError("the expression is not valid UTF-8");
    }
    if (IsJsSpace(*c)) {
      if (start != std::string_view::npos) {
        fields.push_back(expression.substr(start, at - start));
        start = std::string_view::npos;
      }
    } else if (start == std::string_view::npos) {
      start = at;
    }
  }
  if (start != std::string_view::npos)
    fields.push_back(expression.substr(start));
  return fields;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

absl::StatusOr<DstOverlapPolicy> ParseDstOverlapPolicy(std::string_view text) {
  if (text == "earlier") return DstOverlapPolicy::kEarlier;
  if (text == "later") return DstOverlapPolicy::kLater;
  if (text == "both") return DstOverlapPolicy::kBoth;
  return absl::InvalidArgumentError(fmt::format(
      "DST overlap policy {:?} is not earlier, later or both", text));
}

std::string_view DstOverlapPolicyName(DstOverlapPolicy policy) {
  switch (policy) {
    case DstOverlapPolicy::kEarlier:
      return "earlier";
    case DstOverlapPolicy::kLater:
      return "later";
    case DstOverlapPolicy::kBoth:
      return "both";
  }
  return "earlier";
}

bool Cron::Field::restricted() const {
  return std::find(allowed.begin(), allowed.end(), true) != allowed.end();
}

absl::StatusOr<Cron> Cron::Parse(std::string_view expression,
                                 std::optional<std::string_view> time_zone,
                                 DstOverlapPolicy on_dst_overlap) {
  auto fail = [&](const absl::Status& status) {
    return absl::InvalidArgumentError(fmt::format(
        "cron expression {:?}: {}", expression, std::string(status.message())));
  };
  absl::StatusOr<std::vector<std::string_view>> fields =
      SplitFields(expression);
  if (!fields.ok()) return fail(fields.status());
  if (fields->size() != 5 && fields->size() != 6) {
    return fail(absl::InvalidArgumentError(
        fmt::format("{} fields, want 5 or 6: Invalid number of segments in "
                    "cron expression",
                    fields->size())));
  }
  if (fields->size() == 5) fields->insert(fields->begin(), "0");

  Cron cron;
  cron.expression_ = std::string(expression);
  cron.on_dst_overlap_ = on_dst_overlap;
  // Effect reports the zone before the fields, and the fields in order.
  if (time_zone.has_value()) {
    cron.time_zone_name_ = std::string(*time_zone);
    const std::string_view tz = *time_zone;
    auto bad_zone = [&] {
      return fail(absl::InvalidArgumentError(fmt::format(
          "time zone {:?}: Invalid time zone in cron expression", tz)));
    };
    if (StartsWith(tz, "+") || StartsWith(tz, "-") || StartsWith(tz, "GMT+") ||
        StartsWith(tz, "GMT-")) {
      const std::optional<int64_t> offset = ParseOffsetSuffix(tz);
      if (!offset.has_value()) return bad_zone();
      cron.zone_.fixed_offset_ms = *offset;
    } else {
      const absl::StatusOr<std::map<std::string, ZoneName>>& names =
          ZoneNames();
      if (!names.ok()) return fail(names.status());
      const auto it = names->find(AsciiLower(tz));
      absl::TimeZone zone;
      if (it == names->end() || !absl::LoadTimeZone(it->second.name, &zone)) {
        return bad_zone();
      }
      cron.zone_.named = zone;
      cron.zone_.utc =
          it->second.target == "Etc/UTC" || it->second.target == "Etc/GMT";
    }
  }
  const FieldSpec* specs[] = {&SecondSpec(), &MinuteSpec(), &HourSpec(),
                              &DaySpec(),    &MonthSpec(),  &WeekdaySpec()};
  ParsedField parsed[6];
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<ParsedField> field = ParseField((*fields)[i], *specs[i]);
    if (!field.ok()) return fail(field.status());
    parsed[i] = *field;
  }
  cron.seconds_ = parsed[0].field;
  cron.minutes_ = parsed[1].field;
  cron.hours_ = parsed[2].field;
  cron.days_ = parsed[3].field;
  cron.months_ = parsed[4].field;
  cron.weekdays_ = parsed[5].field;
  cron.and_ = (parsed[3].wildcard || parsed[5].wildcard) &&
              cron.days_.restricted() && cron.weekdays_.restricted();
  return cron;
}

}  // namespace clustersim
