// RunnerClient: the calling side of the runner-to-runner protocol (Effect's
// Runners.makeRpc): Ping, Notify, Envelope, and the Effect/Stream request as
// a Start followed by long polls (runner_protocol.h).
//
// Messages lost on the way are absorbed for Start and Poll, which the server
// answers idempotently: a call that times out is repeated before the runner
// counts as unreachable (Effect's runners talk over TCP, which retransmits).
//
// Error mapping, as Effect's: a cluster error the remote runner returned
// (EntityNotAssignedToRunner, MailboxFull, AlreadyProcessingMessage, ...)
// reaches the caller as is; a transport failure (timeout, unknown address,
// garbled answer) becomes RunnerUnavailable, except for persisted Notify,
// whose failures are ignored; a defect delivered by the server becomes the
// reply WithExit(die) for a volatile request and RunnerUnavailable for a
// persisted one (which then reads its reply from storage).
//
// Single-threaded; the endpoint, resolver and generator outlive it.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_CLIENT_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_CLIENT_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake_generator.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/message.h"
#include "core/sharding/outgoing.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/envelope.h"

namespace clustersim::sharding {

// A defect delivered by a runner: Internal.
bool IsDefect(const absl::Status& status);

class RunnerClient {
 public:
  // Calls run in fibers of a child scope of `parent`.
  RunnerClient(RpcEndpoint& rpc, const RunnerResolver& resolver,
               SnowflakeGenerator& snowflakes, Scope& parent)
      : rpc_(rpc),
        resolver_(resolver),
        snowflakes_(snowflakes),
        scope_(parent) {}
  ~RunnerClient() { scope_.Close(); }
  RunnerClient(const RunnerClient&) = delete;
  RunnerClient& operator=(const RunnerClient&) = delete;

  // Effect's Runners.onRunnerUnavailable: the runner left the cluster, so
  // its connection is dropped and the calls in flight to it fail at once
  // with RunnerUnavailable.
  void OnRunnerUnavailable(const RunnerAddress& address);
  // How many departures OnRunnerUnavailable has been told of so far. A
  // caller that chose a runner and then awaited something can tell from
  // DepartedSince whether that runner left meanwhile (a call begun after
  // its departure is not failed early: it waits out its timeout).
  uint64_t departures() const { return departures_; }
  bool DepartedSince(const RunnerAddress& address, uint64_t departures) const;

  // OK, or RunnerUnavailable.
  Task<absl::Status> Ping(RunnerAddress address);
  Task<absl::Status> Notify(RunnerAddress address, storage::Envelope envelope,
                            bool persisted);
  Task<absl::Status> SendEnvelope(RunnerAddress address, PeerEnvelope envelope,
                                  bool persisted);
  // Sends the request and hands every reply to `respond` until the WithExit.
  Task<absl::Status> SendRequest(RunnerAddress address,
                                 storage::Request request, bool persisted,
                                 ReplySink respond);

 private:
  Task<absl::StatusOr<std::string>> Call(const RunnerAddress& address,
                                         RpcMethod method, std::string request,
                                         int64_t timeout_ms);
  // Start and Poll are idempotent on the server: a call that times out is
  // repeated, as a connection would retransmit, up to kRunnerCallAttempts.
  Task<absl::StatusOr<std::string>> CallIdempotent(const RunnerAddress& address,
                                                   RpcMethod method,
                                                   std::string request);

  using Answer = std::shared_ptr<Deferred<absl::StatusOr<std::string>>>;
  static Task<void> RunCall(RpcEndpoint* rpc, NodeId node, RpcMethod method,
                            std::string request, int64_t timeout_ms,
                            Answer answer);

  RpcEndpoint& rpc_;
  const RunnerResolver& resolver_;
  SnowflakeGenerator& snowflakes_;
  // The answers awaited per runner, by call number, so a departure can fail
  // them in call order.
  std::map<RunnerAddress, std::map<uint64_t, Answer>> in_flight_;
  uint64_t next_call_ = 0;
  // Per runner, the value of departures_ its last departure took.
  std::map<RunnerAddress, uint64_t> departed_at_;
  uint64_t departures_ = 0;
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_CLIENT_H_
