// MessageStore's reads (unprocessed messages, replies, primary keys) and
// maintenance (resets, clearing an address); message_store.h.
#include <algorithm>
#include <functional>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/storage/message_store.h"
#include "core/storage/storage_errors.h"
#include "core/storage/text_column.h"

namespace clustersim::storage {

// ---------------------------------------------------------------------------
// Reading

absl::StatusOr<std::optional<Snowflake>> MessageStore::RequestIdForPrimaryKey(
    std::string_view primary_key) const {
  absl::StatusOr<std::string> message_id = MessageIdColumnValue(primary_key);
  if (!message_id.ok()) return message_id.status();
  auto it = message_by_message_id_.find(*message_id);
  if (it == message_by_message_id_.end()) return std::nullopt;
  return IdOf(Row(it->second).envelope);
}

template <typename Include>
absl::StatusOr<std::vector<Reply>> MessageStore::SelectReplies(
    const std::vector<Snowflake>& request_ids, Include include) const {
  if (absl::Status s = CheckIdCount("request ids", request_ids.size());
      !s.ok()) {
    return s;
  }
  const absl::btree_set<Snowflake> distinct(request_ids.begin(),
                                            request_ids.end());
  std::vector<int64_t> rowids;
  for (Snowflake request_id : distinct) {
    auto it = replies_by_request_.find(request_id);
    if (it == replies_by_request_.end()) continue;
    for (int64_t rowid : it->second.rowids) {
      if (include(replies_.at(rowid))) rowids.push_back(rowid);
    }
  }
  std::sort(rowids.begin(), rowids.end());
  const size_t max_rows =
      static_cast<size_t>(options_.limits.max_rows_per_read);
  if (rowids.size() > max_rows) rowids.resize(max_rows);
  std::vector<Reply> result;
  result.reserve(rowids.size());
  for (int64_t rowid : rowids) result.push_back(replies_.at(rowid).reply);
  return result;
}

absl::StatusOr<std::vector<Reply>> MessageStore::RepliesFor(
    const std::vector<Snowflake>& request_ids) const {
  return SelectReplies(request_ids, [](const ReplyRow& row) {
    return !std::holds_alternative<Chunk>(row.reply) || !row.acked;
  });
}

absl::StatusOr<std::vector<Reply>> MessageStore::RepliesForUnfiltered(
    const std::vector<Snowflake>& request_ids) const {
  return SelectReplies(request_ids, [](const ReplyRow&) { return true; });
}

bool MessageStore::Blocked(Snowflake request_id) const {
  auto it = replies_by_request_.find(request_id);
  return it != replies_by_request_.end() &&
         (it->second.exit_rowid.has_value() || it->second.unacked_chunks > 0);
}

bool MessageStore::Deliverable(const MessageRow& row,
                               int64_t reader_now_ms) const {
  return !row.processed && !Blocked(RequestIdOf(row.envelope)) &&
         (!row.deliver_at_ms.has_value() ||
          *row.deliver_at_ms <= reader_now_ms);
}

std::optional<Reply> MessageStore::ReplyById(
    std::optional<Snowflake> id) const {
  if (!id.has_value()) return std::nullopt;
  auto it = reply_by_id_.find(*id);
  if (it == reply_by_id_.end()) return std::nullopt;
  return replies_.at(it->second).reply;
}

bool MessageStore::HasExit(Snowflake request_id) const {
  auto it = replies_by_request_.find(request_id);
  return it != replies_by_request_.end() && it->second.exit_rowid.has_value();
}

std::optional<Snowflake> MessageStore::ExitReplyId(Snowflake request_id) const {
  const WithExit* exit = StoredExit(request_id);
  if (exit == nullptr) return std::nullopt;
  return exit->id;
}

const WithExit* MessageStore::StoredExit(Snowflake request_id) const {
  auto it = replies_by_request_.find(request_id);
  if (it == replies_by_request_.end() || !it->second.exit_rowid.has_value()) {
    return nullptr;
  }
  const WithExit* exit =
      std::get_if<WithExit>(&replies_.at(*it->second.exit_rowid).reply);
  CHECK(exit != nullptr, "an exit row holds a chunk");
  return exit;
}

StoredMessage MessageStore::ToStoredMessage(const MessageRow& row) const {
  // Only a Request carries its last reply (SQL joins it for every row but
  // decodes it for Requests only).
  std::optional<Reply> last_sent_reply;
  if (std::holds_alternative<Request>(row.envelope)) {
    last_sent_reply = ReplyById(row.last_reply_id);
  }
  return StoredMessage{row.envelope, std::move(last_sent_reply)};
}

std::vector<int64_t> MessageStore::RowsOfRequest(Snowflake request_id) const {
  std::vector<int64_t> rowids;
  for (auto it = messages_by_request_.lower_bound({request_id, 0});
       it != messages_by_request_.end() && it->first == request_id; ++it) {
    rowids.push_back(it->second);
  }
  return rowids;
}

absl::StatusOr<std::vector<StoredMessage>> MessageStore::UnprocessedMessages(
    const UnprocessedQuery& query, int64_t now_ms, int64_t reader_now_ms,
    std::optional<int64_t> claim_window_ms) {
  if (absl::Status s = CheckIdCount("shards", query.shards.size()); !s.ok()) {
    return s;
  }
  if (query.addresses.has_value()) {
    if (absl::Status s = CheckIdCount("addresses", query.addresses->size());
        !s.ok()) {
      return s;
    }
  }
  int64_t limit = options_.limits.max_rows_per_read;
  if (query.limit.has_value()) {
    if (*query.limit < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("storage: negative read limit ", *query.limit));
    }
    if (*query.limit > limit) {
      return LimitExceeded("read limit", *query.limit, limit);
    }
    limit = *query.limit;
  }
  std::optional<absl::btree_set<EntityAddress>> addresses;
  if (query.addresses.has_value()) {
    addresses.emplace(query.addresses->begin(), query.addresses->end());
  }

