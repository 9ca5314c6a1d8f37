// Model-based test of MessageStore: random operation sequences run against
// both the store and a deliberately naive reference model of the SQL
// statements SqlMessageStorage issues (plain vectors in insertion order,
// linear scans, no indexes), and every result must match. The id spaces are
// tiny so that duplicates, collisions, claims and blocked requests are
// common.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/storage/message_store.h"
#include "core/storage/storage_errors.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "rapidcheck/state.h"

namespace clustersim::storage {

// How RapidCheck prints results in a counterexample. Outside the anonymous
// namespace, because RapidCheck finds them by argument-dependent lookup.
void showValue(const Reply& reply, std::ostream& os) {
  if (const auto* chunk = std::get_if<Chunk>(&reply)) {
    os << "Chunk(request=" << chunk->request_id << ", id=" << chunk->id
       << ", seq=" << chunk->sequence << ")";
  } else {
    os << "WithExit(request=" << RequestIdOf(reply)
       << ", id=" << ReplyIdOf(reply) << ")";
  }
}
void showValue(const StoredMessage& message, std::ostream& os) {
  static constexpr const char* kKinds[] = {"Request", "AckChunk", "Interrupt"};
  os << kKinds[message.envelope.index()] << "(id=" << IdOf(message.envelope)
     << ", request=" << RequestIdOf(message.envelope) << ")";
  if (message.last_sent_reply.has_value()) {
    os << " last=";
    showValue(*message.last_sent_reply, os);
  }
}
void showValue(const SaveResult& result, std::ostream& os) {
  if (const auto* duplicate = std::get_if<SaveDuplicate>(&result)) {
    os << "Duplicate(" << duplicate->original_id << ")";
  } else {
    os << "Success";
  }
}

namespace {

constexpr int64_t kStartMs = 10'000'000;

MessageStore::Options StoreOptions() {
  MessageStore::Options options;
  // Small enough that full tables and truncated reads happen.
  options.limits.max_message_rows = 24;
  options.limits.max_reply_rows = 16;
  options.limits.max_rows_per_read = 6;
  return options;
}

// ---------------------------------------------------------------------------
// The reference model: one struct per table row, one loop per SQL statement.

class ReferenceStore {
 public:
  explicit ReferenceStore(MessageStoreLimits limits) : limits_(limits) {}

  absl::StatusOr<SaveResult> SaveRequest(const Request& request) {
    if (request.primary_key.has_value()) {
      // Generated keys are short ASCII, stored as they are.
      for (const Message& m : messages_) {
        if (m.message_id == request.primary_key) {
          return SaveDuplicate{IdOf(m.envelope), ReplyWithId(m.last_reply_id)};
        }
      }
    }
    if (absl::Status s = CheckInsertMessage(request.request_id); !s.ok()) {
      return s;
    }
    messages_.push_back(Message{request, request.primary_key,
                                request.deliver_at_ms, false, std::nullopt,
                                std::nullopt});
    return SaveSuccess{};
  }

  absl::Status SaveAck(const AckChunk& ack) {
    if (absl::Status s = CheckInsertMessage(ack.id); !s.ok()) return s;
    for (StoredReply& r : replies_) {
      if (ReplyIdOf(r.reply) == ack.reply_id) r.acked = true;
    }
    for (Message& m : messages_) {
      if (!m.processed && RequestIdOf(m.envelope) == ack.request_id &&
          std::holds_alternative<AckChunk>(m.envelope)) {
        m.processed = true;
      }
    }
    messages_.push_back(Message{ack, std::nullopt, std::nullopt, false,
                                std::nullopt, std::nullopt});
    return absl::OkStatus();
  }

  absl::Status SaveInterrupt(const Interrupt& interrupt) {
    if (absl::Status s = CheckInsertMessage(interrupt.id); !s.ok()) return s;
    messages_.push_back(Message{interrupt, std::nullopt, std::nullopt, false,
                                std::nullopt, std::nullopt});
    return absl::OkStatus();
  }

