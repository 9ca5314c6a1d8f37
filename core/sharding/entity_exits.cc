#include "core/sharding/entity_exits.h"

#include <string>

#include "absl/strings/match.h"
#include "core/cluster/cluster_error.h"

namespace clustersim::sharding {
namespace {

// The prefix of the MalformedMessage cluster error's message.
constexpr char kMalformedPrefix[] = "MalformedMessage: ";

}  // namespace

storage::Exit InterruptExit() {
  return storage::Exit::Failure(
      storage::Cause{storage::CauseKind::kInterrupt, "interrupted"});
}

storage::Exit MalformedMessageExit(std::string_view detail) {
  const absl::Status status = ToStatus(MalformedMessage{std::string(detail)});
  return storage::Exit::Failure(
      storage::Cause{storage::CauseKind::kDie, std::string(status.message())});
}

bool IsMalformedMessage(const storage::Cause& cause) {
  return cause.kind == storage::CauseKind::kDie &&
         absl::StartsWith(cause.message, kMalformedPrefix);
}

bool IsInterrupt(const storage::Exit& exit) {
  return !exit.is_success() &&
         exit.cause().kind == storage::CauseKind::kInterrupt;
}

}  // namespace clustersim::sharding
