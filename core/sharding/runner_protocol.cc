#include "core/sharding/runner_protocol.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/cluster/cluster_error.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"

namespace clustersim::sharding {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

enum EnvelopeTag : uint8_t { kTagRequest = 0, kTagAck = 1, kTagInterrupt = 2 };
enum ReplyTag : uint8_t { kTagWithExit = 0, kTagChunk = 1 };

absl::Status Malformed(absl::string_view what) {
  return ToStatus(MalformedMessage{absl::StrCat("runner protocol: ", what)});
}

// Wraps a decode error as MalformedMessage (ByteReader says "malformed: ...").
template <typename T>
absl::StatusOr<T> AsMalformed(absl::StatusOr<T> result) {
  if (result.ok() || IsClusterError<MalformedMessage>(result.status())) {
    return result;
  }
  return Malformed(result.status().message());
}

void PutSnowflake(ByteWriter& w, Snowflake id) {
  w.PutFixed64(static_cast<uint64_t>(id.value()));
}
absl::StatusOr<Snowflake> GetSnowflake(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t raw, r.GetFixed64());
  return Snowflake(static_cast<int64_t>(raw));
}

void PutAddress(ByteWriter& w, const EntityAddress& a) {
  w.PutString(a.entity_type().value());
  w.PutString(a.entity_id().value());
  w.PutString(a.shard_id().group());
  w.PutVarint(static_cast<uint64_t>(a.shard_id().number()));
}
absl::StatusOr<EntityAddress> GetAddress(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string type, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string id, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string group, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t number, r.GetVarint());
  if (number < 1 || number > std::numeric_limits<int32_t>::max()) {
    return Malformed("shard number out of range");
  }
  return EntityAddress(EntityType(std::move(type)), EntityId(std::move(id)),
                       ShardId(std::move(group), static_cast<int32_t>(number)));
}

void PutOptionalString(ByteWriter& w, const std::optional<std::string>& s) {
  w.PutBool(s.has_value());
  if (s.has_value()) w.PutString(*s);
}
absl::StatusOr<std::optional<std::string>> GetOptionalString(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(bool present, r.GetBool());
  if (!present) return std::optional<std::string>();
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string s, r.GetString());
  return std::optional<std::string>(std::move(s));
}

