// Envelope: what a sender stores for an entity (Effect's Envelope.Encoded) —
// a Request, or an AckChunk / Interrupt that refers to one. The payload is
// already encoded by the RPC's codec and is carried as opaque bytes.
//
// Deliberately absent: Effect's optional trace fields (traceId, spanId,
// sampled), which no behaviour depends on.
// Value types; thread-compatible.
#ifndef CLUSTERSIM_CORE_STORAGE_ENVELOPE_H_
#define CLUSTERSIM_CORE_STORAGE_ENVELOPE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/cluster/entity_address.h"
#include "core/cluster/snowflake.h"

namespace clustersim::storage {

// Header name -> value, sorted so that encodings are deterministic.
using Headers = std::map<std::string, std::string>;

struct Request {
  Snowflake request_id;
  EntityAddress address;
  // The RPC name.
  std::string tag;
  std::string payload;
  Headers headers;
  // The dedupe key "<entityType>/<entityId>/<tag>/<id>" (ComposePrimaryKey),
  // present when the RPC's payload declares a primary key.
  std::optional<std::string> primary_key;
  // Not delivered before this time on the reading runner's clock.
  std::optional<int64_t> deliver_at_ms;

  friend bool operator==(const Request&, const Request&) = default;
};

// Acknowledges the chunk reply `reply_id` of request `request_id`.
struct AckChunk {
  Snowflake id;
  EntityAddress address;
  Snowflake request_id;
  Snowflake reply_id;

  friend bool operator==(const AckChunk&, const AckChunk&) = default;
};

// Asks the entity to interrupt request `request_id`.
struct Interrupt {
  Snowflake id;
  EntityAddress address;
  Snowflake request_id;

  friend bool operator==(const Interrupt&, const Interrupt&) = default;
};

using Envelope = std::variant<Request, AckChunk, Interrupt>;

// Effect's primaryKeyByAddress: "<entityType>/<entityId>/<tag>/<id>", with
// no escaping (so ids containing '/' can collide, as in Effect).
std::string ComposePrimaryKey(const EntityAddress& address,
                              std::string_view tag, std::string_view id);

const EntityAddress& AddressOf(const Envelope& envelope);
// The request the envelope is or refers to.
Snowflake RequestIdOf(const Envelope& envelope);
// The envelope's own id: the request id for a Request, else `id`. It is the
// message row's primary key in storage.
Snowflake IdOf(const Envelope& envelope);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_ENVELOPE_H_
