#include "core/storage/storage_server.h"

#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/sync.h"
#include "core/storage/storage_protocol.h"

namespace clustersim::storage {
namespace {

// --- Applying calls to the state (each one atomic) --------------------------

absl::StatusOr<Done> AsDone(const absl::Status& status) {
  if (!status.ok()) return status;
  return Done{};
}

absl::StatusOr<SaveResult> Apply(StorageState& state, StorageAudit&,
                                 const SaveRequestCall& call, int64_t) {
  return state.SaveRequest(call.request);
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const SaveAckChunkCall& call, int64_t) {
  return AsDone(state.SaveEnvelope(call.ack));
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const SaveInterruptCall& call, int64_t) {
  return AsDone(state.SaveEnvelope(call.interrupt));
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit& audit,
                           const SaveReplyCall& call, int64_t now_ms) {
  const absl::Status status = state.SaveReply(call.reply, call.fencing, now_ms);
  if (status.ok()) audit.RecordReply(call.reply, call.writer, state, now_ms);
  return AsDone(status);
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ClearRepliesCall& call, int64_t) {
  state.ClearReplies(call.request_id, call.expected_reply_id);
  return Done{};
}

absl::StatusOr<std::optional<Snowflake>> Apply(
    StorageState& state, StorageAudit&, const RequestIdForPrimaryKeyCall& call,
    int64_t) {
  return state.RequestIdForPrimaryKey(call.primary_key);
}

absl::StatusOr<std::vector<Reply>> Apply(StorageState& state, StorageAudit&,
                                         const RepliesForCall& call, int64_t) {
  return state.RepliesFor(call.request_ids);
}

absl::StatusOr<std::vector<Reply>> Apply(StorageState& state, StorageAudit&,
                                         const RepliesForUnfilteredCall& call,
                                         int64_t) {
  return state.RepliesForUnfiltered(call.request_ids);
}

absl::StatusOr<std::vector<StoredMessage>> Apply(
    StorageState& state, StorageAudit&, const UnprocessedMessagesCall& call,
    int64_t now_ms) {
  return state.UnprocessedMessages(call.query, now_ms, call.reader_now_ms);
}

absl::StatusOr<std::vector<StoredMessage>> Apply(
    StorageState& state, StorageAudit&, const UnprocessedMessagesByIdCall& call,
    int64_t) {
  return state.UnprocessedMessagesById(call.ids, call.reader_now_ms);
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ResetShardsCall& call, int64_t) {
  return AsDone(state.ResetShards(call.shards));
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ResetAddressesCall& call, int64_t) {
  return AsDone(state.ResetAddresses(call.addresses));
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ResetRequestsCall& call, int64_t) {
  return AsDone(state.ResetRequests(call.ids));
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ClearAddressCall& call, int64_t) {
  state.ClearAddress(call.address);
  return Done{};
}

absl::StatusOr<MachineId> Apply(StorageState& state, StorageAudit&,
                                const RegisterCall& call, int64_t now_ms) {
  return state.Register(call.runner, call.healthy, now_ms);
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const UnregisterCall& call, int64_t now_ms) {
  state.Unregister(call.address, now_ms);
  return Done{};
}

absl::StatusOr<std::vector<RunnerEntry>> Apply(StorageState& state,
                                               StorageAudit&,
                                               const GetRunnersCall&,
                                               int64_t now_ms) {
  return state.GetRunners(now_ms);
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const SetRunnerHealthCall& call, int64_t) {
  state.SetRunnerHealth(call.address, call.healthy);
  return Done{};
}

absl::StatusOr<std::vector<FencingToken>> Apply(StorageState& state,
                                                StorageAudit& audit,
                                                const AcquireCall& call,
                                                int64_t now_ms) {
  absl::StatusOr<std::vector<FencingToken>> tokens =
      state.Acquire(call.address, call.shards, now_ms);
  if (tokens.ok()) audit.RecordLeases(call.address, *tokens);
  return tokens;
}

absl::StatusOr<std::vector<FencingToken>> Apply(StorageState& state,
                                                StorageAudit& audit,
                                                const RefreshCall& call,
                                                int64_t now_ms) {
  absl::StatusOr<std::vector<FencingToken>> tokens =
      state.Refresh(call.address, call.shards, now_ms);
  if (tokens.ok()) audit.RecordLeases(call.address, *tokens);
  return tokens;
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ReleaseCall& call, int64_t) {
  state.Release(call.address, call.shard, call.max_epoch);
  return Done{};
}

absl::StatusOr<Done> Apply(StorageState& state, StorageAudit&,
                           const ReleaseAllCall& call, int64_t) {
  state.ReleaseAll(call.address, call.max_epoch);
  return Done{};
}

// --- Trace details ----------------------------------------------------------

std::string Id(Snowflake id) { return absl::StrCat(id.value()); }

template <typename T>
std::string Count(std::string_view what, const std::vector<T>& items) {
  return absl::StrCat(std::string(what), "=", items.size());
}

std::string Describe(const SaveRequestCall& call) {
  return absl::StrCat("request=", Id(call.request.request_id),
                      " shard=", call.request.address.shard_id().ToString(),
                      call.request.primary_key.has_value() ? " pk" : "");
}
std::string Describe(const SaveAckChunkCall& call) {
  return absl::StrCat("ack=", Id(call.ack.id),
                      " request=", Id(call.ack.request_id),
                      " reply=", Id(call.ack.reply_id));
}
std::string Describe(const SaveInterruptCall& call) {
  return absl::StrCat("interrupt=", Id(call.interrupt.id),
                      " request=", Id(call.interrupt.request_id));
}
std::string Describe(const SaveReplyCall& call) {
  return absl::StrCat(
      "request=", Id(RequestIdOf(call.reply)),
      " reply=", Id(ReplyIdOf(call.reply)),
      std::holds_alternative<WithExit>(call.reply) ? " exit" : " chunk",
      " writer=", call.writer.has_value() ? call.writer->Key() : "-", " token=",
      call.fencing.has_value() ? absl::StrCat(call.fencing->shard.ToString(),
                                              "@", call.fencing->epoch)
                               : "-");
}
std::string Describe(const ClearRepliesCall& call) {
  return absl::StrCat(
      "request=", Id(call.request_id), " expected=",
      call.expected_reply_id.has_value() ? Id(*call.expected_reply_id) : "-");
}
std::string Describe(const RequestIdForPrimaryKeyCall& call) {
  return absl::StrCat("key=", call.primary_key);
}
std::string Describe(const RepliesForCall& call) {
  return Count("requests", call.request_ids);
}
std::string Describe(const RepliesForUnfilteredCall& call) {
  return Count("requests", call.request_ids);
}
std::string Describe(const UnprocessedMessagesCall& call) {
  return absl::StrCat(Count("shards", call.query.shards),
                      " reader_now=", call.reader_now_ms);
}
std::string Describe(const UnprocessedMessagesByIdCall& call) {
  return absl::StrCat(Count("ids", call.ids),
                      " reader_now=", call.reader_now_ms);
}
std::string Describe(const ResetShardsCall& call) {
  return Count("shards", call.shards);
}
std::string Describe(const ResetAddressesCall& call) {
  return Count("addresses", call.addresses);
}
std::string Describe(const ResetRequestsCall& call) {
  return Count("ids", call.ids);
}
std::string Describe(const ClearAddressCall& call) {
  return call.address.ToString();
}
std::string Describe(const RegisterCall& call) {
  return absl::StrCat("runner=", call.runner.address().Key(),
                      " healthy=", call.healthy);
}
std::string Describe(const UnregisterCall& call) {
  return absl::StrCat("runner=", call.address.Key());
}
std::string Describe(const GetRunnersCall&) { return "all"; }
std::string Describe(const SetRunnerHealthCall& call) {
  return absl::StrCat("runner=", call.address.Key(), " healthy=", call.healthy);
}
std::string Describe(const AcquireCall& call) {
  return absl::StrCat("runner=", call.address.Key(), " ",
                      Count("shards", call.shards));
}
std::string Describe(const RefreshCall& call) {
  return absl::StrCat("runner=", call.address.Key(), " ",
                      Count("shards", call.shards));
}
std::string MaxEpoch(const std::optional<uint64_t>& max_epoch) {
  return max_epoch.has_value() ? absl::StrCat(" max_epoch=", *max_epoch) : "";
}
std::string Describe(const ReleaseCall& call) {
  return absl::StrCat("runner=", call.address.Key(),
                      " shard=", call.shard.ToString(),
                      MaxEpoch(call.max_epoch));
}
std::string Describe(const ReleaseAllCall& call) {
  return absl::StrCat("runner=", call.address.Key(), MaxEpoch(call.max_epoch));
}

std::string Summarize(const Done&) { return "ok"; }
std::string Summarize(const SaveResult& result) {
  if (const auto* duplicate = std::get_if<SaveDuplicate>(&result)) {
    return absl::StrCat("duplicate of ", Id(duplicate->original_id));
  }
  return "saved";
}
std::string Summarize(const std::optional<Snowflake>& id) {
  return id.has_value() ? Id(*id) : "none";
}
std::string Summarize(MachineId id) {
  return absl::StrCat("machine=", id.value());
}
template <typename T>
std::string Summarize(const std::vector<T>& items) {
  return Count("n", items);
}

std::string Summarize(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      std::string(status.message()));
}

}  // namespace

