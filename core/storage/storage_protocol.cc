#include "core/storage/storage_protocol.h"

#include <limits>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/cluster/cluster_codec.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/storage/storage_codec.h"

namespace clustersim::storage {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

// Selects the Get overload by the type it decodes.
template <typename T>
struct Type {};

// `offset` is where the offending value starts.
absl::Status Malformed(size_t offset, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "malformed: ", std::string(what), " at byte offset ", offset));
}

// --- Building blocks --------------------------------------------------------

template <typename T, typename Put>
void PutOptional(ByteWriter& writer, const std::optional<T>& value, Put put) {
  writer.PutBool(value.has_value());
  if (value.has_value()) put(writer, *value);
}

template <typename T, typename Get>
absl::StatusOr<std::optional<T>> GetOptional(ByteReader& reader, Get get) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const bool present, reader.GetBool());
  if (!present) return std::optional<T>();
  CLUSTERSIM_ASSIGN_OR_RETURN(T value, get(reader));
  return std::optional<T>(std::move(value));
}

template <typename T, typename Put>
void PutList(ByteWriter& writer, const std::vector<T>& items, Put put) {
  writer.PutVarint(items.size());
  for (const T& item : items) put(writer, item);
}

// `min_element_bytes` bounds the count by the bytes left; elements are
// appended as they decode, so nothing is allocated ahead of the input.
template <typename T, typename Get>
absl::StatusOr<std::vector<T>> GetList(ByteReader& reader,
                                       size_t min_element_bytes, Get get) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count,
                              reader.GetCount(min_element_bytes));
  std::vector<T> items;
  for (uint64_t i = 0; i < count; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(T item, get(reader));
    items.push_back(std::move(item));
  }
  return items;
}

// Smallest encodings, for GetList: a fixed64; a one-byte group length and a
// varint; type, id and a shard id.
constexpr size_t kSnowflakeBytes = 8;
constexpr size_t kShardIdBytes = 2;
constexpr size_t kEntityAddressBytes = 4;

void PutSnowflakes(ByteWriter& writer, const std::vector<Snowflake>& ids) {
  PutList(writer, ids, PutSnowflake);
}
absl::StatusOr<std::vector<Snowflake>> GetSnowflakes(ByteReader& reader) {
  return GetList<Snowflake>(reader, kSnowflakeBytes, GetSnowflake);
}

void PutShardIds(ByteWriter& writer, const std::vector<ShardId>& shards) {
  PutList(writer, shards, PutShardId);
}
absl::StatusOr<std::vector<ShardId>> GetShardIds(ByteReader& reader) {
  return GetList<ShardId>(reader, kShardIdBytes, GetShardId);
}

absl::StatusOr<Snowflake> GetSnowflakeValue(ByteReader& reader) {
  return GetSnowflake(reader);
}

// --- Calls ------------------------------------------------------------------

void PutCall(ByteWriter& writer, const SaveRequestCall& call) {
  PutEnvelope(writer, call.request);
}
absl::StatusOr<SaveRequestCall> GetCall(ByteReader& reader,
                                        Type<SaveRequestCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Request request, GetEnvelopeOf<Request>(reader));
  return SaveRequestCall{std::move(request)};
}

void PutCall(ByteWriter& writer, const SaveAckChunkCall& call) {
  PutEnvelope(writer, call.ack);
}
absl::StatusOr<SaveAckChunkCall> GetCall(ByteReader& reader,
                                         Type<SaveAckChunkCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(AckChunk ack, GetEnvelopeOf<AckChunk>(reader));
  return SaveAckChunkCall{std::move(ack)};
}

void PutCall(ByteWriter& writer, const SaveInterruptCall& call) {
  PutEnvelope(writer, call.interrupt);
}
absl::StatusOr<SaveInterruptCall> GetCall(ByteReader& reader,
                                          Type<SaveInterruptCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Interrupt interrupt,
                              GetEnvelopeOf<Interrupt>(reader));
  return SaveInterruptCall{std::move(interrupt)};
}

