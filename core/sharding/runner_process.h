// RunnerProcess: the Process of a runner node (or a client-only node) —
// what the simulator starts on each incarnation. It owns the node's
// RpcEndpoint, its StorageClient (made by a factory, so a scenario can plug
// the remote client of core/storage or an in-process one), the Sharding,
// and the RunnerServer, and routes incoming bytes to the endpoint. The
// scenario's entities and singletons are registered by a callback before
// the Sharding starts.
//
// A graceful stop is Shutdown(); a crash is the environment closing the
// node's scope and destroying the process.
//
// Single-threaded. The environment owns it; the resolver outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_PROCESS_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_PROCESS_H_

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "core/cluster/cluster_metrics.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/sharding/config.h"
#include "core/sharding/runner_resolver.h"
#include "core/sharding/runner_server.h"
#include "core/sharding/sharding.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

struct RunnerProcessOptions {
  // Must be valid (ShardingConfig::Validate).
  ShardingConfig config;
  Sharding::Options sharding;
  // Builds the node's storage client; it may use the node's endpoint.
  std::function<std::unique_ptr<storage::StorageClient>(const NodeEnv& env,
                                                        RpcEndpoint& rpc)>
      storage;
  // Runner address -> node. Must outlive the process.
  const RunnerResolver* resolver = nullptr;
  // Registers the scenario's entities and singletons. An error is recorded
  // as "runner.registration_failed" and the node runs without them.
  std::function<absl::Status(Sharding& sharding)> register_entities;
};

class RunnerProcess : public Process {
 public:
  RunnerProcess(const NodeEnv& env, const RunnerProcessOptions& options);
  ~RunnerProcess() override;
  RunnerProcess(const RunnerProcess&) = delete;
  RunnerProcess& operator=(const RunnerProcess&) = delete;

  // A ProcessFactory building RunnerProcesses.
  static ProcessFactory Factory(RunnerProcessOptions options);

  void OnMessage(NodeId from, std::string_view bytes) override;

  // Starts a graceful shutdown (Sharding::Shutdown) in the node's scope.
  void Shutdown();
  bool shutdown_complete() const { return shutdown_done_.is_open(); }

  const NodeEnv& env() const { return env_; }
  Sharding& sharding() { return *sharding_; }
  ClusterMetrics& metrics() { return metrics_; }
  RpcEndpoint& rpc() { return rpc_; }

 private:
  Task<void> RunShutdown();

  NodeEnv env_;
  ClusterMetrics metrics_;
  RpcEndpoint rpc_;
  std::unique_ptr<storage::StorageClient> storage_;
  std::unique_ptr<Sharding> sharding_;
  std::unique_ptr<RunnerServer> server_;
  Latch shutdown_done_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_PROCESS_H_
