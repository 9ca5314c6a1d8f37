#include "tools/bench_workflow.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/runtime/task.h"
#include "core/workflow/activity.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_runner.h"

namespace clustersim::tools {
namespace {

constexpr char kTag[] = "Bench";
constexpr int64_t kWarmUpExecutions = 100;

Task<workflow::Outcome<std::string>> Step(workflow::WorkflowContext,
                                          int32_t step) {
  co_return absl::StrCat("step ", step);
}

// Three activities, one after another.
Task<workflow::Outcome<std::string>> ThreeSteps(workflow::WorkflowContext ctx,
                                                std::string payload) {
  for (int32_t step = 1; step <= 3; ++step) {
    workflow::ActivityDefinition activity{absl::StrCat("step-", step),
                                          [step](workflow::WorkflowContext c) {
                                            return Step(std::move(c), step);
                                          }};
    WF_TRY(std::string done,
           co_await workflow::RunActivity(ctx, std::move(activity)));
    (void)done;
  }
  co_return payload;
}

struct Progress {
  int64_t completed = 0;
  int64_t callers_done = 0;
  absl::Status first_error;
};

Task<void> RunExecution(workflow::WorkflowEngine* engine, std::string id,
                        Progress* progress) {
  const workflow::WorkflowDefinition* definition = engine->Find(kTag);
  workflow::ExecuteOptions options;
  workflow::Outcome<std::string> result = co_await workflow::Execute(
      *engine, nullptr, *definition, id, id, options);
  if (result.ok()) {
    ++progress->completed;
  } else if (progress->first_error.ok()) {
    progress->first_error = absl::InternalError(absl::StrCat(
        "execution ", id, " failed: ", result.cause().DebugString()));
  }
  ++progress->callers_done;
}

workflow::WorkflowRunner* RunnerAt(BenchWorld& bench, size_t i) {
  return static_cast<workflow::WorkflowRunner*>(bench.processes()[i]);
}

absl::StatusOr<int64_t> RunPhase(BenchWorld& bench, const std::string& prefix,
                                 int64_t executions) {
  Progress progress;
  for (int64_t i = 0; i < executions; ++i) {
    workflow::WorkflowRunner* runner =
        RunnerAt(bench, static_cast<size_t>(i) % bench.processes().size());
    if (runner->engine() == nullptr) {
      return absl::InternalError("a runner has no workflow engine");
    }
    runner->runner().env().scope->Spawn(RunExecution(
        runner->engine(), absl::StrCat(prefix, "-", i), &progress));
  }
  int64_t last_completed = -1;
  int64_t last_progress_us = bench.world().now_us();
  while (progress.callers_done < executions) {
    bench.world().RunFor(kBenchStepUs);
    if (progress.completed != last_completed) {
      last_completed = progress.completed;
      last_progress_us = bench.world().now_us();
    } else if (bench.world().now_us() - last_progress_us > kBenchStallUs) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no execution completed for ", kBenchStallUs / 1'000'000,
          " virtual seconds (", progress.completed, " of ", executions, ")"));
    }
  }
  if (!progress.first_error.ok()) return progress.first_error;
  return progress.completed;
}

}  // namespace

absl::StatusOr<WorkflowFigures> RunWorkflowWorkload(
    const WorkflowWorkload& workload) {
  BenchWorld bench(
      workload.setting,
      [](sharding::RunnerProcessOptions options) {
        return workflow::WorkflowRunner::Factory(
            std::move(options), [](workflow::WorkflowEngine& engine) {
              return engine.Register(workflow::WorkflowDefinition{.tag = kTag},
                                     &ThreeSteps);
            });
      },
      [](Process* process) {
        return &static_cast<workflow::WorkflowRunner*>(process)->runner();
      });
  if (absl::Status ready = bench.AwaitShards(); !ready.ok()) return ready;
  absl::StatusOr<int64_t> warm = RunPhase(bench, "warm", kWarmUpExecutions);
  if (!warm.ok()) return warm.status();
  const int64_t start_us = bench.world().now_us();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int64_t> completed = RunPhase(bench, "x", workload.executions);
  const auto end = std::chrono::steady_clock::now();
  if (!completed.ok()) return completed.status();
  return WorkflowFigures{
      .executions = *completed,
      .wall_s = std::chrono::duration<double>(end - start).count(),
      .virtual_s =
          static_cast<double>(bench.world().now_us() - start_us) / 1e6};
}

}  // namespace clustersim::tools
