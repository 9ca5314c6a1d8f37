// MessageStore: the storage server's durable messages and replies — Effect's
// MessageStorage contract with the guarantees of SqlMessageStorage (4.1.0),
// not the looser in-memory driver:
//
//   messages(id PK, rowid, message_id UNIQUE, shard/type/id, kind, tag,
//            payload, headers, processed, request_id, reply_id,
//            last_reply_id, last_read, deliver_at)
//   replies(id PK, rowid, kind, request_id, payload, sequence, acked,
//           UNIQUE(request_id, kind), UNIQUE(request_id, sequence))
//
// A Request row's id is its request id; AckChunk and Interrupt rows have
// their own id and refer to their request. Row order ("rowid") is insertion
// order. Consequences worth knowing (all as in SQL):
//   - one request per primary key (Duplicate), one WithExit per request and
//     one chunk per sequence number; any other repeated key is a
//     ConstraintViolation (PersistenceError), e.g. a repeated request id
//     without a primary key;
//   - a request with a WithExit or an unacked chunk is not delivered, and
//     neither are its AckChunk/Interrupt rows; those stay unprocessed (and
//     are re-read after a claim expires or a reset) until the request's
//     WithExit marks them processed, or, for an AckChunk, a later AckChunk;
//   - a read claims the rows it returns for 10 minutes of server time;
//   - nothing checks who writes (see storage_state.h for hardened mode).
//
// Clocks: claims use the server's clock (`now_ms`); deliver_at is compared
// with the *reading runner's* clock (`reader_now_ms`), as Effect does.
//
// Bounds (MessageStoreLimits): input beyond a limit is refused with
// LimitExceeded, a full table with StorageFull; values wider than their SQL
// column, or text that is not UTF-8, with ConstraintViolation (see
// text_column.h). Reads return at most max_rows_per_read rows (a LIMIT that
// SQL would not apply to RepliesFor*; callers poll again).
//
// A pure, deterministic state machine: no clock, no I/O. Every operation is
// atomic: on error nothing changed. Not thread-safe; the storage server owns
// it.
#ifndef CLUSTERSIM_CORE_STORAGE_MESSAGE_STORE_H_
#define CLUSTERSIM_CORE_STORAGE_MESSAGE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/mutants/mutant.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"
#include "core/storage/save_result.h"
#include "core/storage/stored_message.h"

namespace clustersim::storage {

struct MessageStoreLimits {
  // Table capacities.
  int64_t max_message_rows = 1 << 20;
  int64_t max_reply_rows = 1 << 20;
  // A request's payload.
  int64_t max_payload_bytes = 1 << 20;
  // A request's headers: how many, and their names and values together.
  int64_t max_headers = 64;
  int64_t max_header_bytes = 16 << 10;
  // A reply's exit value or cause message, or a chunk's values together.
  int64_t max_reply_bytes = 1 << 20;
  int64_t max_chunk_values = 4096;
  // Rows one read returns, and its largest accepted `limit`.
  int64_t max_rows_per_read = 4096;
  // Ids, shards or addresses named in one call.
  int64_t max_ids_per_call = 4096;
};

// The arguments of UnprocessedMessages.
struct UnprocessedQuery {
  std::vector<ShardId> shards;
  // At most this many rows (0..max_rows_per_read); unset means
  // max_rows_per_read.
  std::optional<int64_t> limit;
  // Only rows of these entities (an empty list matches nothing).
  std::optional<std::vector<EntityAddress>> addresses;
  // How long the returned rows stay claimed: the reader's call timeout, so a
  // read whose answer can no longer arrive holds nothing. Honoured in
  // hardened mode only (storage_state.h); unset: the store's window.
  std::optional<int64_t> claim_ms = std::nullopt;
};

class MessageStore {
 public:
  // How long a read's claim hides a row from other reads (SQL's 10 minutes).
  static constexpr int64_t kClaimExpirationMs = 10 * 60 * 1000;

  struct Options {
    MessageStoreLimits limits;
    // Mutant::kNoDedupe turns off SaveRequest's primary-key deduplication.
    Mutant mutant = Mutant::kNone;
  };

  explicit MessageStore(Options options);

