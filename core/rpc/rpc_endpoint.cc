#include "core/rpc/rpc_endpoint.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/codec/frame.h"

namespace clustersim {
namespace {

using codec::ByteReader;
using codec::ByteWriter;
using codec::FrameKind;

// What a request frame asks for.
enum RequestKind : uint8_t { kCall = 0, kNotify = 1 };
// absl::StatusCode values are 0..16.
constexpr uint64_t kMaxStatusCode = 16;
constexpr uint64_t kMaxStatusPayloads = 16;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed: rpc ", what));
}

void PutStatus(ByteWriter& w, const absl::Status& status) {
  w.PutVarint(static_cast<uint64_t>(status.code()));
  w.PutString(std::string(status.message()));
  std::vector<std::pair<std::string, std::string>> payloads;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    payloads.emplace_back(std::string(url), std::string(payload));
  });
  // ForEachPayload's order is unspecified; sort for deterministic bytes.
  std::sort(payloads.begin(), payloads.end());
  w.PutVarint(payloads.size());
  for (const auto& [url, bytes] : payloads) {
    w.PutString(url);
    w.PutString(bytes);
  }
}

// Decodes a status into *out. (Not StatusOr<Status>: an error would
// silently become a value.)
absl::Status GetStatus(ByteReader& r, absl::Status* out) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t code, r.GetVarint());
  if (code > kMaxStatusCode) return Malformed("status code out of range");
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string message, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t count, r.GetVarint());
  if (count > kMaxStatusPayloads) return Malformed("too many status payloads");
  if (code == 0 && (count != 0 || !message.empty())) {
    return Malformed("OK status with a message or payloads");
  }
  absl::Status status(static_cast<absl::StatusCode>(code), message);
  for (uint64_t i = 0; i < count; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string url, r.GetString());
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string bytes, r.GetString());
    status.SetPayload(url, absl::Cord(bytes));
  }
  *out = std::move(status);
  return absl::OkStatus();
}

}  // namespace

std::string EncodeStatus(const absl::Status& status) {
  ByteWriter w;
  PutStatus(w, status);
  return w.Release();
}

absl::Status DecodeStatus(std::string_view bytes, absl::Status* out) {
  ByteReader r(bytes);
  CLUSTERSIM_RETURN_IF_ERROR(GetStatus(r, out));
  return r.ExpectEnd();
}

RpcEndpoint::RpcEndpoint(const NodeEnv& env, Options options)
    : env_(env),
      options_(options),
      scope_(*env.scope),
      session_(env.random->NextU64()) {
  CHECK(options.retransmit_ms > 0);
}

RpcEndpoint::~RpcEndpoint() {
  // Callers waiting on us are in fibers of the node's scope, which the
  // environment destroys before the process; nothing may still be pending.
  CHECK(pending_.empty() || env_.scope->closed());
}

void RpcEndpoint::Register(RpcMethod method, Handler handler) {
  CHECK(handler != nullptr);
  CHECK(handlers_.emplace(method, std::move(handler)).second,
        "rpc method registered twice");
}

void RpcEndpoint::RegisterNotify(RpcMethod method, NotifyHandler handler) {
  CHECK(handler != nullptr);
  CHECK(notify_handlers_.emplace(method, std::move(handler)).second,
        "rpc notify method registered twice");
}

Task<absl::StatusOr<std::string>> RpcEndpoint::Call(NodeId to, RpcMethod method,
                                                    std::string request,
                                                    int64_t timeout_ms) {
  CHECK(timeout_ms > 0);
  CHECK(pending_.size() < kMaxPendingCalls, "too many pending rpc calls");
  const uint64_t call_id = next_call_id_++;
  Deferred<absl::StatusOr<std::string>> reply;
  // Unregisters on every exit, including cancellation of this fiber.
  struct PendingGuard {
    RpcEndpoint* self;
    uint64_t call_id;
    ~PendingGuard() { self->pending_.erase(call_id); }
  } guard{this, call_id};
  pending_.emplace(call_id, &reply);

  SendRequest(to, kCall, call_id, method, request);

  const int64_t deadline_us = env_.executor->MonotonicUs() + timeout_ms * 1000;
  int64_t resend_ms = options_.retransmit_ms;
  for (;;) {
    const int64_t remaining_us = deadline_us - env_.executor->MonotonicUs();
    if (remaining_us <= 0) break;
    const int64_t wait_us = options_.reliable
                                ? std::min(remaining_us, resend_ms * 1000)
                                : remaining_us;
    std::optional<absl::StatusOr<std::string>> result =
        co_await reply.WaitForUs(wait_us);
    if (result.has_value()) co_return std::move(*result);
    if (wait_us < remaining_us) {
      ++retransmissions_;
      SendRequest(to, kCall, call_id, method, request);
      resend_ms = std::min(resend_ms * 2, kMaxRetransmitMs);
    }
  }
  co_return absl::DeadlineExceededError(
      absl::StrCat("rpc ", method, " to node ", to.value, " timed out after ",
                   timeout_ms, " ms"));
}

