// Ports of Effect's cluster-integration tests on delivery across runner
// failures: volatile and persisted requests, streams resumed by the next
// owner, shutdown, stored failures, scheduled messages and lost
// notifications (fixture: sharding_integration_testing.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_integration_testing.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using integration_testing::kLeaseMs;
using integration_testing::kPersistence;
using integration_testing::ShardingIntegrationTest;
using testing::CallInto;
using testing::CallResult;
using testing::DiscardInto;
using testing::kTestEntity;
using testing::StreamInto;
using testing::SuccessValue;
using testing::TestNode;

// Effect: "does not store or redeliver a volatile request after runner
// failure". A discarded volatile request whose handler is running when its
// runner dies is gone: nothing stored, not run again by the next owner.
TEST_F(ShardingIntegrationTest, DoesNotStoreOrRedeliverAVolatileRequest) {
  TestNode& owner = StartRunner(1);
  TestNode& caller = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::optional<absl::Status> sent;
  caller.scope().Spawn(
      DiscardInto(&caller.sharding, id, "NeverVolatile", "", &sent));
  ex_.RunForMs(100);
  ASSERT_TRUE(sent.has_value() && sent->ok());
  ASSERT_EQ(entities_[1].running, 1);

  owner.Crash();
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(Owns(caller, id));
  EXPECT_EQ(entities_[2].running, 0);
  EXPECT_TRUE(entities_[2].handled.empty());
  EXPECT_EQ(state_.messages().message_count(), 0);
  EXPECT_EQ(state_.messages().reply_count(), 0);
}

// Effect: "resumes a terminal stream on the replacement owner and persists
// exactly one reply". The owner sent the stream's only value and then dies
// before storing the stream's end; the next owner resumes the stream after
// that chunk and ends it. The caller sees the value once and one end.
TEST_F(ShardingIntegrationTest, ResumesATerminalStreamOnTheReplacementOwner) {
  TestNode& owner = StartRunner(1);
  TestNode& peer = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> received;
  CallResult result;
  peer.scope().Spawn(
      StreamInto(&peer.sharding, id, "StreamWithKey", id, &received, &result));
  ex_.RunForMs(100);
  entities_[1].stream_items.Push(0);
  ex_.RunForMs(100);
  ASSERT_EQ(received, std::vector<std::string>{"0"});

  owner.Crash();
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(Owns(peer, id));
  // The replacement resumed the stream after its stored chunk.
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  ASSERT_TRUE(entities_[2].stream_starts[0].has_value());
  EXPECT_EQ(entities_[2].stream_starts[0]->values,
            std::vector<std::string>{"0"});
  EXPECT_FALSE(result.has_value());
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);

  EXPECT_EQ(SuccessValue(result), "");
  EXPECT_EQ(received, std::vector<std::string>{"0"});
  // Stored: the request (its WithExit), the chunk's AckChunk; the chunk
  // and exactly one WithExit.
  ASSERT_EQ(entities_[1].handled.size(), 1u);
  EXPECT_TRUE(state_.messages().HasExit(entities_[1].handled[0].second));
  EXPECT_EQ(state_.messages().message_count(), 2);
  EXPECT_EQ(state_.messages().reply_count(), 2);
  EXPECT_EQ(Unprocessed(), 0);
  EXPECT_TRUE(Owns(peer, id));
}