void PutCall(ByteWriter& writer, const SaveReplyCall& call) {
  PutOptional(writer, call.writer, PutRunnerAddress);
  PutReply(writer, call.reply);
  PutOptional(writer, call.fencing, PutFencingToken);
}
absl::StatusOr<SaveReplyCall> GetCall(ByteReader& reader, Type<SaveReplyCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(
      std::optional<RunnerAddress> writer,
      GetOptional<RunnerAddress>(reader, GetRunnerAddress));
  CLUSTERSIM_ASSIGN_OR_RETURN(Reply reply, GetReply(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(
      std::optional<FencingToken> fencing,
      GetOptional<FencingToken>(reader, GetFencingToken));
  return SaveReplyCall{std::move(writer), std::move(reply), std::move(fencing)};
}

void PutCall(ByteWriter& writer, const ClearRepliesCall& call) {
  PutSnowflake(writer, call.request_id);
  PutOptional(writer, call.expected_reply_id, PutSnowflake);
}
absl::StatusOr<ClearRepliesCall> GetCall(ByteReader& reader,
                                         Type<ClearRepliesCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake request_id, GetSnowflake(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(
      const std::optional<Snowflake> expected,
      GetOptional<Snowflake>(reader, GetSnowflakeValue));
  return ClearRepliesCall{request_id, expected};
}

void PutCall(ByteWriter& writer, const RequestIdForPrimaryKeyCall& call) {
  writer.PutString(call.primary_key);
}
absl::StatusOr<RequestIdForPrimaryKeyCall> GetCall(
    ByteReader& reader, Type<RequestIdForPrimaryKeyCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string key, reader.GetString());
  return RequestIdForPrimaryKeyCall{std::move(key)};
}

void PutCall(ByteWriter& writer, const RepliesForCall& call) {
  PutSnowflakes(writer, call.request_ids);
}
absl::StatusOr<RepliesForCall> GetCall(ByteReader& reader,
                                       Type<RepliesForCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<Snowflake> ids,
                              GetSnowflakes(reader));
  return RepliesForCall{std::move(ids)};
}

void PutCall(ByteWriter& writer, const RepliesForUnfilteredCall& call) {
  PutSnowflakes(writer, call.request_ids);
}
absl::StatusOr<RepliesForUnfilteredCall> GetCall(
    ByteReader& reader, Type<RepliesForUnfilteredCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<Snowflake> ids,
                              GetSnowflakes(reader));
  return RepliesForUnfilteredCall{std::move(ids)};
}

void PutCall(ByteWriter& writer, const UnprocessedMessagesCall& call) {
  PutUnprocessedQuery(writer, call.query);
  writer.PutSignedVarint(call.reader_now_ms);
}
absl::StatusOr<UnprocessedMessagesCall> GetCall(ByteReader& reader,
                                                Type<UnprocessedMessagesCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(UnprocessedQuery query,
                              GetUnprocessedQuery(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t now_ms, reader.GetSignedVarint());
  return UnprocessedMessagesCall{std::move(query), now_ms};
}

void PutCall(ByteWriter& writer, const UnprocessedMessagesByIdCall& call) {
  PutSnowflakes(writer, call.ids);
  writer.PutSignedVarint(call.reader_now_ms);
}
absl::StatusOr<UnprocessedMessagesByIdCall> GetCall(
    ByteReader& reader, Type<UnprocessedMessagesByIdCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<Snowflake> ids,
                              GetSnowflakes(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t now_ms, reader.GetSignedVarint());
  return UnprocessedMessagesByIdCall{std::move(ids), now_ms};
}

void PutCall(ByteWriter& writer, const ResetShardsCall& call) {
  PutShardIds(writer, call.shards);
}
absl::StatusOr<ResetShardsCall> GetCall(ByteReader& reader,
                                        Type<ResetShardsCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<ShardId> shards, GetShardIds(reader));
  return ResetShardsCall{std::move(shards)};
}

void PutCall(ByteWriter& writer, const ResetAddressesCall& call) {
  PutList(writer, call.addresses, PutEntityAddress);
}
absl::StatusOr<ResetAddressesCall> GetCall(ByteReader& reader,
                                           Type<ResetAddressesCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(
      std::vector<EntityAddress> addresses,
      GetList<EntityAddress>(reader, kEntityAddressBytes, GetEntityAddress));
  return ResetAddressesCall{std::move(addresses)};
}

void PutCall(ByteWriter& writer, const ResetRequestsCall& call) {
  PutSnowflakes(writer, call.ids);
}
absl::StatusOr<ResetRequestsCall> GetCall(ByteReader& reader,
                                          Type<ResetRequestsCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<Snowflake> ids,
                              GetSnowflakes(reader));
  return ResetRequestsCall{std::move(ids)};
}

void PutCall(ByteWriter& writer, const ClearAddressCall& call) {
  PutEntityAddress(writer, call.address);
}
absl::StatusOr<ClearAddressCall> GetCall(ByteReader& reader,
                                         Type<ClearAddressCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetEntityAddress(reader));
  return ClearAddressCall{std::move(address)};
}

void PutCall(ByteWriter& writer, const RegisterCall& call) {
  PutRunner(writer, call.runner);
  writer.PutBool(call.healthy);
}
absl::StatusOr<RegisterCall> GetCall(ByteReader& reader, Type<RegisterCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Runner runner, GetRunner(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const bool healthy, reader.GetBool());
  return RegisterCall{std::move(runner), healthy};
}

