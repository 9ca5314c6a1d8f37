#include "core/workflow/workflow_runner.h"

#include <utility>

namespace clustersim::workflow {

WorkflowRunner::WorkflowRunner(const NodeEnv& env,
                               sharding::RunnerProcessOptions options,
                               RegisterWorkflows register_workflows)
    : env_(env),
      runner_(env,
              WithEngine(std::move(options), std::move(register_workflows))) {}

WorkflowRunner::~WorkflowRunner() { engine_.reset(); }

ProcessFactory WorkflowRunner::Factory(sharding::RunnerProcessOptions options,
                                       RegisterWorkflows register_workflows) {
  return [options = std::move(options),
          register_workflows = std::move(register_workflows)](
             const NodeEnv& env) -> std::unique_ptr<Process> {
    return std::make_unique<WorkflowRunner>(env, options, register_workflows);
  };
}

void WorkflowRunner::OnMessage(NodeId from, std::string_view bytes) {
  runner_.OnMessage(from, bytes);
}

sharding::RunnerProcessOptions WorkflowRunner::WithEngine(
    sharding::RunnerProcessOptions options,
    RegisterWorkflows register_workflows) {
  auto make_storage = std::move(options.storage);
  options.storage = [this, make_storage](const NodeEnv& env, RpcEndpoint& rpc) {
    std::unique_ptr<storage::StorageClient> client = make_storage(env, rpc);
    storage_ = client.get();
    return client;
  };
  auto register_entities = std::move(options.register_entities);
  options.register_entities = [this, register_entities, register_workflows](
                                  sharding::Sharding& sharding) {
    if (register_entities) {
      absl::Status entities = register_entities(sharding);
      if (!entities.ok()) return entities;
    }
    engine_ = std::make_unique<ClusterWorkflowEngine>(sharding, *storage_, env_,
                                                      *env_.scope);
    return register_workflows(*engine_);
  };
  return options;
}

}  // namespace clustersim::workflow
