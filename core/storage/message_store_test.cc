#include "core/storage/message_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/storage/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kStartMs = 1'000'000;

EntityAddress Address(int entity, int shard = 1) {
  return EntityAddress(EntityType("TestEntity"), EntityId(absl::StrCat(entity)),
                       ShardId("default", shard));
}

Request MakeRequest(int64_t id, const EntityAddress& address,
                    std::optional<std::string> key = std::nullopt) {
  Request request{.request_id = Snowflake(id),
                  .address = address,
                  .tag = "GetUser",
                  .payload = absl::StrCat("{\"id\":", id, "}"),
                  .headers = {},
                  .primary_key = std::nullopt,
                  .deliver_at_ms = std::nullopt};
  if (key.has_value()) {
    request.primary_key = ComposePrimaryKey(address, request.tag, *key);
  }
  return request;
}

Chunk MakeChunk(int64_t request_id, int64_t id, int32_t sequence) {
  return Chunk{.request_id = Snowflake(request_id),
               .id = Snowflake(id),
               .sequence = sequence,
               .values = {absl::StrCat("value", sequence)}};
}

WithExit MakeExit(int64_t request_id, int64_t id) {
  return WithExit{.request_id = Snowflake(request_id),
                  .id = Snowflake(id),
                  .exit = Exit::Success("done")};
}

AckChunk MakeAck(int64_t id, const EntityAddress& address, int64_t request_id,
                 int64_t reply_id) {
  return AckChunk{.id = Snowflake(id),
                  .address = address,
                  .request_id = Snowflake(request_id),
                  .reply_id = Snowflake(reply_id)};
}

Interrupt MakeInterrupt(int64_t id, const EntityAddress& address,
                        int64_t request_id) {
  return Interrupt{.id = Snowflake(id),
                   .address = address,
                   .request_id = Snowflake(request_id)};
}

std::vector<int64_t> Ids(const std::vector<StoredMessage>& messages) {
  std::vector<int64_t> ids;
  for (const StoredMessage& m : messages)
    ids.push_back(IdOf(m.envelope).value());
  return ids;
}

std::vector<int64_t> ReplyIds(const std::vector<Reply>& replies) {
  std::vector<int64_t> ids;
  for (const Reply& r : replies) ids.push_back(ReplyIdOf(r).value());
  return ids;
}

class MessageStoreTest : public ::testing::Test {
 protected:
  MessageStoreTest() : store_(MessageStore::Options{}) {}

  SaveResult Save(const Request& request) {
    absl::StatusOr<SaveResult> result = store_.SaveRequest(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(SaveSuccess{});
  }
  void SaveRequests(int from, int to) {
    for (int i = from; i <= to; ++i) Save(MakeRequest(i, Address(i)));
  }
  void Reply(const storage::Reply& reply) {
    const absl::Status status = store_.SaveReply(reply);
    EXPECT_TRUE(status.ok()) << status;
  }

  std::vector<int64_t> Read(
      std::vector<ShardId> shards, std::optional<int64_t> limit = std::nullopt,
      std::optional<std::vector<EntityAddress>> addresses = std::nullopt) {
    absl::StatusOr<std::vector<StoredMessage>> messages =
        store_.UnprocessedMessages(
            UnprocessedQuery{std::move(shards), limit, std::move(addresses)},
            now_ms_, now_ms_);
    EXPECT_TRUE(messages.ok()) << messages.status();
    return Ids(messages.value_or(std::vector<StoredMessage>{}));
  }
  std::vector<int64_t> Read(std::optional<int64_t> limit = std::nullopt) {
    return Read({ShardId("default", 1)}, limit);
  }

  MessageStore store_;
  int64_t now_ms_ = kStartMs;
};

// ---- MessageStorage.test.ts (memory driver), with SQL semantics ----------

TEST_F(MessageStoreTest, SavedRequestIsUnprocessed) {
  EXPECT_EQ(Save(MakeRequest(1, Address(1))), SaveResult(SaveSuccess{}));
  EXPECT_THAT(Read(), ElementsAre(1));
}

// Rows are held on the heap (BoxedRow); a copy of the store must still be
// a deep copy: claiming a row in the copy leaves the original's unclaimed.
TEST_F(MessageStoreTest, CopyIsIndependentOfTheOriginal) {
  SaveRequests(1, 2);
  MessageStore copy = store_;
  absl::StatusOr<std::vector<StoredMessage>> claimed = copy.UnprocessedMessages(
      UnprocessedQuery{{ShardId("default", 1)}}, now_ms_, now_ms_);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_THAT(Ids(*claimed), ElementsAre(1, 2));
  copy.ClearAddress(Address(1));
  EXPECT_EQ(copy.message_count(), 1);
  // The original still has both rows, unclaimed there.
  EXPECT_EQ(store_.message_count(), 2);
  EXPECT_THAT(Read(), ElementsAre(1, 2));
}

TEST_F(MessageStoreTest, SamePrimaryKeyIsDuplicate) {
  Save(MakeRequest(1, Address(1), "key"));
  EXPECT_EQ(Save(MakeRequest(2, Address(1), "key")),
            SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));
  EXPECT_THAT(Read(), ElementsAre(1));
}

