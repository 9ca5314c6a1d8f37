// Effect's string hash (`Hash.string`, djb2 over UTF-16 code units, read from
// the last unit to the first) and its `Hash.optimize` bit mix. Shard routing
// and the hash ring depend on these values bit for bit.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_CLUSTER_STRING_HASH_H_
#define CLUSTERSIM_CORE_CLUSTER_STRING_HASH_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim {

// Effect's `Hash.optimize`: bit 30 is replaced by bit 31 (bit 31 is kept), so
// the result may be negative.
int32_t OptimizeHash(int32_t hash);

// Effect's `Hash.string` of a JavaScript string given as UTF-16 code units.
int32_t HashUtf16(std::u16string_view units);

// Effect's `Hash.string` of the JavaScript string equal to `utf8`.
// InvalidArgument if `utf8` is not well-formed UTF-8.
absl::StatusOr<int32_t> HashString(std::string_view utf8);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_STRING_HASH_H_
