#include "core/storage/storage_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/storage/storage_errors.h"

namespace clustersim::storage {

namespace {

RunnerStore::Options RunnerOptions(StorageMode mode,
                                   RunnerStore::Options options) {
  if (mode == StorageMode::kHardened) options.hardened = true;
  return options;
}

}  // namespace

StorageState::StorageState(Options options)
    : mode_(options.mode),
      messages_(std::move(options.messages)),
      runners_(RunnerOptions(options.mode, std::move(options.runners))) {}

absl::Status StorageState::CheckReplyFence(
    const Reply& reply, const std::optional<FencingToken>& fencing,
    int64_t now_ms) const {
  const Snowflake request_id = RequestIdOf(reply);
  if (mode_ == StorageMode::kReference) {
    if (fencing.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("storage: fencing token on a reply to ",
                       request_id.ToString(), " in reference mode"));
    }
    return absl::OkStatus();
  }
  if (!fencing.has_value()) {
    return Fenced(absl::StrCat("reply to ", request_id.ToString(),
                               " carries no fencing token"));
  }
  if (absl::Status s = runners_.CheckFencingToken(*fencing, now_ms); !s.ok()) {
    return s;
  }
  const std::optional<ShardId> shard = messages_.ShardOfMessage(request_id);
  if (!shard.has_value()) {
    return Fenced(absl::StrCat("request ", request_id.ToString(),
                               " is not stored, so its shard is unknown"));
  }
  if (*shard != fencing->shard) {
    return Fenced(absl::StrCat("request ", request_id.ToString(),
                               " is in shard ", shard->ToString(),
                               ", token is for ", fencing->shard.ToString()));
  }
  return absl::OkStatus();
}

absl::StatusOr<SaveResult> StorageState::SaveRequest(const Request& request) {
  return messages_.SaveRequest(request);
}

absl::Status StorageState::SaveEnvelope(const AckChunk& ack) {
  return messages_.SaveEnvelope(ack);
}

absl::Status StorageState::SaveEnvelope(const Interrupt& interrupt) {
  return messages_.SaveEnvelope(interrupt);
}

absl::Status StorageState::SaveReply(const Reply& reply,
                                     const std::optional<FencingToken>& fencing,
                                     int64_t now_ms) {
  if (absl::Status s = CheckReplyFence(reply, fencing, now_ms); !s.ok()) {
    return s;
  }
  // A retry of a write whose response was lost: SQL's duplicate key in
  // reference mode (Effect then wedges the request, §14.1), done in
  // hardened mode.
  if (mode_ == StorageMode::kHardened) {
    if (messages_.ReplyById(ReplyIdOf(reply)) == reply) {
      return AlreadyStored(absl::StrCat("reply ", ReplyIdOf(reply).ToString(),
                                        " to request ",
                                        RequestIdOf(reply).ToString()));
    }
    if (std::holds_alternative<WithExit>(reply) &&
        cleared_exit_ids_.contains(ReplyIdOf(reply))) {
      return ReplyCleared(absl::StrCat(
          "reply ", ReplyIdOf(reply).ToString(), " to request ",
          RequestIdOf(reply).ToString(), " was cleared by a reset"));
    }
    // Another final reply stands: SQL's unique (request_id, kind) in
    // reference mode, which Effect retries into a wedge.
    if (std::holds_alternative<WithExit>(reply) &&
        messages_.HasExit(RequestIdOf(reply))) {
      return AlreadyReplied(absl::StrCat(
          "request ", RequestIdOf(reply).ToString(), " has its final reply"));
    }
  }
  return messages_.SaveReply(reply);
}

void StorageState::ClearReplies(Snowflake request_id,
                                std::optional<Snowflake> expected_reply_id) {
  const std::optional<Snowflake> exit_id =
      mode_ == StorageMode::kHardened ? messages_.ExitReplyId(request_id)
                                      : std::nullopt;
  messages_.ClearReplies(request_id, expected_reply_id);
  if (exit_id.has_value() && !messages_.HasExit(request_id)) {
    cleared_exit_ids_.insert(*exit_id);
  }
}