TEST_F(MessageStoreTest, ClearAddressFreesPrimaryKey) {
  Save(MakeRequest(1, Address(1), "key"));
  store_.ClearAddress(Address(1));
  EXPECT_EQ(Save(MakeRequest(2, Address(1), "key")), SaveResult(SaveSuccess{}));
}

TEST_F(MessageStoreTest, EmptyAddressFilterMatchesNothing) {
  SaveRequests(1, 1);
  EXPECT_THAT(
      Read({ShardId("default", 1)}, std::nullopt, std::vector<EntityAddress>{}),
      IsEmpty());
  // Unfiltered, the row is there (and the filtered read did not claim it).
  EXPECT_THAT(Read(), ElementsAre(1));
}

TEST_F(MessageStoreTest, EmptyResetAddressesIsNoOp) {
  SaveRequests(1, 1);
  EXPECT_THAT(Read(), ElementsAre(1));
  ASSERT_TRUE(store_.ResetAddresses({}).ok());
  EXPECT_THAT(Read(), IsEmpty());
}

TEST_F(MessageStoreTest, RepliedRequestIsExcluded) {
  SaveRequests(1, 2);
  Reply(MakeExit(1, 100));
  EXPECT_THAT(Read(), ElementsAre(2));
}

TEST_F(MessageStoreTest, LimitReadsInBatches) {
  SaveRequests(1, 5);
  EXPECT_THAT(Read(3), ElementsAre(1, 2, 3));
  EXPECT_THAT(Read(3), ElementsAre(4, 5));
}

TEST_F(MessageStoreTest, AddressFilter) {
  SaveRequests(1, 5);
  EXPECT_THAT(Read({ShardId("default", 1)}, std::nullopt,
                   std::vector<EntityAddress>{Address(2), Address(4)}),
              ElementsAre(2, 4));
  EXPECT_THAT(Read(), ElementsAre(1, 3, 5));
}

TEST_F(MessageStoreTest, ResetAddressesReleasesClaims) {
  SaveRequests(1, 4);
  EXPECT_THAT(Read(3), ElementsAre(1, 2, 3));
  ASSERT_TRUE(store_.ResetAddresses({Address(1), Address(3)}).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 3, 4));
}

TEST_F(MessageStoreTest, RepliesForReturnsSavedReply) {
  SaveRequests(1, 1);
  EXPECT_THAT(*store_.RepliesFor({Snowflake(1)}), IsEmpty());
  Reply(MakeExit(1, 100));
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(1)})), ElementsAre(100));
}

// ---- SqlMessageStorage.integration.test.ts -------------------------------

TEST_F(MessageStoreTest, SqlSaveRequestThenMore) {
  SaveRequests(1, 5);
  Reply(MakeExit(1, 100));
  EXPECT_THAT(Read(), ElementsAre(2, 3, 4, 5));
  SaveRequests(6, 10);
  // The earlier ones are claimed.
  EXPECT_THAT(Read(), ElementsAre(6, 7, 8, 9, 10));
}

