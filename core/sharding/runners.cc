#include "core/sharding/runners.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/runner_protocol.h"

namespace clustersim::sharding {
namespace {

storage::Reply WithRequestId(storage::Reply reply, Snowflake request_id) {
  std::visit([&](auto& r) { r.request_id = request_id; }, reply);
  return reply;
}

// Effect: a MalformedMessage from storage is a defect for the sender.
absl::Status DefectIfMalformed(absl::Status status) {
  if (IsClusterError<MalformedMessage>(status)) {
    return absl::InternalError(
        absl::StrCat("defect: ", std::string(status.message())));
  }
  return status;
}

}  // namespace

absl::Status Runners::SendLocal(const OutgoingMessage& message,
                                const Deliver& deliver) {
  if (!config_.simulate_remote_serialization) {
    return deliver(ToIncoming(message));
  }
  // Encode and decode as a remote send would.
  if (const auto* request = std::get_if<OutgoingRequest>(&message)) {
    absl::StatusOr<storage::Request> decoded =
        DecodeRequest(EncodeRequest(request->envelope));
    if (!decoded.ok()) {
      request->respond(storage::WithExit{
          request->envelope.request_id, snowflakes_.Next(),
          MalformedMessageExit(std::string(decoded.status().message()))});
      return absl::OkStatus();
    }
    return deliver(IncomingRequest{
        *std::move(decoded), request->last_received_reply, request->respond});
  }
  const auto& envelope = std::get<OutgoingEnvelope>(message);
  absl::StatusOr<EnvelopeMessage> decoded = DecodeEnvelope(
      EncodeEnvelope(EnvelopeMessage{envelope.envelope, envelope.persisted}));
  if (!decoded.ok()) return DefectIfMalformed(decoded.status());
  return deliver(IncomingEnvelope{std::move(decoded->envelope)});
}

Task<absl::Status> Runners::Send(const RunnerAddress& address,
                                 const OutgoingMessage& message) {
  if (const auto* envelope = std::get_if<OutgoingEnvelope>(&message)) {
    co_return co_await client_.SendEnvelope(address, envelope->envelope,
                                            envelope->persisted);
  }
  const OutgoingRequest& request = std::get<OutgoingRequest>(message);
  co_return co_await client_.SendRequest(
      address, request.envelope, request.rpc->persisted, request.respond);
}

Task<absl::Status> Runners::Persist(const OutgoingMessage& message) {
  absl::Status status;
  if (const auto* request = std::get_if<OutgoingRequest>(&message)) {
    absl::StatusOr<storage::SaveResult> saved =
        co_await storage_.SaveRequest(request->envelope);
    status = saved.status();
  } else if (const auto* ack = std::get_if<storage::AckChunk>(
                 &std::get<OutgoingEnvelope>(message).envelope)) {
    status = co_await storage_.SaveEnvelope(*ack);
  } else {
    status = co_await storage_.SaveEnvelope(std::get<storage::Interrupt>(
        std::get<OutgoingEnvelope>(message).envelope));
  }
  co_return DefectIfMalformed(std::move(status));
}

Task<absl::StatusOr<Runners::Persisted>> Runners::PersistForNotify(
    const OutgoingMessage& message) {
  if (!IsPersisted(message)) co_return Persisted{};
  if (const auto* outgoing = std::get_if<OutgoingEnvelope>(&message)) {
    // Envelopes of a resumed duplicate go to the original request.
    Snowflake request_id = RequestIdOf(outgoing->envelope);
    std::optional<OutgoingMessage> relabelled;
    if (auto it = request_id_rewrites_.find(request_id);
        it != request_id_rewrites_.end()) {
      request_id = it->second;
      relabelled = message;
      std::visit([&](auto& e) { e.request_id = request_id; },
                 std::get<OutgoingEnvelope>(*relabelled).envelope);
    }
    absl::Status status =
        co_await Persist(relabelled.has_value() ? *relabelled : message);
    if (!status.ok()) co_return status;
    // An ack lets the storage pump of its stream continue.
    poller_.OnAckPersisted(request_id);
    co_return Persisted{false, false, std::move(relabelled)};
  }

  const OutgoingRequest& request = std::get<OutgoingRequest>(message);
  absl::StatusOr<storage::SaveResult> saved =
      co_await storage_.SaveRequest(request.envelope);
  if (!saved.ok()) co_return DefectIfMalformed(saved.status());
  const auto* duplicate = std::get_if<storage::SaveDuplicate>(&*saved);
  if (duplicate == nullptr) co_return Persisted{};
  const Snowflake new_id = request.envelope.request_id;
  if (duplicate->last_reply.has_value() &&
      std::holds_alternative<storage::WithExit>(*duplicate->last_reply)) {
    request.respond(WithRequestId(*duplicate->last_reply, new_id));
    co_return Persisted{true, false, std::nullopt};
  }
  // Resume the stored request: its replies are relabelled for this sender.
  request_id_rewrites_.insert_or_assign(new_id, duplicate->original_id);
  OutgoingRequest resumed{request.envelope, request.rpc, duplicate->last_reply,
                          nullptr};
  resumed.envelope.request_id = duplicate->original_id;
  resumed.respond = [this, new_id,
                     respond = request.respond](storage::Reply reply) {
    if (std::holds_alternative<storage::WithExit>(reply)) {
      request_id_rewrites_.erase(new_id);
    }
    respond(WithRequestId(std::move(reply), new_id));
  };
  co_return Persisted{false, true, OutgoingMessage(std::move(resumed))};
}

Task<absl::Status> Runners::NotifyRemote(std::optional<RunnerAddress> address,
                                         const OutgoingMessage& message) {
  if (!address.has_value()) co_return absl::OkStatus();
  storage::Envelope envelope =
      std::holds_alternative<OutgoingRequest>(message)
          ? storage::Envelope(std::get<OutgoingRequest>(message).envelope)
          : std::visit([](const auto& e) { return storage::Envelope(e); },
                       std::get<OutgoingEnvelope>(message).envelope);
  co_return co_await client_.Notify(*std::move(address), std::move(envelope),
                                    IsPersisted(message));
}

Task<absl::Status> Runners::Notify(std::optional<RunnerAddress> address,
                                   const OutgoingMessage& message,
                                   bool discard) {
  const uint64_t departures = client_.departures();
  absl::StatusOr<Persisted> persisted = co_await PersistForNotify(message);
  if (!persisted.ok()) co_return persisted.status();
  // Hardened mode: the owner left while the message was being persisted
  // (the runner was chosen before the save). A call to it now would wait out
  // its timeout (5 s, each attempt) before falling back to storage, which
  // already holds the message for the shard's next owner: read the reply
  // from storage at once. Effect calls the departed runner.
  if (config_.mode == Mode::kHardened && address.has_value() &&
      client_.DepartedSince(*address, departures)) {
    address.reset();
  }
  if (persisted->answered) co_return absl::OkStatus();
  const OutgoingMessage& current = persisted->MessageOr(message);
  if (discard || std::holds_alternative<OutgoingEnvelope>(current)) {
    co_return co_await NotifyRemote(std::move(address), current);
  }
  const OutgoingRequest& request = std::get<OutgoingRequest>(current);
  if (!persisted->duplicate && address.has_value()) {
    // The owner answers directly; any failure falls back to storage.
    absl::Status sent = co_await Send(*address, current);
    if (sent.ok()) co_return sent;
    co_return co_await ReplyFromStorage(request);
  }
  absl::Status notified = co_await NotifyRemote(address, current);
  if (!notified.ok()) co_return notified;
  co_return co_await ReplyFromStorage(request);
}

Task<absl::Status> Runners::NotifyLocal(const OutgoingMessage& message,
                                        bool discard, bool storage_only,
                                        NotifyStorage notify) {
  if (const auto* request = std::get_if<OutgoingRequest>(&message);
      request != nullptr && !discard && !storage_only &&
      request->rpc->persisted && !request->rpc->stream) {
    co_return co_await NotifyLocalRequest(message, std::move(notify));
  }
  absl::StatusOr<Persisted> persisted = co_await PersistForNotify(message);
  if (!persisted.ok()) co_return persisted.status();
  if (persisted->answered) co_return absl::OkStatus();
  notify();
  const OutgoingMessage& current = persisted->MessageOr(message);
  if (discard || std::holds_alternative<OutgoingEnvelope>(current)) {
    co_return absl::OkStatus();
  }
  const OutgoingRequest& request = std::get<OutgoingRequest>(current);
  if (storage_only) co_return co_await ReplyFromStorage(request);
  co_return co_await ReplyFromStorageWithWake(request);
}

Task<absl::Status> Runners::NotifyLocalRequest(const OutgoingMessage& message,
                                               NotifyStorage notify) {
  const OutgoingRequest& request = std::get<OutgoingRequest>(message);
  // Registered before the save, so a reply stored at once is not missed.
  ReplyHandlers::Registration handler = handlers_.Register(
      request.envelope.request_id, request.envelope.address, request.respond);
  absl::StatusOr<Persisted> persisted = co_await PersistForNotify(message);
  if (!persisted.ok()) co_return persisted.status();
  if (persisted->answered) co_return absl::OkStatus();
  const OutgoingRequest& stored =
      std::get<OutgoingRequest>(persisted->MessageOr(message));
  if (persisted->duplicate) {
    // Answered under the original id, which this handler does not match.
    handler.Reset();
    notify();
    co_return co_await ReplyFromStorageWithWake(stored);
  }
  notify();
  absl::Status status = co_await handler.Wait();
  // Dropped (the shard moved, or the write was not confirmed): the reply is
  // in storage, or will be.
  if (IsClusterError<EntityNotAssignedToRunner>(status)) {
    co_return co_await ReplyFromStorage(stored);
  }
  co_return status;
}

Task<absl::Status> Runners::ReplyFromStorage(const OutgoingRequest& request) {
  co_await poller_.ReplyFromStorage(request.envelope.request_id,
                                    request.respond);
  co_return absl::OkStatus();
}

Task<absl::Status> Runners::ReplyFromStorageWithWake(
    const OutgoingRequest& request) {
  co_await AwaitStoredReply(request.envelope.request_id,
                            request.envelope.address, request.respond);
  co_return absl::OkStatus();
}

Task<void> Runners::AwaitStoredReply(Snowflake request_id,
                                     const EntityAddress& address,
                                     ReplySink respond) {
  // A reply stored by this process wakes the poll instead of waiting for
  // the next interval.
  ReplyHandlers::Registration wake = handlers_.Register(
      request_id, address, [this](storage::Reply) { poller_.Wake(); });
  co_await poller_.ReplyFromStorage(request_id, std::move(respond));
}

}  // namespace clustersim::sharding
