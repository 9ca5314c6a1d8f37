#include "core/storage/storage_codec.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace clustersim::storage {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

// Wire tags. They are forever: append, never renumber.
enum class EnvelopeTag : uint8_t {
  kRequest = 1,
  kAckChunk = 2,
  kInterrupt = 3
};
enum class ExitTag : uint8_t { kSuccess = 1, kFailure = 2 };
enum class ReplyTag : uint8_t { kWithExit = 1, kChunk = 2 };
enum class SaveResultTag : uint8_t { kSuccess = 1, kDuplicate = 2 };

// `offset` is where the offending value starts.
absl::Status Malformed(size_t offset, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "malformed: ", std::string(what), " at byte offset ", offset));
}

absl::StatusOr<int32_t> GetInt32(ByteReader& reader, std::string_view what) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t value, reader.GetSignedVarint());
  if (value < std::numeric_limits<int32_t>::min() ||
      value > std::numeric_limits<int32_t>::max()) {
    return Malformed(offset, absl::StrCat(std::string(what), " ", value,
                                          " out of int32 range"));
  }
  return static_cast<int32_t>(value);
}

template <typename T, typename Put>
void PutOptional(ByteWriter& writer, const std::optional<T>& value, Put put) {
  writer.PutBool(value.has_value());
  if (value.has_value()) put(writer, *value);
}

template <typename Get>
auto GetOptional(ByteReader& reader, Get get) -> absl::StatusOr<
    std::optional<typename decltype(get(reader))::value_type>> {
  using T = typename decltype(get(reader))::value_type;
  CLUSTERSIM_ASSIGN_OR_RETURN(const bool present, reader.GetBool());
  if (!present) return std::optional<T>();
  CLUSTERSIM_ASSIGN_OR_RETURN(T value, get(reader));
  return std::optional<T>(std::move(value));
}

void PutStringValue(ByteWriter& writer, const std::string& value) {
  writer.PutString(value);
}
absl::StatusOr<std::string> GetStringValue(ByteReader& reader) {
  return reader.GetString();
}
void PutInt64Value(ByteWriter& writer, const int64_t& value) {
  writer.PutSignedVarint(value);
}
absl::StatusOr<int64_t> GetInt64Value(ByteReader& reader) {
  return reader.GetSignedVarint();
}

void PutHeaders(ByteWriter& writer, const Headers& headers) {
  writer.PutVarint(headers.size());
  for (const auto& [name, value] : headers) {
    writer.PutString(name);
    writer.PutString(value);
  }
}

absl::StatusOr<Headers> GetHeaders(ByteReader& reader) {
  // A name and a value take at least one length byte each.
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count, reader.GetCount(2));
  Headers headers;
  for (uint64_t i = 0; i < count; ++i) {
    const size_t offset = reader.offset();
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string name, reader.GetString());
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, reader.GetString());
    // Sorted and unique, as the map writes them: one encoding per value.
    if (!headers.empty() && !(headers.rbegin()->first < name)) {
      return Malformed(offset, "header names not strictly increasing");
    }
    headers.emplace_hint(headers.end(), std::move(name), std::move(value));
  }
  return headers;
}

void PutExit(ByteWriter& writer, const Exit& exit) {
  if (exit.is_success()) {
    writer.PutU8(static_cast<uint8_t>(ExitTag::kSuccess));
    writer.PutString(exit.value());
    return;
  }
  writer.PutU8(static_cast<uint8_t>(ExitTag::kFailure));
  writer.PutU8(static_cast<uint8_t>(exit.cause().kind));
  writer.PutString(exit.cause().message);
}

absl::StatusOr<Exit> GetExit(ByteReader& reader) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t tag, reader.GetU8());
  switch (static_cast<ExitTag>(tag)) {
    case ExitTag::kSuccess: {
      CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, reader.GetString());
      return Exit::Success(std::move(value));
    }
    case ExitTag::kFailure: {
      const size_t kind_offset = reader.offset();
      CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t kind, reader.GetU8());
      if (kind < static_cast<uint8_t>(CauseKind::kFail) ||
          kind > static_cast<uint8_t>(CauseKind::kInterrupt)) {
        return Malformed(kind_offset, absl::StrCat("cause kind ", kind));
      }
      CLUSTERSIM_ASSIGN_OR_RETURN(std::string message, reader.GetString());
      return Exit::Failure(
          Cause{static_cast<CauseKind>(kind), std::move(message)});
    }
  }
  return Malformed(offset, absl::StrCat("exit tag ", tag));
}

