// Declarations shared by Cron's parts: parsing (cron_parse.cc), the time
// zone (cron_zone.cc) and the next-time search (cron.cc). Internal to
// //core/cluster:cron. Pure; the zone name table is loaded once and
// immutable after.
#ifndef CLUSTERSIM_CORE_CLUSTER_CRON_INTERNAL_H_
#define CLUSTERSIM_CORE_CLUSTER_CRON_INTERNAL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim::cron_internal {

constexpr int64_t kDayMs = 86'400'000;

// ASCII letters lower-cased, everything else kept (cron_parse.cc).
std::string AsciiLower(std::string_view text);

// The tz database's names (zones and links), keyed by lower case, as Intl
// accepts them in any case. From tzdata.zi, which lists exactly the names
// the database defines (the directory also holds posix/, right/ and files
// that are not zones).
struct ZoneName {
  std::string name;
  std::string target;  // what a link points to; the name itself for zones
};

// Every name, keyed by AsciiLower of it; loaded once (cron_zone.cc).
const absl::StatusOr<std::map<std::string, ZoneName>>& ZoneNames();

// Effect's parseOffset: /([+-])(\d{2}):?(\d{2})$/ anywhere at the end.
std::optional<int64_t> ParseOffsetSuffix(std::string_view text);

}  // namespace clustersim::cron_internal

#endif  // CLUSTERSIM_CORE_CLUSTER_CRON_INTERNAL_H_