void RpcEndpoint::Notify(NodeId to, RpcMethod method, std::string message) {
  SendRequest(to, kNotify, next_call_id_++, method, message);
}

void RpcEndpoint::SendRequest(NodeId to, uint8_t kind, uint64_t call_id,
                              RpcMethod method, std::string_view payload) {
  ByteWriter w;
  w.PutFixed64(session_);
  w.PutU8(kind);
  w.PutVarint(call_id);
  w.PutVarint(method);
  w.PutString(payload);
  env_.transport->Send(to,
                       codec::EncodeFrame(FrameKind::kRpcRequest, w.data()));
}

absl::Status RpcEndpoint::HandleMessage(NodeId from, std::string_view bytes) {
  absl::StatusOr<codec::Frame> frame = codec::DecodeFrame(bytes);
  absl::Status status;
  if (!frame.ok()) {
    status = frame.status();
  } else if (frame->kind == FrameKind::kRpcRequest) {
    status = HandleRequest(from, frame->body);
  } else if (frame->kind == FrameKind::kRpcResponse) {
    status = HandleResponse(frame->body);
  } else {
    status = Malformed("frame of a non-rpc kind");
  }
  if (!status.ok()) {
    ++malformed_count_;
    env_.trace->Record("rpc.malformed", std::string(status.message()));
  }
  return status;
}

absl::Status RpcEndpoint::HandleRequest(NodeId from, std::string_view body) {
  ByteReader r(body);
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t session, r.GetFixed64());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t kind, r.GetU8());
  if (kind != kCall && kind != kNotify)
    return Malformed("unknown request kind");
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t call_id, r.GetVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t method_wire, r.GetVarint());
  if (method_wire > UINT32_MAX) return Malformed("method out of range");
  const auto method = static_cast<RpcMethod>(method_wire);
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string payload, r.GetString());
  CLUSTERSIM_RETURN_IF_ERROR(r.ExpectEnd());

  const DedupKey key{from.value, session, call_id};
  if (!Remember(key)) {
    if (auto it = responses_.find(key); it != responses_.end()) {
      ++responses_replayed_;
      env_.transport->Send(from, it->second);
    } else {
      ++duplicates_dropped_;
    }
    return absl::OkStatus();
  }
  if (kind == kNotify) {
    auto it = notify_handlers_.find(method);
    if (it == notify_handlers_.end()) {
      return absl::NotFoundError(absl::StrCat("no notify handler ", method));
    }
    it->second(from, std::move(payload));
    return absl::OkStatus();
  }
  scope_.Spawn(Serve(from, session, call_id, method, std::move(payload)),
               "rpc.serve");
  return absl::OkStatus();
}

Task<void> RpcEndpoint::Serve(NodeId from, uint64_t session, uint64_t call_id,
                              RpcMethod method, std::string request) {
  absl::StatusOr<std::string> result;
  auto it = handlers_.find(method);
  if (it == handlers_.end()) {
    result = absl::UnimplementedError(absl::StrCat("no rpc method ", method));
  } else {
    result = co_await it->second(from, std::move(request));
  }
  ByteWriter w;
  w.PutFixed64(session);
  w.PutVarint(call_id);
  PutStatus(w, result.status());
  w.PutString(result.ok() ? *result : std::string());
  std::string frame = codec::EncodeFrame(FrameKind::kRpcResponse, w.data());
  if (options_.reliable) {
    KeepResponse(DedupKey{from.value, session, call_id}, frame);
  }
  env_.transport->Send(from, std::move(frame));
}

void RpcEndpoint::KeepResponse(const DedupKey& key, std::string frame) {
  if (!responses_.insert_or_assign(key, std::move(frame)).second) return;
  response_order_.push_back(key);
  if (response_order_.size() > kResponseCacheSize) {
    responses_.erase(response_order_.front());
    response_order_.pop_front();
  }
}

absl::Status RpcEndpoint::HandleResponse(std::string_view body) {
  ByteReader r(body);
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t session, r.GetFixed64());
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t call_id, r.GetVarint());
  absl::Status status;
  CLUSTERSIM_RETURN_IF_ERROR(GetStatus(r, &status));
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string payload, r.GetString());
  CLUSTERSIM_RETURN_IF_ERROR(r.ExpectEnd());
  if (session != session_) return absl::OkStatus();  // for a past incarnation
  auto it = pending_.find(call_id);
  if (it == pending_.end()) return absl::OkStatus();  // late or duplicate
  if (status.ok()) {
    it->second->Set(std::move(payload));
  } else {
    it->second->Set(std::move(status));
  }
  pending_.erase(it);
  return absl::OkStatus();
}

bool RpcEndpoint::Remember(const DedupKey& key) {
  if (!seen_.insert(key).second) return false;
  seen_order_.push_back(key);
  if (seen_order_.size() > kDedupWindow) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
  return true;
}

}  // namespace clustersim
