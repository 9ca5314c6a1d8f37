#include "sim/checkers/workflow_checker.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/checkers/entity_event.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {
namespace {

constexpr std::string_view kWorkflowEntityPrefix = "EntityAddress(Workflow/";

// Splits "<head> k1=v1 k2=v2 ... kn=vn" into head and values, reading the
// keys from the right so that the head can hold spaces when allowed (an
// activity's head holds its name). Nullopt if a key is missing or a value
// empty.
template <size_t N>
std::optional<std::array<std::string_view, N + 1>> SplitFields(
    std::string_view detail, const std::array<std::string_view, N>& keys,
    bool head_may_have_spaces = false) {
  std::array<std::string_view, N + 1> out;
  std::string_view rest = detail;
  for (size_t i = N; i-- > 0;) {
    const std::string marker = absl::StrCat(" ", std::string(keys[i]), "=");
    const size_t at = rest.rfind(marker);
    if (at == std::string_view::npos) return std::nullopt;
    out[i + 1] = rest.substr(at + marker.size());
    if (out[i + 1].empty()) return std::nullopt;
    rest = rest.substr(0, at);
  }
  if (rest.empty() ||
      (!head_may_have_spaces && rest.find(' ') != std::string_view::npos)) {
    return std::nullopt;
  }
  out[0] = rest;
  return out;
}

std::string Where(std::string_view runner, uint32_t node) {
  return absl::StrCat("runner ", std::string(runner), " (node ", node, ")");
}

}  // namespace

WorkflowChecker::WorkflowChecker(int64_t bound_us, FindingSink sink)
    : sink_(std::move(sink)), liveness_(bound_us, sink_) {}

void WorkflowChecker::OnTraceEvent(int64_t time_us, uint32_t node,
                                   std::string_view kind,
                                   std::string_view detail) {
  if (kind == "node.crash") {
    paused_.erase(node);
    Crash(node);
  } else if (kind == "node.pause") {
    paused_.insert(node);
  } else if (kind == "node.resume") {
    paused_.erase(node);
  } else if (kind == "entity.stop") {
    EntityStop(node, detail);
  } else if (kind == "workflow.started") {
    if (detail.empty() || detail.find(' ') != std::string_view::npos) {
      ++malformed_;
      return;
    }
    liveness_.OnAccepted(time_us,
                         absl::StrCat("execution ", std::string(detail)));
  } else if (kind == "workflow.run.start") {
    auto f = SplitFields<1>(detail, {"runner"});
    if (!f.has_value()) {
      ++malformed_;
      return;
    }
    RunStart(time_us, node, std::string((*f)[0]), std::string((*f)[1]));
  } else if (kind == "workflow.run.end") {
    auto f = SplitFields<3>(detail, {"runner", "result", "exit"});
    if (!f.has_value()) {
      ++malformed_;
      return;
    }
    RunEnd(time_us, node, std::string((*f)[0]), std::string((*f)[1]), (*f)[2],
           (*f)[3]);
  } else if (kind == "workflow.activity") {
    auto f = SplitFields<4>(detail, {"attempt", "runner", "result", "exit"},
                            /*head_may_have_spaces=*/true);
    if (!f.has_value()) {
      ++malformed_;
      return;
    }
    // The head is "<execution> name=<name>"; the execution has no space.
    constexpr std::string_view kName = " name=";
    const std::string_view head = (*f)[0];
    const size_t at = detail.find(kName);
    if (at == std::string_view::npos || at + kName.size() >= head.size()) {
      ++malformed_;
      return;
    }
    Activity(time_us, node, std::string(head.substr(0, at)),
             head.substr(at + kName.size()), (*f)[1], std::string((*f)[2]),
             (*f)[3], (*f)[4]);
  }
}

void WorkflowChecker::CheckTerminal(int64_t quiet_us, int64_t now_us) {
  liveness_.Check(quiet_us, now_us);
}

void WorkflowChecker::RunStart(int64_t time_us, uint32_t node,
                               const std::string& execution,
                               const std::string& runner) {
  ++runs_;
  std::vector<OpenRun>& holders = open_[execution];
  OpenRun* own = nullptr;
  for (OpenRun& run : holders) {
    if (run.node == node && run.runner == runner) {
      own = &run;
      continue;
    }
    if (!run.superseded_by.empty()) continue;  // already reported stale
    if (paused_.contains(run.node)) {
      ++superseded_runs_;
      run.superseded_by = Where(runner, node);
      run.superseded_at_us = time_us;
      continue;
    }
    sink_(Finding{
        kWorkflow, time_us,
        absl::StrCat("execution ", execution, " started a run on ",
                     Where(runner, node), " at ", FormatDurationUs(time_us),
                     " while running on ", Where(run.runner, run.node),
                     " since ", FormatDurationUs(run.since_us))});
  }
  if (own != nullptr) {
    ++same_runner_overlaps_;
    ++own->count;
    return;
  }
  holders.push_back(OpenRun{node, runner, time_us, 1, "", 0});
}