  // Stores a Request. With a primary key (stored as-is up to 255 UTF-16
  // units, else as its SHA-256 hex) that is already taken, stores nothing and
  // returns Duplicate.
  absl::StatusOr<SaveResult> SaveRequest(const Request& request);

  // Stores an AckChunk: marks reply `reply_id` acked, marks the request's
  // earlier AckChunk rows processed, and inserts the row — together.
  absl::Status SaveEnvelope(const AckChunk& ack);
  // Stores an Interrupt row.
  absl::Status SaveEnvelope(const Interrupt& interrupt);

  // Stores a reply. A Chunk also becomes its request row's last reply; a
  // WithExit becomes the last reply of every row of the request and marks
  // them all processed. The request need not exist (SQL has no foreign key).
  absl::Status SaveReply(const Reply& reply);

  // Makes a request deliverable again. Without `expected_reply_id`: deletes
  // its WithExit (chunks stay) and its Interrupt rows, and resets processed,
  // last reply and claim on all its rows. With it (4.1.0 compare-and-reset):
  // only if the request row's last reply is still that id, deletes the
  // WithExit and resets the rows whose last reply is that id; Interrupts
  // stay. Otherwise nothing happens (not an error).
  void ClearReplies(Snowflake request_id,
                    std::optional<Snowflake> expected_reply_id);

  // The request stored under a composed primary key (ComposePrimaryKey).
  absl::StatusOr<std::optional<Snowflake>> RequestIdForPrimaryKey(
      std::string_view primary_key) const;

  // The WithExit and unacked chunks of the requests, in insertion order.
  absl::StatusOr<std::vector<Reply>> RepliesFor(
      const std::vector<Snowflake>& request_ids) const;
  // Every reply of the requests, in insertion order.
  absl::StatusOr<std::vector<Reply>> RepliesForUnfiltered(
      const std::vector<Snowflake>& request_ids) const;

  // The deliverable rows of the shards, in insertion order, up to the limit;
  // claims each returned row (last_read = now_ms) for `claim_window_ms`
  // (unset: kClaimExpirationMs). Deliverable: not processed; no WithExit or
  // unacked chunk for its request; unclaimed, or claimed more than its
  // window before now_ms; deliver_at unset or <= reader_now_ms.
  absl::StatusOr<std::vector<StoredMessage>> UnprocessedMessages(
      const UnprocessedQuery& query, int64_t now_ms, int64_t reader_now_ms,
      std::optional<int64_t> claim_window_ms = std::nullopt);

  // The deliverable rows among `ids` (row ids: request ids for Requests),
  // ignoring and leaving claims.
  absl::StatusOr<std::vector<StoredMessage>> UnprocessedMessagesById(
      const std::vector<Snowflake>& ids, int64_t reader_now_ms) const;

  // Clear the claims of unprocessed rows: of the shards, of the entities,
  // or with these row ids. Empty lists do nothing.
  absl::Status ResetShards(const std::vector<ShardId>& shards);
  absl::Status ResetAddresses(const std::vector<EntityAddress>& addresses);
  absl::Status ResetRequests(const std::vector<Snowflake>& ids);

  // Deletes every message of the entity (its type and id, in any shard) and
  // the replies to them, freeing their ids and primary keys.
  void ClearAddress(const EntityAddress& address);

  // The shard of the row with this id, if stored (for fencing checks).
  std::optional<ShardId> ShardOfMessage(Snowflake id) const;

  int64_t message_count() const {
    return static_cast<int64_t>(messages_.size());
  }
  int64_t reply_count() const { return static_cast<int64_t>(replies_.size()); }

  // The stored reply with this id, if any.
  std::optional<Reply> ReplyById(std::optional<Snowflake> id) const;
  // Whether the request has its WithExit stored.
  bool HasExit(Snowflake request_id) const;
  // The id of the request's WithExit, if stored.
  std::optional<Snowflake> ExitReplyId(Snowflake request_id) const;
  // The request's stored WithExit, or null; valid until the next write.
  const WithExit* StoredExit(Snowflake request_id) const;

 private:
  struct MessageRow {
    explicit MessageRow(Envelope envelope) : envelope(std::move(envelope)) {}

