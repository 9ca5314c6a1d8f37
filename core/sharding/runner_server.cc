#include "core/sharding/runner_server.h"

#include <utility>

#include "core/cluster/cluster_error.h"
#include "core/sharding/runner_protocol.h"

namespace clustersim::sharding {
namespace {

IncomingMessage ToIncoming(storage::Envelope envelope) {
  if (auto* request = std::get_if<storage::Request>(&envelope)) {
    return IncomingRequest{std::move(*request), std::nullopt,
                           [](storage::Reply) {}};
  }
  if (auto* ack = std::get_if<storage::AckChunk>(&envelope)) {
    return IncomingEnvelope{std::move(*ack)};
  }
  return IncomingEnvelope{std::get<storage::Interrupt>(std::move(envelope))};
}

absl::StatusOr<std::string> Empty(const absl::Status& status) {
  if (!status.ok()) return status;
  return std::string();
}

}  // namespace

RunnerServer::RunnerServer(Sharding& sharding, RpcEndpoint& rpc,
                           const NodeEnv& env)
    : sharding_(sharding), env_(env), scope_(*env.scope) {
  rpc.Register(kRunnerPing, &RunnerServer::HandlePing);
  rpc.Register(kRunnerNotify, [this](NodeId, std::string request) {
    return HandleNotify(std::move(request));
  });
  rpc.Register(kRunnerStart, [this](NodeId from, std::string request) {
    return HandleStart(from, std::move(request));
  });
  rpc.Register(kRunnerPoll, [this](NodeId from, std::string request) {
    return HandlePoll(from, std::move(request));
  });
  rpc.Register(kRunnerEnvelope, [this](NodeId, std::string request) {
    return HandleEnvelope(std::move(request));
  });
}

RunnerServer::~RunnerServer() { scope_.Close(); }

Task<absl::StatusOr<std::string>> RunnerServer::HandlePing(NodeId,
                                                           std::string) {
  co_return std::string();
}

Task<absl::StatusOr<std::string>> RunnerServer::HandleNotify(
    std::string request) {
  absl::StatusOr<NotifyMessage> message = DecodeNotify(request);
  if (!message.ok()) co_return message.status();
  IncomingMessage incoming = ToIncoming(std::move(message->envelope));
  if (message->persisted) {
    co_return Empty(
        co_await sharding_.NotifyIncoming(std::move(incoming), false));
  }
  co_return Empty(co_await sharding_.SendIncoming(std::move(incoming)));
}

Task<absl::StatusOr<std::string>> RunnerServer::HandleEnvelope(
    std::string request) {
  absl::StatusOr<EnvelopeMessage> message = DecodeEnvelope(request);
  if (!message.ok()) co_return message.status();
  // (Temporaries stay out of co_await expressions: GCC 12 mishandles them.)
  IncomingMessage incoming = IncomingEnvelope{std::move(message->envelope)};
  co_return Empty(co_await sharding_.SendIncoming(std::move(incoming)));
}

void RunnerServer::Wake(Served& served) {
  std::exchange(served.changed, std::make_shared<Latch>(false))->Open();
}

void RunnerServer::Push(const std::shared_ptr<Served>& served,
                        storage::Reply reply) {
  if (served->finished) return;
  served->finished = std::holds_alternative<storage::WithExit>(reply);
  served->replies.push_back(std::move(reply));
  Wake(*served);
}

void RunnerServer::Fail(const std::shared_ptr<Served>& served,
                        absl::Status status) {
  if (served->finished || served->failure.has_value()) return;
  served->failure = std::move(status);
  Wake(*served);
}

Task<absl::StatusOr<std::string>> RunnerServer::HandleStart(
    NodeId from, std::string request) {
  absl::StatusOr<StartMessage> message = DecodeStart(request);
  if (!message.ok()) co_return message.status();
  const Key key{from.value, message->request.request_id};
  // A repeated Start (its answer was lost) is answered, not delivered again.
  if (served_.contains(key)) co_return co_await Answer(key, 0);
  auto served = std::make_shared<Served>(message->request, message->persisted);
  served->last_poll_ms = env_.executor->NowMs();
  std::weak_ptr<Served> weak = served;
  ReplySink respond = [weak](storage::Reply reply) {
    if (std::shared_ptr<Served> s = weak.lock()) Push(s, std::move(reply));
  };
  if (served->persisted) {
    // Replies stored here reach the caller through a local reply handler;
    // the notify makes the storage loop deliver the request.
    served->handler = sharding_.reply_handlers().Register(
        served->request.request_id, served->request.address,
        std::move(respond));
    served_.insert_or_assign(key, served);
    served->watchers.push_back(
        scope_.Spawn(WatchNotify(served), "runner.serve_notify"));
    served->watchers.push_back(
        scope_.Spawn(WatchHandler(served), "runner.serve_handler"));
  } else {
    IncomingMessage incoming =
        IncomingRequest{served->request, std::nullopt, std::move(respond)};
    absl::Status sent = co_await sharding_.SendIncoming(std::move(incoming));
    if (!sent.ok()) co_return sent;
    served_.insert_or_assign(key, served);
  }
  scope_.Spawn(Expire(key, served), "runner.serve_expire");
  co_return co_await Answer(key, 0);
}

Task<void> RunnerServer::WatchNotify(std::shared_ptr<Served> served) {
  IncomingMessage incoming =
      IncomingRequest{served->request, std::nullopt, nullptr};
  absl::Status status =
      co_await sharding_.NotifyIncoming(std::move(incoming), true);
  if (!status.ok() && !IsClusterError<AlreadyProcessingMessage>(status)) {
    // Not deliverable here: the caller reads the reply from storage.
    served->handler.Reset();
    Fail(served, std::move(status));
  }
}

Task<void> RunnerServer::WatchHandler(std::shared_ptr<Served> served) {
  absl::Status status = co_await served->handler.Wait();
  if (!status.ok()) Fail(served, std::move(status));
}

Task<absl::StatusOr<std::string>> RunnerServer::HandlePoll(
    NodeId from, std::string request) {
  absl::StatusOr<PollMessage> message = DecodePoll(request);
  if (!message.ok()) co_return message.status();
  const Key key{from.value, message->request_id};
  co_return co_await Answer(key, message->index);
}

Task<absl::StatusOr<std::string>> RunnerServer::Answer(Key key, int64_t index) {
  const int64_t deadline_ms = env_.executor->NowMs() + kLongPollWaitMs;
  for (;;) {
    auto it = served_.find(key);
    if (it == served_.end()) {
      co_return absl::NotFoundError("the runner does not serve this request");
    }
    std::shared_ptr<Served> served = it->second;
    served->last_poll_ms = env_.executor->NowMs();
    if (index < static_cast<int64_t>(served->replies.size())) {
      co_return EncodePollResult(served->replies[static_cast<size_t>(index)]);
    }
    if (served->failure.has_value()) co_return *served->failure;
    const int64_t remaining_ms = deadline_ms - env_.executor->NowMs();
    if (remaining_ms <= 0) co_return EncodePollResult(std::nullopt);
    std::shared_ptr<Latch> changed = served->changed;
    co_await changed->WaitFor(remaining_ms);
  }
}

Task<void> RunnerServer::Expire(Key key, std::shared_ptr<Served> served) {
  for (;;) {
    const int64_t idle_ms = env_.executor->NowMs() - served->last_poll_ms;
    if (idle_ms >= kServedRequestIdleMs) break;
    co_await SleepMs(kServedRequestIdleMs - idle_ms);
  }
  auto it = served_.find(key);
  if (it != served_.end() && it->second == served) served_.erase(it);
  for (FiberId watcher : served->watchers) scope_.Cancel(watcher);
  served->handler.Reset();
  if (!served->persisted && !served->finished) {
    // The caller is gone: stop its volatile request.
    IncomingMessage interrupt = IncomingEnvelope{
        storage::Interrupt{sharding_.NextSnowflake(), served->request.address,
                           served->request.request_id}};
    (void)co_await sharding_.SendIncoming(std::move(interrupt));
  }
}

}  // namespace clustersim::sharding
