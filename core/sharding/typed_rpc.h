// TypedRpc<Req, Resp>: one RPC of an entity with a typed request/response
// contract (the C++ counterpart of Effect's `Rpc.make(tag, {payload,
// success})`). It encodes and decodes the opaque payload bytes with a
// WireCodec built on core/codec, produces the RpcSpec for
// EntityDefinition::Add, and serves a request in a handler:
//
//   const TypedRpc<Increment, Counter> kIncrement(
//       "Increment", kIncrementCodec, kCounterCodec, {.persisted = true});
//   definition.Add(kIncrement.Spec());
//   ...
//   Task<storage::Exit> Handle(const EntityRequest& request, ChunkWriter*) {
//     return kIncrement.Serve(request, [this](Increment in) { ... });
//   }
//
// A payload that does not decode is answered with Effect's
// WithExit(die MalformedMessage) (entity_exits.h), never handed to the
// handler. A response whose encoder fails (WireCodec) becomes the same
// defect, Effect's Reply.serializeOrDefect: the handler succeeded, but the
// caller (and storage, for a persisted request) gets the defect, only this
// request or stream fails, and the entity is not restarted. A handler's error
// Status is a typed failure (CauseKind::kFail) whose detail carries the status
// code and message, so the caller's FromExit gives back the same Status; one
// that Options::check_failure refuses becomes the same defect.
// Immutable after construction; a TypedRpc must outlive the tasks Serve
// returns. Thread-compatible.
#ifndef CLUSTERSIM_CORE_SHARDING_TYPED_RPC_H_
#define CLUSTERSIM_CORE_SHARDING_TYPED_RPC_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/sharding/entity_exits.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// How a value of T is written and read. `decode` need not check for
// trailing bytes (the caller does). `encode` fails with writer.Fail() for a
// value it cannot represent.
template <typename T>
struct WireCodec {
  void (*encode)(const T& value, codec::ByteWriter& writer);
  absl::StatusOr<T> (*decode)(codec::ByteReader& reader);
};

namespace internal {

// "bytes of '<tag>' do not decode: <cause>".
std::string MalformedDetail(std::string_view tag, const absl::Status& cause);
// The MalformedMessage cluster error with that detail.
absl::Status MalformedPayload(std::string_view tag, const absl::Status& cause);
// The detail of a typed failure, and back.
std::string EncodeFailure(const absl::Status& status);
absl::Status DecodeFailure(std::string_view detail);
// Effect's serializeOrDefect substitute for a reply of `tag` that does not
// encode: WithExit(die MalformedMessage), failing only that request.
storage::Exit UnencodableReplyExit(std::string_view tag,
                                   const absl::Status& cause);

// For codecs that cannot fail (a failure leaves the bytes written so far).
template <typename T>
std::string Encode(const WireCodec<T>& codec, const T& value) {
  codec::ByteWriter writer;
  codec.encode(value, writer);
  return writer.Release();
}

// The encoding, or the encoder's failure.
template <typename T>
absl::StatusOr<std::string> TryEncode(const WireCodec<T>& codec,
                                      const T& value) {
  codec::ByteWriter writer;
  codec.encode(value, writer);
  if (!writer.status().ok()) return writer.status();
  return writer.Release();
}

template <typename T>
absl::StatusOr<T> Decode(const WireCodec<T>& codec, std::string_view bytes) {
  codec::ByteReader reader(bytes);
  absl::StatusOr<T> value = codec.decode(reader);
  if (!value.ok()) return value.status();
  if (absl::Status end = reader.ExpectEnd(); !end.ok()) return end;
  return value;
}

}  // namespace internal

template <typename Req, typename Resp>
class TypedRpc {
 public:
  struct Options {
    bool persisted = false;
    Uninterruptible uninterruptible = Uninterruptible::kNo;
    // Effect's PrimaryKey and DeliverAt, on the decoded payload.
    std::function<std::optional<std::string>(const Req&)> primary_key;
    std::function<std::optional<int64_t>(const Req&)> deliver_at_ms;
    // Effect's error schema, as far as it can refuse a failure: why the
    // handler's `failure` cannot be encoded (OK when it can). A failure that
    // cannot be encoded is replaced by the serializeOrDefect defect, as an
    // unencodable response is (Effect 4.1.0 dies with MalformedMessage
    // rather than hang on a failure holding a non-JSON value). Unset: every
    // failure encodes (its code and message).
    std::function<absl::Status(const absl::Status& failure)> check_failure =
        nullptr;
  };

  TypedRpc(std::string tag, WireCodec<Req> request, WireCodec<Resp> response,
           Options options = {})
      : tag_(std::move(tag)),
        request_(request),
        response_(response),
        options_(std::move(options)) {}

  const std::string& tag() const { return tag_; }