void PutRequest(ByteWriter& w, const storage::Request& q) {
  PutSnowflake(w, q.request_id);
  PutAddress(w, q.address);
  w.PutString(q.tag);
  w.PutString(q.payload);
  w.PutVarint(q.headers.size());
  for (const auto& [name, value] : q.headers) {
    w.PutString(name);
    w.PutString(value);
  }
  PutOptionalString(w, q.primary_key);
  w.PutBool(q.deliver_at_ms.has_value());
  if (q.deliver_at_ms.has_value()) w.PutSignedVarint(*q.deliver_at_ms);
}
absl::StatusOr<storage::Request> GetRequest(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake id, GetSnowflake(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetAddress(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string tag, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string payload, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t headers, r.GetCount(2));
  storage::Headers map;
  for (uint64_t i = 0; i < headers; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string name, r.GetString());
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, r.GetString());
    if (!map.emplace(std::move(name), std::move(value)).second) {
      return Malformed("duplicate header");
    }
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(std::optional<std::string> primary_key,
                              GetOptionalString(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(bool has_deliver_at, r.GetBool());
  std::optional<int64_t> deliver_at;
  if (has_deliver_at) {
    CLUSTERSIM_ASSIGN_OR_RETURN(deliver_at, r.GetSignedVarint());
  }
  return storage::Request{id,
                          std::move(address),
                          std::move(tag),
                          std::move(payload),
                          std::move(map),
                          std::move(primary_key),
                          deliver_at};
}

void PutPeerEnvelope(ByteWriter& w, const PeerEnvelope& e) {
  if (const auto* ack = std::get_if<storage::AckChunk>(&e)) {
    w.PutU8(kTagAck);
    PutSnowflake(w, ack->id);
    PutAddress(w, ack->address);
    PutSnowflake(w, ack->request_id);
    PutSnowflake(w, ack->reply_id);
    return;
  }
  const auto& interrupt = std::get<storage::Interrupt>(e);
  w.PutU8(kTagInterrupt);
  PutSnowflake(w, interrupt.id);
  PutAddress(w, interrupt.address);
  PutSnowflake(w, interrupt.request_id);
}

// The body of an AckChunk or Interrupt after its tag.
absl::StatusOr<PeerEnvelope> GetPeerEnvelopeBody(ByteReader& r, uint8_t tag) {
  CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake id, GetSnowflake(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(EntityAddress address, GetAddress(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake request_id, GetSnowflake(r));
  if (tag == kTagAck) {
    CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake reply_id, GetSnowflake(r));
    return PeerEnvelope(
        storage::AckChunk{id, std::move(address), request_id, reply_id});
  }
  return PeerEnvelope(storage::Interrupt{id, std::move(address), request_id});
}

absl::StatusOr<PeerEnvelope> GetPeerEnvelope(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t tag, r.GetU8());
  if (tag != kTagAck && tag != kTagInterrupt) {
    return Malformed("unknown envelope tag");
  }
  return GetPeerEnvelopeBody(r, tag);
}

void PutEnvelope(ByteWriter& w, const storage::Envelope& e) {
  if (const auto* request = std::get_if<storage::Request>(&e)) {
    w.PutU8(kTagRequest);
    PutRequest(w, *request);
  } else if (const auto* ack = std::get_if<storage::AckChunk>(&e)) {
    PutPeerEnvelope(w, *ack);
  } else {
    PutPeerEnvelope(w, std::get<storage::Interrupt>(e));
  }
}

absl::StatusOr<storage::Envelope> GetEnvelope(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t tag, r.GetU8());
  if (tag == kTagRequest) {
    CLUSTERSIM_ASSIGN_OR_RETURN(storage::Request request, GetRequest(r));
    return storage::Envelope(std::move(request));
  }
  if (tag != kTagAck && tag != kTagInterrupt) {
    return Malformed("unknown envelope tag");
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(PeerEnvelope peer, GetPeerEnvelopeBody(r, tag));
  if (auto* ack = std::get_if<storage::AckChunk>(&peer)) {
    return storage::Envelope(std::move(*ack));
  }
  return storage::Envelope(std::get<storage::Interrupt>(std::move(peer)));
}

void PutExit(ByteWriter& w, const storage::Exit& exit) {
  w.PutBool(exit.is_success());
  if (exit.is_success()) {
    w.PutString(exit.value());
    return;
  }
  w.PutU8(static_cast<uint8_t>(exit.cause().kind));
  w.PutString(exit.cause().message);
}
absl::StatusOr<storage::Exit> GetExit(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(bool success, r.GetBool());
  if (success) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, r.GetString());
    return storage::Exit::Success(std::move(value));
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t kind, r.GetU8());
  if (kind < static_cast<uint8_t>(storage::CauseKind::kFail) ||
      kind > static_cast<uint8_t>(storage::CauseKind::kInterrupt)) {
    return Malformed("unknown cause kind");
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string message, r.GetString());
  return storage::Exit::Failure(storage::Cause{
      static_cast<storage::CauseKind>(kind), std::move(message)});
}

void PutReply(ByteWriter& w, const storage::Reply& reply) {
  if (const auto* exit = std::get_if<storage::WithExit>(&reply)) {
    w.PutU8(kTagWithExit);
    PutSnowflake(w, exit->request_id);
    PutSnowflake(w, exit->id);
    PutExit(w, exit->exit);
    return;
  }
  const auto& chunk = std::get<storage::Chunk>(reply);
  w.PutU8(kTagChunk);
  PutSnowflake(w, chunk.request_id);
  PutSnowflake(w, chunk.id);
  w.PutSignedVarint(chunk.sequence);
  w.PutVarint(chunk.values.size());
  for (const std::string& value : chunk.values) w.PutString(value);
}
absl::StatusOr<storage::Reply> GetReply(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t tag, r.GetU8());
  CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake request_id, GetSnowflake(r));
  CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake id, GetSnowflake(r));
  if (tag == kTagWithExit) {
    CLUSTERSIM_ASSIGN_OR_RETURN(storage::Exit exit, GetExit(r));
    return storage::Reply(storage::WithExit{request_id, id, std::move(exit)});
  }
  if (tag != kTagChunk) return Malformed("unknown reply tag");
  CLUSTERSIM_ASSIGN_OR_RETURN(int64_t sequence, r.GetSignedVarint());
  if (sequence < 0 || sequence > std::numeric_limits<int32_t>::max()) {
    return Malformed("chunk sequence out of range");
  }
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t count, r.GetCount(1));
  if (count == 0) return Malformed("empty chunk");
  std::vector<std::string> values;
  values.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, r.GetString());
    values.push_back(std::move(value));
  }
  return storage::Reply(storage::Chunk{
      request_id, id, static_cast<int32_t>(sequence), std::move(values)});
}