  // Every shard contributes at most `limit` rows to the first `limit` rows
  // overall, so scanning each shard that far and merging is exact.
  std::vector<int64_t> selected;
  // Readers pass their shards sorted (from their own ordered sets); only
  // another order is sorted here.
  std::vector<ShardId> sorted_shards;
  const std::vector<ShardId>* shards = &query.shards;
  if (std::adjacent_find(query.shards.begin(), query.shards.end(),
                         std::greater_equal<ShardId>()) != query.shards.end()) {
    sorted_shards = query.shards;
    std::sort(sorted_shards.begin(), sorted_shards.end());
    sorted_shards.erase(std::unique(sorted_shards.begin(), sorted_shards.end()),
                        sorted_shards.end());
    shards = &sorted_shards;
  }
  for (const ShardId& shard : *shards) {
    int64_t taken = 0;
    for (auto it = unprocessed_.lower_bound({shard, 0});
         it != unprocessed_.end() && it->first == shard && taken < limit;
         ++it) {
      const MessageRow& row = Row(it->second);
      if (addresses.has_value() &&
          !addresses->contains(AddressOf(row.envelope))) {
        continue;
      }
      if (row.last_read_ms.has_value() &&
          *row.last_read_ms >= now_ms - row.claim_window_ms) {
        continue;
      }
      if (!Deliverable(row, reader_now_ms)) continue;
      selected.push_back(it->second);
      ++taken;
    }
  }
  std::sort(selected.begin(), selected.end());
  if (static_cast<int64_t>(selected.size()) > limit) {
    selected.resize(static_cast<size_t>(limit));
  }

  std::vector<StoredMessage> result;
  result.reserve(selected.size());
  for (int64_t rowid : selected) {
    MessageRow& row = Row(rowid);
    row.last_read_ms = now_ms;
    row.claim_window_ms = claim_window_ms.value_or(kClaimExpirationMs);
    result.push_back(ToStoredMessage(row));
  }
  return result;
}