  absl::Status SaveReply(const Reply& reply) {
    const Snowflake request_id = RequestIdOf(reply);
    for (const StoredReply& r : replies_) {
      const bool same_id = ReplyIdOf(r.reply) == ReplyIdOf(reply);
      const bool same_request = RequestIdOf(r.reply) == request_id;
      const bool both_exits = !IsChunk(r.reply) && !IsChunk(reply);
      const bool same_sequence =
          IsChunk(r.reply) && IsChunk(reply) &&
          std::get<Chunk>(r.reply).sequence == std::get<Chunk>(reply).sequence;
      if (same_id || (same_request && (both_exits || same_sequence))) {
        return ConstraintViolation("unique");
      }
    }
    if (static_cast<int64_t>(replies_.size()) >= limits_.max_reply_rows) {
      return StorageFull("replies", limits_.max_reply_rows);
    }
    for (Message& m : messages_) {
      if (IsChunk(reply)) {
        if (IdOf(m.envelope) == request_id) m.last_reply_id = ReplyIdOf(reply);
      } else if (RequestIdOf(m.envelope) == request_id) {
        m.processed = true;
        m.last_reply_id = ReplyIdOf(reply);
      }
    }
    replies_.push_back(StoredReply{reply, false});
    return absl::OkStatus();
  }

  void ClearReplies(Snowflake request_id, std::optional<Snowflake> expected) {
    if (!expected.has_value()) {
      std::erase_if(replies_, [&](const StoredReply& r) {
        return RequestIdOf(r.reply) == request_id && !IsChunk(r.reply);
      });
      std::erase_if(messages_, [&](const Message& m) {
        return RequestIdOf(m.envelope) == request_id &&
               std::holds_alternative<Interrupt>(m.envelope);
      });
      for (Message& m : messages_) {
        if (RequestIdOf(m.envelope) == request_id) ResetRow(m);
      }
      return;
    }
    bool request_row_matches = false;
    for (const Message& m : messages_) {
      if (IdOf(m.envelope) == request_id && m.last_reply_id == expected) {
        request_row_matches = true;
      }
    }
    if (request_row_matches) {
      std::erase_if(replies_, [&](const StoredReply& r) {
        return RequestIdOf(r.reply) == request_id && !IsChunk(r.reply);
      });
    }
    for (Message& m : messages_) {
      if (RequestIdOf(m.envelope) == request_id &&
          m.last_reply_id == expected) {
        ResetRow(m);
      }
    }
  }

  std::optional<Snowflake> RequestIdForPrimaryKey(
      const std::string& key) const {
    for (const Message& m : messages_) {
      if (m.message_id == key) return IdOf(m.envelope);
    }
    return std::nullopt;
  }

  std::vector<Reply> RepliesFor(const std::vector<Snowflake>& ids,
                                bool unfiltered) const {
    std::vector<Reply> result;
    for (const StoredReply& r : replies_) {
      if (!Contains(ids, RequestIdOf(r.reply))) continue;
      if (!unfiltered && IsChunk(r.reply) && r.acked) continue;
      if (static_cast<int64_t>(result.size()) < limits_.max_rows_per_read) {
        result.push_back(r.reply);
      }
    }
    return result;
  }

  std::vector<StoredMessage> Unprocessed(const UnprocessedQuery& query,
                                         int64_t now_ms,
                                         int64_t reader_now_ms) {
    const int64_t limit = query.limit.value_or(limits_.max_rows_per_read);
    std::vector<StoredMessage> result;
    for (Message& m : messages_) {
      if (static_cast<int64_t>(result.size()) >= limit) break;
      const EntityAddress& address = AddressOf(m.envelope);
      if (!Contains(query.shards, address.shard_id())) continue;
      if (query.addresses.has_value() && !Contains(*query.addresses, address)) {
        continue;
      }
      if (!Deliverable(m, reader_now_ms)) continue;
      if (m.last_read_ms.has_value() &&
          !(*m.last_read_ms < now_ms - 10 * 60 * 1000)) {
        continue;
      }
      m.last_read_ms = now_ms;
      result.push_back(ToStored(m));
    }
    return result;
  }

  std::vector<StoredMessage> UnprocessedById(const std::vector<Snowflake>& ids,
                                             int64_t reader_now_ms) const {
    std::vector<StoredMessage> result;
    for (const Message& m : messages_) {
      if (Contains(ids, IdOf(m.envelope)) && Deliverable(m, reader_now_ms)) {
        result.push_back(ToStored(m));
      }
    }
    return result;
  }

