#include "sim/checkers/assignment_convergence.h"

#include <algorithm>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/hash_ring.h"
#include "core/cluster/shard_id.h"

namespace clustersim::sim::checkers {
namespace {

constexpr std::string_view kRunnerField = " runner=";

}  // namespace

int64_t AssignmentConvergenceChecker::BoundMs(
    const sharding::ShardingConfig& config, int64_t storage_call_timeout_ms) {
  return config.shard_lock_expiration_ms +
         config.refresh_assignments_interval_ms + storage_call_timeout_ms +
         config.entity_termination_timeout_ms + sharding::kAcquirePassPauseMs +
         2 * config.shard_lock_interval_ms() + kMessageSlackMs;
}

AssignmentConvergenceChecker::AssignmentConvergenceChecker(Options options,
                                                           FindingSink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  CHECK(options_.shards > 0 && options_.bound_us > 0);
}

void AssignmentConvergenceChecker::AddRunner(uint32_t node,
                                             RunnerAddress address) {
  runners_.insert_or_assign(node, std::move(address));
}

void AssignmentConvergenceChecker::OnTraceEvent(int64_t time_us, uint32_t node,
                                                std::string_view kind,
                                                std::string_view detail) {
  // Judged on the state before this event: nothing changed since the
  // deadline passed.
  CheckDeadline(time_us);
  if (node == options_.storage_node) {
    if (kind == "node.crash" || kind == "node.pause") {
      storage_up_ = false;
      window_judged_ = false;
    } else if (kind == "node.start" || kind == "node.resume") {
      storage_up_ = true;
    }
    return;
  }
  auto runner = runners_.find(node);
  if (runner == runners_.end()) return;
  const RunnerAddress& address = runner->second;
  if (kind == "runner.register") {
    if (members_.insert(address).second) MembershipChanged(time_us);
  } else if ((kind == "runner.unregister" && !detail.ends_with(" failed")) ||
             kind == "node.crash") {
    if (kind == "node.crash") {
      for (auto& [shard, keys] : owners_) keys.erase(address.Key());
    }
    if (members_.erase(address) > 0) MembershipChanged(time_us);
  } else if (kind == "shard.acquire" || kind == "shard.release") {
    const size_t at = detail.find(kRunnerField);
    absl::StatusOr<ShardId> shard =
        at == std::string_view::npos ? absl::InvalidArgumentError("no runner")
                                     : ShardId::Parse(detail.substr(0, at));
    if (!shard.ok()) {
      ++malformed_;
      return;
    }
    if (shard->group() != options_.group) return;
    const std::string key(detail.substr(at + kRunnerField.size()));
    if (kind == "shard.acquire") {
      owners_[shard->number()].insert(key);
    } else {
      owners_[shard->number()].erase(key);
    }
  } else if (kind == "shard.release_all" && !detail.ends_with(" failed")) {
    for (auto& [shard, keys] : owners_) keys.erase(address.Key());
  } else {
    return;
  }
  Reassess(time_us);
}

void AssignmentConvergenceChecker::Finish(int64_t now_us) {
  CheckDeadline(now_us);
}

void AssignmentConvergenceChecker::MembershipChanged(int64_t time_us) {
  ++changes_;
  HashRing ring;
  for (const RunnerAddress& member : members_) {
    CHECK(ring.Add(member).ok(), "runner addresses hash");
  }
  targets_ =
      ring.GetShards(options_.shards).value_or(std::vector<RunnerAddress>{});
  window_start_us_ = time_us;
  window_judged_ = time_us >= options_.judge_from_us && storage_up_;
}

void AssignmentConvergenceChecker::CheckDeadline(int64_t time_us) {
  if (!window_start_us_.has_value() ||
      time_us < *window_start_us_ + options_.bound_us) {
    return;
  }
  if (window_judged_) {
    ++judged_;
    sink_(Finding{kAssignmentConvergence, *window_start_us_ + options_.bound_us,
                  absl::StrCat("the membership change at ", *window_start_us_,
                               "us did not converge within ",
                               options_.bound_us / 1000, " ms: ", Mismatch())});
  }
  window_start_us_.reset();
}

void AssignmentConvergenceChecker::Reassess(int64_t time_us) {
  if (!window_start_us_.has_value()) return;
  if (!Mismatch().empty()) return;
  const int64_t latency_us = time_us - *window_start_us_;
  ++converged_;
  if (window_judged_) ++judged_;
  if (window_judged_) max_latency_us_ = std::max(max_latency_us_, latency_us);
  window_start_us_.reset();
}

std::string AssignmentConvergenceChecker::Mismatch() const {
  static const absl::btree_set<std::string> kNone;
  for (int32_t n = 1; n <= options_.shards; ++n) {
    auto it = owners_.find(n);
    const absl::btree_set<std::string>& owners =
        it == owners_.end() ? kNone : it->second;
    const std::optional<std::string> target =
        targets_.empty() ? std::nullopt
                         : std::optional<std::string>(
                               targets_[static_cast<size_t>(n - 1)].Key());
    const bool ok = target.has_value()
                        ? owners.size() == 1 && owners.contains(*target)
                        : owners.empty();
    if (ok) continue;
    std::string held;
    for (const std::string& key : owners) {
      absl::StrAppend(&held, held.empty() ? "" : ",", key);
    }
    return absl::StrCat(options_.group, ":", n, " is held by {", held,
                        "}, its ring owner is ", target.value_or("nobody"));
  }
  return "";
}

}  // namespace clustersim::sim::checkers
