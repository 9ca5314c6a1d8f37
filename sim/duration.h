// Durations as users write them on the command line and in fault specs:
// an integer or decimal number followed by a unit, "250us", "10ms", "1.5s",
// "2m", "1h". A decimal must come to a whole number of microseconds. Signed
// durations ("+500ms", "-2s") are for clock skews and steps. Formatting picks
// the largest of s/ms/us that is exact, so Format and Parse round-trip.
// Pure functions.
#ifndef CLUSTERSIM_SIM_DURATION_H_
#define CLUSTERSIM_SIM_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim::sim {

// Longest duration accepted: about 31 years, far beyond any run, and far
// from int64 overflow when added to a time.
inline constexpr int64_t kMaxDurationUs = int64_t{1'000'000'000'000'000};

// A non-negative duration in microseconds; InvalidArgument names the text.
absl::StatusOr<int64_t> ParseDurationUs(std::string_view text);
// Like ParseDurationUs but with an optional leading '+' or '-'.
absl::StatusOr<int64_t> ParseSignedDurationUs(std::string_view text);

// "10s", "1500ms", "250us", "0s"; negative values get a '-'.
std::string FormatDurationUs(int64_t us);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_DURATION_H_