void PutCall(ByteWriter& writer, const UnregisterCall& call) {
  PutRunnerAddress(writer, call.address);
}
absl::StatusOr<UnregisterCall> GetCall(ByteReader& reader,
                                       Type<UnregisterCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  return UnregisterCall{std::move(address)};
}

void PutCall(ByteWriter&, const GetRunnersCall&) {}
absl::StatusOr<GetRunnersCall> GetCall(ByteReader&, Type<GetRunnersCall>) {
  return GetRunnersCall{};
}

void PutCall(ByteWriter& writer, const SetRunnerHealthCall& call) {
  PutRunnerAddress(writer, call.address);
  writer.PutBool(call.healthy);
}
absl::StatusOr<SetRunnerHealthCall> GetCall(ByteReader& reader,
                                            Type<SetRunnerHealthCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const bool healthy, reader.GetBool());
  return SetRunnerHealthCall{std::move(address), healthy};
}

void PutCall(ByteWriter& writer, const AcquireCall& call) {
  PutRunnerAddress(writer, call.address);
  PutShardIds(writer, call.shards);
}
absl::StatusOr<AcquireCall> GetCall(ByteReader& reader, Type<AcquireCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<ShardId> shards, GetShardIds(reader));
  return AcquireCall{std::move(address), std::move(shards)};
}

void PutCall(ByteWriter& writer, const RefreshCall& call) {
  PutRunnerAddress(writer, call.address);
  PutShardIds(writer, call.shards);
}
absl::StatusOr<RefreshCall> GetCall(ByteReader& reader, Type<RefreshCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::vector<ShardId> shards, GetShardIds(reader));
  return RefreshCall{std::move(address), std::move(shards)};
}

void PutEpoch(ByteWriter& writer, uint64_t epoch) { writer.PutVarint(epoch); }
absl::StatusOr<uint64_t> GetEpoch(ByteReader& reader) {
  return reader.GetVarint();
}

void PutCall(ByteWriter& writer, const ReleaseCall& call) {
  PutRunnerAddress(writer, call.address);
  PutShardId(writer, call.shard);
  PutOptional(writer, call.max_epoch, PutEpoch);
}
absl::StatusOr<ReleaseCall> GetCall(ByteReader& reader, Type<ReleaseCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(ShardId shard, GetShardId(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<uint64_t> max_epoch,
                              GetOptional<uint64_t>(reader, GetEpoch));
  return ReleaseCall{std::move(address), std::move(shard), max_epoch};
}

void PutCall(ByteWriter& writer, const ReleaseAllCall& call) {
  PutRunnerAddress(writer, call.address);
  PutOptional(writer, call.max_epoch, PutEpoch);
}
absl::StatusOr<ReleaseAllCall> GetCall(ByteReader& reader,
                                       Type<ReleaseAllCall>) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<uint64_t> max_epoch,
                              GetOptional<uint64_t>(reader, GetEpoch));
  return ReleaseAllCall{std::move(address), max_epoch};
}

// --- Responses --------------------------------------------------------------

void PutResponse(ByteWriter&, const Done&) {}
absl::StatusOr<Done> GetResponse(ByteReader&, Type<Done>) { return Done{}; }

void PutResponse(ByteWriter& writer, const SaveResult& result) {
  PutSaveResult(writer, result);
}
absl::StatusOr<SaveResult> GetResponse(ByteReader& reader, Type<SaveResult>) {
  return GetSaveResult(reader);
}

void PutResponse(ByteWriter& writer, const std::optional<Snowflake>& id) {
  PutOptional(writer, id, PutSnowflake);
}
absl::StatusOr<std::optional<Snowflake>> GetResponse(
    ByteReader& reader, Type<std::optional<Snowflake>>) {
  return GetOptional<Snowflake>(reader, GetSnowflakeValue);
}

// A reply or a stored row takes well over a byte; 1 is a safe lower bound.
void PutResponse(ByteWriter& writer, const std::vector<Reply>& replies) {
  PutList(writer, replies, PutReply);
}
absl::StatusOr<std::vector<Reply>> GetResponse(ByteReader& reader,
                                               Type<std::vector<Reply>>) {
  return GetList<Reply>(reader, 1, GetReply);
}

void PutResponse(ByteWriter& writer,
                 const std::vector<StoredMessage>& messages) {
  PutList(writer, messages, PutStoredMessage);
}
absl::StatusOr<std::vector<StoredMessage>> GetResponse(
    ByteReader& reader, Type<std::vector<StoredMessage>>) {
  return GetList<StoredMessage>(reader, 1, GetStoredMessage);
}

void PutResponse(ByteWriter& writer, const MachineId& id) {
  writer.PutSignedVarint(id.value());
}
absl::StatusOr<MachineId> GetResponse(ByteReader& reader, Type<MachineId>) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t value, reader.GetSignedVarint());
  if (value < std::numeric_limits<int32_t>::min() ||
      value > std::numeric_limits<int32_t>::max()) {
    return Malformed(offset,
                     absl::StrCat("machine id ", value, " out of int32 range"));
  }
  return MachineId(static_cast<int32_t>(value));
}

