// ClusterError: Effect's typed cluster errors (ClusterError.ts), carried in
// absl::Status. The core returns absl::Status / absl::StatusOr everywhere;
// a cluster error is a Status with a readable message, a code that says how
// to treat it, and a payload (type URL kClusterErrorTypeUrl) from which
// GetClusterError recovers the typed value:
//
//   return ToStatus(MailboxFull{address});
//   ...
//   if (IsClusterError<MailboxFull>(status)) ...
//   if (auto error = GetClusterError(status)) std::visit(..., *error);
//
// EncodeClusterError / DecodeClusterError give the payload bytes, for
// carrying an error across the simulated network.
// Value types; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_CLUSTER_ERROR_H_
#define CLUSTERSIM_CORE_CLUSTER_CLUSTER_ERROR_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/snowflake.h"

namespace clustersim {

// The shard of the entity is not held by the runner the message reached (or
// the entity manager is closing). Retried by senders. kFailedPrecondition.
struct EntityNotAssignedToRunner {
  EntityAddress address;
  bool operator==(const EntityNotAssignedToRunner&) const = default;
};

// A message or reply could not be encoded or decoded. kInvalidArgument.
struct MalformedMessage {
  std::string cause;
  bool operator==(const MalformedMessage&) const = default;
};

// A storage operation failed. kUnavailable.
struct PersistenceError {
  std::string cause;
  bool operator==(const PersistenceError&) const = default;
};

// Defined by Effect but never raised there. kNotFound.
struct RunnerNotRegistered {
  RunnerAddress address;
  bool operator==(const RunnerNotRegistered&) const = default;
};

// The runner could not be reached. Retried by senders. kUnavailable.
struct RunnerUnavailable {
  RunnerAddress address;
  bool operator==(const RunnerUnavailable&) const = default;
};

// The entity's mailbox (or the runner's resident-entity budget) is full.
// kResourceExhausted.
struct MailboxFull {
  EntityAddress address;
  bool operator==(const MailboxFull&) const = default;
};

// A request with this envelope id is already being (or was recently)
// processed by the entity. kAlreadyExists.
struct AlreadyProcessingMessage {
  Snowflake envelope_id;
  EntityAddress address;
  bool operator==(const AlreadyProcessingMessage&) const = default;
};

// The wire tag of each alternative is its index: only append.
using ClusterError =
    std::variant<EntityNotAssignedToRunner, MalformedMessage, PersistenceError,
                 RunnerNotRegistered, RunnerUnavailable, MailboxFull,
                 AlreadyProcessingMessage>;

inline constexpr char kClusterErrorTypeUrl[] = "clustersim.ClusterError";

// A non-OK Status: the code documented on the error's struct, the message
// "<Tag>: <description>" and the payload.
absl::Status ToStatus(const ClusterError& error);

// The cluster error `status` carries, or nullopt if it carries none (an OK
// status, another error, or a payload that does not decode).
std::optional<ClusterError> GetClusterError(const absl::Status& status);

// Whether `status` carries a cluster error of type E.
template <typename E>
bool IsClusterError(const absl::Status& status) {
  const std::optional<ClusterError> error = GetClusterError(status);
  return error.has_value() && std::holds_alternative<E>(*error);
}

// The payload bytes, built with codec::ByteWriter.
std::string EncodeClusterError(const ClusterError& error);
// Decodes EncodeClusterError's bytes. InvalidArgument "malformed: ..." for
// anything else (unknown tag, bad field, trailing bytes).
absl::StatusOr<ClusterError> DecodeClusterError(std::string_view bytes);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_CLUSTER_ERROR_H_