  // The spec to add to the entity definition. Its primary-key and
  // deliver-at functions see nothing (nullopt) in a payload that does not
  // decode.
  RpcSpec Spec() const {
    RpcSpec spec;
    spec.tag = tag_;
    spec.persisted = options_.persisted;
    spec.uninterruptible = options_.uninterruptible;
    if (options_.primary_key) {
      spec.primary_key =
          [codec = request_, key = options_.primary_key](
              std::string_view payload) -> std::optional<std::string> {
        absl::StatusOr<Req> request = internal::Decode(codec, payload);
        if (!request.ok()) return std::nullopt;
        return key(*request);
      };
    }
    if (options_.deliver_at_ms) {
      spec.deliver_at_ms =
          [codec = request_, at = options_.deliver_at_ms](
              std::string_view payload) -> std::optional<int64_t> {
        absl::StatusOr<Req> request = internal::Decode(codec, payload);
        if (!request.ok()) return std::nullopt;
        return at(*request);
      };
    }
    return spec;
  }

  std::string EncodeRequest(const Req& request) const {
    return internal::Encode(request_, request);
  }
  // MalformedMessage (a cluster error) if `payload` is not exactly one Req.
  absl::StatusOr<Req> DecodeRequest(std::string_view payload) const {
    absl::StatusOr<Req> request = internal::Decode(request_, payload);
    if (!request.ok()) {
      return internal::MalformedPayload(tag_, request.status());
    }
    return request;
  }
  // For responses known to encode (ToExit and Emit handle failures).
  std::string EncodeResponse(const Resp& response) const {
    return internal::Encode(response_, response);
  }
  absl::StatusOr<Resp> DecodeResponse(std::string_view bytes) const {
    absl::StatusOr<Resp> response = internal::Decode(response_, bytes);
    if (!response.ok()) {
      return internal::MalformedPayload(tag_, response.status());
    }
    return response;
  }

  // The exit of a handler result: Success with the encoded response, or a
  // typed failure carrying the status (either one the serializeOrDefect
  // defect if it does not encode).
  storage::Exit ToExit(const absl::StatusOr<Resp>& result) const {
    if (!result.ok()) {
      if (options_.check_failure) {
        const absl::Status encodable = options_.check_failure(result.status());
        if (!encodable.ok()) {
          return internal::UnencodableReplyExit(tag_, encodable);
        }
      }
      return storage::Exit::Failure(storage::Cause{
          storage::CauseKind::kFail, internal::EncodeFailure(result.status())});
    }
    absl::StatusOr<std::string> bytes = internal::TryEncode(response_, *result);
    if (!bytes.ok())
      return internal::UnencodableReplyExit(tag_, bytes.status());
    return storage::Exit::Success(*std::move(bytes));
  }

  // For a streaming RPC: emits `values` as one chunk. nullopt once emitted;
  // otherwise the exit the handler must end the stream with: the
  // serializeOrDefect defect if a value does not encode (nothing of the
  // chunk is emitted), or a typed failure if the chunk could not be handed
  // on. `chunks` must outlive the returned task.
  Task<std::optional<storage::Exit>> Emit(ChunkWriter& chunks,
                                          std::vector<Resp> values) const {
    std::vector<std::string> encoded;
    for (const Resp& value : values) {
      absl::StatusOr<std::string> bytes = internal::TryEncode(response_, value);
      if (!bytes.ok()) {
        co_return internal::UnencodableReplyExit(tag_, bytes.status());
      }
      encoded.push_back(*std::move(bytes));
    }
    absl::Status emitted = co_await chunks.Emit(std::move(encoded));
    if (emitted.ok()) co_return std::nullopt;
    co_return ToExit(emitted);
  }

  // The caller's view of an exit: the response, the handler's status for a
  // typed failure, Internal for a defect, Cancelled for an interrupt, and
  // MalformedMessage for bytes that do not decode.
  absl::StatusOr<Resp> FromExit(const storage::Exit& exit) const {
    if (exit.is_success()) return DecodeResponse(exit.value());
    const storage::Cause& cause = exit.cause();
    switch (cause.kind) {
      case storage::CauseKind::kFail:
        return internal::DecodeFailure(cause.message);
      case storage::CauseKind::kInterrupt:
        return absl::CancelledError(cause.message);
      case storage::CauseKind::kDie:
        break;
    }
    return absl::InternalError(cause.message);
  }

  // Decodes the request's payload and awaits `handle(Req)`, a callable
  // returning Task<absl::StatusOr<Resp>>, then converts its result with
  // ToExit. A payload that does not decode gives MalformedMessageExit and
  // `handle` is not called. `request` must outlive the returned task.
  template <typename Handle>
  Task<storage::Exit> Serve(const EntityRequest& request, Handle handle) const {
    absl::StatusOr<Req> decoded = internal::Decode(request_, request.payload);
    if (!decoded.ok()) {
      co_return MalformedMessageExit(
          internal::MalformedDetail(tag_, decoded.status()));
    }
    absl::StatusOr<Resp> result = co_await handle(*std::move(decoded));
    co_return ToExit(result);
  }

 private:
  std::string tag_;
  WireCodec<Req> request_;
  WireCodec<Resp> response_;
  Options options_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_TYPED_RPC_H_