StorageServer::StorageServer(const NodeEnv& env, StorageBackend& backend)
    : env_(env),
      backend_(backend),
      gate_(this),
      endpoint_(WithTransport(env, &gate_),
                RpcEndpoint::Options{.reliable = backend.state().mode() ==
                                                 StorageMode::kHardened}) {
#define CLUSTERSIM_STORAGE_REGISTER_(Call) Register<Call>();
  CLUSTERSIM_STORAGE_CALLS(CLUSTERSIM_STORAGE_REGISTER_)
#undef CLUSTERSIM_STORAGE_REGISTER_
}

NodeEnv StorageServer::WithTransport(NodeEnv env, Transport* transport) {
  env.transport = transport;
  return env;
}

void StorageServer::OnMessage(NodeId from, std::string_view bytes) {
  if (backend_.faults().unavailable) {
    ++backend_.stats_.dropped_requests;
    TraceFault(
        absl::StrCat("unavailable: dropped a message from node ", from.value));
    return;
  }
  // A malformed frame is counted and traced by the endpoint; the storage
  // node receives nothing else.
  (void)endpoint_.HandleMessage(from, bytes);
}

template <typename Call>
void StorageServer::Register() {
  endpoint_.Register(static_cast<RpcMethod>(Call::kMethod),
                     [this](NodeId from, std::string request) {
                       return Serve<Call>(from, std::move(request));
                     });
}

