#include "core/sharding/runner_client.h"

#include <string>
#include <utility>

#include "core/cluster/cluster_error.h"
#include "core/sharding/runner_protocol.h"

namespace clustersim::sharding {
namespace {

// The caller's view of a failed call: the remote runner's cluster error, or
// RunnerUnavailable for anything that says the transport failed.
absl::Status FromCall(const absl::Status& status,
                      const RunnerAddress& address) {
  if (GetClusterError(status).has_value()) return status;
  return ToStatus(RunnerUnavailable{address});
}

}  // namespace

bool IsDefect(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInternal;
}

Task<void> RunnerClient::RunCall(RpcEndpoint* rpc, NodeId node,
                                 RpcMethod method, std::string request,
                                 int64_t timeout_ms, Answer answer) {
  answer->Set(co_await rpc->Call(node, method, std::move(request), timeout_ms));
}

Task<absl::StatusOr<std::string>> RunnerClient::Call(
    const RunnerAddress& address, RpcMethod method, std::string request,
    int64_t timeout_ms) {
  std::optional<NodeId> node = resolver_.NodeOf(address);
  if (!node.has_value()) co_return ToStatus(RunnerUnavailable{address});
  // The call runs in its own fiber so a departure of the runner can answer
  // it early (OnRunnerUnavailable).
  auto answer = std::make_shared<Deferred<absl::StatusOr<std::string>>>();
  const FiberId fiber = scope_.Spawn(
      RunCall(&rpc_, *node, method, std::move(request), timeout_ms, answer),
      "runner.call");
  if (!fiber) co_return ToStatus(RunnerUnavailable{address});
  const uint64_t call = next_call_++;
  in_flight_[address].emplace(call, answer);
  struct Done {
    RunnerClient* self;
    const RunnerAddress& address;
    uint64_t call;
    FiberId fiber;
    ~Done() {
      self->scope_.Cancel(fiber);
      auto it = self->in_flight_.find(address);
      if (it == self->in_flight_.end()) return;
      it->second.erase(call);
      if (it->second.empty()) self->in_flight_.erase(it);
    }
  } done{this, address, call, fiber};
  std::optional<absl::StatusOr<std::string>> result = co_await answer->Wait();
  // The error is built only when needed (value_or would build it always).
  if (result.has_value()) co_return *std::move(result);
  co_return ToStatus(RunnerUnavailable{address});
}

void RunnerClient::OnRunnerUnavailable(const RunnerAddress& address) {
  departed_at_.insert_or_assign(address, ++departures_);
  auto it = in_flight_.find(address);
  if (it == in_flight_.end()) return;
  // In call order: the answers' addresses would order them differently on
  // every allocator, and so would the callers' wake-ups.
  const std::map<uint64_t, Answer> answers = std::move(it->second);
  in_flight_.erase(it);
  for (const auto& [call, answer] : answers) {
    answer->Set(ToStatus(RunnerUnavailable{address}));
  }
}

bool RunnerClient::DepartedSince(const RunnerAddress& address,
                                 uint64_t departures) const {
  auto it = departed_at_.find(address);
  return it != departed_at_.end() && it->second > departures;
}

Task<absl::StatusOr<std::string>> RunnerClient::CallIdempotent(
    const RunnerAddress& address, RpcMethod method, std::string request) {
  absl::StatusOr<std::string> result;
  for (int attempt = 0; attempt < kRunnerCallAttempts; ++attempt) {
    result = co_await Call(address, method, request, kRunnerCallTimeoutMs);
    if (!absl::IsDeadlineExceeded(result.status())) break;
  }
  co_return result;
}

Task<absl::Status> RunnerClient::Ping(RunnerAddress address) {
  std::string empty;
  absl::StatusOr<std::string> result = co_await Call(
      address, kRunnerPing, std::move(empty), kRunnerPingTimeoutMs);
  if (result.ok()) co_return absl::OkStatus();
  co_return ToStatus(RunnerUnavailable{address});
}

Task<absl::Status> RunnerClient::Notify(RunnerAddress address,
                                        storage::Envelope envelope,
                                        bool persisted) {
  std::string bytes =
      EncodeNotify(NotifyMessage{std::move(envelope), persisted});
  absl::StatusOr<std::string> result = co_await Call(
      address, kRunnerNotify, std::move(bytes), kRunnerCallTimeoutMs);
  // Persisted messages are in storage already; the notification is a hint.
  if (persisted || result.ok()) co_return absl::OkStatus();
  co_return FromCall(result.status(), address);
}

Task<absl::Status> RunnerClient::SendEnvelope(RunnerAddress address,
                                              PeerEnvelope envelope,
                                              bool persisted) {
  std::string bytes =
      EncodeEnvelope(EnvelopeMessage{std::move(envelope), persisted});
  absl::StatusOr<std::string> result = co_await Call(
      address, kRunnerEnvelope, std::move(bytes), kRunnerCallTimeoutMs);
  if (result.ok()) co_return absl::OkStatus();
  co_return FromCall(result.status(), address);
}

Task<absl::Status> RunnerClient::SendRequest(RunnerAddress address,
                                             storage::Request request,
                                             bool persisted,
                                             ReplySink respond) {
  const Snowflake request_id = request.request_id;
  // Temporaries stay out of co_await expressions: GCC 12 relocates them
  // bitwise, which breaks self-referential members (empty std::map).
  std::string start = EncodeStart(StartMessage{std::move(request), persisted});
  absl::StatusOr<std::string> result =
      co_await CallIdempotent(address, kRunnerStart, std::move(start));
  int64_t index = 0;
  for (;;) {
    if (!result.ok()) {
      if (IsDefect(result.status()) && !persisted) {
        respond(
            storage::WithExit{request_id, snowflakes_.Next(),
                              storage::Exit::Failure(storage::Cause{
                                  storage::CauseKind::kDie,
                                  std::string(result.status().message())})});
        co_return absl::OkStatus();
      }
      if (IsDefect(result.status())) {
        co_return ToStatus(RunnerUnavailable{address});
      }
      co_return FromCall(result.status(), address);
    }
    absl::StatusOr<PollResult> polled = DecodePollResult(*result);
    if (!polled.ok()) co_return ToStatus(RunnerUnavailable{address});
    if (polled->has_value()) {
      const bool done = std::holds_alternative<storage::WithExit>(**polled);
      respond(**std::move(polled));
      ++index;
      if (done) co_return absl::OkStatus();
    }
    std::string poll = EncodePoll(PollMessage{request_id, index});
    result = co_await CallIdempotent(address, kRunnerPoll, std::move(poll));
  }
}

}  // namespace clustersim::sharding
