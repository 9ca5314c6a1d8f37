#include "core/runtime/stall_detector.h"

#include <utility>
#include <vector>

#include "core/base/check.h"

namespace clustersim {

StallDetector::StallDetector(int64_t threshold_us)
    : threshold_us_(threshold_us) {
  CHECK(threshold_us > 0, "a stall threshold must be positive");
}

uint64_t StallDetector::Register(Handler handler) {
  CHECK(handler != nullptr);
  const uint64_t id = next_id_++;
  handlers_.emplace(id, std::move(handler));
  return id;
}

void StallDetector::Unregister(uint64_t id) { handlers_.erase(id); }

void StallDetector::BeforeWork(int64_t now_us) {
  CHECK(!running_, "BeforeWork called from a stall handler");
  CHECK(!started_ || now_us >= last_us_, "the monotonic clock went backwards");
  const int64_t gap_us = started_ ? now_us - last_us_ : 0;
  started_ = true;
  last_us_ = now_us;
  if (gap_us <= threshold_us_ || handlers_.empty()) return;
  ++stalls_;
  running_ = true;
  // A handler may unregister itself or others: iterate over a snapshot of
  // the ids and skip those gone meanwhile.
  std::vector<uint64_t> ids;
  ids.reserve(handlers_.size());
  for (const auto& [id, handler] : handlers_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = handlers_.find(id);
    if (it == handlers_.end()) continue;
    const Handler handler = it->second;  // it may unregister itself
    handler(gap_us);
  }
  running_ = false;
}

}  // namespace clustersim
