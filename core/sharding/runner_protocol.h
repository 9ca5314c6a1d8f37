// The runner-to-runner protocol (Effect's Runners.Rpcs, served by
// RunnerServer), carried over RpcEndpoint calls, and the wire encoding of
// its messages with core/codec.
//
// Effect's runners talk over a connection; here each call is a request/
// response with a timeout, so the long-running calls (Effect and Stream) are
// split into a Start and a long Poll per reply:
//   kPing      {}                                  -> {}
//   kNotify    {envelope, persisted}               -> {}
//   kStart     {request, persisted}                -> PollResult (reply 0)
//   kPoll      {request id, reply index}           -> PollResult
//   kEnvelope  {AckChunk | Interrupt, persisted}   -> {}
// A PollResult is the reply at that index, or "pending" when none came
// within kLongPollWaitMs (the caller polls again, which also proves the
// server alive). A repeated Start for a request already served is answered
// like a poll of index 0, so Start and Poll are idempotent. Errors
// travel as the call's Status (cluster errors with their payload; a server
// defect as Internal). A call that times out, or an answer that does not
// decode, is the caller's RunnerUnavailable, as a broken connection is in
// Effect.
//
// Decoding never crashes: malformed bytes give a MalformedMessage error.
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_SHARDING_RUNNER_PROTOCOL_H_
#define CLUSTERSIM_CORE_SHARDING_RUNNER_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "core/cluster/snowflake.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/sharding/outgoing.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

enum RunnerMethod : RpcMethod {
  kRunnerPing = 100,
  kRunnerNotify = 101,
  kRunnerStart = 102,
  kRunnerPoll = 103,
  kRunnerEnvelope = 104,
};

// Per-call timeout on the caller's side.
inline constexpr int64_t kRunnerCallTimeoutMs = 5'000;
// Attempts of an idempotent call (Start, Poll) before the runner counts as
// unreachable.
inline constexpr int kRunnerCallAttempts = 3;
// Effect's RunnerHealth ping timeout.
inline constexpr int64_t kRunnerPingTimeoutMs = 10'000;
// How long the server holds a poll that has no reply yet.
inline constexpr int64_t kLongPollWaitMs = 2'000;
// A served request nobody polled for this long is dropped (its caller is
// gone); a volatile one is interrupted.
inline constexpr int64_t kServedRequestIdleMs = 15'000;

struct NotifyMessage {
  storage::Envelope envelope;
  bool persisted = false;
};

struct StartMessage {
  storage::Request request;
  bool persisted = false;
};

struct PollMessage {
  Snowflake request_id;
  int64_t index = 0;
};

struct EnvelopeMessage {
  PeerEnvelope envelope;
  bool persisted = false;
};

// The reply at the polled index, or nullopt (pending).
using PollResult = std::optional<storage::Reply>;

std::string EncodeNotify(const NotifyMessage& message);
absl::StatusOr<NotifyMessage> DecodeNotify(std::string_view bytes);
std::string EncodeStart(const StartMessage& message);
absl::StatusOr<StartMessage> DecodeStart(std::string_view bytes);
std::string EncodePoll(const PollMessage& message);
absl::StatusOr<PollMessage> DecodePoll(std::string_view bytes);
std::string EncodeEnvelope(const EnvelopeMessage& message);
absl::StatusOr<EnvelopeMessage> DecodeEnvelope(std::string_view bytes);
std::string EncodePollResult(const PollResult& result);
absl::StatusOr<PollResult> DecodePollResult(std::string_view bytes);

// A request alone (Effect's simulateRemoteSerialization round trip).
std::string EncodeRequest(const storage::Request& request);
absl::StatusOr<storage::Request> DecodeRequest(std::string_view bytes);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_RUNNER_PROTOCOL_H_
