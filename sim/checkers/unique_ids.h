// UniqueIdChecker: the unique-ids invariant (SPEC.md §4) for the ids a run
// can observe — every snowflake the cluster handed out (request and reply
// ids seen by storage) is used once. A repeat is a finding naming both
// uses. Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_UNIQUE_IDS_H_
#define CLUSTERSIM_SIM_CHECKERS_UNIQUE_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "core/cluster/snowflake.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kUniqueIds[] = "unique-ids";

class UniqueIdChecker {
 public:
  explicit UniqueIdChecker(FindingSink sink);

  // `id` was issued for `use` ("request 7 of a-1", "reply to 12", ...).
  void Observe(int64_t time_us, Snowflake id, std::string_view use);

  int64_t observed() const { return static_cast<int64_t>(uses_.size()); }

 private:
  FindingSink sink_;
  absl::btree_map<Snowflake, std::string> uses_;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_UNIQUE_IDS_H_