  void ResetShards(const std::vector<ShardId>& shards) {
    for (Message& m : messages_) {
      if (!m.processed && Contains(shards, AddressOf(m.envelope).shard_id())) {
        m.last_read_ms.reset();
      }
    }
  }

  void ResetAddresses(const std::vector<EntityAddress>& addresses) {
    for (Message& m : messages_) {
      if (!m.processed && Contains(addresses, AddressOf(m.envelope))) {
        m.last_read_ms.reset();
      }
    }
  }

  void ResetRequests(const std::vector<Snowflake>& ids) {
    for (Message& m : messages_) {
      if (!m.processed && Contains(ids, IdOf(m.envelope))) {
        m.last_read_ms.reset();
      }
    }
  }

  void ClearAddress(const EntityAddress& address) {
    auto same_entity = [&](const Message& m) {
      const EntityAddress& a = AddressOf(m.envelope);
      return a.entity_type() == address.entity_type() &&
             a.entity_id() == address.entity_id();
    };
    std::vector<Snowflake> ids;
    for (const Message& m : messages_) {
      if (same_entity(m)) ids.push_back(IdOf(m.envelope));
    }
    std::erase_if(replies_, [&](const StoredReply& r) {
      return Contains(ids, RequestIdOf(r.reply));
    });
    std::erase_if(messages_, same_entity);
  }

 private:
  struct Message {
    Envelope envelope;
    std::optional<std::string> message_id;
    std::optional<int64_t> deliver_at_ms;
    bool processed;
    std::optional<Snowflake> last_reply_id;
    std::optional<int64_t> last_read_ms;
  };
  struct StoredReply {
    Reply reply;
    bool acked;
  };

  template <typename T>
  static bool Contains(const std::vector<T>& values, const T& value) {
    for (const T& v : values) {
      if (v == value) return true;
    }
    return false;
  }
  static bool IsChunk(const Reply& reply) {
    return std::holds_alternative<Chunk>(reply);
  }
  static void ResetRow(Message& m) {
    m.processed = false;
    m.last_reply_id.reset();
    m.last_read_ms.reset();
  }

  absl::Status CheckInsertMessage(Snowflake id) const {
    for (const Message& m : messages_) {
      if (IdOf(m.envelope) == id) return ConstraintViolation("messages_pkey");
    }
    if (static_cast<int64_t>(messages_.size()) >= limits_.max_message_rows) {
      return StorageFull("messages", limits_.max_message_rows);
    }
    return absl::OkStatus();
  }

  bool Deliverable(const Message& m, int64_t reader_now_ms) const {
    if (m.processed) return false;
    for (const StoredReply& r : replies_) {
      if (RequestIdOf(r.reply) == RequestIdOf(m.envelope) &&
          (!IsChunk(r.reply) || !r.acked)) {
        return false;
      }
    }
    return !m.deliver_at_ms.has_value() || *m.deliver_at_ms <= reader_now_ms;
  }

  std::optional<Reply> ReplyWithId(std::optional<Snowflake> id) const {
    for (const StoredReply& r : replies_) {
      if (id == ReplyIdOf(r.reply)) return r.reply;
    }
    return std::nullopt;
  }

  StoredMessage ToStored(const Message& m) const {
    if (!std::holds_alternative<Request>(m.envelope)) {
      return StoredMessage{m.envelope, std::nullopt};
    }
    return StoredMessage{m.envelope, ReplyWithId(m.last_reply_id)};
  }

