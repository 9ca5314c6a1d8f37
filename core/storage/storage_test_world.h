// StorageTestWorld: a deterministic two-node sim::World for the tests of the
// storage server and the RPC storage client — node 1 runs StorageServer over
// a StorageBackend owned by the fixture, node 2 is a client node whose test
// scripts (coroutines) call storage through StorageRpcClients. Links have a
// fixed 1 ms latency unless the options say otherwise.
// Test-only. Single-threaded.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_TEST_WORLD_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_TEST_WORLD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "core/base/check.h"
#include "core/cluster/runner_address.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/task.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::storage::testing {

// A node that only runs test scripts and routes RPC traffic.
class ClientProcess : public Process {
 public:
  explicit ClientProcess(const NodeEnv& env) : env_(env), endpoint_(env) {}
  void OnMessage(NodeId from, std::string_view bytes) override {
    (void)endpoint_.HandleMessage(from, bytes);
  }
  RpcEndpoint& endpoint() { return endpoint_; }
  const NodeEnv& env() const { return env_; }

 private:
  NodeEnv env_;
  RpcEndpoint endpoint_;
};

struct StorageTestWorldOptions {
  uint64_t seed = 1;
  StorageMode mode = StorageMode::kReference;
  int64_t lock_expiration_ms = 35'000;
  sim::LinkConfig link = {
      .latency = {.min_us = 1000, .tail_mean_us = 0, .max_us = 1000}};
  bool keep_trace_events = false;
};

class StorageTestWorld {
 public:
  // Client timeouts used by MakeClient.
  static constexpr int64_t kCallTimeoutMs = 5'000;
  static constexpr int64_t kLockCallTimeoutMs = 3'000;

  explicit StorageTestWorld(const StorageTestWorldOptions& options = {})
      : world_(
            sim::WorldOptions{.seed = options.seed,
                              .keep_trace_events = options.keep_trace_events}),
        network_(world_, options.link),
        backend_(StateOptions(options)) {
    storage_ = world_.AddNode("storage", [this](const NodeEnv& env) {
      return std::make_unique<StorageServer>(env, backend_);
    });
    client_ = world_.AddNode("client", [](const NodeEnv& env) {
      return std::make_unique<ClientProcess>(env);
    });
    world_.Start(storage_);
    world_.Start(client_);
  }

  sim::World& world() { return world_; }
  sim::Network& network() { return network_; }
  StorageBackend& backend() { return backend_; }
  NodeId storage_node() const { return storage_; }
  NodeId client_node() const { return client_; }
  ClientProcess& client() {
    return *static_cast<ClientProcess*>(world_.process(client_));
  }
  StorageServer& server() {
    return *static_cast<StorageServer*>(world_.process(storage_));
  }

  // A client on the client node's endpoint, writing as `runner`.
  std::unique_ptr<StorageRpcClient> MakeClient(
      std::optional<RunnerAddress> runner = std::nullopt) {
    return std::make_unique<StorageRpcClient>(
        client().endpoint(),
        StorageRpcClient::Options{.storage_node = storage_,
                                  .runner_address = std::move(runner),
                                  .call_timeout_ms = kCallTimeoutMs,
                                  .lock_call_timeout_ms = kLockCallTimeoutMs});
  }

  // Runs `script` on the client node until it finishes; returns the virtual
  // time it took in ms (a script that never finishes fails the check).
  int64_t Run(Task<void> script) {
    bool done = false;
    const int64_t start_us = world_.now_us();
    client().env().scope->Spawn(Finish(std::move(script), &done), "script");
    while (!done && world_.Step()) {
    }
    CHECK(done, "the test script did not finish");
    return (world_.now_us() - start_us) / 1000;
  }

 private:
  static StorageState::Options StateOptions(
      const StorageTestWorldOptions& options) {
    StorageState::Options state;
    state.mode = options.mode;
    state.runners.lock_expiration_ms = options.lock_expiration_ms;
    return state;
  }
  static Task<void> Finish(Task<void> script, bool* done) {
    co_await script;
    *done = true;
  }

  sim::World world_;
  sim::Network network_;
  StorageBackend backend_;
  NodeId storage_;
  NodeId client_;
};

}  // namespace clustersim::storage::testing

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_TEST_WORLD_H_