// Reads exactly one value with `get` from the whole of `bytes`.
template <typename Get>
auto DecodeWhole(std::string_view bytes, Get get)
    -> decltype(get(std::declval<ByteReader&>())) {
  ByteReader reader(bytes);
  auto value = get(reader);
  if (!value.ok()) return value.status();
  CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
  return value;
}

}  // namespace

void PutEnvelope(ByteWriter& writer, const Request& request) {
  writer.PutU8(static_cast<uint8_t>(EnvelopeTag::kRequest));
  PutSnowflake(writer, request.request_id);
  PutEntityAddress(writer, request.address);
  writer.PutString(request.tag);
  writer.PutString(request.payload);
  PutHeaders(writer, request.headers);
  PutOptional(writer, request.primary_key, PutStringValue);
  PutOptional(writer, request.deliver_at_ms, PutInt64Value);
}

void PutEnvelope(ByteWriter& writer, const AckChunk& ack) {
  writer.PutU8(static_cast<uint8_t>(EnvelopeTag::kAckChunk));
  PutSnowflake(writer, ack.id);
  PutEntityAddress(writer, ack.address);
  PutSnowflake(writer, ack.request_id);
  PutSnowflake(writer, ack.reply_id);
}

void PutEnvelope(ByteWriter& writer, const Interrupt& interrupt) {
  writer.PutU8(static_cast<uint8_t>(EnvelopeTag::kInterrupt));
  PutSnowflake(writer, interrupt.id);
  PutEntityAddress(writer, interrupt.address);
  PutSnowflake(writer, interrupt.request_id);
}

void PutEnvelope(ByteWriter& writer, const Envelope& envelope) {
  std::visit([&writer](const auto& e) { PutEnvelope(writer, e); }, envelope);
}

namespace {

// An envelope's fields after its tag, returned as `Out` (the kind itself,
// or the Envelope variant built in place).
template <typename Out>
absl::StatusOr<Out> GetRequestFields(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake id, GetSnowflake(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetEntityAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string rpc_tag, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string payload, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(Headers headers, GetHeaders(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<std::string> primary_key,
                              GetOptional(reader, GetStringValue));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<int64_t> deliver_at_ms,
                              GetOptional(reader, GetInt64Value));
  return Request{id,
                 std::move(address),
                 std::move(rpc_tag),
                 std::move(payload),
                 std::move(headers),
                 std::move(primary_key),
                 deliver_at_ms};
}

template <typename Out>
absl::StatusOr<Out> GetAckChunkFields(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake id, GetSnowflake(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetEntityAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake request_id, GetSnowflake(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake reply_id, GetSnowflake(reader));
  return AckChunk{id, std::move(address), request_id, reply_id};
}

template <typename Out>
absl::StatusOr<Out> GetInterruptFields(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake id, GetSnowflake(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetEntityAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake request_id, GetSnowflake(reader));
  return Interrupt{id, std::move(address), request_id};
}

// Each kind's wire tag and name in errors.
template <typename E>
constexpr EnvelopeTag kTagOf = EnvelopeTag::kRequest;
template <>
constexpr EnvelopeTag kTagOf<AckChunk> = EnvelopeTag::kAckChunk;
template <>
constexpr EnvelopeTag kTagOf<Interrupt> = EnvelopeTag::kInterrupt;
template <typename E>
constexpr const char* kNameOf = "a Request";
template <>
constexpr const char* kNameOf<AckChunk> = "an AckChunk";
template <>
constexpr const char* kNameOf<Interrupt> = "an Interrupt";

}  // namespace

absl::StatusOr<Envelope> GetEnvelope(ByteReader& reader) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t tag, reader.GetU8());
  switch (static_cast<EnvelopeTag>(tag)) {
    case EnvelopeTag::kRequest:
      return GetRequestFields<Envelope>(reader);
    case EnvelopeTag::kAckChunk:
      return GetAckChunkFields<Envelope>(reader);
    case EnvelopeTag::kInterrupt:
      return GetInterruptFields<Envelope>(reader);
  }
  return Malformed(offset, absl::StrCat("envelope tag ", tag));
}

