#include "core/sharding/runner_process.h"

#include <string>
#include <utility>

#include "core/base/check.h"

namespace clustersim::sharding {

RunnerProcess::RunnerProcess(const NodeEnv& env,
                             const RunnerProcessOptions& options)
    : env_(env),
      rpc_(env, RpcEndpoint::Options{.reliable = options.config.mode ==
                                                 Mode::kHardened}) {
  CHECK(options.storage != nullptr && options.resolver != nullptr,
        "a runner process needs a storage factory and a resolver");
  storage_ = options.storage(env_, rpc_);
  sharding_ =
      std::make_unique<Sharding>(options.config, env_, *storage_, rpc_,
                                 *options.resolver, metrics_, options.sharding);
  server_ = std::make_unique<RunnerServer>(*sharding_, rpc_, env_);
  if (options.register_entities) {
    const absl::Status registered = options.register_entities(*sharding_);
    if (!registered.ok()) {
      env_.trace->Record("runner.registration_failed",
                         std::string(registered.message()));
    }
  }
  sharding_->Start();
}

RunnerProcess::~RunnerProcess() {
  // The environment closed the node's scope already; this ends anything
  // still ours if a test destroys a live process.
  server_.reset();
  sharding_.reset();
}

ProcessFactory RunnerProcess::Factory(RunnerProcessOptions options) {
  return [options = std::move(options)](const NodeEnv& env) {
    return std::make_unique<RunnerProcess>(env, options);
  };
}

void RunnerProcess::OnMessage(NodeId from, std::string_view bytes) {
  // Bytes that are not an RPC frame are counted and traced by the endpoint.
  (void)rpc_.HandleMessage(from, bytes);
}

void RunnerProcess::Shutdown() {
  env_.scope->Spawn(RunShutdown(), "runner.shutdown");
}

Task<void> RunnerProcess::RunShutdown() {
  co_await sharding_->Shutdown();
  shutdown_done_.Open();
}

}  // namespace clustersim::sharding