void PutResponse(ByteWriter& writer, const std::vector<RunnerEntry>& entries) {
  PutList(writer, entries, PutRunnerEntry);
}
absl::StatusOr<std::vector<RunnerEntry>> GetResponse(
    ByteReader& reader, Type<std::vector<RunnerEntry>>) {
  return GetList<RunnerEntry>(reader, 1, GetRunnerEntry);
}

void PutResponse(ByteWriter& writer, const std::vector<FencingToken>& tokens) {
  PutList(writer, tokens, PutFencingToken);
}
absl::StatusOr<std::vector<FencingToken>> GetResponse(
    ByteReader& reader, Type<std::vector<FencingToken>>) {
  // A shard id and a one-byte epoch.
  return GetList<FencingToken>(reader, kShardIdBytes + 1, GetFencingToken);
}

// Reads exactly one value of type T from the whole of `bytes`.
template <typename T, typename Get>
absl::StatusOr<T> DecodeWhole(std::string_view bytes, Get get) {
  ByteReader reader(bytes);
  // Returned as decoded (no move out of and back into a StatusOr: a
  // request's strings would be moved twice more per message).
  absl::StatusOr<T> value = get(reader, Type<T>{});
  if (!value.ok()) return value;
  if (absl::Status end = reader.ExpectEnd(); !end.ok()) return end;
  return value;
}

}  // namespace

std::string_view StorageMethodName(StorageMethod method) {
  switch (method) {
    case StorageMethod::kSaveRequest:
      return "save_request";
    case StorageMethod::kSaveAckChunk:
      return "save_ack_chunk";
    case StorageMethod::kSaveInterrupt:
      return "save_interrupt";
    case StorageMethod::kSaveReply:
      return "save_reply";
    case StorageMethod::kClearReplies:
      return "clear_replies";
    case StorageMethod::kRequestIdForPrimaryKey:
      return "request_id_for_primary_key";
    case StorageMethod::kRepliesFor:
      return "replies_for";
    case StorageMethod::kRepliesForUnfiltered:
      return "replies_for_unfiltered";
    case StorageMethod::kUnprocessedMessages:
      return "unprocessed_messages";
    case StorageMethod::kUnprocessedMessagesById:
      return "unprocessed_messages_by_id";
    case StorageMethod::kResetShards:
      return "reset_shards";
    case StorageMethod::kResetAddresses:
      return "reset_addresses";
    case StorageMethod::kResetRequests:
      return "reset_requests";
    case StorageMethod::kClearAddress:
      return "clear_address";
    case StorageMethod::kRegister:
      return "register";
    case StorageMethod::kUnregister:
      return "unregister";
    case StorageMethod::kGetRunners:
      return "get_runners";
    case StorageMethod::kSetRunnerHealth:
      return "set_runner_health";
    case StorageMethod::kAcquire:
      return "acquire";
    case StorageMethod::kRefresh:
      return "refresh";
    case StorageMethod::kRelease:
      return "release";
    case StorageMethod::kReleaseAll:
      return "release_all";
  }
  return "unknown";
}

template <typename Call>
std::string EncodeCall(const Call& call) {
  ByteWriter writer;
  PutCall(writer, call);
  return writer.Release();
}

template <typename Call>
absl::StatusOr<Call> DecodeCall(std::string_view bytes) {
  return DecodeWhole<Call>(bytes, [](ByteReader& reader, Type<Call> type) {
    return GetCall(reader, type);
  });
}

template <typename Call>
std::string EncodeResponse(const typename Call::Response& response) {
  ByteWriter writer;
  PutResponse(writer, response);
  return writer.Release();
}

template <typename Call>
absl::StatusOr<typename Call::Response> DecodeResponse(std::string_view bytes) {
  using Response = typename Call::Response;
  return DecodeWhole<Response>(bytes,
                               [](ByteReader& reader, Type<Response> type) {
                                 return GetResponse(reader, type);
                               });
}

#define CLUSTERSIM_STORAGE_INSTANTIATE_(Call)                       \
  template std::string EncodeCall<Call>(const Call&);               \
  template absl::StatusOr<Call> DecodeCall<Call>(std::string_view); \
  template std::string EncodeResponse<Call>(const Call::Response&); \
  template absl::StatusOr<Call::Response> DecodeResponse<Call>(     \
      std::string_view);
CLUSTERSIM_STORAGE_CALLS(CLUSTERSIM_STORAGE_INSTANTIATE_)
#undef CLUSTERSIM_STORAGE_INSTANTIATE_

}  // namespace clustersim::storage
