// WorkflowChecker: the workflow invariant (SPEC.md §4) and the liveness of
// workflow executions, read from the trace the cluster workflow engine
// (core/workflow/cluster_engine.h) and scenario clients write:
//
//   workflow.started    "<tag>/<execution_id>"           a client started it
//   workflow.run.start  "<tag>/<execution_id> runner=<host>:<port>"
//   workflow.run.end    "<tag>/<execution_id> runner=<host>:<port>
//                        result=complete|suspended|none exit=<digest or ->"
//   workflow.activity   "<tag>/<execution_id> name=<activity name>
//                        attempt=<n> runner=<host>:<port>
//                        result=complete|suspended|none exit=<digest or ->"
//   entity.stop         "EntityAddress(Workflow/<tag>, <execution_id>, ...)
//                        runner=<host>:<port>"   the execution's entity
//                        stopped there, and every run of it with it
//   node.crash, node.pause, node.resume
//
// Violations (invariant "workflow"):
//   (1) a run of an execution starts on one runner while a run of it is open
//       on another (a run is open from its run.start to its run.end, the
//       stop of its entity on that runner, or its node's crash);
//   (2) a runner whose run was superseded while its node was paused (another
//       runner started the execution meanwhile) records an activity or a
//       completion of it afterwards: a stale runner acted;
//   (3) an execution completes twice with different exits;
//   (4) a completed activity attempt (execution, name, attempt) is
//       completed again with a different exit;
//   (5) a completed activity attempt runs again after a run of its
//       execution ended past it (result complete or suspended): the run got the
//       attempt's result, so it was journaled, and a replay must read it, not
//       run the attempt again. (An attempt cut short by a crash before its
//       result was stored runs again legitimately, Effect's activities being
//       at-least-once; the crashed run records no run.end.)
// A paused node executes nothing, so its open run does not count for (1)
// while it is paused, as in the single-activation checker; it must not act
// on the execution once it resumes. Several open runs of one execution on
// one runner (a replay starting while the last run drains) are counted, not
// reported: the invariant is about runners.
//
// Liveness (invariant "liveness", through LivenessChecker): every started
// execution is terminal (a run.end with result=complete) within `bound_us`
// of the later of its start and the last fault's end. CheckTerminal judges
// it; a scenario calls it only when its cluster can progress at the end.
// Compensations are not checked here: whether they ran exactly for the
// completed steps needs the steps' meaning, so each scenario's ledger
// checks it (scenarios/bank.h).
//
// Single-threaded; feed it events in trace order.
#ifndef CLUSTERSIM_SIM_CHECKERS_WORKFLOW_CHECKER_H_
#define CLUSTERSIM_SIM_CHECKERS_WORKFLOW_CHECKER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/liveness.h"

namespace clustersim::sim::checkers {

inline constexpr char kWorkflow[] = "workflow";

class WorkflowChecker {
 public:
  // Precondition: bound_us > 0.
  WorkflowChecker(int64_t bound_us, FindingSink sink);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);

  // Liveness of every started execution at `now_us`, the last fault having
  // ended at `quiet_us`.
  void CheckTerminal(int64_t quiet_us, int64_t now_us);

  int64_t started() const { return liveness_.accepted(); }
  int64_t completed() const {
    return static_cast<int64_t>(completions_.size());
  }
  int64_t runs() const { return runs_; }
  int64_t activities_completed() const {
    return static_cast<int64_t>(activities_.size());
  }
  // Runs started elsewhere while a holder's node was paused.
  int64_t superseded_runs() const { return superseded_runs_; }
  // Runs started while the same runner had one of that execution open.
  int64_t same_runner_overlaps() const { return same_runner_overlaps_; }
  // Workflow events whose detail does not parse.
  int64_t malformed() const { return malformed_; }
  // After CheckTerminal: executions too young to judge.
  int64_t unjudged() const { return liveness_.unjudged(); }

 private:
  // One runner's open runs of one execution.
  struct OpenRun {
    uint32_t node = 0;
    std::string runner;
    int64_t since_us = 0;
    int count = 0;
    // Started elsewhere while this node was paused: where and when.
    std::string superseded_by;
    int64_t superseded_at_us = 0;
  };
  struct Completion {
    std::string exit;
    std::string runner;
    int64_t time_us = 0;
    // For an activity attempt: a run of its execution ended after it.
    bool journaled = false;
  };

  void RunStart(int64_t time_us, uint32_t node, const std::string& execution,
                const std::string& runner);
  void RunEnd(int64_t time_us, uint32_t node, const std::string& execution,
              const std::string& runner, std::string_view result,
              std::string_view exit);
  void Activity(int64_t time_us, uint32_t node, const std::string& execution,
                std::string_view name, std::string_view attempt,
                const std::string& runner, std::string_view result,
                std::string_view exit);
  // Reports (2) if `runner` acts on `execution` through a superseded run.
  void CheckStale(int64_t time_us, uint32_t node, const std::string& execution,
                  const std::string& runner, std::string_view what);
  // Closes the open runs of `execution` on (node, runner); `all` closes
  // every one, else one.
  void Close(uint32_t node, const std::string& execution,
             const std::string& runner, bool all);
  void EntityStop(uint32_t node, std::string_view detail);
  void Crash(uint32_t node);

  FindingSink sink_;
  LivenessChecker liveness_;
  absl::btree_map<std::string, std::vector<OpenRun>> open_;
  absl::btree_map<std::string, Completion> completions_;
  // "<execution> <name> <attempt>" -> the attempt's completed exit.
  absl::btree_map<std::string, Completion> activities_;
  absl::btree_set<uint32_t> paused_;
  int64_t runs_ = 0;
  int64_t superseded_runs_ = 0;
  int64_t same_runner_overlaps_ = 0;
  int64_t malformed_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_WORKFLOW_CHECKER_H_
