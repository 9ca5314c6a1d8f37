#include "core/storage/storage_audit.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace clustersim::storage {
namespace {

template <typename T, typename Show>
std::string OrDash(const std::optional<T>& value, Show show) {
  return value.has_value() ? show(*value) : "-";
}

std::string ShowRunner(const RunnerAddress& address) { return address.Key(); }
std::string ShowShard(const ShardId& shard) { return shard.ToString(); }

}  // namespace

std::string OwnershipViolation::ToString() const {
  return absl::StrCat(
      "t=", server_time_ms, " writer=", OrDash(writer, ShowRunner),
      " request=", request_id.value(), " reply=", reply_id.value(),
      terminal ? " exit" : " chunk", " shard=", OrDash(shard, ShowShard),
      " holder=", OrDash(lease_holder, ShowRunner));
}

void StorageAudit::RecordLeases(const RunnerAddress& owner,
                                const std::vector<FencingToken>& tokens) {
  for (const FencingToken& token : tokens) {
    grants_.insert_or_assign(token.shard, Grant{owner, token.epoch});
  }
}

std::optional<RunnerAddress> StorageAudit::LeaseHolder(
    const ShardId& shard, const RunnerStore& runners, int64_t now_ms) const {
  auto it = grants_.find(shard);
  if (it == grants_.end()) return std::nullopt;
  // The latest grant is the lease only while RunnerStore still has that
  // epoch unexpired (not released, taken over or lapsed).
  if (!runners.CheckFencingToken(FencingToken{shard, it->second.epoch}, now_ms)
           .ok()) {
    return std::nullopt;
  }
  return it->second.owner;
}

void StorageAudit::RecordReply(const Reply& reply,
                               const std::optional<RunnerAddress>& writer,
                               const StorageState& state, int64_t now_ms) {
  ++accepted_replies_;
  const Snowflake request_id = RequestIdOf(reply);
  const bool terminal = std::holds_alternative<WithExit>(reply);
  if (terminal) {
    accepted_exits_[request_id].push_back(
        AcceptedExit{now_ms, ReplyIdOf(reply), writer});
  }
  const std::optional<ShardId> shard =
      state.messages().ShardOfMessage(request_id);
  std::optional<RunnerAddress> holder;
  if (shard.has_value()) holder = LeaseHolder(*shard, state.runners(), now_ms);
  if (writer.has_value() && holder == writer) return;
  ownership_violations_.push_back(OwnershipViolation{
      now_ms, writer, request_id, ReplyIdOf(reply), terminal, shard, holder});
}

}  // namespace clustersim::storage