absl::StatusOr<std::optional<Snowflake>> StorageState::RequestIdForPrimaryKey(
    std::string_view primary_key) const {
  return messages_.RequestIdForPrimaryKey(primary_key);
}

absl::StatusOr<std::vector<Reply>> StorageState::RepliesFor(
    const std::vector<Snowflake>& request_ids) const {
  return messages_.RepliesFor(request_ids);
}

absl::StatusOr<std::vector<Reply>> StorageState::RepliesForUnfiltered(
    const std::vector<Snowflake>& request_ids) const {
  return messages_.RepliesForUnfiltered(request_ids);
}

absl::StatusOr<std::vector<StoredMessage>> StorageState::UnprocessedMessages(
    const UnprocessedQuery& query, int64_t now_ms, int64_t reader_now_ms) {
  // Hardened mode: a claim lasts while the read that made it can still be
  // answered, at most kHardenedClaimExpirationMs.
  std::optional<int64_t> claim_window_ms;
  if (mode_ == StorageMode::kHardened) {
    claim_window_ms =
        std::min(query.claim_ms.value_or(kHardenedClaimExpirationMs),
                 kHardenedClaimExpirationMs);
  }
  return messages_.UnprocessedMessages(query, now_ms, reader_now_ms,
                                       claim_window_ms);
}

absl::StatusOr<std::vector<StoredMessage>>
StorageState::UnprocessedMessagesById(const std::vector<Snowflake>& ids,
                                      int64_t reader_now_ms) const {
  return messages_.UnprocessedMessagesById(ids, reader_now_ms);
}

absl::Status StorageState::ResetShards(const std::vector<ShardId>& shards) {
  return messages_.ResetShards(shards);
}

absl::Status StorageState::ResetAddresses(
    const std::vector<EntityAddress>& addresses) {
  return messages_.ResetAddresses(addresses);
}

absl::Status StorageState::ResetRequests(const std::vector<Snowflake>& ids) {
  return messages_.ResetRequests(ids);
}

void StorageState::ClearAddress(const EntityAddress& address) {
  messages_.ClearAddress(address);
}

absl::StatusOr<MachineId> StorageState::Register(const Runner& runner,
                                                 bool healthy, int64_t now_ms) {
  return runners_.Register(runner, healthy, now_ms);
}

void StorageState::Unregister(const RunnerAddress& address, int64_t now_ms) {
  runners_.Unregister(address, now_ms);
}

std::vector<RunnerEntry> StorageState::GetRunners(int64_t now_ms) const {
  return runners_.GetRunners(now_ms);
}

void StorageState::SetRunnerHealth(const RunnerAddress& address, bool healthy) {
  runners_.SetRunnerHealth(address, healthy);
}

absl::StatusOr<std::vector<FencingToken>> StorageState::Acquire(
    const RunnerAddress& address, const std::vector<ShardId>& shards,
    int64_t now_ms) {
  absl::StatusOr<std::vector<FencingToken>> granted =
      runners_.Acquire(address, shards, now_ms);
  if (granted.ok() && mode_ == StorageMode::kHardened && !granted->empty()) {
    // A new lease voids the read claims made under the previous one.
    std::vector<ShardId> held;
    for (const FencingToken& token : *granted) held.push_back(token.shard);
    CHECK(messages_.ResetShards(held).ok());
  }
  return granted;
}

absl::StatusOr<std::vector<FencingToken>> StorageState::Refresh(
    const RunnerAddress& address, const std::vector<ShardId>& shards,
    int64_t now_ms) {
  return runners_.Refresh(address, shards, now_ms);
}

void StorageState::Release(const RunnerAddress& address, const ShardId& shard,
                           std::optional<uint64_t> max_epoch) {
  runners_.Release(address, shard, max_epoch);
}

void StorageState::ReleaseAll(const RunnerAddress& address,
                              std::optional<uint64_t> max_epoch) {
  runners_.ReleaseAll(address, max_epoch);
}

}  // namespace clustersim::storage
