// Incoming messages: what a runner hands to an entity manager (Effect's
// Message.IncomingRequest / IncomingRequestLocal / IncomingEnvelope).
// Payloads are still encoded bytes; the manager checks the tag against the
// entity definition (an unknown tag is a MalformedMessage).
// Value types; single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_MESSAGE_H_
#define CLUSTERSIM_CORE_SHARDING_MESSAGE_H_

#include <functional>
#include <optional>
#include <variant>

#include "core/storage/envelope.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// Where the replies of a volatile request go: the local caller, or the RPC
// back to a remote caller. Called once per reply (chunks, then the WithExit).
using ReplySink = std::function<void(storage::Reply reply)>;

struct IncomingRequest {
  storage::Request envelope;
  // From storage: the reply the request's row last recorded (a Chunk), so a
  // stream resumes after it.
  std::optional<storage::Reply> last_sent_reply;
  // Volatile requests only. Persisted requests reply through storage
  // (EntityManagerHost::SaveReply).
  ReplySink respond;
};

struct IncomingEnvelope {
  std::variant<storage::AckChunk, storage::Interrupt> envelope;
};

using IncomingMessage = std::variant<IncomingRequest, IncomingEnvelope>;

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_MESSAGE_H_
