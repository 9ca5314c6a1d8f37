// Cron: a recurring calendar schedule parsed from a cron expression, with
// Effect 4.1.0's `Cron.parse` and `Cron.next` semantics bit for bit
// (src/Cron.ts; golden vectors in cron_test_vectors.h).
//
// Expressions have 5 fields (minute hour day-of-month month weekday; the
// second is 0) or 6 (second first). A field is a comma list of `*`, `N`,
// `A-B`, each optionally `/STEP`; `N/STEP` means N, N+STEP, ... up to the
// field's maximum. Months take `jan`..`dec` and weekdays `sun`..`sat` in any
// case; weekday 7 is Sunday. As in Effect, a field whose first item is `*`
// or `*/1` is unrestricted and the rest of its list is ignored. When both
// day-of-month and weekday are restricted a day matches either, unless one
// of them starts with `*` (e.g. `*/2`), in which case it must match both.
//
// Times are computed in an IANA time zone (the system tz database through
// Abseil; names match case-insensitively, as JavaScript's Intl does) or a
// fixed offset ("+05:30", "GMT-0800"). Without a zone the schedule runs on
// UTC wall time; Effect uses the host's zone there, so this equals Effect on
// a UTC host and never reads the host's settings. A local time skipped by a
// clock change resolves to the instant after the gap; a repeated local time
// resolves by the DstOverlapPolicy. Like Effect, Next is not guaranteed to
// return the nearest instant near a gap; it returns what Effect returns.
//
// Value type; immutable after Parse, so thread-safe. Pure: it reads the tz
// database files, never the clock or the environment.
#ifndef CLUSTERSIM_CORE_CLUSTER_CRON_H_
#define CLUSTERSIM_CORE_CLUSTER_CRON_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clustersim {

// Which occurrences of a repeated local time (clocks falling back) a
// schedule includes: the first, the second, or both in order. Effect's
// DstOverlapPolicy "earlier" (the default), "later", "both".
enum class DstOverlapPolicy { kEarlier, kLater, kBoth };

// "earlier", "later" or "both"; InvalidArgument otherwise.
absl::StatusOr<DstOverlapPolicy> ParseDstOverlapPolicy(std::string_view text);
std::string_view DstOverlapPolicyName(DstOverlapPolicy policy);

// The instants a JavaScript Date accepts, and those Effect's DateTime
// accepts as a search start (the Date range less 12 h and 14 h).
inline constexpr int64_t kJsDateMaxMs = 8'640'000'000'000'000;
inline constexpr int64_t kCronMinFromMs = -kJsDateMaxMs + 12 * 3'600'000;
inline constexpr int64_t kCronMaxFromMs = kJsDateMaxMs - 14 * 3'600'000;

// JavaScript's Date.prototype.toISOString (what Effect's DateTime.formatIso
// prints): "2025-01-01T00:00:00.000Z", years outside 0..9999 as "+010000" or
// "-000001". `ms` must be within +-kJsDateMaxMs.
std::string FormatIsoMs(int64_t ms);

class Cron {
 public:
  // Parses `expression` in `time_zone` (nullopt: UTC wall time, see above).
  // InvalidArgument naming the field and its text for a malformed
  // expression (with Effect's own message), or naming the zone.
  static absl::StatusOr<Cron> Parse(
      std::string_view expression,
      std::optional<std::string_view> time_zone = std::nullopt,
      DstOverlapPolicy on_dst_overlap = DstOverlapPolicy::kEarlier);

  // The first scheduled instant strictly after `after_ms` (Effect's
  // Cron.next). Effect bounds its search at 10,000 field steps; so does
  // this (steps over candidates inside a repeated hour, which Effect does
  // not count, are bounded here by kMaxFoldSkips). OutOfRange if `after_ms`
  // is outside [kCronMinFromMs, kCronMaxFromMs], if no instant is found
  // within those bounds (e.g. "0 0 30 2 *") or if the search leaves the
  // JavaScript Date range: the cases where Effect throws.
  absl::StatusOr<int64_t> Next(int64_t after_ms) const;

  static constexpr int kMaxSearchSteps = 10'000;
  static constexpr int kMaxFoldSkips = 10'000'000;

  const std::string& expression() const { return expression_; }
  // The zone as given ("" for none).
  const std::string& time_zone() const { return time_zone_name_; }
  DstOverlapPolicy on_dst_overlap() const { return on_dst_overlap_; }

  // An allowed-value set per field, by value (weekday 7 is stored as 0);
  // all false means unrestricted.
  struct Field {
    std::array<bool, 64> allowed{};
    bool restricted() const;
  };

 private:
  enum class Disambiguation { kCompatible, kLater };
  struct Zone {
    // Set for IANA zones; otherwise a fixed offset.
    std::optional<absl::TimeZone> named;
    int64_t fixed_offset_ms = 0;
    // Effect special-cases zones that Intl resolves to "UTC".
    bool utc = false;
  };

  Cron() = default;
  absl::StatusOr<int64_t> Search(int64_t after_ms, Disambiguation d) const;
  // Each of these is nullopt where Effect throws: for IANA zones Effect
  // asks Intl, which refuses instants outside the Date range.
  // The zone's UTC offset at `utc_ms`, to the second, in ms.
  std::optional<int64_t> OffsetMs(int64_t utc_ms) const;
  // The offset as Effect reads it from Intl's "GMT+hh:mm" name: when the
  // offset has seconds the name does not parse and Effect falls back to the
  // offset at `wall_ms` taken as an instant.
  std::optional<int64_t> NamedOffsetMs(int64_t utc_ms, int64_t wall_ms) const;
  // Local wall time (as ms since the epoch on a UTC calendar) of an instant.
  std::optional<int64_t> ToWall(int64_t utc_ms) const;
  // The instant of a wall time (Effect's makeZonedFromAdjusted).
  std::optional<int64_t> FromWall(int64_t wall_ms, Disambiguation d) const;

  std::string expression_;
  std::string time_zone_name_;
  DstOverlapPolicy on_dst_overlap_ = DstOverlapPolicy::kEarlier;
  Zone zone_;
  Field seconds_, minutes_, hours_, days_, months_, weekdays_;
  // Both day fields restricted and both must match.
  bool and_ = false;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_CRON_H_