template <typename Call>
Task<absl::StatusOr<std::string>> StorageServer::Serve(NodeId from,
                                                       std::string request) {
  ++backend_.stats_.requests;
  const std::string method(StorageMethodName(Call::kMethod));
  const StorageFaultDraw fault =
      DrawStorageFaults(backend_.faults(), *env_.random);
  const int64_t spike_ms = fault.delay_before_ms + fault.delay_after_ms;
  if (spike_ms > 0) {
    ++backend_.stats_.latency_spikes;
    TraceFault(absl::StrCat(method, ": latency spike of ", spike_ms, " ms ",
                            fault.delay_before_ms > 0 ? "before" : "after",
                            " applying"));
  }
  if (fault.delay_before_ms > 0) co_await SleepMs(fault.delay_before_ms);
  absl::StatusOr<std::string> response =
      Execute<Call>(from, request, fault.fail);
  if (fault.delay_after_ms > 0) co_await SleepMs(fault.delay_after_ms);
  if (fault.drop_response) {
    CHECK(!drop_next_response_, "an earlier dropped response was never sent");
    drop_next_response_ = true;
    TraceFault(absl::StrCat(method, ": applied, dropping the response to node ",
                            from.value));
  }
  co_return response;
}

template <typename Call>
absl::StatusOr<std::string> StorageServer::Execute(NodeId from,
                                                   std::string_view request,
                                                   bool inject_error) {
  const std::string method(StorageMethodName(Call::kMethod));
  const std::string kind = absl::StrCat("storage.", method);
  const std::string origin = absl::StrCat("from=", from.value, " ");
  absl::StatusOr<Call> call = DecodeCall<Call>(request);
  if (!call.ok()) {
    env_.trace->Record(kind, origin + Summarize(call.status()));
    return call.status();
  }
  if (inject_error) {
    ++backend_.stats_.injected_errors;
    env_.trace->Record(
        kind, absl::StrCat(origin, Describe(*call), " -> injected error"));
    return ToStatus(
        PersistenceError{absl::StrCat("injected storage error in ", method)});
  }
  absl::StatusOr<typename Call::Response> result = Apply(
      backend_.state_, backend_.audit_, *call, backend_.NowMs(*env_.executor));
  env_.trace->Record(
      kind, absl::StrCat(
                origin, Describe(*call), " -> ",
                result.ok() ? Summarize(*result) : Summarize(result.status())));
  if (!result.ok()) return result.status();
  return EncodeResponse<Call>(*result);
}

int64_t StorageBackend::NowMs(const Executor& clock) {
  if (state_.mode() == StorageMode::kHardened && !anchor_.has_value()) {
    anchor_ = StepFreeClock::AnchorNow(clock);
  }
  return *PeekNowMs(clock.NowMs(), clock.MonotonicUs());
}

std::optional<int64_t> StorageBackend::PeekNowMs(int64_t wall_ms,
                                                 int64_t monotonic_us) const {
  if (state_.mode() == StorageMode::kReference) return wall_ms;
  if (!anchor_.has_value()) return std::nullopt;
  return StepFreeClock::At(*anchor_, monotonic_us);
}

void StorageServer::ResponseGate::Send(NodeId to, std::string bytes) {
  server_->SendResponse(to, std::move(bytes));
}

void StorageServer::SendResponse(NodeId to, std::string bytes) {
  if (std::exchange(drop_next_response_, false)) {
    ++backend_.stats_.dropped_responses;
    return;
  }
  if (backend_.faults().unavailable) {
    ++backend_.stats_.dropped_responses;
    TraceFault(
        absl::StrCat("unavailable: dropped the response to node ", to.value));
    return;
  }
  env_.transport->Send(to, std::move(bytes));
}

void StorageServer::TraceFault(const std::string& detail) {
  env_.trace->Record("storage.fault", detail);
}

}  // namespace clustersim::storage
