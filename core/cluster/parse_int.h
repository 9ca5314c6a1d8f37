// Strict decimal integer parsing for identifiers and command-line values:
// an optional '-' followed by ASCII digits, nothing else (no spaces, '+',
// hex or exponents), so that a typo is an error rather than a guess.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_CLUSTER_PARSE_INT_H_
#define CLUSTERSIM_CORE_CLUSTER_PARSE_INT_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim {

// InvalidArgument "<what> \"<text>\" is not a decimal integer" or
// "... is out of range [min, max]".
absl::StatusOr<int64_t> ParseDecimal(std::string_view what,
                                     std::string_view text, int64_t min,
                                     int64_t max);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_PARSE_INT_H_
