#include "core/cluster/cron.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace clustersim {
namespace {

constexpr int64_t kDayMs = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(year, 400);
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year =
      (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct CivilDate {
  int64_t year;
  int month;  // 0..11, as JavaScript counts
  int day;    // 1..31
};

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                               day_of_era / 36524 - day_of_era / 146096) /
                              365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month - 1, day};
}

// A JavaScript Date read and written with the UTC accessors: the search
// walks wall-clock time as if it were UTC, exactly as Effect's does, so the
// field overflow rules (setUTCDate(32) is the 1st of the next month, ...)
// must be JavaScript's. A time outside the Date range makes the date
// invalid (JavaScript's NaN), and it stays invalid.
class JsDate {
 public:
  explicit JsDate(int64_t ms) { SetTime(ms); }

  bool valid() const { return valid_; }
  int64_t time() const { return ms_; }
  int Seconds() const { return static_cast<int>(TimeOfDay() / 1000 % 60); }
  int Minutes() const { return static_cast<int>(TimeOfDay() / 60'000 % 60); }
  int Hours() const { return static_cast<int>(TimeOfDay() / 3'600'000); }
  int Date() const { return Civil().day; }
  int Month() const { return Civil().month; }
  int64_t FullYear() const { return Civil().year; }
  // 0 = Sunday.
  int Weekday() const { return static_cast<int>(FloorMod(Day() + 4, 7)); }
  int DaysInMonth() const {
    const CivilDate civil = Civil();
    return static_cast<int>(MakeDay(civil.year, civil.month + 1, 1) -
                            MakeDay(civil.year, civil.month, 1));
  }

  void SetTime(int64_t ms) {
    ms_ = ms;
    valid_ = valid_ && ms >= -kJsDateMaxMs && ms <= kJsDateMaxMs;
  }
  void SetSeconds(int64_t second, std::optional<int64_t> ms = std::nullopt) {
    Set(Day(), MakeTime(Hours(), Minutes(), second, ms.value_or(Millis())));
  }
  void SetMinutes(int64_t minute, int64_t second) {
    Set(Day(), MakeTime(Hours(), minute, second, Millis()));
  }
  void SetHours(int64_t hour, int64_t minute, int64_t second) {
    Set(Day(), MakeTime(hour, minute, second, Millis()));
  }
  void SetDate(int64_t date) {
    const CivilDate civil = Civil();
    Set(MakeDay(civil.year, civil.month, date), TimeOfDay());
  }
  void SetMonth(int64_t month, int64_t date) {
    Set(MakeDay(Civil().year, month, date), TimeOfDay());
  }
  void SetFullYear(int64_t year) {
    const CivilDate civil = Civil();
    Set(MakeDay(year, civil.month, civil.day), TimeOfDay());
  }

 private:
  static int64_t MakeDay(int64_t year, int64_t month, int64_t date) {
    return DaysFromCivil(year + FloorDiv(month, 12), FloorMod(month, 12) + 1,
                         1) +
           date - 1;
  }
  static int64_t MakeTime(int64_t h, int64_t m, int64_t s, int64_t ms) {
    return h * 3'600'000 + m * 60'000 + s * 1000 + ms;
  }
  int64_t Day() const { return FloorDiv(ms_, kDayMs); }
  int64_t TimeOfDay() const { return FloorMod(ms_, kDayMs); }
  int64_t Millis() const { return TimeOfDay() % 1000; }
  CivilDate Civil() const { return CivilFromDays(Day()); }
  void Set(int64_t day, int64_t time_of_day) {
    // Every argument is a small field value, so this cannot overflow.
    SetTime(day * kDayMs + time_of_day);
  }

  int64_t ms_ = 0;
  bool valid_ = true;
};

// --- parsing -------------------------------------------------------------

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

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
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

// --- time zones ----------------------------------------------------------

// The tz database's names (zones and links), keyed by lower case, as Intl
// accepts them in any case. From tzdata.zi, which lists exactly the names
// the database defines (the directory also holds posix/, right/ and files
// that are not zones).
struct ZoneName {
  std::string name;
  std::string target;  // what a link points to; the name itself for zones
};

constexpr char kTzDataIndex[] = "/usr/share/zoneinfo/tzdata.zi";

absl::StatusOr<std::map<std::string, ZoneName>> LoadZoneNames() {
  std::ifstream in(kTzDataIndex);
  if (!in) {
    return absl::FailedPreconditionError(
        fmt::format("cannot read {} (install Debian's tzdata)", kTzDataIndex));
  }
  std::map<std::string, ZoneName> names;
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest(line);
    if (rest.size() < 2 || rest[1] != ' ' ||
        (rest[0] != 'Z' && rest[0] != 'L')) {
      continue;
    }
    const bool link = rest[0] == 'L';
    rest.remove_prefix(2);
    const size_t space = rest.find(' ');
    const std::string first(rest.substr(0, space));
    if (link) {
      // "L TARGET NAME"
      const std::string name(space == std::string_view::npos
                                 ? std::string_view()
                                 : rest.substr(space + 1));
      names[AsciiLower(name)] = {name, first};
    } else {
      names[AsciiLower(first)] = {first, first};
    }
  }
  return names;
}

const absl::StatusOr<std::map<std::string, ZoneName>>& ZoneNames() {
  static const absl::StatusOr<std::map<std::string, ZoneName>> names =
      LoadZoneNames();
  return names;
}

// Effect's parseOffset: /([+-])(\d{2}):?(\d{2})$/ anywhere at the end.
std::optional<int64_t> ParseOffsetSuffix(std::string_view text) {
  auto digits = [&](size_t at) {
    return text[at] >= '0' && text[at] <= '9' && text[at + 1] >= '0' &&
           text[at + 1] <= '9';
  };
  auto number = [&](size_t at) {
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
  };
  const size_t n = text.size();
  size_t sign_at;
  if (n >= 6 && text[n - 3] == ':' && digits(n - 5) && digits(n - 2)) {
    sign_at = n - 6;
  } else if (n >= 5 && digits(n - 4) && digits(n - 2)) {
    sign_at = n - 5;
  } else {
    return std::nullopt;
  }
  if (text[sign_at] != '+' && text[sign_at] != '-') return std::nullopt;
  const int64_t minutes = number(sign_at + 1) * 60 + number(n - 2);
  return (text[sign_at] == '+' ? 1 : -1) * minutes * 60'000;
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

std::string FormatIsoMs(int64_t ms) {
  const CivilDate civil = CivilFromDays(FloorDiv(ms, kDayMs));
  const int64_t time_of_day = FloorMod(ms, kDayMs);
  const std::string year =
      civil.year >= 0 && civil.year <= 9999
          ? fmt::format("{:04}", civil.year)
          : fmt::format("{}{:06}", civil.year < 0 ? '-' : '+',
                        civil.year < 0 ? -civil.year : civil.year);
  return fmt::format("{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year,
                     civil.month + 1, civil.day, time_of_day / 3'600'000,
                     time_of_day / 60'000 % 60, time_of_day / 1000 % 60,
                     time_of_day % 1000);
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

std::optional<int64_t> Cron::OffsetMs(int64_t utc_ms) const {
  if (!zone_.named.has_value()) return zone_.fixed_offset_ms;
  if (utc_ms < -kJsDateMaxMs || utc_ms > kJsDateMaxMs) return std::nullopt;
  return int64_t{zone_.named->At(absl::FromUnixMillis(utc_ms)).offset} * 1000;
}

std::optional<int64_t> Cron::NamedOffsetMs(int64_t utc_ms,
                                           int64_t wall_ms) const {
  const std::optional<int64_t> offset_ms = OffsetMs(utc_ms);
  if (!offset_ms.has_value() || *offset_ms % 60'000 == 0) return offset_ms;
  return OffsetMs(wall_ms);
}

std::optional<int64_t> Cron::ToWall(int64_t utc_ms) const {
  const std::optional<int64_t> offset_ms = OffsetMs(utc_ms);
  if (!offset_ms.has_value()) return std::nullopt;
  const int64_t wall_ms = utc_ms + *offset_ms;
  if (wall_ms < -kJsDateMaxMs || wall_ms > kJsDateMaxMs) return std::nullopt;
  return wall_ms;
}

std::optional<int64_t> Cron::FromWall(int64_t wall_ms, Disambiguation d) const {
  if (!zone_.named.has_value()) return wall_ms - zone_.fixed_offset_ms;
  const std::optional<int64_t> before =
      NamedOffsetMs(wall_ms - kDayMs, wall_ms);
  const std::optional<int64_t> after = NamedOffsetMs(wall_ms + kDayMs, wall_ms);
  if (!before.has_value() || !after.has_value()) return std::nullopt;
  if (*before == *after) return wall_ms - *before;
  if (*before < *after) {
    // Clocks moved forward: a wall time in the gap maps past it.
    const std::optional<int64_t> current =
        NamedOffsetMs(wall_ms - *after, wall_ms);
    if (!current.has_value()) return std::nullopt;
    return wall_ms - (*current == *after ? *after : *before);
  }
  // Clocks moved back: a repeated wall time takes the earlier offset unless
  // the later occurrence is asked for and exists.
  const std::optional<int64_t> current =
      NamedOffsetMs(wall_ms - *before, wall_ms);
  if (!current.has_value()) return std::nullopt;
  if (*current == *before) {
    if (d == Disambiguation::kCompatible) return wall_ms - *before;
    const int64_t transition = *before - *after;
    const std::optional<int64_t> later =
        NamedOffsetMs(wall_ms - *before + transition, wall_ms + transition);
    if (!later.has_value()) return std::nullopt;
    if (*later == *before) return wall_ms - *before;
  }
  return wall_ms - *after;
}

absl::StatusOr<int64_t> Cron::Next(int64_t after_ms) const {
  if (on_dst_overlap_ != DstOverlapPolicy::kBoth) {
    return Search(after_ms, on_dst_overlap_ == DstOverlapPolicy::kLater
                                ? Disambiguation::kLater
                                : Disambiguation::kCompatible);
  }
  // Both occurrences are eligible: the nearer of the two single searches.
  absl::StatusOr<int64_t> earlier =
      Search(after_ms, Disambiguation::kCompatible);
  if (!earlier.ok()) return earlier;
  absl::StatusOr<int64_t> later = Search(after_ms, Disambiguation::kLater);
  if (!later.ok()) return later;
  return std::min(*earlier, *later);
}

absl::StatusOr<int64_t> Cron::Search(int64_t after_ms, Disambiguation d) const {
  const int64_t now = after_ms;
  auto out_of_date_range = [&] {
    return absl::OutOfRangeError(
        fmt::format("cron expression {:?}: no run time after {} ms within the "
                    "JavaScript date range",
                    expression_, after_ms));
  };
  // Effect's DateTime refuses instants this close to the Date range's ends.
  auto in_range = [](int64_t ms) {
    return ms >= kCronMinFromMs && ms <= kCronMaxFromMs;
  };
  if (!in_range(now)) {
    return absl::OutOfRangeError(
        fmt::format("cron: start {} ms is outside [{}, {}]", now,
                    kCronMinFromMs, kCronMaxFromMs));
  }
  const bool utc = zone_.utc;
  // The instant a wall time resolves to under the policy.
  auto resolve = [&](int64_t wall_ms) -> std::optional<int64_t> {
    if (!in_range(wall_ms)) return std::nullopt;
    return FromWall(wall_ms, d);
  };
  // Inside a repeated hour a wall time can resolve to an instant that is not
  // after the start. nullopt: outside Effect's range.
  auto out_of_order = [&](int64_t wall_ms) -> std::optional<bool> {
    if (utc) return false;
    const std::optional<int64_t> instant = resolve(wall_ms);
    if (!instant.has_value()) return std::nullopt;
    return *instant <= now;
  };
  // Moves a candidate that lies in a gap forward by the gap's length when
  // that is where the wall time resolves.
  auto adjust_dst = [&](JsDate& current) -> bool {
    if (!current.valid()) return false;
    if (utc) return true;
    if (!in_range(current.time())) return false;
    const std::optional<int64_t> instant =
        FromWall(current.time(), Disambiguation::kCompatible);
    if (!instant.has_value()) return false;
    const std::optional<int64_t> adjusted = ToWall(*instant);
    if (!adjusted.has_value()) return false;
    const int64_t drift = current.time() - *adjusted;
    if (drift > 0) current.SetTime(current.time() + drift);
    return current.valid();
  };
  std::optional<int64_t> fold_seconds;
  // Steps past candidates that resolve before the start: one second at a
  // time, or by binary search when the whole fold lies ahead.
  auto skip_out_of_order = [&](JsDate& current) -> bool {
    if (!fold_seconds.has_value()) {
      if (!in_range(now - kDayMs) || !in_range(now + kDayMs)) return false;
      const std::optional<int64_t> day_before = OffsetMs(now - kDayMs);
      const std::optional<int64_t> day_after = OffsetMs(now + kDayMs);
      if (!day_before.has_value() || !day_after.has_value()) return false;
      fold_seconds = FloorDiv(*day_before - *day_after, 1000);
    }
    const int64_t base = current.time();
    auto after = [&](int64_t seconds) { return base + seconds * 1000; };
    int64_t out = 0;
    int64_t in = 1;
    if (*fold_seconds > 0) {
      const std::optional<bool> ahead = out_of_order(after(*fold_seconds));
      if (!ahead.has_value()) return false;
      if (!*ahead) {
        in = *fold_seconds;
        while (in - out > 1) {
          const int64_t mid = out + (in - out) / 2;
          const std::optional<bool> skip = out_of_order(after(mid));
          if (!skip.has_value()) return false;
          (*skip ? out : in) = mid;
        }
      }
    }
    current.SetTime(after(in));
    return current.valid();
  };

  struct Boundary {
    int second, minute, hour, day, month, weekday;
  };
  auto first = [](const Field& field, int lo, int fallback) {
    for (int v = lo; v < 64; ++v) {
      if (field.allowed[v]) return v;
    }
    return fallback;
  };
  const Boundary boundary{first(seconds_, 0, 0),    first(minutes_, 0, 0),
                          first(hours_, 0, 0),      first(days_, 1, 1),
                          first(months_, 1, 1) - 1, first(weekdays_, 0, 0)};
  // The least allowed value >= v below `size`, or -1.
  auto next_allowed = [](const Field& field, int v, int size) {
    for (; v < size; ++v) {
      if (field.allowed[v]) return v;
    }
    return -1;
  };

  const std::optional<int64_t> start_wall = ToWall(now);
  if (!start_wall.has_value()) return out_of_date_range();
  JsDate current(*start_wall);
  if (!utc) {
    // If the start is in the occurrence of a repeated hour that the policy
    // excludes, begin from its wall time under the policy's offset so the
    // eligible instants of the same fold are visited.
    const std::optional<int64_t> resolved = resolve(current.time());
    if (!resolved.has_value()) return out_of_date_range();
    const int64_t shift = now - *resolved;
    if (shift < 0) current.SetTime(current.time() + shift);
  }
  // The first whole second strictly after the start.
  current.SetSeconds(current.Seconds() + 1, 0);
  if (!current.valid()) return out_of_date_range();

  int64_t skips = 0;
  for (int step = 0; step < kMaxSearchSteps; ++step) {
    auto moved = [&]() -> bool { return adjust_dst(current); };
    if (seconds_.restricted()) {
      const int second = current.Seconds();
      const int next = next_allowed(seconds_, second, 60);
      if (next < 0) {
        current.SetMinutes(current.Minutes() + 1, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
      if (next > second) {
        current.SetSeconds(next);
        if (!moved()) return out_of_date_range();
        continue;
      }
    }
    if (minutes_.restricted()) {
      const int minute = current.Minutes();
      const int next = next_allowed(minutes_, minute, 60);
      if (next < 0) {
        current.SetHours(current.Hours() + 1, boundary.minute, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
      if (next > minute) {
        current.SetMinutes(next, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
    }
    auto start_of_day = [&](int64_t date) {
      current.SetDate(date);
      current.SetHours(boundary.hour, boundary.minute, boundary.second);
      return moved();
    };
    if (hours_.restricted()) {
      const int hour = current.Hours();
      const int next = next_allowed(hours_, hour, 24);
      if (next < 0) {
        if (!start_of_day(current.Date() + 1)) return out_of_date_range();
        continue;
      }
      if (next > hour) {
        current.SetHours(next, boundary.minute, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
    }
    if (weekdays_.restricted() || days_.restricted()) {
      if (and_) {
        const bool day_matches =
            !days_.restricted() || days_.allowed[current.Date()];
        const bool weekday_matches =
            !weekdays_.restricted() || weekdays_.allowed[current.Weekday()];
        if (!day_matches || !weekday_matches) {
          if (!start_of_day(current.Date() + 1)) return out_of_date_range();
          continue;
        }
      } else {
        // Days to the next allowed weekday (a) and day of month (b).
        constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
        int64_t a = kNever;
        int64_t b = kNever;
        if (weekdays_.restricted()) {
          const int weekday = current.Weekday();
          const int next = next_allowed(weekdays_, weekday, 7);
          a = next < 0 ? 7 - weekday + boundary.weekday : next - weekday;
        }
        if (days_.restricted() && a != 0) {
          const int day = current.Date();
          const int next = next_allowed(days_, day, 32);
          const int days_in_month = current.DaysInMonth();
          // A next day beyond this month's end would overflow past earlier
          // matching days of the next month.
          b = next < 0 || next > days_in_month
                  ? days_in_month - day + boundary.day
                  : next - day;
        }
        const int64_t add_days = std::min(a, b);
        if (add_days != 0) {
          if (!start_of_day(current.Date() + add_days)) {
            return out_of_date_range();
          }
          continue;
        }
      }
    }
    if (months_.restricted()) {
      const int month = current.Month() + 1;
      const int next = next_allowed(months_, month, 13);
      const int day =
          days_.restricted() && !weekdays_.restricted() ? boundary.day : 1;
      if (next < 0) {
        current.SetFullYear(current.FullYear() + 1);
        current.SetMonth(boundary.month, day);
        current.SetHours(boundary.hour, boundary.minute, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
      if (next > month) {
        current.SetMonth(next - 1, day);
        current.SetHours(boundary.hour, boundary.minute, boundary.second);
        if (!moved()) return out_of_date_range();
        continue;
      }
    }
    const std::optional<bool> skip = out_of_order(current.time());
    if (!skip.has_value()) return out_of_date_range();
    if (*skip) {
      if (++skips > kMaxFoldSkips) {
        return absl::OutOfRangeError(fmt::format(
            "cron expression {:?}: more than {} repeated-time candidates "
            "after {} ms",
            expression_, kMaxFoldSkips, after_ms));
      }
      if (!skip_out_of_order(current)) return out_of_date_range();
      step = -1;  // as in Effect, skipped candidates do not use up steps
      continue;
    }
    const std::optional<int64_t> result = FromWall(current.time(), d);
    if (!result.has_value() || *result < -kJsDateMaxMs ||
        *result > kJsDateMaxMs) {
      return out_of_date_range();
    }
    return *result;
  }
  return absl::OutOfRangeError(fmt::format(
      "cron expression {:?}: no run time after {} ms within {} search steps",
      expression_, after_ms, kMaxSearchSteps));
}

}  // namespace clustersim