TEST_F(MessageStoreTest, SqlSaveReplyAndDuplicate) {
  const EntityAddress address = Address(1);
  Save(MakeRequest(1, address, "stream"));
  Reply(MakeChunk(1, 100, 0));
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(200, address, 1, 100)).ok());
  Reply(MakeChunk(1, 101, 1));

  EXPECT_EQ(Save(MakeRequest(2, address, "stream")),
            SaveResult(SaveDuplicate{Snowflake(1), MakeChunk(1, 101, 1)}));
  // Only the unacked chunk.
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(1)})), ElementsAre(101));

  Reply(MakeExit(1, 102));
  EXPECT_EQ(Save(MakeRequest(3, address, "stream")),
            SaveResult(SaveDuplicate{Snowflake(1), MakeExit(1, 102)}));
  const absl::Status second_exit = store_.SaveReply(MakeExit(1, 103));
  EXPECT_TRUE(IsClusterError<PersistenceError>(second_exit)) << second_exit;
  EXPECT_THAT(ReplyIds(*store_.RepliesForUnfiltered({Snowflake(1)})),
              ElementsAre(100, 101, 102));
}

TEST_F(MessageStoreTest, SqlDetectsDuplicates) {
  Save(MakeRequest(1, Address(1), "a"));
  Save(MakeRequest(2, Address(1), "b"));
  EXPECT_EQ(Save(MakeRequest(3, Address(1), "a")),
            SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));
  EXPECT_EQ(Save(MakeRequest(4, Address(1), "b")),
            SaveResult(SaveDuplicate{Snowflake(2), std::nullopt}));
  // Same key text on another entity or tag is another key.
  EXPECT_EQ(Save(MakeRequest(5, Address(2), "a")), SaveResult(SaveSuccess{}));
}

TEST_F(MessageStoreTest, SqlLongPrimaryKeysAreStoredAsSha256) {
  const EntityAddress address = Address(1);
  const std::string long_key(300, 'k');
  Save(MakeRequest(1, address, long_key));
  const std::string composed = ComposePrimaryKey(address, "GetUser", long_key);
  EXPECT_EQ(*store_.RequestIdForPrimaryKey(composed), Snowflake(1));
  EXPECT_EQ(Save(MakeRequest(2, address, long_key)),
            SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));

  // The stored message_id is the 64-character hex digest: a raw key equal
  // to it collides (a composed key never can, it contains '/').
  Request raw = MakeRequest(3, address);
  raw.primary_key = Sha256Hex(composed);
  EXPECT_EQ(Save(raw), SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));

  // Keys up to 255 characters are stored as they are.
  Request short_key = MakeRequest(4, address);
  short_key.primary_key = std::string(255, 's');
  Save(short_key);
  Request same_short = MakeRequest(5, address);
  same_short.primary_key = std::string(255, 's');
  EXPECT_EQ(Save(same_short),
            SaveResult(SaveDuplicate{Snowflake(4), std::nullopt}));
  EXPECT_EQ(*store_.RequestIdForPrimaryKey(std::string(255, 's')),
            Snowflake(4));
  EXPECT_EQ(*store_.RequestIdForPrimaryKey(Sha256Hex(std::string(255, 's'))),
            std::nullopt);
}

// Effect measures keys in UTF-16 units: 200 two-unit characters are 400
// units (hashed) although only 200 characters.
TEST_F(MessageStoreTest, PrimaryKeyLengthCountsUtf16Units) {
  std::string emoji_key;
  for (int i = 0; i < 200; ++i) emoji_key += "\xF0\x9F\x98\x80";  // U+1F600
  Request request = MakeRequest(1, Address(1));
  request.primary_key = emoji_key;
  Save(request);
  EXPECT_EQ(*store_.RequestIdForPrimaryKey(emoji_key), Snowflake(1));
  Request by_digest = MakeRequest(2, Address(1));
  by_digest.primary_key = Sha256Hex(emoji_key);
  EXPECT_EQ(Save(by_digest),
            SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));
}

