#include "sim/checkers/unique_ids.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace clustersim::sim::checkers {

UniqueIdChecker::UniqueIdChecker(FindingSink sink) : sink_(std::move(sink)) {}

void UniqueIdChecker::Observe(int64_t time_us, Snowflake id,
                              std::string_view use) {
  auto [it, inserted] = uses_.try_emplace(id, use);
  if (inserted) return;
  sink_(Finding{kUniqueIds, time_us,
                absl::StrCat("snowflake ", id.ToString(), " was issued for ",
                             it->second, " and again for ", std::string(use))});
}

}  // namespace clustersim::sim::checkers
