#include "sim/checkers/lock_belief.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/checkers/entity_event.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {

LockBeliefChecker::LockBeliefChecker(LockQuery query, FindingSink sink)
    : query_(std::move(query)), sink_(std::move(sink)) {}

void LockBeliefChecker::OnTraceEvent(int64_t time_us, uint32_t node,
                                     std::string_view kind,
                                     std::string_view detail) {
  if (kind != "entity.start" && kind != "entity.step") return;
  const std::optional<EntityEvent> event = ParseEntityEvent(detail);
  const std::optional<std::string_view> shard =
      event.has_value() ? ShardOfAddress(event->address) : std::nullopt;
  if (!shard.has_value()) {
    ++malformed_;
    return;
  }
  ++checked_;
  const absl::Status held = query_(*shard, event->runner);
  std::pair<std::string, std::string> pair(event->runner, *shard);
  if (held.ok()) {
    failing_.erase(pair);
    return;
  }
  if (!failing_.insert(std::move(pair)).second) return;
  sink_(Finding{
      .invariant = kLockBelief,
      .time_us = time_us,
      .message = absl::StrCat(
          "runner ", std::string(event->runner), " (node ", node, ") ",
          kind == "entity.start" ? "started " : "ran a step of ",
          std::string(event->address), " at ", FormatDurationUs(time_us),
          " but storage holds no live lease of it on ", std::string(*shard),
          ": ", held.message())});
}

}  // namespace clustersim::sim::checkers
