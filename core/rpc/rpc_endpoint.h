// RpcEndpoint: request/response calls between nodes over the Transport, with
// timeouts. Runner-to-runner and runner-to-storage calls go through it.
//
// Wire format: each call is one kRpcRequest frame {session, kind (call or
// notify), call id, method, payload}; the answer is one kRpcResponse frame
// {session, call id, status code, message, status payloads, payload}. Statuses
// cross the wire whole, payloads included, so typed cluster errors survive the
// trip.
//
// Semantics, chosen to match a connection-oriented transport (Effect's runners
// talk over sockets/HTTP):
// - A call resolves with the handler's result, or DeadlineExceeded after
//   `timeout_ms`. A timeout says nothing about whether the handler ran: the
//   server may have applied the call and lost the answer.
// - The server runs a handler at most once per (caller node, caller session,
//   call id): a request duplicated by the network is dropped. A session is a
//   random nonce per endpoint, so a restarted caller is a new session.
//   Duplicated or late responses are ignored.
// - One-way notifications (Notify) have no response and no delivery
//   guarantee.
// - Options::reliable (hardened mode) makes a call survive message loss, as
//   a connection's retransmissions would: the caller resends the same
//   request (same call id) after retransmit_ms, doubling up to
//   kMaxRetransmitMs, until the answer or the deadline; the server, which
//   runs the handler once, answers a resent request with the response it
//   kept (the last kResponseCacheSize of them), or not at all while the
//   handler still runs. Both ends of a call must agree on the option.
// Handlers run each in their own fiber of the endpoint's scope. A handler is a
// function returning a Task; it must not be a capturing coroutine lambda (see
// task.h): have it call a member coroutine instead.
//
// Malformed frames are rejected with a "malformed:" error and counted; they
// never crash the node. Single-threaded; owned by the node's Process; must not
// outlive the NodeEnv it was built from.
#ifndef CLUSTERSIM_CORE_RPC_RPC_ENDPOINT_H_
#define CLUSTERSIM_CORE_RPC_RPC_ENDPOINT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"

namespace clustersim {

// A method number; each service defines an enum of them.
using RpcMethod = uint32_t;

struct RpcOptions {
  bool reliable = false;
  int64_t retransmit_ms = 100;  // first resend, when reliable
};

class RpcEndpoint {
 public:
  using Handler = std::function<Task<absl::StatusOr<std::string>>(
      NodeId from, std::string request)>;
  using NotifyHandler = std::function<void(NodeId from, std::string message)>;

  // Limits.
  static constexpr size_t kMaxPendingCalls = 1 << 20;
  static constexpr size_t kDedupWindow = 1 << 16;  // remembered call ids
  static constexpr size_t kResponseCacheSize = 1 << 12;
  static constexpr int64_t kMaxRetransmitMs = 1'000;

  using Options = RpcOptions;

  explicit RpcEndpoint(const NodeEnv& env, Options options = {});
  RpcEndpoint(const RpcEndpoint&) = delete;
  RpcEndpoint& operator=(const RpcEndpoint&) = delete;
  ~RpcEndpoint();

  // Registers the handler of `method` (each method at most once).
  void Register(RpcMethod method, Handler handler);
  void RegisterNotify(RpcMethod method, NotifyHandler handler);

  // Calls `method` on node `to`. Must run inside a fiber.
  Task<absl::StatusOr<std::string>> Call(NodeId to, RpcMethod method,
                                         std::string request,
                                         int64_t timeout_ms);
  // Sends a one-way notification.
  void Notify(NodeId to, RpcMethod method, std::string message);

  // Feeds bytes that arrived at this node. Returns an error for bytes that
  // are not a well-formed RPC frame (the caller decides what else they are).
  absl::Status HandleMessage(NodeId from, std::string_view bytes);

  uint64_t malformed_count() const { return malformed_count_; }
  uint64_t duplicate_requests_dropped() const { return duplicates_dropped_; }
  uint64_t retransmissions() const { return retransmissions_; }
  uint64_t responses_replayed() const { return responses_replayed_; }
  size_t pending_calls() const { return pending_.size(); }

 private:
  struct DedupKey {
    uint32_t node;
    uint64_t session;
    uint64_t call_id;
    friend bool operator==(const DedupKey&, const DedupKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const DedupKey& k) {
      return H::combine(std::move(h), k.node, k.session, k.call_id);
    }
  };

  void SendRequest(NodeId to, uint8_t kind, uint64_t call_id, RpcMethod method,
                   std::string_view payload);
  absl::Status HandleRequest(NodeId from, std::string_view body);
  absl::Status HandleResponse(std::string_view body);
  Task<void> Serve(NodeId from, uint64_t session, uint64_t call_id,
                   RpcMethod method, std::string request);
  bool Remember(const DedupKey& key);
  // Reliable mode: keeps a sent response for resent requests.
  void KeepResponse(const DedupKey& key, std::string frame);

  NodeEnv env_;
  Options options_;
  Scope scope_;  // handler fibers
  uint64_t session_;
  uint64_t next_call_id_ = 1;
  absl::flat_hash_map<RpcMethod, Handler> handlers_;
  absl::flat_hash_map<RpcMethod, NotifyHandler> notify_handlers_;
  absl::flat_hash_map<uint64_t, Deferred<absl::StatusOr<std::string>>*>
      pending_;
  absl::flat_hash_set<DedupKey> seen_;
  std::deque<DedupKey> seen_order_;
  absl::flat_hash_map<DedupKey, std::string> responses_;
  std::deque<DedupKey> response_order_;
  uint64_t malformed_count_ = 0;
  uint64_t duplicates_dropped_ = 0;
  uint64_t retransmissions_ = 0;
  uint64_t responses_replayed_ = 0;
};

// Encoding of a Status with its payloads (exposed for tests and storage).
// DecodeStatus stores the decoded status in *out, or returns a "malformed:"
// error.
std::string EncodeStatus(const absl::Status& status);
absl::Status DecodeStatus(std::string_view bytes, absl::Status* out);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RPC_RPC_ENDPOINT_H_
