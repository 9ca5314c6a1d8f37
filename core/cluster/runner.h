// Runner: a registered cluster member — its address, the shard groups it
// serves and its relative shard weight (Effect's `Runner`). As in Effect,
// equality (and hence ordering and hashing here) covers address and weight
// only: two Runners that differ only in groups are the same runner. The
// weight is finite (Effect's Schema.Finite).
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_RUNNER_H_
#define CLUSTERSIM_CORE_CLUSTER_RUNNER_H_

#include <compare>
#include <string>
#include <utility>
#include <vector>

#include "core/cluster/runner_address.h"

namespace clustersim {

class Runner {
 public:
  // Requires a finite weight.
  Runner(RunnerAddress address, std::vector<std::string> groups, double weight);

  const RunnerAddress& address() const { return address_; }
  const std::vector<std::string>& groups() const { return groups_; }
  double weight() const { return weight_; }

  friend bool operator==(const Runner& a, const Runner& b) {
    return a.address_ == b.address_ && a.weight_ == b.weight_;
  }
  friend std::weak_ordering operator<=>(const Runner& a, const Runner& b);

  template <typename H>
  friend H AbslHashValue(H h, const Runner& runner) {
    // -0.0 == 0.0, so both must hash alike.
    const double weight = runner.weight_ == 0 ? 0.0 : runner.weight_;
    return H::combine(std::move(h), runner.address_, weight);
  }

 private:
  RunnerAddress address_;
  std::vector<std::string> groups_;
  double weight_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_RUNNER_H_