TEST_F(MessageStoreTest, SqlUnprocessedClaimsThenNewSave) {
  SaveRequests(1, 1);
  EXPECT_THAT(Read(), ElementsAre(1));
  EXPECT_THAT(Read(), IsEmpty());
  SaveRequests(2, 2);
  EXPECT_THAT(Read(), ElementsAre(2));
}

TEST_F(MessageStoreTest, SqlFilterThenRest) {
  SaveRequests(1, 4);
  EXPECT_THAT(Read({ShardId("default", 1)}, std::nullopt,
                   std::vector<EntityAddress>{Address(2), Address(4)}),
              ElementsAre(2, 4));
  EXPECT_THAT(Read(), ElementsAre(1, 3));
}

// The address filter includes the shard: an address of shard 2 does not
// match the same entity in shard 1, and only requested shards are read.
TEST_F(MessageStoreTest, SqlFilterIsPerShard) {
  Save(MakeRequest(1, Address(1, 1)));
  Save(MakeRequest(2, Address(1, 2)));
  const std::vector<ShardId> both = {ShardId("default", 1),
                                     ShardId("default", 2)};
  EXPECT_THAT(
      Read(both, std::nullopt, std::vector<EntityAddress>{Address(1, 1)}),
      ElementsAre(1));
  EXPECT_THAT(Read({ShardId("default", 2)}, std::nullopt,
                   std::vector<EntityAddress>{Address(1, 1), Address(1, 2)}),
              ElementsAre(2));
}

TEST_F(MessageStoreTest, SqlUnprocessedMessagesByIdAfterReply) {
  SaveRequests(1, 1);
  EXPECT_THAT(Ids(*store_.UnprocessedMessagesById({Snowflake(1)}, now_ms_)),
              ElementsAre(1));
  Reply(MakeExit(1, 100));
  EXPECT_THAT(Ids(*store_.UnprocessedMessagesById({Snowflake(1)}, now_ms_)),
              IsEmpty());
}

// ---- Claims, clocks, merge order ------------------------------------------

TEST_F(MessageStoreTest, ClaimsExpireAfterTenMinutesOfServerTime) {
  SaveRequests(1, 1);
  EXPECT_THAT(Read(), ElementsAre(1));
  now_ms_ = kStartMs + MessageStore::kClaimExpirationMs;
  // last_read < now - 10 min is required; equal is still claimed.
  EXPECT_THAT(Read(), IsEmpty());
  now_ms_ += 1;
  EXPECT_THAT(Read(), ElementsAre(1));
  // Re-claimed at the new time.
  EXPECT_THAT(Read(), IsEmpty());
}

TEST_F(MessageStoreTest, DeliverAtUsesTheReadersClock) {
  Request later = MakeRequest(1, Address(1));
  later.deliver_at_ms = 5'000'000;
  Save(later);
  const UnprocessedQuery query{
      {ShardId("default", 1)}, std::nullopt, std::nullopt};
  // The server is far ahead, but the reader's clock decides.
  EXPECT_THAT(Ids(*store_.UnprocessedMessages(query, 9'000'000, 4'999'999)),
              IsEmpty());
  EXPECT_THAT(Ids(*store_.UnprocessedMessagesById({Snowflake(1)}, 4'999'999)),
              IsEmpty());
  // A reader whose clock runs ahead gets it early, whatever the server says.
  EXPECT_THAT(Ids(*store_.UnprocessedMessages(query, 0, 5'000'000)),
              ElementsAre(1));
}

TEST_F(MessageStoreTest, ReadsMergeShardsInInsertionOrder) {
  Save(MakeRequest(1, Address(1, 2)));
  Save(MakeRequest(2, Address(2, 1)));
  Save(MakeRequest(3, Address(3, 2)));
  Save(MakeRequest(4, Address(4, 1)));
  Save(MakeRequest(5, Address(5, 3)));
  EXPECT_THAT(Read({ShardId("default", 2), ShardId("default", 1),
                    ShardId("default", 2)},
                   3),
              ElementsAre(1, 2, 3));
  EXPECT_THAT(Read({ShardId("default", 1), ShardId("default", 2)}),
              ElementsAre(4));
}

