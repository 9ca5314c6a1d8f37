// Outgoing messages: what a sender hands to Sharding.sendOutgoing (Effect's
// Message.OutgoingRequest / OutgoingEnvelope), and their conversion to the
// incoming form a local entity manager takes.
// Value types; single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_OUTGOING_H_
#define CLUSTERSIM_CORE_SHARDING_OUTGOING_H_

#include <optional>
#include <variant>

#include "core/cluster/entity_address.h"
#include "core/cluster/snowflake.h"
#include "core/sharding/entity.h"
#include "core/sharding/message.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// An AckChunk or Interrupt (the envelopes that refer to a request).
using PeerEnvelope = std::variant<storage::AckChunk, storage::Interrupt>;

struct OutgoingRequest {
  storage::Request envelope;
  // The RPC's annotations; owned by the entity definition, which outlives
  // the message.
  const RpcSpec* rpc = nullptr;
  // Set when resuming a duplicate: the last reply storage recorded for it.
  std::optional<storage::Reply> last_received_reply;
  // Receives the replies (chunks, then the WithExit).
  ReplySink respond;
};

struct OutgoingEnvelope {
  PeerEnvelope envelope;
  // The RPC of the request it refers to is Persisted.
  bool persisted = false;
};

using OutgoingMessage = std::variant<OutgoingRequest, OutgoingEnvelope>;

inline bool IsPersisted(const OutgoingMessage& message) {
  if (const auto* request = std::get_if<OutgoingRequest>(&message)) {
    return request->rpc->persisted;
  }
  return std::get<OutgoingEnvelope>(message).persisted;
}

inline const EntityAddress& AddressOf(const PeerEnvelope& envelope) {
  return std::visit(
      [](const auto& e) -> const EntityAddress& { return e.address; },
      envelope);
}

inline Snowflake RequestIdOf(const PeerEnvelope& envelope) {
  return std::visit([](const auto& e) { return e.request_id; }, envelope);
}

inline const EntityAddress& AddressOf(const OutgoingMessage& message) {
  if (const auto* request = std::get_if<OutgoingRequest>(&message)) {
    return request->envelope.address;
  }
  return AddressOf(std::get<OutgoingEnvelope>(message).envelope);
}

// Effect's incomingLocalFromOutgoing: the local entity replies through the
// sender's callback.
inline IncomingMessage ToIncoming(const OutgoingMessage& message) {
  if (const auto* request = std::get_if<OutgoingRequest>(&message)) {
    return IncomingRequest{request->envelope, request->last_received_reply,
                           request->respond};
  }
  return IncomingEnvelope{std::get<OutgoingEnvelope>(message).envelope};
}

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_OUTGOING_H_
