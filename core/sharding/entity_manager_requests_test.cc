// EntityManager tests: envelopes, replies and the mailbox metrics
// (entity_manager_requests.cc, entity_manager.cc).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_manager.h"
#include "core/sharding/entity_manager_testing.h"

namespace clustersim::sharding {
namespace {

using entity_manager_testing::Addr;
using entity_manager_testing::EntityManagerTest;
using entity_manager_testing::Increment;
using entity_manager_testing::IncrementRpc;
using entity_manager_testing::kUser;
using storage::Exit;

// --- Envelopes
// -----------------------------------------------------------------

TEST_F(EntityManagerTest, InterruptEnvelopeCancelsTheHandler) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendStored(Request(2, "NeverP")).ok());  // queued behind 1
  RunMs(1);
  ASSERT_EQ(world_.running, 1);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_EQ(VolatileExit(1), InterruptExit());
  // The persisted one ran next; its interrupt is stored as its reply.
  ASSERT_EQ(world_.running, 1);
  ASSERT_TRUE(SendInterrupt(2).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 2);
  EXPECT_EQ(StoredExit(2), InterruptExit());
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2), false, true));
  // An unknown request id is ignored.
  EXPECT_TRUE(SendInterrupt(99).ok());
  EXPECT_EQ(trace_.Of("entity.reply"),
            (std::vector<std::string>{"request=1 exit=interrupt",
                                      "request=2 exit=interrupt"}));
}

TEST_F(EntityManagerTest, InterruptForAQueuedRequestRepliesInterrupt) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never")).ok());
  RunMs(1);
  ASSERT_TRUE(SendInterrupt(2).ok());
  RunMs(1);
  EXPECT_EQ(VolatileExit(2), InterruptExit());
  EXPECT_EQ(world_.handled.size(), 1u);  // 2 never started
  EXPECT_FALSE(VolatileExit(1).has_value());
}

TEST_F(EntityManagerTest, UninterruptibleRequestsIgnoreInterruptEnvelopes) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "HoldU")).ok());
  RunMs(1);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 0);
  world_.release.Open();
  RunMs(1);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, InterruptedPersistedRequestIsStoredOrReplayed) {
  Start();
  // Interruptible: the interrupt exit is the reply.
  ASSERT_TRUE(SendStored(Request(1, "SelfInterrupt")).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(1), InterruptExit());
  // Server-side uninterruptible: re-run in place, no interrupt reply.
  world_.self_interrupted = false;
  ASSERT_TRUE(SendStored(Request(2, "SelfInterruptU")).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(2), Exit::Success("done"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"SelfInterrupt", "SelfInterruptU",
                                      "SelfInterruptU"}));
}

TEST_F(EntityManagerTest, InterruptDuringARestartHitsTheReplay) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "2")).ok());
  RunMs(100);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(100);
  EXPECT_FALSE(StoredExit(1).has_value());  // held for the new handler
  RunMs(300);
  EXPECT_EQ(StoredExit(1), InterruptExit());
  EXPECT_EQ(StoredExit(2), Exit::Success("User 2"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"NeverP", "GetUserP", "GetUserP"}));
}

TEST_F(EntityManagerTest, EnvelopeToUnknownEntitySpawnsIt) {
  Start();
  EXPECT_TRUE(SendInterrupt(5, Addr("9")).ok());
  EXPECT_TRUE(manager_->IsResident(Addr("9")));
  EXPECT_EQ(world_.builds, 1);
}

// --- Replies
// -------------------------------------------------------------------

TEST_F(EntityManagerTest, PersistedRepliesGoThroughTheHost) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "7")).ok());
  RunMs(0);
  ASSERT_EQ(host_.saved_.size(), 1u);
  const auto& reply = std::get<storage::WithExit>(host_.saved_[0]);
  EXPECT_EQ(reply.request_id, Snowflake(1));
  EXPECT_EQ(reply.exit, Exit::Success("User 7"));
  EXPECT_GE(reply.id.value(), 1'000'000);  // from the host's generator
  EXPECT_TRUE(replies_.empty());
}

TEST_F(EntityManagerTest, FencedReplyDropsTheRequestWithoutAReply) {
  Start();
  host_.save_results_.push_back(absl::FailedPreconditionError("not owner"));
  ASSERT_TRUE(SendStored(Request(1, "GetUserP")).ok());
  RunMs(0);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1)));  // not "processed"
  EXPECT_EQ(trace_.Of("entity.reply_abandoned").size(), 1u);
}

TEST_F(EntityManagerTest, LostReplyWedgesTheRequestLikeEffect) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "GetUserP")).ok());
  RunMs(0);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), false, true));
}

TEST_F(EntityManagerTest, PersistedStreamWaitsForEachAck) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "3")).ok());
  RunMs(10);
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].sequence, 0);
  EXPECT_EQ(chunks[0].values, std::vector<std::string>{"1"});
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), true));
  // An ack for another reply does not release the stream.
  ASSERT_TRUE(SendAck(1, Snowflake(42)).ok());
  RunMs(10);
  ASSERT_EQ(StoredChunks().size(), 1u);
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(10);
  chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].sequence, 1);
  ASSERT_TRUE(SendAck(1, chunks[1].id).ok());
  RunMs(10);
  chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2].sequence, 2);
  EXPECT_FALSE(StoredExit(1).has_value());  // waits for the last ack
  ASSERT_TRUE(SendAck(1, chunks[2].id).ok());
  RunMs(10);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_EQ(trace_.Of("entity.reply"),
            (std::vector<std::string>{
                "request=1 chunk seq=0", "request=1 chunk seq=1",
                "request=1 chunk seq=2", "request=1 exit=success"}));
}

