// Helpers shared by the cluster workflow engine's client side
// (cluster_engine.cc, cluster_engine_storage.cc, cluster_engine_wake.cc) and
// its entities (workflow_entity.cc): the RPC tags,
// the mapping between workflow results and the storage exits entities
// reply with, and Effect's retry helpers.
// Internal to core/workflow. Single-threaded.
#ifndef CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_INTERNAL_H_
#define CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_INTERNAL_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "core/runtime/task.h"
#include "core/storage/reply.h"
#include "core/workflow/cluster_engine.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

// What a workflow entity keeps from its spawn until it stops, across
// handler rebuilds (Effect's ActivationState).
struct ClusterWorkflowEngine::Activation {
  bool loaded = false;
  // Deferred results this activation has seen (InterruptSignal preloaded).
  std::map<std::string, Exit, std::less<>> results;
  // Every run's instance and scope until the execution finishes.
  std::vector<std::shared_ptr<WorkflowInstance>> instances;
  std::vector<std::shared_ptr<FinalizerScope>> run_scopes;
  struct CurrentRun {
    Snowflake request_id;
    EntityAddress address;
    std::shared_ptr<WorkflowInstance> instance;
    // Deferreds awaited inside the run's activities: they wake the run after
    // its reply, never preempt it.
    std::shared_ptr<std::map<std::string, int32_t>> activity_awaits;
  };
  std::optional<CurrentRun> current;
  // One automatic wake at a time waits for the current run's reply.
  bool resume_gate_busy = false;
};

namespace internal {

inline constexpr char kRunTag[] = "run";
inline constexpr char kActivityTag[] = "activity";
inline constexpr char kDeferredTag[] = "deferred";
inline constexpr char kResumeTag[] = "resume";
// Workflow state is durable: idle executions leave memory quickly.
inline constexpr int64_t kWorkflowMaxIdleMs = 10'000;

// A run's or activity's outcome as its entity replies: a Result as the
// success value; a run that ended with no result as a failure whose cause
// is kept whole (interrupt-only as an interrupt, so the entity manager
// treats it as Effect's does).
storage::Exit ToStorageExit(const Outcome<Result>& out);
// The inverse, for callers; bytes that do not decode are a defect.
Outcome<Result> FromStorageExit(const storage::Exit& exit);
// A deferred's stored reply holds the completion's exit.
Exit DeferredReplyExit(const storage::Exit& exit);
// An error from the cluster as a cause: Effect's orDie, or the Abandon
// interrupt for a caller the runner gave up.
Cause CauseOf(const absl::Status& status);

// The delay before retry `step`: Effect's retryPolicy, min(200 ms × 1.5ⁿ,
// 1 min); hardened mode caps it at 2 s (sharding::HardenedRetryDelayMs) so
// that a retried step resumes soon after a fault heals.
int64_t BackoffMs(int32_t step, bool hardened);

// Effect's ensureSuccess: retries (BackoffMs) until OK,
// except that an abandonment is returned at once.
Task<absl::Status> EnsureSuccess(std::function<Task<absl::Status>()> op,
                                 bool hardened);
// Effect.retry({times, schedule: exponential(base_ms)}).
Task<absl::Status> RetryTimes(int32_t times, int64_t base_ms,
                              std::function<Task<absl::Status>()> op);

}  // namespace internal
}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_CLUSTER_ENGINE_INTERNAL_H_