template <typename E>
absl::StatusOr<E> GetEnvelopeOf(ByteReader& reader) {
  const size_t offset = reader.offset();
  ByteReader after_tag = reader;
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t tag, after_tag.GetU8());
  if (static_cast<EnvelopeTag>(tag) == kTagOf<E>) {
    reader = after_tag;
    if constexpr (std::is_same_v<E, Request>) {
      return GetRequestFields<E>(reader);
    } else if constexpr (std::is_same_v<E, AckChunk>) {
      return GetAckChunkFields<E>(reader);
    } else {
      return GetInterruptFields<E>(reader);
    }
  }
  // Another kind, or no kind: its own error comes first.
  CLUSTERSIM_RETURN_IF_ERROR(GetEnvelope(reader).status());
  return Malformed(offset, absl::StrCat("envelope is not ", kNameOf<E>));
}

template absl::StatusOr<Request> GetEnvelopeOf<Request>(ByteReader&);
template absl::StatusOr<AckChunk> GetEnvelopeOf<AckChunk>(ByteReader&);
template absl::StatusOr<Interrupt> GetEnvelopeOf<Interrupt>(ByteReader&);

void PutReply(ByteWriter& writer, const Reply& reply) {
  if (const auto* exit = std::get_if<WithExit>(&reply)) {
    writer.PutU8(static_cast<uint8_t>(ReplyTag::kWithExit));
    PutSnowflake(writer, exit->request_id);
    PutSnowflake(writer, exit->id);
    PutExit(writer, exit->exit);
    return;
  }
  const Chunk& chunk = std::get<Chunk>(reply);
  writer.PutU8(static_cast<uint8_t>(ReplyTag::kChunk));
  PutSnowflake(writer, chunk.request_id);
  PutSnowflake(writer, chunk.id);
  writer.PutSignedVarint(chunk.sequence);
  writer.PutVarint(chunk.values.size());
  for (const std::string& value : chunk.values) writer.PutString(value);
}

absl::StatusOr<Reply> GetReply(ByteReader& reader) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t tag, reader.GetU8());
  switch (static_cast<ReplyTag>(tag)) {
    case ReplyTag::kWithExit: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake request_id,
                                  GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake id, GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(Exit exit, GetExit(reader));
      return WithExit{request_id, id, std::move(exit)};
    }
    case ReplyTag::kChunk: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake request_id,
                                  GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake id, GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(const int32_t sequence,
                                  GetInt32(reader, "chunk sequence"));
      const size_t count_offset = reader.offset();
      CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count, reader.GetCount(1));
      if (count == 0) return Malformed(count_offset, "chunk with no values");
      std::vector<std::string> values;
      values.reserve(count);
      for (uint64_t i = 0; i < count; ++i) {
        CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, reader.GetString());
        values.push_back(std::move(value));
      }
      return Chunk{request_id, id, sequence, std::move(values)};
    }
  }
  return Malformed(offset, absl::StrCat("reply tag ", tag));
}

void PutStoredMessage(ByteWriter& writer, const StoredMessage& message) {
  PutEnvelope(writer, message.envelope);
  PutOptional(writer, message.last_sent_reply, PutReply);
}

absl::StatusOr<StoredMessage> GetStoredMessage(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Envelope envelope, GetEnvelope(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<Reply> last_sent_reply,
                              GetOptional(reader, GetReply));
  return StoredMessage{std::move(envelope), std::move(last_sent_reply)};
}

void PutSaveResult(ByteWriter& writer, const SaveResult& result) {
  if (std::holds_alternative<SaveSuccess>(result)) {
    writer.PutU8(static_cast<uint8_t>(SaveResultTag::kSuccess));
    return;
  }
  const SaveDuplicate& duplicate = std::get<SaveDuplicate>(result);
  writer.PutU8(static_cast<uint8_t>(SaveResultTag::kDuplicate));
  PutSnowflake(writer, duplicate.original_id);
  PutOptional(writer, duplicate.last_reply, PutReply);
}