absl::StatusOr<std::vector<StoredMessage>>
MessageStore::UnprocessedMessagesById(const std::vector<Snowflake>& ids,
                                      int64_t reader_now_ms) const {
  if (absl::Status s = CheckIdCount("ids", ids.size()); !s.ok()) return s;
  const absl::btree_set<Snowflake> distinct(ids.begin(), ids.end());
  std::vector<int64_t> rowids;
  for (Snowflake id : distinct) {
    auto it = message_by_id_.find(id);
    if (it == message_by_id_.end()) continue;
    if (Deliverable(Row(it->second), reader_now_ms)) {
      rowids.push_back(it->second);
    }
  }
  std::sort(rowids.begin(), rowids.end());
  std::vector<StoredMessage> result;
  result.reserve(rowids.size());
  for (int64_t rowid : rowids) {
    result.push_back(ToStoredMessage(Row(rowid)));
  }
  return result;
}

// ---------------------------------------------------------------------------
// Maintenance

absl::Status MessageStore::ResetShards(const std::vector<ShardId>& shards) {
  if (absl::Status s = CheckIdCount("shards", shards.size()); !s.ok()) {
    return s;
  }
  for (const ShardId& shard :
       absl::btree_set<ShardId>(shards.begin(), shards.end())) {
    for (auto it = unprocessed_.lower_bound({shard, 0});
         it != unprocessed_.end() && it->first == shard; ++it) {
      Row(it->second).last_read_ms.reset();
    }
  }
  return absl::OkStatus();
}

absl::Status MessageStore::ResetAddresses(
    const std::vector<EntityAddress>& addresses) {
  if (absl::Status s = CheckIdCount("addresses", addresses.size()); !s.ok()) {
    return s;
  }
  for (const EntityAddress& address :
       absl::btree_set<EntityAddress>(addresses.begin(), addresses.end())) {
    auto entity = messages_by_entity_.find(
        EntityKey(address.entity_type(), address.entity_id()));
    if (entity == messages_by_entity_.end()) continue;
    for (int64_t rowid : entity->second) {
      MessageRow& row = Row(rowid);
      if (!row.processed && AddressOf(row.envelope) == address) {
        row.last_read_ms.reset();
      }
    }
  }
  return absl::OkStatus();
}

absl::Status MessageStore::ResetRequests(const std::vector<Snowflake>& ids) {
  if (absl::Status s = CheckIdCount("ids", ids.size()); !s.ok()) return s;
  for (Snowflake id : ids) {
    auto it = message_by_id_.find(id);
    if (it == message_by_id_.end()) continue;
    MessageRow& row = Row(it->second);
    if (!row.processed) row.last_read_ms.reset();
  }
  return absl::OkStatus();
}

void MessageStore::ClearAddress(const EntityAddress& address) {
  auto entity = messages_by_entity_.find(
      EntityKey(address.entity_type(), address.entity_id()));
  if (entity == messages_by_entity_.end()) return;
  const std::vector<int64_t> rowids(entity->second.begin(),
                                    entity->second.end());
  // Replies whose request_id is the id of any of these rows, then the rows.
  for (int64_t rowid : rowids) {
    auto of_request = replies_by_request_.find(IdOf(Row(rowid).envelope));
    if (of_request == replies_by_request_.end()) continue;
    const std::vector<int64_t> reply_rowids(of_request->second.rowids.begin(),
                                            of_request->second.rowids.end());
    for (int64_t reply_rowid : reply_rowids) DeleteReply(reply_rowid);
  }
  for (int64_t rowid : rowids) DeleteMessage(rowid);
}

std::optional<ShardId> MessageStore::ShardOfMessage(Snowflake id) const {
  auto it = message_by_id_.find(id);
  if (it == message_by_id_.end()) return std::nullopt;
  return AddressOf(Row(it->second).envelope).shard_id();
}

}  // namespace clustersim::storage