TEST_F(EntityManagerTest, VolatileStreamRepliesChunksInOrder) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Stream", "2")).ok());
  RunMs(0);
  const std::vector<storage::Reply>& replies = replies_[1];
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(std::get<storage::Chunk>(replies[0]).sequence, 0);
  EXPECT_EQ(std::get<storage::Chunk>(replies[1]).sequence, 1);
  EXPECT_EQ(std::get<storage::WithExit>(replies[2]).exit,
            Exit::Success("done"));
}

TEST_F(EntityManagerTest, StreamResumesAfterTheLastSentChunk) {
  Start();
  const storage::Chunk last{Snowflake(1), Snowflake(500), 1, {"2"}};
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "3"), last).ok());
  RunMs(0);
  ASSERT_EQ(world_.stream_starts.size(), 1u);
  EXPECT_EQ(world_.stream_starts[0], last);
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].sequence, 2);
  EXPECT_EQ(chunks[0].values, std::vector<std::string>{"3"});
  // Until the new chunk is sent, the stored one is the one to acknowledge;
  // now only the new one is.
  ASSERT_TRUE(SendAck(1, Snowflake(500)).ok());
  RunMs(0);
  EXPECT_FALSE(StoredExit(1).has_value());
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(0);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, UnknownTagIsAnsweredMalformed) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "NoSuchRpc")).ok());
  std::optional<Exit> exit = VolatileExit(1);
  ASSERT_TRUE(exit.has_value());
  ASSERT_FALSE(exit->is_success());
  EXPECT_TRUE(IsMalformedMessage(exit->cause()));
  EXPECT_FALSE(manager_->IsResident(Addr("1")));  // decoded before spawning
  // From storage (no reply sink): the reply is stored.
  ASSERT_TRUE(SendStored(Request(2, "NoSuchRpc")).ok());
  RunMs(0);
  ASSERT_TRUE(StoredExit(2).has_value());
  EXPECT_TRUE(IsMalformedMessage(StoredExit(2)->cause()));
}

TEST_F(EntityManagerTest, MalformedPayloadIsRepliedNotADefect) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Increment",
                                   IncrementRpc().EncodeRequest({"k", 5})))
                  .ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Increment", "\x07")).ok());
  ASSERT_TRUE(SendVolatile(Request(3, "Increment",
                                   IncrementRpc().EncodeRequest({"k", 2})))
                  .ok());
  RunMs(0);
  EXPECT_EQ(IncrementRpc().FromExit(*VolatileExit(1))->value, 5);
  ASSERT_TRUE(VolatileExit(2).has_value());
  EXPECT_TRUE(IsMalformedMessage(VolatileExit(2)->cause()));
  // No restart: the handler kept its state.
  EXPECT_EQ(IncrementRpc().FromExit(*VolatileExit(3))->value, 7);
  EXPECT_EQ(world_.builds, 1);
}

TEST_F(EntityManagerTest, WrongEntityTypeIsMalformed) {
  Start();
  storage::Request request = Request(1, "GetUser");
  request.address =
      EntityAddress(EntityType("Other"), EntityId("1"), ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<MalformedMessage>(SendVolatile(request)));
}

// --- Mailbox metrics (Effect's ClusterMetrics) -----------------------------

TEST_F(EntityManagerTest, MailboxSizeMaxIsAlwaysReportedPerType) {
  Start();
  const GaugeSeries max = GaugeSeries::EntityMailboxSizeMax(kUser);
  EXPECT_EQ(host_.metrics_.Get(max), 0);
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(3, "Hold", "", Addr("2"))).ok());
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(max), 2);
  // Off by default: no per-entity series.
  EXPECT_FALSE(host_.metrics_.Get(GaugeSeries::EntityMailboxSize(Addr("1")))
                   .has_value());
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(max), 0);
  manager_.reset();
  EXPECT_FALSE(host_.metrics_.Get(max).has_value());
}

TEST_F(EntityManagerTest, MailboxSizeIsPerEntityWhenEnabled) {
  host_.config_.entity_mailbox_metrics = true;
  Start();
  const GaugeSeries one = GaugeSeries::EntityMailboxSize(Addr("1"));
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Hold")).ok());
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(one), 2);
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(one), 0);
  // The series goes when the entity's activation ends.
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(0);
  EXPECT_FALSE(host_.metrics_.Get(one).has_value());
}

TEST_F(EntityManagerTest, TheEntityOptionOverridesMailboxMetrics) {
  host_.config_.entity_mailbox_metrics = true;
  EntityOptions options;
  options.mailbox_metrics = false;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  RunMs(0);
  EXPECT_FALSE(host_.metrics_.Get(GaugeSeries::EntityMailboxSize(Addr("1")))
                   .has_value());
}

}  // namespace
}  // namespace clustersim::sharding
