#include "core/storage/message_store.h"

#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/storage/storage_errors.h"
#include "core/storage/text_column.h"

namespace clustersim::storage {

MessageStore::MessageStore(Options options) : options_(std::move(options)) {
  const MessageStoreLimits& l = options_.limits;
  CHECK(l.max_message_rows > 0 && l.max_reply_rows > 0 &&
            l.max_payload_bytes >= 0 && l.max_headers >= 0 &&
            l.max_header_bytes >= 0 && l.max_reply_bytes >= 0 &&
            l.max_chunk_values > 0 && l.max_rows_per_read > 0 &&
            l.max_ids_per_call > 0,
        "message store limits must be positive");
}

// ---------------------------------------------------------------------------
// Input checks

absl::Status MessageStore::CheckAddress(const EntityAddress& address) const {
  if (absl::Status s =
          CheckShardIdColumn("messages.shard_id", address.shard_id());
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckTextColumn("messages.entity_type", address.entity_type().value(),
                          kEntityTypeColumnChars);
      !s.ok()) {
    return s;
  }
  return CheckTextColumn("messages.entity_id", address.entity_id().value(),
                         kEntityIdColumnChars);
}

absl::Status MessageStore::CheckRequest(const Request& request) const {
  const MessageStoreLimits& limits = options_.limits;
  if (absl::Status s = CheckAddress(request.address); !s.ok()) return s;
  if (absl::Status s =
          CheckTextColumn("messages.tag", request.tag, kTagColumnChars);
      !s.ok()) {
    return s;
  }
  const int64_t payload_bytes = static_cast<int64_t>(request.payload.size());
  if (payload_bytes > limits.max_payload_bytes) {
    return LimitExceeded("request payload bytes", payload_bytes,
                         limits.max_payload_bytes);
  }
  const int64_t header_count = static_cast<int64_t>(request.headers.size());
  if (header_count > limits.max_headers) {
    return LimitExceeded("request header count", header_count,
                         limits.max_headers);
  }
  int64_t header_bytes = 0;
  for (const auto& [name, value] : request.headers) {
    header_bytes += static_cast<int64_t>(name.size() + value.size());
    // Headers are stored as JSON text.
    if (absl::Status s = CheckUtf8Column("messages.headers", name); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckUtf8Column("messages.headers", value); !s.ok()) {
      return s;
    }
  }
  if (header_bytes > limits.max_header_bytes) {
    return LimitExceeded("request header bytes", header_bytes,
                         limits.max_header_bytes);
  }
  return absl::OkStatus();
}

absl::Status MessageStore::CheckReply(const Reply& reply) const {
  const MessageStoreLimits& limits = options_.limits;
  int64_t bytes = 0;
  if (const auto* chunk = std::get_if<Chunk>(&reply)) {
    if (chunk->values.empty()) {
      // Effect's schema requires a non-empty array: encoding fails.
      return ToStatus(MalformedMessage{absl::StrCat(
          "chunk reply ", chunk->id.ToString(), " has no values")});
    }
    const int64_t count = static_cast<int64_t>(chunk->values.size());
    if (count > limits.max_chunk_values) {
      return LimitExceeded("chunk value count", count, limits.max_chunk_values);
    }
    for (const std::string& value : chunk->values) {
      bytes += static_cast<int64_t>(value.size());
    }
  } else {
    const Exit& exit = std::get<WithExit>(reply).exit;
    bytes = static_cast<int64_t>(
        exit.is_success() ? exit.value().size() : exit.cause().message.size());
  }
  if (bytes > limits.max_reply_bytes) {
    return LimitExceeded("reply bytes", bytes, limits.max_reply_bytes);
  }
  return absl::OkStatus();
}

absl::Status MessageStore::CheckIdCount(std::string_view what,
                                        size_t count) const {
  if (static_cast<int64_t>(count) > options_.limits.max_ids_per_call) {
    return LimitExceeded(absl::StrCat(std::string(what), " per call"),
                         static_cast<int64_t>(count),
                         options_.limits.max_ids_per_call);
  }
  return absl::OkStatus();
}

absl::Status MessageStore::CheckNewMessageRow(Snowflake id) const {
  if (message_by_id_.contains(id)) {
    return ConstraintViolation(
        absl::StrCat("duplicate key value violates unique constraint "
                     "\"messages_pkey\": id=",
                     id.ToString()));
  }
  if (message_count() >= options_.limits.max_message_rows) {
    return StorageFull("messages", options_.limits.max_message_rows);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Row mutations

void MessageStore::InsertMessage(MessageRow row) {
  const int64_t rowid = ++last_message_rowid_;
  const Snowflake id = IdOf(row.envelope);
  const EntityAddress& address = AddressOf(row.envelope);
  CHECK(message_by_id_.emplace(id, rowid).second, "message id is unique");
  if (row.message_id.has_value()) {
    CHECK(message_by_message_id_.emplace(*row.message_id, rowid).second,
          "message_id is unique");
  }
  messages_by_request_.emplace(RequestIdOf(row.envelope), rowid);
  messages_by_entity_[EntityKey(address.entity_type(), address.entity_id())]
      .insert(rowid);
  CHECK(!row.processed, "rows are inserted unprocessed");
  unprocessed_.emplace(address.shard_id(), rowid);
  messages_.emplace(rowid, BoxedRow(std::move(row)));
}

void MessageStore::DeleteMessage(int64_t rowid) {
  auto it = messages_.find(rowid);
  CHECK(it != messages_.end(), "deleting a stored row");
  const MessageRow& row = *it->second;
  const EntityAddress& address = AddressOf(row.envelope);
  message_by_id_.erase(IdOf(row.envelope));
  if (row.message_id.has_value()) message_by_message_id_.erase(*row.message_id);
  messages_by_request_.erase({RequestIdOf(row.envelope), rowid});
  auto entity = messages_by_entity_.find(
      EntityKey(address.entity_type(), address.entity_id()));
  entity->second.erase(rowid);
  if (entity->second.empty()) messages_by_entity_.erase(entity);
  unprocessed_.erase({address.shard_id(), rowid});
  messages_.erase(it);
}

void MessageStore::SetProcessed(int64_t rowid, bool processed) {
  MessageRow& row = Row(rowid);
  if (row.processed == processed) return;
  row.processed = processed;
  std::pair<ShardId, int64_t> key(AddressOf(row.envelope).shard_id(), rowid);
  if (processed) {
    unprocessed_.erase(key);
  } else {
    unprocessed_.insert(std::move(key));
  }
}

void MessageStore::InsertReply(const Reply& reply) {
  const int64_t rowid = ++last_reply_rowid_;
  CHECK(reply_by_id_.emplace(ReplyIdOf(reply), rowid).second,
        "reply id is unique");
  RequestReplies& of_request = replies_by_request_[RequestIdOf(reply)];
  of_request.rowids.insert(rowid);
  if (const auto* chunk = std::get_if<Chunk>(&reply)) {
    CHECK(of_request.sequences.insert(chunk->sequence).second,
          "chunk sequence is unique per request");
    ++of_request.unacked_chunks;
  } else {
    CHECK(!of_request.exit_rowid.has_value(), "one exit per request");
    of_request.exit_rowid = rowid;
  }
  replies_.emplace(rowid, ReplyRow{reply, false});
}

void MessageStore::DeleteReply(int64_t rowid) {
  auto it = replies_.find(rowid);
  CHECK(it != replies_.end(), "deleting a stored reply");
  const ReplyRow& row = it->second;
  reply_by_id_.erase(ReplyIdOf(row.reply));
  auto of_request = replies_by_request_.find(RequestIdOf(row.reply));
  of_request->second.rowids.erase(rowid);
  if (const auto* chunk = std::get_if<Chunk>(&row.reply)) {
    of_request->second.sequences.erase(chunk->sequence);
    if (!row.acked) --of_request->second.unacked_chunks;
  } else {
    of_request->second.exit_rowid.reset();
  }
  if (of_request->second.rowids.empty()) replies_by_request_.erase(of_request);
  replies_.erase(it);
}

// ---------------------------------------------------------------------------
// Saving

absl::StatusOr<SaveResult> MessageStore::SaveRequest(const Request& request) {
  if (absl::Status s = CheckRequest(request); !s.ok()) return s;
  std::optional<std::string> message_id;
  if (request.primary_key.has_value()) {
    absl::StatusOr<std::string> id = MessageIdColumnValue(*request.primary_key);
    if (!id.ok()) return id.status();
    message_id = *std::move(id);
    auto existing = message_by_message_id_.find(*message_id);
    if (existing != message_by_message_id_.end()) {
      if (options_.mutant == Mutant::kNoDedupe) {
        // The key stays with its first row; the resend becomes a request of
        // its own.
        message_id.reset();
      } else {
        const MessageRow& row = Row(existing->second);
        return SaveDuplicate{IdOf(row.envelope), ReplyById(row.last_reply_id)};
      }
    }
  }
  if (absl::Status s = CheckNewMessageRow(request.request_id); !s.ok()) {
    return s;
  }
  MessageRow row(request);
  row.message_id = std::move(message_id);
  row.deliver_at_ms = request.deliver_at_ms;
  InsertMessage(std::move(row));
  return SaveSuccess{};
}

absl::Status MessageStore::SaveEnvelope(const AckChunk& ack) {
  if (absl::Status s = CheckAddress(ack.address); !s.ok()) return s;
  if (absl::Status s = CheckNewMessageRow(ack.id); !s.ok()) return s;

  if (auto reply = reply_by_id_.find(ack.reply_id);
      reply != reply_by_id_.end()) {
    ReplyRow& row = replies_.at(reply->second);
    if (!row.acked) {
      row.acked = true;
      if (std::holds_alternative<Chunk>(row.reply)) {
        --replies_by_request_.at(RequestIdOf(row.reply)).unacked_chunks;
      }
    }
  }
  for (int64_t rowid : RowsOfRequest(ack.request_id)) {
    if (std::holds_alternative<AckChunk>(Row(rowid).envelope)) {
      SetProcessed(rowid, true);
    }
  }
  InsertMessage(MessageRow(ack));
  return absl::OkStatus();
}

absl::Status MessageStore::SaveEnvelope(const Interrupt& interrupt) {
  if (absl::Status s = CheckAddress(interrupt.address); !s.ok()) return s;
  if (absl::Status s = CheckNewMessageRow(interrupt.id); !s.ok()) return s;
  InsertMessage(MessageRow(interrupt));
  return absl::OkStatus();
}

absl::Status MessageStore::SaveReply(const Reply& reply) {
  if (absl::Status s = CheckReply(reply); !s.ok()) return s;
  const Snowflake id = ReplyIdOf(reply);
  const Snowflake request_id = RequestIdOf(reply);
  if (reply_by_id_.contains(id)) {
    return ConstraintViolation(
        absl::StrCat("duplicate key value violates unique constraint "
                     "\"replies_pkey\": id=",
                     id.ToString()));
  }
  auto of_request = replies_by_request_.find(request_id);
  if (of_request != replies_by_request_.end()) {
    if (const auto* chunk = std::get_if<Chunk>(&reply)) {
      if (of_request->second.sequences.contains(chunk->sequence)) {
        return ConstraintViolation(absl::StrCat(
            "duplicate key value violates unique constraint "
            "\"replies_request_id_sequence_key\": request_id=",
            request_id.ToString(), ", sequence=", chunk->sequence));
      }
    } else if (of_request->second.exit_rowid.has_value()) {
      return ConstraintViolation(
          absl::StrCat("duplicate key value violates unique constraint "
                       "\"replies_request_id_kind_key\": request_id=",
                       request_id.ToString(), ", kind=WithExit"));
    }
  }
  if (reply_count() >= options_.limits.max_reply_rows) {
    return StorageFull("replies", options_.limits.max_reply_rows);
  }

  if (std::holds_alternative<Chunk>(reply)) {
    if (auto row = message_by_id_.find(request_id);
        row != message_by_id_.end()) {
      Row(row->second).last_reply_id = id;
    }
  } else {
    for (int64_t rowid : RowsOfRequest(request_id)) {
      Row(rowid).last_reply_id = id;
      SetProcessed(rowid, true);
    }
  }
  InsertReply(reply);
  return absl::OkStatus();
}

void MessageStore::ClearReplies(Snowflake request_id,
                                std::optional<Snowflake> expected_reply_id) {
  auto of_request = replies_by_request_.find(request_id);
  const std::optional<int64_t> exit_rowid =
      of_request == replies_by_request_.end() ? std::nullopt
                                              : of_request->second.exit_rowid;

  if (!expected_reply_id.has_value()) {
    if (exit_rowid.has_value()) DeleteReply(*exit_rowid);
    for (int64_t rowid : RowsOfRequest(request_id)) {
      if (std::holds_alternative<Interrupt>(Row(rowid).envelope)) {
        DeleteMessage(rowid);
        continue;
      }
      MessageRow& row = Row(rowid);
      row.last_reply_id.reset();
      row.last_read_ms.reset();
      SetProcessed(rowid, false);
    }
    return;
  }

  // The delete is conditioned on the request row, the reset on each row.
  auto request_row = message_by_id_.find(request_id);
  if (exit_rowid.has_value() && request_row != message_by_id_.end() &&
      Row(request_row->second).last_reply_id == expected_reply_id) {
    DeleteReply(*exit_rowid);
  }
  for (int64_t rowid : RowsOfRequest(request_id)) {
    MessageRow& row = Row(rowid);
    if (row.last_reply_id != expected_reply_id) continue;
    row.last_reply_id.reset();
    row.last_read_ms.reset();
    SetProcessed(rowid, false);
  }
}

}  // namespace clustersim::storage
