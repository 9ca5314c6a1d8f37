#include "sim/checkers/single_activation.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/checkers/entity_event.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {
namespace {

std::string Where(const std::string& runner, uint32_t node) {
  return absl::StrCat("runner ", runner, " (node ", node, ")");
}

}  // namespace

SingleActivationChecker::SingleActivationChecker(FindingSink sink)
    : sink_(std::move(sink)) {}

void SingleActivationChecker::OnTraceEvent(int64_t time_us, uint32_t node,
                                           std::string_view kind,
                                           std::string_view detail) {
  CheckResumed(time_us);
  if (kind == "node.crash") {
    paused_since_us_.erase(node);
    resumed_at_us_.erase(node);
    Crash(node);
    return;
  }
  if (kind == "node.pause") {
    paused_since_us_.try_emplace(node, time_us);
    return;
  }
  if (kind == "node.resume") {
    paused_since_us_.erase(node);
    resumed_at_us_.insert_or_assign(node, time_us);
    return;
  }
  const bool start = kind == "entity.start";
  const bool step = kind == "entity.step";
  if (!start && !step && kind != "entity.stop") return;
  const std::optional<EntityEvent> parsed = ParseEntityEvent(detail);
  if (!parsed.has_value()) {
    ++malformed_;
    return;
  }
  const std::string address(parsed->address);
  const std::string runner(parsed->runner);
  if (start) {
    Start(time_us, node, address, runner);
  } else if (step) {
    Step(time_us, node, address, runner);
  } else {
    Stop(node, address, runner);
  }
}

SingleActivationChecker::Activation* SingleActivationChecker::Find(
    const std::string& address, uint32_t node, const std::string& runner) {
  auto it = alive_.find(address);
  if (it == alive_.end()) return nullptr;
  for (Activation& a : it->second) {
    if (a.node == node && a.runner == runner) return &a;
  }
  return nullptr;
}

void SingleActivationChecker::Start(int64_t time_us, uint32_t node,
                                    std::string address, std::string runner) {
  ++activations_;
  std::vector<Activation>& holders = alive_[address];
  Activation* own = nullptr;
  for (Activation& a : holders) {
    if (a.node == node && a.runner == runner) {
      own = &a;
      continue;
    }
    if (paused_since_us_.contains(a.node)) {
      // Frozen, so not active: it must stop the entity when it resumes.
      ++overlaps_with_paused_;
      if (a.superseded_by.empty()) {
        a.superseded_by = Where(runner, node);
        a.superseded_at_us = time_us;
      }
      continue;
    }
    sink_(Finding{kSingleActivation, time_us,
                  absl::StrCat(address, " started on ", Where(runner, node),
                               " at ", FormatDurationUs(time_us),
                               " while alive on ", Where(a.runner, a.node),
                               " since ", FormatDurationUs(a.since_us))});
  }
  if (own != nullptr) {
    ++same_runner_overlaps_;
    ++own->count;
    return;
  }
  holders.push_back(Activation{node, std::move(runner), time_us, 1});
}

void SingleActivationChecker::Step(int64_t time_us, uint32_t node,
                                   const std::string& address,
                                   const std::string& runner) {
  Activation* a = Find(address, node, runner);
  if (a == nullptr || a->superseded_by.empty() || a->reported) return;
  a->reported = true;
  sink_(Finding{
      kSingleActivation, time_us,
      absl::StrCat(Where(runner, node), " ran a step of ", address, " at ",
                   FormatDurationUs(time_us), " after a pause, though it was ",
                   "started on ", a->superseded_by, " at ",
                   FormatDurationUs(a->superseded_at_us),
                   " meanwhile (a stale owner that did not stop it)")});
}

void SingleActivationChecker::CheckResumed(int64_t time_us) {
  for (auto it = resumed_at_us_.begin(); it != resumed_at_us_.end();) {
    if (it->second >= time_us) {
      ++it;
      continue;
    }
    const uint32_t node = it->first;
    const int64_t resumed_us = it->second;
    it = resumed_at_us_.erase(it);
    for (auto& [address, holders] : alive_) {
      const bool held_elsewhere =
          std::any_of(holders.begin(), holders.end(),
                      [node](const Activation& a) { return a.node != node; });
      for (Activation& a : holders) {
        if (a.node != node || a.superseded_by.empty() || a.reported ||
            !held_elsewhere) {
          continue;
        }
        a.reported = true;
        sink_(Finding{
            kSingleActivation, time_us,
            absl::StrCat(address, " stayed alive on ", Where(a.runner, a.node),
                         " after its node resumed at ",
                         FormatDurationUs(resumed_us), ", while alive on ",
                         a.superseded_by, " since ",
                         FormatDurationUs(a.superseded_at_us))});
      }
    }
  }
}

void SingleActivationChecker::Stop(uint32_t node, const std::string& address,
                                   const std::string& runner) {
  auto it = alive_.find(address);
  if (it == alive_.end()) return;
  std::vector<Activation>& holders = it->second;
  for (size_t i = 0; i < holders.size(); ++i) {
    if (holders[i].node != node || holders[i].runner != runner) continue;
    if (--holders[i].count == 0) holders.erase(holders.begin() + i);
    break;
  }
  if (holders.empty()) alive_.erase(it);
}

void SingleActivationChecker::Crash(uint32_t node) {
  for (auto it = alive_.begin(); it != alive_.end();) {
    std::vector<Activation>& holders = it->second;
    holders.erase(
        std::remove_if(holders.begin(), holders.end(),
                       [node](const Activation& a) { return a.node == node; }),
        holders.end());
    it = holders.empty() ? alive_.erase(it) : std::next(it);
  }
}

}  // namespace clustersim::sim::checkers