// Effect: "delivers a persisted request sent while its runner is down
// exactly once".
TEST_F(ShardingIntegrationTest, DeliversARequestSentWhileItsRunnerIsDown) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  owner.Crash();
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kTestEntity, "restart",
                                "GetUser", "r", &result));
  ex_.RunForMs(1'000);
  ASSERT_EQ(Unprocessed(), 1);  // stored while nobody serves it

  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_EQ(SuccessValue(result), "User r");
  EXPECT_EQ(entities_[2].handled.size(), 1u);
  EXPECT_EQ(state_.messages().message_count(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "does not lose an uninterruptible request during runner
// shutdown". The owner stops while the handler waits: the handler is cut
// after the termination timeout (the annotation makes the request run again,
// not its fiber uninterruptible), the request stays stored, and the next
// runner runs it to its one reply.
TEST_F(ShardingIntegrationTest, DoesNotLoseAnUninterruptibleRequestOnShutdown) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kPersistence,
                                "uninterruptible", "Uninterruptible", "u",
                                &result));
  ex_.RunForMs(1'000);
  ASSERT_EQ(persistence_.runs["Uninterruptible"], 1);

  bool stopped = false;
  owner.scope().Spawn(testing::ShutdownInto(&owner.sharding, &stopped));
  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_TRUE(stopped);
  EXPECT_EQ(persistence_.runs["Uninterruptible"], 2);
  EXPECT_FALSE(result.has_value());
  persistence_.gate.Open();
  ex_.RunForMs(2'000);
  EXPECT_EQ(persistence_.completed_uninterruptible, 1);
  EXPECT_EQ(SuccessValue(result), "uninterruptible:u");
  EXPECT_EQ(state_.messages().reply_count(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "abandons a stream chunk acknowledgement during shutdown without
// stranding either runner". The owner stops while the stream waits for its
// next value, which it sends during the stop (its acknowledgement cannot
// reach the stopping runner); the peer resumes the stream after the last
// stored chunk, every value reaches the caller once, and the entity serves
// new requests on the peer.
TEST_F(ShardingIntegrationTest, AbandonsAChunkAckDuringShutdown) {
  TestNode& owner = StartRunner(1);
  TestNode& peer = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> received;
  CallResult stream;
  peer.scope().Spawn(
      StreamInto(&peer.sharding, id, "StreamWithKey", id, &received, &stream));
  ex_.RunForMs(100);
  for (int value : {0, 1, 2}) entities_[1].stream_items.Push(value);
  ex_.RunForMs(100);
  ASSERT_EQ(received, (std::vector<std::string>{"0", "1", "2"}));

  bool stopped = false;
  owner.scope().Spawn(testing::ShutdownInto(&owner.sharding, &stopped));
  entities_[1].stream_items.Push(3);
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(stopped);
  ASSERT_TRUE(Owns(peer, id));
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  entities_[2].stream_items.Push(4);
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(stream), "");
  EXPECT_EQ(received, (std::vector<std::string>{"0", "1", "2", "3", "4"}));

  CallResult healthy;
  peer.scope().Spawn(
      CallInto(&peer.sharding, kTestEntity, id, "GetUser", "h", &healthy));
  ex_.RunForMs(1'000);
  EXPECT_EQ(SuccessValue(healthy), "User h");
}

// Effect: "persists typed failures and defects without wedging the
// mailbox". A typed failure and a defect (fatal defects off) are stored as
// the requests' replies: the same primary key again is answered from
// storage without running the handler, and the entity serves on.
TEST_F(ShardingIntegrationTest, PersistsFailuresAndDefectsWithoutWedging) {
  StartRunner(1);
  StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const auto call = [&](std::string tag, std::string payload) {
    CallResult result;
    client.scope().Spawn(CallInto(&client.sharding, kPersistence, "failures",
                                  std::move(tag), std::move(payload), &result));
    ex_.RunForMs(1'000);
    return SuccessValue(result);
  };
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(call("TypedFailure", "t"), "<failure: typed:t>");
    EXPECT_EQ(call("Defect", "d"), "<failure: defect:d>");
  }
  EXPECT_EQ(persistence_.runs["TypedFailure"], 1);
  EXPECT_EQ(persistence_.runs["Defect"], 1);
  EXPECT_EQ(call("Healthy", "h"), "healthy:h");
  EXPECT_EQ(state_.messages().message_count(), 3);
  EXPECT_EQ(state_.messages().reply_count(), 3);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "delivers scheduled messages only after their deadline".
TEST_F(ShardingIntegrationTest, DeliversScheduledMessagesAfterTheirDeadline) {
  StartRunner(1);
  StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const int64_t deliver_at_ms = ex_.NowMs() + 1'500;
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kPersistence, "scheduled",
                                "Scheduled", absl::StrCat(deliver_at_ms),
                                &result));
  ex_.RunForMs(1'000);
  EXPECT_EQ(persistence_.runs["Scheduled"], 0);
  EXPECT_EQ(Unprocessed(), 0);  // not yet deliverable
  ex_.RunForMs(2'000);
  ASSERT_EQ(persistence_.runs["Scheduled"], 1);
  int64_t delivered_at_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(SuccessValue(result), &delivered_at_ms))
      << SuccessValue(result);
  EXPECT_GE(delivered_at_ms, deliver_at_ms);
  EXPECT_EQ(state_.messages().reply_count(), 1);
}

// Effect: "resumes a persisted stream after its runner is killed". The only
// runner dies with the stream half sent; a new runner resumes it after the
// last stored chunk and the caller gets every value once.
TEST_F(ShardingIntegrationTest, ResumesAPersistedStreamAfterItsRunnerIsKilled) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  std::vector<std::string> received;
  CallResult stream;
  client.scope().Spawn(StreamInto(&client.sharding, "stream-restart",
                                  "StreamWithKey", "k", &received, &stream));
  ex_.RunForMs(100);
  for (int value : {0, 1}) entities_[1].stream_items.Push(value);
  ex_.RunForMs(100);
  ASSERT_EQ(received, (std::vector<std::string>{"0", "1"}));

  owner.Crash();
  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  for (int value : {2, 3, 4}) entities_[2].stream_items.Push(value);
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(stream), "");
  EXPECT_EQ(received, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect's Runners test "persisted notification transport failures are
// ignored": a persisted discard whose notification cannot reach the runner
// (the link is cut) succeeds, as the request is stored, and the runner
// serves it from storage (its poll; nothing was delivered).
TEST_F(ShardingIntegrationTest,
       PersistedNotificationTransportFailuresAreIgnored) {
  TestNode& runner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  network_.Partition(client.node(), runner.node());
  std::optional<absl::Status> sent;
  client.scope().Spawn(
      DiscardInto(&client.sharding, "notified", "GetUser", "n", &sent));
  // A cut link drops silently here (Effect's fake protocol fails at once):
  // the notification ends with its call's timeout.
  ex_.RunForMs(10'000);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok()) << *sent;
  ASSERT_EQ(entities_[1].handled.size(), 1u);
  EXPECT_EQ(entities_[1].handled[0].first, "GetUser");
  EXPECT_EQ(Unprocessed(), 0);
}

}  // namespace
}  // namespace clustersim::sharding
