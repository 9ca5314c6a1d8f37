#include "core/cluster/runner.h"

#include <cmath>

#include "core/base/check.h"

namespace clustersim {

Runner::Runner(RunnerAddress address, std::vector<std::string> groups,
               double weight)
    : address_(std::move(address)),
      groups_(std::move(groups)),
      weight_(weight) {
  CHECK(std::isfinite(weight_), "runner weights are finite");
}

std::weak_ordering operator<=>(const Runner& a, const Runner& b) {
  if (auto order = a.address_ <=> b.address_; order != 0) return order;
  // Finite weights are totally ordered.
  if (a.weight_ < b.weight_) return std::weak_ordering::less;
  if (b.weight_ < a.weight_) return std::weak_ordering::greater;
  return std::weak_ordering::equivalent;
}

}  // namespace clustersim