TEST_F(MessageStoreTest, LimitZeroReadsNothing) {
  SaveRequests(1, 1);
  EXPECT_THAT(Read(0), IsEmpty());
  EXPECT_THAT(Read(), ElementsAre(1));
}

TEST_F(MessageStoreTest, UnprocessedMessagesByIdIgnoresAndKeepsClaims) {
  SaveRequests(1, 2);
  EXPECT_THAT(Read(1), ElementsAre(1));
  EXPECT_THAT(Ids(*store_.UnprocessedMessagesById(
                  {Snowflake(2), Snowflake(1), Snowflake(9)}, now_ms_)),
              ElementsAre(1, 2));
  // It did not claim 2.
  EXPECT_THAT(Read(), ElementsAre(2));
}

TEST_F(MessageStoreTest, ResetShardsAndResetRequests) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 3);
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, address, 1)).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 2, 3, 10));
  // resetRequests works on row ids: the request row only, not its interrupt.
  ASSERT_TRUE(store_.ResetRequests({Snowflake(1), Snowflake(99)}).ok());
  EXPECT_THAT(Read(), ElementsAre(1));
  ASSERT_TRUE(store_.ResetShards({ShardId("default", 2)}).ok());
  EXPECT_THAT(Read(), IsEmpty());
  ASSERT_TRUE(store_.ResetShards({ShardId("default", 1)}).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 2, 3, 10));
}

// ---- Envelopes ------------------------------------------------------------

TEST_F(MessageStoreTest, InterruptsStayUnprocessedUntilTheExit) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 1);
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, address, 1)).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 10));
  ASSERT_TRUE(store_.ResetShards({ShardId("default", 1)}).ok());
  // Unlike the memory driver, SQL re-delivers the interrupt after a reset.
  EXPECT_THAT(Read(), ElementsAre(1, 10));
  Reply(MakeExit(1, 100));
  ASSERT_TRUE(store_.ResetShards({ShardId("default", 1)}).ok());
  EXPECT_THAT(Read(), IsEmpty());
  EXPECT_THAT(Ids(*store_.UnprocessedMessagesById({Snowflake(10)}, now_ms_)),
              IsEmpty());
}

TEST_F(MessageStoreTest, UnackedChunkBlocksRequestAndItsEnvelopes) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 2);
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, address, 1)).ok());
  Reply(MakeChunk(1, 100, 0));
  EXPECT_THAT(Read(), ElementsAre(2));

  // Acking the chunk unblocks both rows; the request carries its last chunk.
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(11, address, 1, 100)).ok());
  absl::StatusOr<std::vector<StoredMessage>> messages =
      store_.UnprocessedMessages(
          {{ShardId("default", 1)}, std::nullopt, std::nullopt}, now_ms_,
          now_ms_);
  ASSERT_TRUE(messages.ok());
  EXPECT_THAT(Ids(*messages), ElementsAre(1, 10, 11));
  EXPECT_EQ((*messages)[0].last_sent_reply,
            std::optional<storage::Reply>(MakeChunk(1, 100, 0)));
  EXPECT_EQ((*messages)[1].last_sent_reply, std::nullopt);
}

TEST_F(MessageStoreTest, AckMarksEarlierAcksProcessed) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 1);
  Reply(MakeChunk(1, 100, 0));
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(11, address, 1, 100)).ok());
  Reply(MakeChunk(1, 101, 1));
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(12, address, 1, 101)).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 12));
}

TEST_F(MessageStoreTest, FailedAckChangesNothing) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 1);
  Reply(MakeChunk(1, 100, 0));
  // Id 1 is taken by the request: the insert fails and the ack rolls back.
  const absl::Status status = store_.SaveEnvelope(MakeAck(1, address, 1, 100));
  EXPECT_TRUE(IsClusterError<PersistenceError>(status)) << status;
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(1)})), ElementsAre(100));
  EXPECT_THAT(Read(), IsEmpty());
}

TEST_F(MessageStoreTest, AckOfUnknownReplyIsStored) {
  SaveRequests(1, 1);
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(11, Address(1), 1, 999)).ok());
  EXPECT_THAT(Read(), ElementsAre(1, 11));
}

// ---- Keys and constraints -------------------------------------------------