template <typename T, typename Get>
absl::StatusOr<T> DecodeAll(std::string_view bytes, Get get) {
  ByteReader r(bytes);
  absl::StatusOr<T> value = AsMalformed(get(r));
  if (!value.ok()) return value;
  if (absl::Status end = r.ExpectEnd(); !end.ok()) {
    return Malformed(end.message());
  }
  return value;
}

}  // namespace

std::string EncodeNotify(const NotifyMessage& message) {
  ByteWriter w;
  PutEnvelope(w, message.envelope);
  w.PutBool(message.persisted);
  return w.Release();
}

absl::StatusOr<NotifyMessage> DecodeNotify(std::string_view bytes) {
  return DecodeAll<NotifyMessage>(
      bytes, [](ByteReader& r) -> absl::StatusOr<NotifyMessage> {
        CLUSTERSIM_ASSIGN_OR_RETURN(storage::Envelope envelope, GetEnvelope(r));
        CLUSTERSIM_ASSIGN_OR_RETURN(bool persisted, r.GetBool());
        return NotifyMessage{std::move(envelope), persisted};
      });
}

std::string EncodeStart(const StartMessage& message) {
  ByteWriter w;
  PutRequest(w, message.request);
  w.PutBool(message.persisted);
  return w.Release();
}

absl::StatusOr<StartMessage> DecodeStart(std::string_view bytes) {
  return DecodeAll<StartMessage>(
      bytes, [](ByteReader& r) -> absl::StatusOr<StartMessage> {
        CLUSTERSIM_ASSIGN_OR_RETURN(storage::Request request, GetRequest(r));
        CLUSTERSIM_ASSIGN_OR_RETURN(bool persisted, r.GetBool());
        return StartMessage{std::move(request), persisted};
      });
}

std::string EncodePoll(const PollMessage& message) {
  ByteWriter w;
  PutSnowflake(w, message.request_id);
  w.PutVarint(static_cast<uint64_t>(message.index));
  return w.Release();
}

absl::StatusOr<PollMessage> DecodePoll(std::string_view bytes) {
  return DecodeAll<PollMessage>(
      bytes, [](ByteReader& r) -> absl::StatusOr<PollMessage> {
        CLUSTERSIM_ASSIGN_OR_RETURN(Snowflake id, GetSnowflake(r));
        CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t index, r.GetVarint());
        if (index >
            static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
          return Malformed("reply index out of range");
        }
        return PollMessage{id, static_cast<int64_t>(index)};
      });
}

std::string EncodeEnvelope(const EnvelopeMessage& message) {
  ByteWriter w;
  PutPeerEnvelope(w, message.envelope);
  w.PutBool(message.persisted);
  return w.Release();
}

absl::StatusOr<EnvelopeMessage> DecodeEnvelope(std::string_view bytes) {
  return DecodeAll<EnvelopeMessage>(
      bytes, [](ByteReader& r) -> absl::StatusOr<EnvelopeMessage> {
        CLUSTERSIM_ASSIGN_OR_RETURN(PeerEnvelope envelope, GetPeerEnvelope(r));
        CLUSTERSIM_ASSIGN_OR_RETURN(bool persisted, r.GetBool());
        return EnvelopeMessage{std::move(envelope), persisted};
      });
}

std::string EncodePollResult(const PollResult& result) {
  ByteWriter w;
  w.PutBool(result.has_value());
  if (result.has_value()) PutReply(w, *result);
  return w.Release();
}

absl::StatusOr<PollResult> DecodePollResult(std::string_view bytes) {
  return DecodeAll<PollResult>(
      bytes, [](ByteReader& r) -> absl::StatusOr<PollResult> {
        CLUSTERSIM_ASSIGN_OR_RETURN(bool present, r.GetBool());
        if (!present) return PollResult();
        CLUSTERSIM_ASSIGN_OR_RETURN(storage::Reply reply, GetReply(r));
        return PollResult(std::move(reply));
      });
}

std::string EncodeRequest(const storage::Request& request) {
  ByteWriter w;
  PutRequest(w, request);
  return w.Release();
}

absl::StatusOr<storage::Request> DecodeRequest(std::string_view bytes) {
  return DecodeAll<storage::Request>(bytes, GetRequest);
}

}  // namespace clustersim::sharding
