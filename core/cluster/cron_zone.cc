// Cron's time zone: the tz database's names, fixed offsets, and the
// conversions between instants and wall times that the search makes, with
// Effect's quirks (NamedOffsetMs, FromWall's disambiguation).
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/cluster/cron.h"
#include "core/cluster/cron_internal.h"
#include "fmt/format.h"

namespace clustersim {
namespace cron_internal {
namespace {

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

}  // namespace

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

}  // namespace cron_internal

using cron_internal::kDayMs;

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

}  // namespace clustersim