TEST_F(MessageStoreTest, RepeatedRequestIdWithoutKeyIsPersistenceError) {
  SaveRequests(1, 1);
  const absl::StatusOr<SaveResult> again =
      store_.SaveRequest(MakeRequest(1, Address(1)));
  EXPECT_TRUE(IsClusterError<PersistenceError>(again.status()))
      << again.status();
  // Same id with a fresh primary key: still the id's primary-key violation.
  const absl::StatusOr<SaveResult> keyed =
      store_.SaveRequest(MakeRequest(1, Address(1), "new"));
  EXPECT_TRUE(IsClusterError<PersistenceError>(keyed.status()))
      << keyed.status();
  EXPECT_EQ(*store_.RequestIdForPrimaryKey(
                ComposePrimaryKey(Address(1), "GetUser", "new")),
            std::nullopt);
  // An envelope id is in the same key space.
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      store_.SaveEnvelope(MakeInterrupt(1, Address(1), 1))));
}

TEST_F(MessageStoreTest, ReplyConstraints) {
  SaveRequests(1, 1);
  Reply(MakeChunk(1, 100, 0));
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store_.SaveReply(MakeChunk(1, 101, 0))));
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store_.SaveReply(MakeChunk(1, 100, 1))));
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store_.SaveReply(MakeExit(1, 100))));
  // Sequences are per request.
  Reply(MakeChunk(2, 102, 0));
  EXPECT_THAT(
      ReplyIds(*store_.RepliesForUnfiltered({Snowflake(1), Snowflake(2)})),
      ElementsAre(100, 102));
}

TEST_F(MessageStoreTest, ReplyToUnknownRequestIsStored) {
  Reply(MakeExit(7, 100));
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(7)})), ElementsAre(100));
}

TEST_F(MessageStoreTest, DuplicateReportsTheRowsLastReply) {
  const EntityAddress address = Address(1);
  Save(MakeRequest(1, address, "k"));
  Reply(MakeChunk(1, 100, 0));
  EXPECT_EQ(Save(MakeRequest(2, address, "k")),
            SaveResult(SaveDuplicate{Snowflake(1), MakeChunk(1, 100, 0)}));
  store_.ClearReplies(Snowflake(1), std::nullopt);
  EXPECT_EQ(Save(MakeRequest(3, address, "k")),
            SaveResult(SaveDuplicate{Snowflake(1), std::nullopt}));
}

// ---- clearReplies ---------------------------------------------------------

TEST_F(MessageStoreTest, ClearRepliesKeepsChunksDropsExitAndInterrupts) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 1);
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, address, 1)).ok());
  Reply(MakeChunk(1, 100, 0));
  ASSERT_TRUE(store_.SaveEnvelope(MakeAck(11, address, 1, 100)).ok());
  Reply(MakeExit(1, 101));
  EXPECT_THAT(Read(), IsEmpty());

  store_.ClearReplies(Snowflake(1), std::nullopt);
  EXPECT_THAT(ReplyIds(*store_.RepliesForUnfiltered({Snowflake(1)})),
              ElementsAre(100));
  // The request and its (re-opened) ack come back; the interrupt is gone.
  EXPECT_THAT(Read(), ElementsAre(1, 11));
  // The kept chunk still holds sequence 0.
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store_.SaveReply(MakeChunk(1, 102, 0))));
  Reply(MakeExit(1, 103));
}

TEST_F(MessageStoreTest, ClearRepliesOfUnackedStreamStaysBlocked) {
  SaveRequests(1, 1);
  Reply(MakeChunk(1, 100, 0));
  Reply(MakeExit(1, 101));
  store_.ClearReplies(Snowflake(1), std::nullopt);
  // The unacked chunk survives the clear and blocks redelivery.
  EXPECT_THAT(Read(), IsEmpty());
}

TEST_F(MessageStoreTest, CompareAndResetWithMatchingReply) {
  const EntityAddress address = Address(1);
  SaveRequests(1, 1);
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, address, 1)).ok());
  Reply(MakeExit(1, 100));
  store_.ClearReplies(Snowflake(1), Snowflake(100));
  EXPECT_THAT(*store_.RepliesForUnfiltered({Snowflake(1)}), IsEmpty());
  // Unlike the unconditional clear, the interrupt stays (and is reset).
  EXPECT_THAT(Read(), ElementsAre(1, 10));
}

