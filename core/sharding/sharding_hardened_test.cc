// Sharding's hardened-mode retries of storage writes that Effect gives up on
// (effect-semantics.md §14.1, §14.5), each next to Effect's behaviour
// (reference mode): the final reply's save, its lock confirmation, the claim
// reset when a reply is left to the shard's owner, and the read loop's claim
// release for a message it skips. One runner on
// in-process storage of the same mode, virtual time; a TestStorage injects
// the storage failures.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/cluster/shard_routing.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::CallResult;
using testing::CallTestEntity;
using testing::kStartMs;
using testing::kTestEntity;
using testing::StartTestEntityRunner;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestEntityState;
using testing::TestNode;

storage::StorageState::Options StorageOptionsFor(Mode mode) {
  storage::StorageState::Options options;
  options.mode = mode == Mode::kHardened ? storage::StorageMode::kHardened
                                         : storage::StorageMode::kReference;
  return options;
}

const absl::Status kStorageDown = absl::UnavailableError("storage down");

class ShardingHardenedTest : public ::testing::TestWithParam<Mode> {
 protected:
  ShardingHardenedTest() : state_(StorageOptionsFor(GetParam())) {
    config_.mode = GetParam();
  }

  bool hardened() const { return GetParam() == Mode::kHardened; }

  TestNode& StartNode() {
    return StartTestEntityRunner(node_, ex_, state_, config_, resolver_,
                                 &entity_);
  }

  void Call(std::string id, std::string tag, std::string payload,
            CallResult* out) {
    CallTestEntity(*node_, std::move(id), std::move(tag), std::move(payload),
                   out);
  }

  int64_t Replies() const { return state_.messages().reply_count(); }
  int64_t Events(std::string_view kind) { return node_->trace().Count(kind); }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_;
  StaticRunnerResolver resolver_;
  ShardingConfig config_ = TestConfig();
  TestEntityState entity_;
  std::unique_ptr<TestNode> node_;
};