void WorkflowChecker::CheckStale(int64_t time_us, uint32_t node,
                                 const std::string& execution,
                                 const std::string& runner,
                                 std::string_view what) {
  auto it = open_.find(execution);
  if (it == open_.end()) return;
  for (const OpenRun& run : it->second) {
    if (run.node != node || run.runner != runner || run.superseded_by.empty()) {
      continue;
    }
    sink_(Finding{
        kWorkflow, time_us,
        absl::StrCat(Where(runner, node), " ", std::string(what),
                     " of execution ", execution, " at ",
                     FormatDurationUs(time_us), " after a pause, though ",
                     run.superseded_by, " started a run of it at ",
                     FormatDurationUs(run.superseded_at_us),
                     " meanwhile (a stale runner)")});
    return;
  }
}

void WorkflowChecker::RunEnd(int64_t time_us, uint32_t node,
                             const std::string& execution,
                             const std::string& runner, std::string_view result,
                             std::string_view exit) {
  if (result == "complete") {
    CheckStale(time_us, node, execution, runner, "completed a run");
    auto [it, inserted] = completions_.try_emplace(
        execution, Completion{std::string(exit), runner, time_us});
    if (!inserted && it->second.exit != exit) {
      sink_(Finding{
          kWorkflow, time_us,
          absl::StrCat(
              "execution ", execution, " completed on ", Where(runner, node),
              " at ", FormatDurationUs(time_us), " with exit ",
              std::string(exit), ", though it had completed on ", "runner ",
              it->second.runner, " at ", FormatDurationUs(it->second.time_us),
              " with exit ", it->second.exit)});
    }
    liveness_.OnReplied(time_us, absl::StrCat("execution ", execution));
  }
  // A run cut short (result=none) may not have read its activities' results.
  const std::string prefix = absl::StrCat(execution, " ");
  for (auto it = activities_.lower_bound(prefix);
       result != "none" && it != activities_.end() &&
       it->first.starts_with(prefix);
       ++it) {
    it->second.journaled = true;
  }
  Close(node, execution, runner, /*all=*/false);
}

void WorkflowChecker::Activity(int64_t time_us, uint32_t node,
                               const std::string& execution,
                               std::string_view name, std::string_view attempt,
                               const std::string& runner,
                               std::string_view result, std::string_view exit) {
  CheckStale(time_us, node, execution, runner,
             absl::StrCat("ran activity ", std::string(name)));
  if (result != "complete") return;
  const std::string key = absl::StrCat(execution, " ", std::string(name), " ",
                                       std::string(attempt));
  auto [it, inserted] = activities_.try_emplace(
      key, Completion{std::string(exit), runner, time_us});
  if (inserted) return;
  if (it->second.journaled) {
    sink_(Finding{
        kWorkflow, time_us,
        absl::StrCat("activity ", std::string(name), " attempt ",
                     std::string(attempt), " of execution ", execution,
                     " ran again on ", Where(runner, node), " at ",
                     FormatDurationUs(time_us), ", though it had completed on ",
                     "runner ", it->second.runner, " at ",
                     FormatDurationUs(it->second.time_us),
                     " and a run had ended past it (a journaled result was "
                     "not read)")});
    return;
  }
  if (it->second.exit == exit) return;
  sink_(Finding{
      kWorkflow, time_us,
      absl::StrCat("activity ", std::string(name), " attempt ",
                   std::string(attempt), " of execution ", execution,
                   " completed on ", Where(runner, node), " at ",
                   FormatDurationUs(time_us), " with exit ", std::string(exit),
                   ", though it had completed on runner ", it->second.runner,
                   " at ", FormatDurationUs(it->second.time_us), " with exit ",
                   it->second.exit, " (a journaled result changed)")});
}

void WorkflowChecker::Close(uint32_t node, const std::string& execution,
                            const std::string& runner, bool all) {
  auto it = open_.find(execution);
  if (it == open_.end()) return;
  std::vector<OpenRun>& holders = it->second;
  for (size_t i = 0; i < holders.size(); ++i) {
    if (holders[i].node != node || holders[i].runner != runner) continue;
    if (all || --holders[i].count == 0) holders.erase(holders.begin() + i);
    break;
  }
  if (holders.empty()) open_.erase(it);
}

void WorkflowChecker::EntityStop(uint32_t node, std::string_view detail) {
  // "EntityAddress(Workflow/<tag>, <execution_id>, <shard>) runner=<r>".
  const std::optional<EntityEvent> event = ParseEntityEvent(detail);
  if (!event.has_value() ||
      !event->address.starts_with(kWorkflowEntityPrefix)) {
    return;
  }
  const std::string_view address =
      event->address.substr(kWorkflowEntityPrefix.size());
  const size_t tag_end = address.find(", ");
  if (tag_end == std::string_view::npos) return;
  const size_t id_end = address.find(", ", tag_end + 2);
  if (id_end == std::string_view::npos) return;
  Close(node,
        absl::StrCat(
            std::string(address.substr(0, tag_end)), "/",
            std::string(address.substr(tag_end + 2, id_end - tag_end - 2))),
        std::string(event->runner), /*all=*/true);
}

void WorkflowChecker::Crash(uint32_t node) {
  for (auto it = open_.begin(); it != open_.end();) {
    std::vector<OpenRun>& holders = it->second;
    holders.erase(
        std::remove_if(holders.begin(), holders.end(),
                       [node](const OpenRun& r) { return r.node == node; }),
        holders.end());
    it = holders.empty() ? open_.erase(it) : std::next(it);
  }
}

}  // namespace clustersim::sim::checkers
