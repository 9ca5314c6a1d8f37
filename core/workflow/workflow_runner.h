// WorkflowRunner: a runner node's Process with a ClusterWorkflowEngine — the
// sharding runner (sharding::RunnerProcess) plus the engine built on its
// Sharding and storage client while it registers entities, so the
// workflows' entities are registered before the Sharding starts.
//
// The engine is destroyed before the runner, after the environment has
// closed the node's scope (where the engine's entities run).
// Single-threaded. The environment owns it.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_RUNNER_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_RUNNER_H_

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "core/runtime/process.h"
#include "core/sharding/runner_process.h"
#include "core/workflow/cluster_engine.h"

namespace clustersim::workflow {

class WorkflowRunner : public Process {
 public:
  // Registers the node's workflows with its engine (after the entities of
  // `options.register_entities`); an error is the runner's registration
  // failure.
  using RegisterWorkflows = std::function<absl::Status(WorkflowEngine& engine)>;

  WorkflowRunner(const NodeEnv& env, sharding::RunnerProcessOptions options,
                 RegisterWorkflows register_workflows);
  ~WorkflowRunner() override;
  WorkflowRunner(const WorkflowRunner&) = delete;
  WorkflowRunner& operator=(const WorkflowRunner&) = delete;

  static ProcessFactory Factory(sharding::RunnerProcessOptions options,
                                RegisterWorkflows register_workflows);

  void OnMessage(NodeId from, std::string_view bytes) override;

  sharding::RunnerProcess& runner() { return runner_; }
  // Null if registration failed before the engine was built.
  WorkflowEngine* engine() { return engine_.get(); }
  storage::StorageClient* storage() { return storage_; }

 private:
  sharding::RunnerProcessOptions WithEngine(
      sharding::RunnerProcessOptions options,
      RegisterWorkflows register_workflows);

  NodeEnv env_;
  storage::StorageClient* storage_ = nullptr;
  // Built during runner_'s construction; destroyed first.
  std::unique_ptr<ClusterWorkflowEngine> engine_;
  sharding::RunnerProcess runner_;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_RUNNER_H_
