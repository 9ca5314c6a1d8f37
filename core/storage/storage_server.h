// StorageServer: the simulated storage node — Effect's SQL database as a
// server reached over the simulated network. It serves the storage protocol
// (storage_protocol.h) on an RpcEndpoint over the node's StorageBackend.
//
// StorageBackend is what outlives an incarnation of the node: the durable
// state (a database survives a crash of its server process), the audit that
// invariant checkers read at the end of a run, the fault settings the
// nemesis may change at any instant, and counters. The harness owns it and
// hands it to every StorageServer it starts on that node.
//
// Each request is one atomic operation on the state, at the server's own
// clock (env.executor->NowMs(): heartbeats, leases, claims); it runs to
// completion within one step, so operations never interleave. Every
// operation is traced as "storage.<method>" with a short deterministic
// detail, and every injected fault as "storage.fault". Faults (see
// storage_faults.h), drawn per request from env.random:
//   error          answer PersistenceError, apply nothing;
//   latency spike  sleep before or after applying;
//   unavailable    drop arriving requests and departing responses;
//   apply-then-drop  apply, then drop the response (the caller times out
//                  although the write landed).
// Duplicated requests are dropped by the RpcEndpoint (at most once per call).
//
// Errors travel back whole: the state's contract errors (Fenced,
// "storage limit", "storage full", PersistenceError for constraint
// violations), "malformed:" for undecodable requests.
//
// Single-threaded; a Process owned by the environment, which also owns the
// backend and keeps it alive for the node's whole run.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_SERVER_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_SERVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/step_free_clock.h"
#include "core/runtime/task.h"
#include "core/runtime/transport.h"
#include "core/storage/storage_audit.h"
#include "core/storage/storage_faults.h"
#include "core/storage/storage_state.h"

namespace clustersim::storage {

struct StorageServerStats {
  uint64_t requests = 0;           // calls that reached a handler
  uint64_t injected_errors = 0;    // answered PersistenceError, unapplied
  uint64_t latency_spikes = 0;     // requests slowed by a spike
  uint64_t dropped_requests = 0;   // messages dropped while unavailable
  uint64_t dropped_responses = 0;  // apply-then-drop, or unavailable
};

class StorageBackend {
 public:
  explicit StorageBackend(StorageState::Options options)
      : state_(std::move(options)) {}
  StorageBackend(const StorageBackend&) = delete;
  StorageBackend& operator=(const StorageBackend&) = delete;

  const StorageState& state() const { return state_; }
  const StorageAudit& audit() const { return audit_; }
  const StorageServerStats& stats() const { return stats_; }
  // The nemesis's knob: `backend.faults() = {...}` at any instant. Must stay
  // valid (StorageFaults::Validate).
  StorageFaults& faults() { return faults_; }
  const StorageFaults& faults() const { return faults_; }
  // The time the server would read for an operation on a node clock showing
  // `wall_ms` and `monotonic_us` (see NowMs), without anchoring the
  // step-free clock: nullopt in hardened mode before the server's first
  // operation. For checkers that judge leases as storage does.
  std::optional<int64_t> PeekNowMs(int64_t wall_ms, int64_t monotonic_us) const;

 private:
  friend class StorageServer;

  // The server's time for an operation. Reference mode: the node's wall
  // clock, as a database's now(), so a clock step moves every lease and
  // claim at once. Hardened mode: a step-free clock, the wall time at the
  // backend's first use advanced by the host's monotonic clock (which goes
  // on across restarts of the server process), so leases only ever expire
  // by elapsed time.
  int64_t NowMs(const Executor& clock);

  StorageState state_;
  StorageAudit audit_;
  StorageFaults faults_;
  StorageServerStats stats_;
  // Hardened mode's step-free clock, anchored at first use.
  std::optional<StepFreeClock::Anchor> anchor_;
};

class StorageServer : public Process {
 public:
  // `backend` must outlive the server.
  StorageServer(const NodeEnv& env, StorageBackend& backend);
  StorageServer(const StorageServer&) = delete;
  StorageServer& operator=(const StorageServer&) = delete;

  void OnMessage(NodeId from, std::string_view bytes) override;

  StorageFaults& faults() { return backend_.faults(); }
  const StorageState& state() const { return backend_.state(); }
  const StorageAudit& audit() const { return backend_.audit(); }
  const RpcEndpoint& endpoint() const { return endpoint_; }

 private:
  // The endpoint's transport: every message it sends is a response, which
  // may be dropped on the way out.
  class ResponseGate : public Transport {
   public:
    explicit ResponseGate(StorageServer* server) : server_(server) {}
    void Send(NodeId to, std::string bytes) override;

   private:
    StorageServer* server_;
  };

  static NodeEnv WithTransport(NodeEnv env, Transport* transport);

  template <typename Call>
  void Register();
  // The handler of Call's method: faults, then Execute.
  template <typename Call>
  Task<absl::StatusOr<std::string>> Serve(NodeId from, std::string request);
  // Decodes, applies and traces one call, all in this step.
  template <typename Call>
  absl::StatusOr<std::string> Execute(NodeId from, std::string_view request,
                                      bool inject_error);
  void SendResponse(NodeId to, std::string bytes);
  void TraceFault(const std::string& detail);

  NodeEnv env_;
  StorageBackend& backend_;
  ResponseGate gate_;
  // Set by a handler that drops its response, just before it returns: the
  // endpoint sends the response in the same step, so it is the next send.
  bool drop_next_response_ = false;
  RpcEndpoint endpoint_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_SERVER_H_