TEST_F(MessageStoreTest, CompareAndResetWithStaleReplyDoesNothing) {
  SaveRequests(1, 1);
  Reply(MakeExit(1, 100));
  store_.ClearReplies(Snowflake(1), Snowflake(99));
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(1)})), ElementsAre(100));
  EXPECT_THAT(Read(), IsEmpty());
  // After a real reset and a new exit, the old id no longer matches either.
  store_.ClearReplies(Snowflake(1), Snowflake(100));
  Reply(MakeExit(1, 101));
  store_.ClearReplies(Snowflake(1), Snowflake(100));
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(1)})), ElementsAre(101));
}

// ---- clearAddress ---------------------------------------------------------

TEST_F(MessageStoreTest, ClearAddressDeletesEntityInAnyShard) {
  Save(MakeRequest(1, Address(1, 1), "k"));
  Save(MakeRequest(2, Address(1, 2)));
  Save(MakeRequest(3, Address(2, 1)));
  ASSERT_TRUE(store_.SaveEnvelope(MakeInterrupt(10, Address(1, 1), 1)).ok());
  Reply(MakeChunk(1, 100, 0));
  Reply(MakeExit(3, 101));

  store_.ClearAddress(Address(1, 7));
  EXPECT_EQ(store_.message_count(), 1);
  EXPECT_THAT(*store_.RepliesForUnfiltered({Snowflake(1)}), IsEmpty());
  EXPECT_THAT(ReplyIds(*store_.RepliesFor({Snowflake(3)})), ElementsAre(101));
  // Ids and keys are free again; reply ids too.
  EXPECT_EQ(Save(MakeRequest(1, Address(1, 1), "k")),
            SaveResult(SaveSuccess{}));
  Reply(MakeChunk(1, 100, 0));
  EXPECT_EQ(store_.ShardOfMessage(Snowflake(1)), ShardId("default", 1));
  EXPECT_EQ(store_.ShardOfMessage(Snowflake(2)), std::nullopt);
}

// ---- Bounds and columns ---------------------------------------------------