// The final reply's save fails for 3 s. Effect retries 4 times 200 ms apart,
// then gives up: the request stays in the mailbox without a reply
// (entity.reply_lost), even after storage recovers. Hardened mode retries
// until the write lands.
TEST_P(ShardingHardenedTest, ReplySaveIsRetriedUntilItLands) {
  TestNode& node = StartNode();
  node.storage.SetFailure(StorageOp::kSaveReply, kStorageDown);
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(3'000);
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(Replies(), 0);
  node.storage.SetFailure(StorageOp::kSaveReply, absl::OkStatus());
  ex_.RunForMs(3'000);

  if (hardened()) {
    EXPECT_EQ(SuccessValue(result), "User 1");
    EXPECT_EQ(Replies(), 1);
    EXPECT_EQ(Events("entity.reply_lost"), 0);
    // Failed at 0, 100, 300, 700 and 1 500 ms; the sixth, at 3.1 s, landed.
    EXPECT_EQ(node.storage.CountOf(StorageOp::kSaveReply), 6);
  } else {
    EXPECT_FALSE(result.has_value());
    EXPECT_EQ(Replies(), 0);
    EXPECT_EQ(Events("entity.reply_lost"), 1);
    EXPECT_EQ(node.storage.CountOf(StorageOp::kSaveReply), 5);
  }
}

// The final reply's save lands but its answer is lost (the caller sees a
// storage error). Effect's retry then hits the duplicate key and, after its
// retries, leaves the request wedged (entity.reply_lost). Hardened storage
// answers the retry with AlreadyStored, which the runner takes as done.
TEST_P(ShardingHardenedTest, RetriedReplyWhoseFirstAttemptLandedIsDone) {
  TestNode& node = StartNode();
  node.storage.LoseSaveReplyResponses(1, kStorageDown);
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(3'000);
  EXPECT_EQ(Replies(), 1);  // the first attempt's
  if (hardened()) {
    EXPECT_EQ(SuccessValue(result), "User 1");
    EXPECT_EQ(Events("entity.reply_lost"), 0);
    // Its own reply, not another run's (AlreadyReplied would abandon it).
    EXPECT_EQ(Events("entity.reply_abandoned"), 0);
    EXPECT_EQ(node.storage.CountOf(StorageOp::kSaveReply), 2);
  } else {
    EXPECT_EQ(Events("entity.reply_lost"), 1);
    EXPECT_EQ(node.storage.CountOf(StorageOp::kSaveReply), 5);
  }
}

// The refresh that confirms the lock before the final reply fails with a
// storage error for 1 s. Effect takes that as a lost lock and leaves the
// request to the shard's owner (sharding.reply_fenced), which is this very
// runner. Hardened mode retries the confirmation and stores the reply.
TEST_P(ShardingHardenedTest, FailedLockConfirmationIsRetried) {
  TestNode& node = StartNode();
  node.storage.SetFailure(StorageOp::kRefresh, kStorageDown);
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(1'000);
  EXPECT_EQ(Replies(), 0);
  if (!hardened()) {
    EXPECT_GE(Events("sharding.reply_fenced"), 1);
    EXPECT_FALSE(result.has_value());
    return;
  }
  EXPECT_EQ(Events("sharding.reply_fenced"), 0);
  EXPECT_GE(node.storage.CountOf(StorageOp::kRefresh), 3);
  node.storage.SetFailure(StorageOp::kRefresh, absl::OkStatus());
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(result), "User 1");
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Events("sharding.reply_fenced"), 0);
  EXPECT_EQ(entity_.handled.size(), 1u);  // the handler ran once
}

// Storage lost the runner's lock on the request's shard, so the final reply
// is left to the owner, and resetting the request's read claim fails for
// 1 s. Effect tries once (the claim then hides the request for 10 minutes);
// hardened mode retries the reset until it lands.
TEST_P(ShardingHardenedTest, FailedResetWhenLeavingToTheOwnerIsRetried) {
  TestNode& node = StartNode();
  const ShardId shard =
      *ShardIdFor(EntityId("1"), "default", config_.shards_per_group);
  state_.Release(*config_.runner_address, shard);
  node.storage.SetFailure(StorageOp::kResetRequests, kStorageDown);
  node.storage.ClearCalls();
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(1'000);
  EXPECT_EQ(Events("sharding.reply_fenced"), 1);
  EXPECT_EQ(Replies(), 0);
  if (!hardened()) {
    EXPECT_EQ(node.storage.CountOf(StorageOp::kResetRequests), 1);
    return;
  }
  // At 0, 100, 300 and 700 ms.
  EXPECT_EQ(node.storage.CountOf(StorageOp::kResetRequests), 4);
  node.storage.SetFailure(StorageOp::kResetRequests, absl::OkStatus());
  ex_.RunForMs(2'000);
  // The fifth, at 1.5 s, landed; nothing more was tried.
  EXPECT_EQ(node.storage.CountOf(StorageOp::kResetRequests), 5);
}

// The read loop's read returns a message whose shard this runner lost while
// the read was in flight (skip case (a)). Effect skips it and leaves its
// claim, so the shard's new owner cannot read it for 10 minutes; hardened
// mode releases the claim (a ResetRequests of its id) after the pass.
TEST_P(ShardingHardenedTest,
       SkippedMessageOfAReleasedShardHasItsClaimReleased) {
  TestNode& node = StartNode();
  const ShardId shard =
      *ShardIdFor(EntityId("1"), "default", config_.shards_per_group);
  const RunnerAddress other("localhost", 9999);
  // The next poll (5 s) hangs in storage with the message in its answer.
  node.storage.SetBlackhole(StorageOp::kUnprocessedMessages, true);
  const storage::Request request{
      Snowflake(1'000),
      EntityAddress(kTestEntity, EntityId("1"), shard),
      "GetUser",
      "1",
      {},
      std::nullopt,
      std::nullopt};
  ASSERT_TRUE(state_.SaveRequest(request).ok());
  ex_.RunForMs(6'000);
  ASSERT_GE(node.storage.CountOf(StorageOp::kUnprocessedMessages), 1);
  // Meanwhile another runner takes the shard; the next lock refresh (at
  // 10 s) tells this runner.
  state_.Release(*config_.runner_address, shard);
  ASSERT_EQ(state_.Acquire(other, {shard}, ex_.NowMs())->size(), 1u);
  ex_.RunForMs(5'000);
  ASSERT_FALSE(node.sharding.acquired_shards().contains(shard));

  node.storage.ClearCalls();
  node.storage.SetBlackhole(StorageOp::kUnprocessedMessages, false);
  ex_.RunForMs(10);
  EXPECT_TRUE(entity_.handled.empty());
  EXPECT_EQ(node.storage.CountOf(StorageOp::kResetRequests),
            hardened() ? 1 : 0);
  // What the shard's new owner reads now.
  const storage::UnprocessedQuery query{{shard}, std::nullopt, std::nullopt};
  absl::StatusOr<std::vector<storage::StoredMessage>> seen =
      state_.UnprocessedMessages(query, ex_.NowMs(), ex_.NowMs());
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->size(), hardened() ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, ShardingHardenedTest,
                         ::testing::Values(Mode::kReference, Mode::kHardened),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(ModeName(info.param));
                         });

}  // namespace
}  // namespace clustersim::sharding