  MessageStoreLimits limits_;
  std::vector<Message> messages_;
  std::vector<StoredReply> replies_;
};

// ---------------------------------------------------------------------------
// Model, system under test, and result comparison.

struct Model {
  ReferenceStore store{StoreOptions().limits};
  int64_t now_ms = kStartMs;
};

struct Sut {
  MessageStore store{StoreOptions()};
  int64_t now_ms = kStartMs;
};

using Command = rc::state::Command<Model, Sut>;

bool SameStatus(const absl::Status& a, const absl::Status& b) {
  return a.code() == b.code();
}
template <typename T>
bool SameStatus(const absl::StatusOr<T>& expected,
                const absl::StatusOr<T>& actual) {
  if (expected.ok() != actual.ok()) return false;
  if (!expected.ok()) return expected.status().code() == actual.status().code();
  return *expected == *actual;
}

// ---------------------------------------------------------------------------
// Generators over tiny id spaces.

Snowflake GenMessageId() { return Snowflake(*rc::gen::inRange<int64_t>(1, 9)); }
Snowflake GenReplyId() {
  return Snowflake(*rc::gen::inRange<int64_t>(100, 112));
}
ShardId GenShard() { return ShardId("default", *rc::gen::inRange(1, 3)); }
EntityAddress GenAddress() {
  return EntityAddress(EntityType("T"),
                       EntityId(absl::StrCat(*rc::gen::inRange(1, 4))),
                       GenShard());
}
std::vector<Snowflake> GenMessageIds() {
  std::vector<Snowflake> ids;
  for (size_t n = *rc::gen::inRange<size_t>(0, 4); n > 0; --n) {
    ids.push_back(GenMessageId());
  }
  return ids;
}
std::vector<ShardId> GenShards() {
  std::vector<ShardId> shards;
  for (size_t n = *rc::gen::inRange<size_t>(0, 4); n > 0; --n) {
    shards.push_back(GenShard());
  }
  return shards;
}
std::vector<EntityAddress> GenAddresses() {
  std::vector<EntityAddress> addresses;
  for (size_t n = *rc::gen::inRange<size_t>(0, 4); n > 0; --n) {
    addresses.push_back(GenAddress());
  }
  return addresses;
}

// The reader's clock against the server's. Skews and deliver_at values come
// from small sets so that deliver_at == the reader's now happens often.
int64_t GenReaderSkew() {
  return *rc::gen::element<int64_t>(-1'000'000, -1'000, -1, 0, 1, 1'000);
}

std::string Show(const std::vector<Snowflake>& ids) {
  return absl::StrJoin(ids, ",", [](std::string* out, Snowflake id) {
    out->append(id.ToString());
  });
}

// ---------------------------------------------------------------------------
// Commands. Each runs the same operation on a copy of the model and on the
// store and asserts equal results; `apply` advances the model.

struct SaveRequestCommand : Command {
  Request request{GenMessageId(), GenAddress(), "Tag", "payload", {},
                  std::nullopt,   std::nullopt};

  SaveRequestCommand() {
    if (*rc::gen::arbitrary<bool>()) {
      request.primary_key = *rc::gen::element<std::string>("a", "b", "c");
    }
    if (*rc::gen::arbitrary<bool>()) {
      request.deliver_at_ms =
          kStartMs +
          *rc::gen::element<int64_t>(-1, 0, 1, 1'000, 600'001, 2'000'000);
    }
  }
  void apply(Model& model) const override {
    (void)model.store.SaveRequest(request);
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    RC_ASSERT(SameStatus(copy.store.SaveRequest(request),
                         sut.store.SaveRequest(request)));
  }
  void show(std::ostream& os) const override {
    os << "SaveRequest(" << request.request_id << ", " << request.address
       << ", key=" << request.primary_key.value_or("-")
       << ", deliver_at=" << request.deliver_at_ms.value_or(-1) << ")";
  }
};

struct SaveChunkCommand : Command {
  Chunk chunk{GenMessageId(), GenReplyId(), *rc::gen::inRange(0, 3), {"v"}};

  void apply(Model& model) const override {
    (void)model.store.SaveReply(chunk);
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    RC_ASSERT(
        SameStatus(copy.store.SaveReply(chunk), sut.store.SaveReply(chunk)));
  }
  void show(std::ostream& os) const override {
    os << "SaveChunk(request=" << chunk.request_id << ", id=" << chunk.id
       << ", seq=" << chunk.sequence << ")";
  }
};

struct SaveExitCommand : Command {
  WithExit exit{GenMessageId(), GenReplyId(), Exit::Success("ok")};

