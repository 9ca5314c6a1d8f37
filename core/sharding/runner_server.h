// RunnerServer: the serving side of the runner-to-runner protocol (Effect's
// RunnerServer.layerHandlers), registered on the node's RpcEndpoint.
//
//   Ping      answers at once.
//   Notify    volatile: Sharding::SendIncoming; persisted:
//             Sharding::NotifyIncoming (the message is in storage already).
//   Start     volatile: SendIncoming with a reply sink; persisted: a local
//             reply handler plus NotifyIncoming(waitUntilRead), whose
//             AlreadyProcessingMessage is ignored. The replies are buffered
//             per (caller node, request id) and handed out by Poll, in
//             order; a failure of the delivery or of the handler (e.g. the
//             shard moved: EntityNotAssignedToRunner) is returned instead.
//   Poll      the reply at an index, waiting at most kLongPollWaitMs.
//   Envelope  SendIncoming(AckChunk | Interrupt).
// A request whose caller stopped polling for kServedRequestIdleMs is
// forgotten; a volatile one is interrupted (as Effect 4.1.0 interrupts a
// volatile request when its caller's scope closes).
//
// Malformed requests are answered with MalformedMessage, never a crash.
// Single-threaded. Owned by the node's process; the Sharding and endpoint
// outlive it.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_SERVER_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/reply_handlers.h"
#include "core/sharding/sharding.h"

namespace clustersim::sharding {

class RunnerServer {
 public:
  // Registers the handlers on `rpc`.
  RunnerServer(Sharding& sharding, RpcEndpoint& rpc, const NodeEnv& env);
  ~RunnerServer();
  RunnerServer(const RunnerServer&) = delete;
  RunnerServer& operator=(const RunnerServer&) = delete;

  size_t served_count() const { return served_.size(); }

 private:
  // One request being served for a remote caller.
  struct Served {
    explicit Served(storage::Request request, bool persisted)
        : request(std::move(request)), persisted(persisted) {}
    storage::Request request;
    bool persisted;
    // Every reply so far (kept until the request is forgotten, so a poll
    // whose answer was lost can be repeated).
    std::vector<storage::Reply> replies;
    std::optional<absl::Status> failure;
    bool finished = false;  // the WithExit came
    // Opened, and replaced, on every change.
    std::shared_ptr<Latch> changed = std::make_shared<Latch>(false);
    int64_t last_poll_ms = 0;
    ReplyHandlers::Registration handler;  // persisted requests
    std::vector<FiberId> watchers;
  };
  using Key = std::pair<uint32_t, Snowflake>;

  Task<absl::StatusOr<std::string>> HandleNotify(std::string request);
  Task<absl::StatusOr<std::string>> HandleStart(NodeId from,
                                                std::string request);
  Task<absl::StatusOr<std::string>> HandlePoll(NodeId from,
                                               std::string request);
  Task<absl::StatusOr<std::string>> HandleEnvelope(std::string request);
  // Waits until reply `index` (or a failure) is there, at most the long-poll
  // wait.
  Task<absl::StatusOr<std::string>> Answer(Key key, int64_t index);
  // A persisted request's notify(waitUntilRead), and its reply handler.
  Task<void> WatchNotify(std::shared_ptr<Served> served);
  Task<void> WatchHandler(std::shared_ptr<Served> served);
  Task<void> Expire(Key key, std::shared_ptr<Served> served);
  static void Push(const std::shared_ptr<Served>& served, storage::Reply reply);
  static void Fail(const std::shared_ptr<Served>& served, absl::Status status);
  static void Wake(Served& served);
  static Task<absl::StatusOr<std::string>> HandlePing(NodeId from,
                                                      std::string request);

  Sharding& sharding_;
  NodeEnv env_;
  std::map<Key, std::shared_ptr<Served>> served_;
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_SERVER_H_