absl::StatusOr<SaveResult> GetSaveResult(ByteReader& reader) {
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t tag, reader.GetU8());
  switch (static_cast<SaveResultTag>(tag)) {
    case SaveResultTag::kSuccess:
      return SaveSuccess{};
    case SaveResultTag::kDuplicate: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const Snowflake original_id,
                                  GetSnowflake(reader));
      CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<Reply> last_reply,
                                  GetOptional(reader, GetReply));
      return SaveDuplicate{original_id, std::move(last_reply)};
    }
  }
  return Malformed(offset, absl::StrCat("save result tag ", tag));
}

void PutFencingToken(ByteWriter& writer, const FencingToken& token) {
  PutShardId(writer, token.shard);
  writer.PutVarint(token.epoch);
}

absl::StatusOr<FencingToken> GetFencingToken(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(ShardId shard, GetShardId(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t epoch, reader.GetVarint());
  return FencingToken{std::move(shard), epoch};
}

void PutUnprocessedQuery(ByteWriter& writer, const UnprocessedQuery& query) {
  writer.PutVarint(query.shards.size());
  for (const ShardId& shard : query.shards) PutShardId(writer, shard);
  PutOptional(writer, query.limit, PutInt64Value);
  PutOptional(writer, query.addresses,
              [](ByteWriter& w, const std::vector<EntityAddress>& addresses) {
                w.PutVarint(addresses.size());
                for (const EntityAddress& a : addresses) PutEntityAddress(w, a);
              });
  PutOptional(writer, query.claim_ms, PutInt64Value);
}

absl::StatusOr<UnprocessedQuery> GetUnprocessedQuery(ByteReader& reader) {
  // A shard id takes at least two bytes (group length, number).
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t shard_count, reader.GetCount(2));
  std::vector<ShardId> shards;
  shards.reserve(shard_count);
  for (uint64_t i = 0; i < shard_count; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(ShardId shard, GetShardId(reader));
    shards.push_back(std::move(shard));
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<int64_t> limit,
                              GetOptional(reader, GetInt64Value));
  CLUSTERSIM_ASSIGN_OR_RETURN(
      std::optional<std::vector<EntityAddress>> addresses,
      GetOptional(
          reader,
          [](ByteReader& r) -> absl::StatusOr<std::vector<EntityAddress>> {
            // Type, id, group and number: four bytes at least.
            CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count, r.GetCount(4));
            std::vector<EntityAddress> list;
            list.reserve(count);
            for (uint64_t i = 0; i < count; ++i) {
              CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address,
                                          GetEntityAddress(r));
              list.push_back(std::move(address));
            }
            return list;
          }));
  const size_t claim_offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<int64_t> claim_ms,
                              GetOptional(reader, GetInt64Value));
  if (claim_ms.has_value() && *claim_ms < 0) {
    return Malformed(claim_offset, "negative claim_ms");
  }
  return UnprocessedQuery{std::move(shards), limit, std::move(addresses),
                          claim_ms};
}

void PutRunnerEntry(ByteWriter& writer, const RunnerEntry& entry) {
  PutRunner(writer, entry.runner);
  writer.PutBool(entry.healthy);
}

absl::StatusOr<RunnerEntry> GetRunnerEntry(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Runner runner, GetRunner(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const bool healthy, reader.GetBool());
  return RunnerEntry{std::move(runner), healthy};
}

std::string EncodeEnvelope(const Envelope& envelope) {
  ByteWriter writer;
  PutEnvelope(writer, envelope);
  return writer.Release();
}

absl::StatusOr<Envelope> DecodeEnvelope(std::string_view bytes) {
  return DecodeWhole(bytes, GetEnvelope);
}

std::string EncodeReply(const Reply& reply) {
  ByteWriter writer;
  PutReply(writer, reply);
  return writer.Release();
}

absl::StatusOr<Reply> DecodeReply(std::string_view bytes) {
  return DecodeWhole(bytes, GetReply);
}

std::string EncodeStoredMessage(const StoredMessage& message) {
  ByteWriter writer;
  PutStoredMessage(writer, message);
  return writer.Release();
}

absl::StatusOr<StoredMessage> DecodeStoredMessage(std::string_view bytes) {
  return DecodeWhole(bytes, GetStoredMessage);
}

}  // namespace clustersim::storage