  void apply(Model& model) const override { (void)model.store.SaveReply(exit); }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    RC_ASSERT(
        SameStatus(copy.store.SaveReply(exit), sut.store.SaveReply(exit)));
  }
  void show(std::ostream& os) const override {
    os << "SaveExit(request=" << exit.request_id << ", id=" << exit.id << ")";
  }
};

struct AckCommand : Command {
  AckChunk ack{GenMessageId(), GenAddress(), GenMessageId(), GenReplyId()};

  void apply(Model& model) const override { (void)model.store.SaveAck(ack); }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    RC_ASSERT(SameStatus(copy.store.SaveAck(ack), sut.store.SaveEnvelope(ack)));
  }
  void show(std::ostream& os) const override {
    os << "Ack(id=" << ack.id << ", " << ack.address
       << ", request=" << ack.request_id << ", reply=" << ack.reply_id << ")";
  }
};

struct InterruptCommand : Command {
  Interrupt interrupt{GenMessageId(), GenAddress(), GenMessageId()};

  void apply(Model& model) const override {
    (void)model.store.SaveInterrupt(interrupt);
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    RC_ASSERT(SameStatus(copy.store.SaveInterrupt(interrupt),
                         sut.store.SaveEnvelope(interrupt)));
  }
  void show(std::ostream& os) const override {
    os << "Interrupt(id=" << interrupt.id << ", " << interrupt.address
       << ", request=" << interrupt.request_id << ")";
  }
};

struct ClearRepliesCommand : Command {
  Snowflake request_id = GenMessageId();
  std::optional<Snowflake> expected =
      *rc::gen::arbitrary<bool>() ? std::optional<Snowflake>(GenReplyId())
                                  : std::nullopt;

  void apply(Model& model) const override {
    model.store.ClearReplies(request_id, expected);
  }
  void run(const Model&, Sut& sut) const override {
    sut.store.ClearReplies(request_id, expected);
  }
  void show(std::ostream& os) const override {
    os << "ClearReplies(" << request_id
       << ", expected=" << (expected.has_value() ? expected->ToString() : "-")
       << ")";
  }
};

struct ReadCommand : Command {
  UnprocessedQuery query{
      GenShards(),
      *rc::gen::arbitrary<bool>()
          ? std::optional<int64_t>(*rc::gen::inRange<int64_t>(0, 7))
          : std::nullopt,
      *rc::gen::arbitrary<bool>()
          ? std::optional<std::vector<EntityAddress>>(GenAddresses())
          : std::nullopt};
  // The reader's clock, skewed against the server's.
  int64_t reader_skew_ms = GenReaderSkew();

  void apply(Model& model) const override {
    (void)model.store.Unprocessed(query, model.now_ms,
                                  model.now_ms + reader_skew_ms);
  }
  void run(const Model& model, Sut& sut) const override {
    Model copy = model;
    const std::vector<StoredMessage> expected = copy.store.Unprocessed(
        query, model.now_ms, model.now_ms + reader_skew_ms);
    absl::StatusOr<std::vector<StoredMessage>> actual =
        sut.store.UnprocessedMessages(query, sut.now_ms,
                                      sut.now_ms + reader_skew_ms);
    RC_ASSERT(actual.ok());
    RC_ASSERT(*actual == expected);
  }
  void show(std::ostream& os) const override {
    os << "Read(shards=" << query.shards.size()
       << ", limit=" << query.limit.value_or(-1) << ", addresses="
       << (query.addresses.has_value()
               ? static_cast<int>(query.addresses->size())
               : -1)
       << ", skew=" << reader_skew_ms << ")";
  }
};

struct ReadByIdCommand : Command {
  std::vector<Snowflake> ids = GenMessageIds();
  int64_t reader_skew_ms = GenReaderSkew();

  void run(const Model& model, Sut& sut) const override {
    absl::StatusOr<std::vector<StoredMessage>> actual =
        sut.store.UnprocessedMessagesById(ids, sut.now_ms + reader_skew_ms);
    RC_ASSERT(actual.ok());
    RC_ASSERT(*actual ==
              model.store.UnprocessedById(ids, model.now_ms + reader_skew_ms));
  }
  void show(std::ostream& os) const override {
    os << "ReadById(" << Show(ids) << ", skew=" << reader_skew_ms << ")";
  }
};

