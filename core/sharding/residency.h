// Residency: the runner-wide cap on resident entities
// (ShardingConfig::max_resident_entities, Effect's residency counter shared
// by the storage read loop and volatile sends). Freeing a slot calls
// `on_release` (Sharding wakes the storage read loop, so messages skipped at
// the cap are read again).
// Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_RESIDENCY_H_
#define CLUSTERSIM_CORE_SHARDING_RESIDENCY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "core/base/check.h"

namespace clustersim::sharding {

class Residency {
 public:
  // nullopt: unbounded.
  Residency(std::optional<int64_t> max, std::function<void()> on_release)
      : max_(max), on_release_(std::move(on_release)) {}

  bool AtCapacity() const { return max_.has_value() && count_ >= *max_; }
  // Reserves a slot; false at the cap.
  bool Admit() {
    if (AtCapacity()) return false;
    ++count_;
    return true;
  }
  void Release() {
    CHECK(count_ > 0, "residency slot released twice");
    --count_;
    if (max_.has_value()) on_release_();
  }
  int64_t count() const { return count_; }

 private:
  std::optional<int64_t> max_;
  std::function<void()> on_release_;
  int64_t count_ = 0;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RESIDENCY_H_
