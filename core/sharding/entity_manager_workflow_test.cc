// EntityManager tests: what the workflow engine relies on (forked requests,
// activation state and finalizers, interrupt reasons, transactional replies).
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
using entity_manager_testing::AwaitInto;
using entity_manager_testing::EntityManagerTest;
using storage::Exit;

// --- Workflow-engine prerequisites
// --------------------------------------------

TEST_F(EntityManagerTest, ForkedRequestHoldsNoConcurrencyPermit) {
  Start();  // concurrency 1
  ASSERT_TRUE(SendVolatile(Request(1, "HoldF")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(0);
  // The forked request waits; the other one was answered meanwhile.
  EXPECT_FALSE(VolatileExit(1).has_value());
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, UnforkedWaitingRequestBlocksConcurrencyOne) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(0);
  EXPECT_FALSE(VolatileExit(2).has_value());
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
}

TEST_F(EntityManagerTest, ActivationStateSurvivesADefectRebuild) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "1")).ok());
  RunMs(500);  // the defect, the 500 ms backoff, the rebuild
  EXPECT_EQ(world_.builds, 2);
  // The second build found the first one's activation state.
  EXPECT_EQ(world_.activation_builds, 2);
  EXPECT_TRUE(world_.activation_ends.empty());
  EXPECT_EQ(StoredExit(1), Exit::Success("User 1"));
}

TEST_F(EntityManagerTest, ActivationFinalizerRunsAbandonedOnShardLoss) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  EXPECT_TRUE(world_.activation_ends.empty());
  bool done = false;
  root_.Spawn(
      AwaitInto(manager_->InterruptShard(ShardId("default", 1), false), &done));
  RunMs(0);
  ASSERT_TRUE(done);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
  // A new activation starts with fresh state.
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(0);
  EXPECT_EQ(world_.activation_builds, 1);
}

TEST_F(EntityManagerTest, ActivationFinalizerOfAReapedEntityIsNotAbandoned) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(0);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{false});
}

TEST_F(EntityManagerTest, ActivationFinalizerRunsAbandonedOnClose) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool done = false;
  root_.Spawn(AwaitInto(manager_->Close(), &done));
  RunMs(0);
  ASSERT_TRUE(done);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

// Effect awaits the handler scope's finalizer effects before the entity's
// close latch opens, so a shard release waits for them (forced or not: the
// force only cuts the drain of the handlers).
TEST_F(EntityManagerTest, AsyncActivationFinalizerIsAwaitedByTheRelease) {
  world_.async_finalizer_ms = 1'000;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool done = false;
  root_.Spawn(
      AwaitInto(manager_->InterruptShard(ShardId("default", 1), true), &done));
  RunMs(999);
  EXPECT_TRUE(world_.async_finalizer_started);
  EXPECT_FALSE(done);
  EXPECT_TRUE(manager_->HasServers(ShardId("default", 1)));
  RunMs(1);
  ASSERT_TRUE(done);
  EXPECT_TRUE(world_.async_finalizer_ended);
  // Last registered first: the synchronous finalizer ran after it.
  EXPECT_EQ(world_.sync_finalizers_before_async_end, 0u);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

// Hardened mode's self-stop does not wait: the entity is gone at once, the
// synchronous finalizer has run, the asynchronous one runs on its own.
TEST_F(EntityManagerTest, AsyncActivationFinalizerIsNotAwaitedByASelfStop) {
  world_.async_finalizer_ms = 1'000;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  manager_->StopShardNow(ShardId("default", 1));
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
  RunMs(0);
  EXPECT_TRUE(world_.async_finalizer_started);
  RunMs(1'000);
  EXPECT_TRUE(world_.async_finalizer_ended);
}

TEST_F(EntityManagerTest, ActivationScopeFibersSurviveARebuild) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool woke = false;
  world_.context->activation_scope().Spawn(
      [](bool* woke) -> Task<void> {
        co_await SleepMs(1'000);
        *woke = true;
      }(&woke),
      "test-activation-fiber");
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(600);
  ASSERT_EQ(world_.builds, 2);
  RunMs(400);
  EXPECT_TRUE(woke);
}

TEST_F(EntityManagerTest, HandlerSeesAClientAbort) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(0);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(0);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kClientAbort});
}

TEST_F(EntityManagerTest, HandlerSeesAnAbandonOnShardLoss) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(0);
  root_.Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(0);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kAbandon});
}

TEST_F(EntityManagerTest, HandlerSeesAnAbandonOnHardenedSelfStop) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverU")).ok());
  RunMs(0);
  manager_->StopShardNow(ShardId("default", 1));
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kAbandon});
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

TEST_F(EntityManagerTest, HandlerSeesARestart) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(500);
  ASSERT_EQ(world_.builds, 2);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kRestart});
}

TEST_F(EntityManagerTest, FailedTransactionalReplyRestartsAndReplays) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "TxP", "tx")).ok());
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.reply_rolled_back").size(), 1u);
  EXPECT_FALSE(StoredExit(1).has_value());
  RunMs(500);  // the defect backoff, then the replay
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(world_.handled, (std::vector<std::string>{"TxP", "TxP"}));
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), false, true));
}

TEST_F(EntityManagerTest, TransactionalReplyFoundStoredCompletes) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("timed out"));
  host_.stored_exit_anyway_ = true;
  ASSERT_TRUE(SendStored(Request(1, "TxP", "tx")).ok());
  RunMs(1'000);
  EXPECT_TRUE(trace_.Of("entity.reply_rolled_back").empty());
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(world_.handled, std::vector<std::string>{"TxP"});
  // Completed: only the recently-processed set still knows it.
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), true, false));
}

TEST_F(EntityManagerTest, DynamicLeavesOtherPayloadsWithoutTransaction) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "TxP", "plain")).ok());
  RunMs(1'000);
  // Effect's wedge without the annotation: no restart, no replay.
  EXPECT_TRUE(trace_.Of("entity.reply_rolled_back").empty());
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(trace_.Of("entity.reply_lost").size(), 1u);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
}

}  // namespace
}  // namespace clustersim::sharding
