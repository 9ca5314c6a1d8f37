// Cron::Next: the search for the next scheduled instant, walking wall time
// on a JavaScript Date as Effect's Cron.next does; and FormatIsoMs.
#include "core/cluster/cron.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/cluster/cron_internal.h"
#include "fmt/format.h"

namespace clustersim {

using cron_internal::kDayMs;

namespace {

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

}  // namespace

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