TEST(MessageStoreLimitsTest, RefusesOversizedInputAndFullTables) {
  MessageStore::Options options;
  options.limits.max_message_rows = 2;
  options.limits.max_reply_rows = 1;
  options.limits.max_payload_bytes = 8;
  options.limits.max_headers = 1;
  options.limits.max_header_bytes = 6;
  options.limits.max_reply_bytes = 4;
  options.limits.max_chunk_values = 2;
  options.limits.max_rows_per_read = 2;
  options.limits.max_ids_per_call = 2;
  MessageStore store(options);
  const EntityAddress address = Address(1);

  Request big = MakeRequest(1, address);
  big.payload = std::string(9, 'x');
  EXPECT_EQ(store.SaveRequest(big).status().code(),
            absl::StatusCode::kInvalidArgument);
  Request headers = MakeRequest(1, address);
  headers.payload = "{}";
  headers.headers = {{"a", "1"}, {"b", "2"}};
  EXPECT_EQ(store.SaveRequest(headers).status().code(),
            absl::StatusCode::kInvalidArgument);
  headers.headers = {{"abcd", "123"}};
  EXPECT_EQ(store.SaveRequest(headers).status().code(),
            absl::StatusCode::kInvalidArgument);
  headers.headers = {{"ab", "12"}};
  ASSERT_TRUE(store.SaveRequest(headers).ok());
  Request second = MakeRequest(2, address);
  second.payload = "{}";
  second.primary_key = "k";
  ASSERT_TRUE(store.SaveRequest(second).ok());
  Request third = MakeRequest(3, address);
  third.payload = "{}";
  EXPECT_EQ(store.SaveRequest(third).status().code(),
            absl::StatusCode::kResourceExhausted);
  // A duplicate needs no room.
  third.primary_key = "k";
  EXPECT_EQ(*store.SaveRequest(third),
            SaveResult(SaveDuplicate{Snowflake(2), std::nullopt}));

  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      store.SaveReply(Chunk{Snowflake(1), Snowflake(9), 0, {}})));
  EXPECT_EQ(
      store.SaveReply(Chunk{Snowflake(1), Snowflake(9), 0, {"a", "b", "c"}})
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                .SaveReply(WithExit{Snowflake(1), Snowflake(9),
                                    Exit::Failure({CauseKind::kDie, "12345"})})
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      store.SaveReply(Chunk{Snowflake(1), Snowflake(9), 0, {"ab"}}).ok());
  EXPECT_EQ(
      store.SaveReply(Chunk{Snowflake(2), Snowflake(10), 0, {"ab"}}).code(),
      absl::StatusCode::kResourceExhausted);

  const UnprocessedQuery too_many_shards{
      {ShardId("default", 1), ShardId("default", 2), ShardId("default", 3)},
      std::nullopt,
      std::nullopt};
  EXPECT_EQ(store.UnprocessedMessages(too_many_shards, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store
          .UnprocessedMessages({{ShardId("default", 1)}, 3, std::nullopt}, 0, 0)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store
                .UnprocessedMessages(
                    {{ShardId("default", 1)}, -1, std::nullopt}, 0, 0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.RepliesFor({Snowflake(1), Snowflake(2), Snowflake(3)})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store.ResetRequests({Snowflake(1), Snowflake(2), Snowflake(3)}).code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(MessageStoreLimitsTest, RepliesForReturnsAtMostMaxRowsPerRead) {
  MessageStore::Options options;
  options.limits.max_rows_per_read = 2;
  MessageStore store(options);
  ASSERT_TRUE(store.SaveReply(MakeChunk(1, 100, 0)).ok());
  ASSERT_TRUE(store.SaveReply(MakeChunk(1, 101, 1)).ok());
  ASSERT_TRUE(store.SaveReply(MakeExit(1, 102)).ok());
  EXPECT_THAT(ReplyIds(*store.RepliesFor({Snowflake(1)})),
              ElementsAre(100, 101));
}

TEST(MessageStoreColumnsTest, RefusesWhatPostgresWould) {
  MessageStore store(MessageStore::Options{});
  const EntityAddress long_id(EntityType("T"), EntityId(std::string(256, 'i')),
                              ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      store.SaveRequest(MakeRequest(1, long_id)).status()));
  const EntityAddress long_type(EntityType(std::string(151, 't')),
                                EntityId("1"), ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      store.SaveRequest(MakeRequest(1, long_type)).status()));
  const EntityAddress long_group(EntityType("T"), EntityId("1"),
                                 ShardId(std::string(49, 'g'), 10));
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      store.SaveRequest(MakeRequest(1, long_group)).status()));
  Request long_tag = MakeRequest(1, Address(1));
  long_tag.tag = std::string(51, 'x');
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store.SaveRequest(long_tag).status()));
  Request bad_key = MakeRequest(1, Address(1));
  bad_key.primary_key = "T/1/GetUser/\xC0\x80";
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store.SaveRequest(bad_key).status()));
  Request bad_header = MakeRequest(1, Address(1));
  bad_header.headers = {{"h", "\xff"}};
  EXPECT_TRUE(
      IsClusterError<PersistenceError>(store.SaveRequest(bad_header).status()));
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      store.SaveEnvelope(MakeInterrupt(2, long_id, 1))));
  // Exactly at the widths is fine, counted in characters, not bytes.
  std::string id_255;
  for (int i = 0; i < 255; ++i) id_255 += "\xC3\xA9";  // U+00E9
  const EntityAddress wide(EntityType(std::string(150, 't')), EntityId(id_255),
                           ShardId(std::string(48, 'g'), 9));
  Request at_widths = MakeRequest(1, wide);
  at_widths.tag = std::string(50, 'x');
  EXPECT_TRUE(store.SaveRequest(at_widths).ok());
  // Nothing else was stored.
  EXPECT_EQ(store.message_count(), 1);
}

}  // namespace
}  // namespace clustersim::storage
