#include "core/sharding/runner_protocol.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/cluster/cluster_codec.h"
#include "core/cluster/cluster_error.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/storage/storage_codec.h"

namespace clustersim::sharding {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

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

// Envelopes, replies and ids are encoded as storage encodes them
// (core/storage/storage_codec.h, core/cluster/cluster_codec.h).
void PutRequest(ByteWriter& w, const storage::Request& request) {
  storage::PutEnvelope(w, request);
}

absl::StatusOr<storage::Request> GetRequest(ByteReader& r) {
  return storage::GetEnvelopeOf<storage::Request>(r);
}

void PutPeerEnvelope(ByteWriter& w, const PeerEnvelope& e) {
  std::visit([&w](const auto& envelope) { storage::PutEnvelope(w, envelope); },
             e);
}

absl::StatusOr<PeerEnvelope> GetPeerEnvelope(ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(storage::Envelope envelope,
                              storage::GetEnvelope(r));
  if (auto* ack = std::get_if<storage::AckChunk>(&envelope)) {
    return PeerEnvelope(std::move(*ack));
  }
  if (auto* interrupt = std::get_if<storage::Interrupt>(&envelope)) {
    return PeerEnvelope(std::move(*interrupt));
  }
  return Malformed("expected an AckChunk or Interrupt envelope");
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
  storage::PutEnvelope(w, message.envelope);
  w.PutBool(message.persisted);
  return w.Release();
}

absl::StatusOr<NotifyMessage> DecodeNotify(std::string_view bytes) {
  return DecodeAll<NotifyMessage>(
      bytes, [](ByteReader& r) -> absl::StatusOr<NotifyMessage> {
        CLUSTERSIM_ASSIGN_OR_RETURN(storage::Envelope envelope,
                                    storage::GetEnvelope(r));
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
  if (result.has_value()) storage::PutReply(w, *result);
  return w.Release();
}

absl::StatusOr<PollResult> DecodePollResult(std::string_view bytes) {
  return DecodeAll<PollResult>(
      bytes, [](ByteReader& r) -> absl::StatusOr<PollResult> {
        CLUSTERSIM_ASSIGN_OR_RETURN(bool present, r.GetBool());
        if (!present) return PollResult();
        CLUSTERSIM_ASSIGN_OR_RETURN(storage::Reply reply, storage::GetReply(r));
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