    Envelope envelope;
    std::optional<std::string> message_id;
    std::optional<int64_t> deliver_at_ms;
    bool processed = false;
    std::optional<Snowflake> last_reply_id;
    std::optional<int64_t> last_read_ms;
    int64_t claim_window_ms = 0;  // of the claim at last_read_ms
  };
  // A message row held on the heap: the B-tree moves a pointer, not a row
  // (a Request with its strings), when it inserts and splits; a copy of
  // the store still copies every row.
  class BoxedRow {
   public:
    explicit BoxedRow(MessageRow row)
        : row_(std::make_unique<MessageRow>(std::move(row))) {}
    BoxedRow(const BoxedRow& other)
        : row_(std::make_unique<MessageRow>(*other.row_)) {}
    BoxedRow& operator=(const BoxedRow& other) {
      row_ = std::make_unique<MessageRow>(*other.row_);
      return *this;
    }
    BoxedRow(BoxedRow&&) noexcept = default;
    BoxedRow& operator=(BoxedRow&&) noexcept = default;

    MessageRow& operator*() const { return *row_; }

   private:
    std::unique_ptr<MessageRow> row_;
  };
  struct ReplyRow {
    Reply reply;
    bool acked = false;
  };
  // Per request id, what the delivery predicate and the unique constraints
  // need to know about its replies.
  struct RequestReplies {
    absl::btree_set<int64_t> rowids;
    std::optional<int64_t> exit_rowid;
    absl::btree_set<int32_t> sequences;
    int64_t unacked_chunks = 0;
  };
  using EntityKey = std::pair<EntityType, EntityId>;

  // Input checks (columns, sizes) shared by the save operations.
  absl::Status CheckAddress(const EntityAddress& address) const;
  absl::Status CheckRequest(const Request& request) const;
  absl::Status CheckReply(const Reply& reply) const;
  absl::Status CheckIdCount(std::string_view what, size_t count) const;
  absl::Status CheckNewMessageRow(Snowflake id) const;

  // The stored row `rowid`, which must exist.
  MessageRow& Row(int64_t rowid) { return *messages_.at(rowid); }
  const MessageRow& Row(int64_t rowid) const { return *messages_.at(rowid); }

  // Row mutations; each keeps every index in step.
  void InsertMessage(MessageRow row);
  void DeleteMessage(int64_t rowid);
  void SetProcessed(int64_t rowid, bool processed);
  void InsertReply(const Reply& reply);
  void DeleteReply(int64_t rowid);

  // True if the request has a WithExit or an unacked chunk.
  bool Blocked(Snowflake request_id) const;
  // The SQL predicate minus shard, address and claim conditions.
  bool Deliverable(const MessageRow& row, int64_t reader_now_ms) const;
  StoredMessage ToStoredMessage(const MessageRow& row) const;
  // Rows of the requests selected by `include`, in rowid order, at most
  // max_rows_per_read.
  template <typename Include>
  absl::StatusOr<std::vector<Reply>> SelectReplies(
      const std::vector<Snowflake>& request_ids, Include include) const;
  // The rowids of the request's rows.
  std::vector<int64_t> RowsOfRequest(Snowflake request_id) const;

  Options options_;
  int64_t last_message_rowid_ = 0;
  int64_t last_reply_rowid_ = 0;

  absl::btree_map<int64_t, BoxedRow> messages_;
  absl::btree_map<Snowflake, int64_t> message_by_id_;
  absl::btree_map<std::string, int64_t> message_by_message_id_;
  absl::btree_set<std::pair<Snowflake, int64_t>> messages_by_request_;
  absl::btree_map<EntityKey, absl::btree_set<int64_t>> messages_by_entity_;
  // (shard, rowid) of every unprocessed row: the read path's index.
  absl::btree_set<std::pair<ShardId, int64_t>> unprocessed_;

  absl::btree_map<int64_t, ReplyRow> replies_;
  absl::btree_map<Snowflake, int64_t> reply_by_id_;
  absl::btree_map<Snowflake, RequestReplies> replies_by_request_;
};

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_MESSAGE_STORE_H_