struct RepliesForCommand : Command {
  std::vector<Snowflake> ids = GenMessageIds();
  bool unfiltered = *rc::gen::arbitrary<bool>();

  void run(const Model& model, Sut& sut) const override {
    absl::StatusOr<std::vector<Reply>> actual =
        unfiltered ? sut.store.RepliesForUnfiltered(ids)
                   : sut.store.RepliesFor(ids);
    RC_ASSERT(actual.ok());
    RC_ASSERT(*actual == model.store.RepliesFor(ids, unfiltered));
  }
  void show(std::ostream& os) const override {
    os << (unfiltered ? "RepliesForUnfiltered(" : "RepliesFor(") << Show(ids)
       << ")";
  }
};

struct RequestIdForKeyCommand : Command {
  std::string key = *rc::gen::element<std::string>("a", "b", "c", "d");

  void run(const Model& model, Sut& sut) const override {
    absl::StatusOr<std::optional<Snowflake>> actual =
        sut.store.RequestIdForPrimaryKey(key);
    RC_ASSERT(actual.ok());
    RC_ASSERT(*actual == model.store.RequestIdForPrimaryKey(key));
  }
  void show(std::ostream& os) const override {
    os << "RequestIdForPrimaryKey(" << key << ")";
  }
};

struct ResetShardsCommand : Command {
  std::vector<ShardId> shards = GenShards();

  void apply(Model& model) const override { model.store.ResetShards(shards); }
  void run(const Model&, Sut& sut) const override {
    RC_ASSERT(sut.store.ResetShards(shards).ok());
  }
  void show(std::ostream& os) const override {
    os << "ResetShards(" << shards.size() << ")";
  }
};

struct ResetAddressesCommand : Command {
  std::vector<EntityAddress> addresses = GenAddresses();

  void apply(Model& model) const override {
    model.store.ResetAddresses(addresses);
  }
  void run(const Model&, Sut& sut) const override {
    RC_ASSERT(sut.store.ResetAddresses(addresses).ok());
  }
  void show(std::ostream& os) const override {
    os << "ResetAddresses(" << addresses.size() << ")";
  }
};

struct ResetRequestsCommand : Command {
  std::vector<Snowflake> ids = GenMessageIds();

  void apply(Model& model) const override { model.store.ResetRequests(ids); }
  void run(const Model&, Sut& sut) const override {
    RC_ASSERT(sut.store.ResetRequests(ids).ok());
  }
  void show(std::ostream& os) const override {
    os << "ResetRequests(" << Show(ids) << ")";
  }
};

struct ClearAddressCommand : Command {
  EntityAddress address = GenAddress();

  void apply(Model& model) const override { model.store.ClearAddress(address); }
  void run(const Model&, Sut& sut) const override {
    sut.store.ClearAddress(address);
  }
  void show(std::ostream& os) const override {
    os << "ClearAddress(" << address << ")";
  }
};

// Server time moves on, in steps that land on and around the claim expiry.
struct AdvanceTimeCommand : Command {
  int64_t step_ms = *rc::gen::element<int64_t>(0, 1, 1'000, 300'000, 599'999,
                                               600'000, 600'001, 1'000'000);

  void apply(Model& model) const override { model.now_ms += step_ms; }
  void run(const Model&, Sut& sut) const override { sut.now_ms += step_ms; }
  void show(std::ostream& os) const override {
    os << "AdvanceTime(" << step_ms << ")";
  }
};

RC_GTEST_PROP(MessageStoreModelTest, MatchesReferenceModel, ()) {
  Model model;
  Sut sut;
  rc::state::check(
      model, sut,
      rc::state::gen::execOneOfWithArgs<
          SaveRequestCommand, SaveRequestCommand, SaveChunkCommand,
          SaveExitCommand, AckCommand, InterruptCommand, ClearRepliesCommand,
          ReadCommand, ReadCommand, ReadByIdCommand, RepliesForCommand,
          RequestIdForKeyCommand, ResetShardsCommand, ResetAddressesCommand,
          ResetRequestsCommand, ClearAddressCommand, AdvanceTimeCommand>());
}

}  // namespace
}  // namespace clustersim::storage
