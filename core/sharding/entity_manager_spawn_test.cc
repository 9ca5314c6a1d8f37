// EntityManager tests: spawning and admission, and restarting an entity
// after a defect (entity_manager_spawn.cc).
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
using entity_manager_testing::Failed;
using storage::CauseKind;
using storage::Exit;

// --- Spawning and admission -------------------------------------------------

TEST_F(EntityManagerTest, SpawnsOnFirstMessageAndSharesTheEntity) {
  Start();
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser", "1")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(manager_->ActiveEntityCount(), 1);
  EXPECT_EQ(host_.resident_, 1);
  RunMs(0);
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(VolatileExit(1), Exit::Success("User 1"));
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  EXPECT_EQ(trace_.Of("entity.start"),
            std::vector<std::string>{
                "EntityAddress(User, 1, default:1) runner=runner-a:7000"});
  EXPECT_EQ(manager_->ResidentAddresses(),
            std::vector<EntityAddress>{Addr("1")});
}

TEST_F(EntityManagerTest, RefusesShardsTheRunnerDoesNotHold) {
  Start();
  host_.lost_.insert(ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(1, "GetUser"))));
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(world_.builds, 0);
  EXPECT_EQ(host_.resident_, 0);
}

TEST_F(EntityManagerTest, ResidencyCapGivesMailboxFull) {
  host_.max_resident_ = 1;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never", "", Addr("1"))).ok());
  EXPECT_TRUE(IsClusterError<MailboxFull>(
      SendVolatile(Request(2, "GetUser", "", Addr("2")))));
  EXPECT_FALSE(manager_->IsResident(Addr("2")));
  // The resident entity still takes messages.
  EXPECT_TRUE(SendVolatile(Request(3, "GetUser", "", Addr("1"))).ok());
}

TEST_F(EntityManagerTest, FullMailboxGivesMailboxFull) {
  EntityOptions options;
  options.mailbox_capacity = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never")).ok());
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendVolatile(Request(3, "Never"))));
}

TEST_F(EntityManagerTest, AlreadyProcessingForActiveAndRecentlyProcessedIds) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  EXPECT_TRUE(IsClusterError<AlreadyProcessingMessage>(
      SendVolatile(Request(1, "Never"))));
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "2", Addr("2"))).ok());
  RunMs(0);
  ASSERT_EQ(StoredExit(2), Exit::Success("User 2"));
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(2)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2), false, true));
  EXPECT_TRUE(IsClusterError<AlreadyProcessingMessage>(
      SendStored(Request(2, "GetUserP", "2", Addr("2")))));
  manager_->ClearProcessed();
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2)));
  EXPECT_TRUE(SendStored(Request(2, "GetUserP", "2", Addr("2"))).ok());
}

TEST_F(EntityManagerTest, ConcurrencyOneSerialisesRequests) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "100")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Sleep", "100")).ok());
  RunMs(150);
  EXPECT_TRUE(VolatileExit(1).has_value());
  EXPECT_FALSE(VolatileExit(2).has_value());
  RunMs(100);
  EXPECT_TRUE(VolatileExit(2).has_value());
  EXPECT_EQ(world_.max_running, 1);
}

TEST_F(EntityManagerTest, ConcurrencyTwoOverlapsRequests) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "100")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Sleep", "100")).ok());
  RunMs(100);
  EXPECT_TRUE(VolatileExit(1).has_value());
  EXPECT_TRUE(VolatileExit(2).has_value());
  EXPECT_EQ(world_.max_running, 2);
}

// --- Defects
// -------------------------------------------------------------------

TEST_F(EntityManagerTest, RestartsTheEntityAfterAHandlerDefect) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "123")).ok());
  RunMs(0);
  EXPECT_FALSE(StoredExit(1).has_value());
  EXPECT_EQ(trace_.Of("entity.defect").size(), 1u);
  RunMs(499);  // the first defect backoff is 500 ms
  EXPECT_EQ(world_.builds, 1);
  RunMs(1);
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(StoredExit(1), Exit::Success("User 123"));
  // One activation throughout: a restart is not a stop.
  EXPECT_EQ(trace_.Of("entity.start").size(), 1u);
  EXPECT_TRUE(trace_.Of("entity.stop").empty());
}

TEST_F(EntityManagerTest, ReplaysInFlightRequestsWhenRestartingAfterADefect) {
  EntityOptions options;
  options.concurrency = 2;  // Effect's test forks NeverFork past the permit
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  EXPECT_EQ(world_.handled.size(), 1u);
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "123")).ok());
  RunMs(500);
  EXPECT_EQ(StoredExit(2), Exit::Success("User 123"));
  EXPECT_EQ(world_.builds, 2);
  RunMs(1);
  EXPECT_EQ(world_.handled, (std::vector<std::string>{"NeverP", "GetUserP",
                                                      "NeverP", "GetUserP"}));
  EXPECT_EQ(world_.interrupted, 1);  // the old NeverP
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
}

TEST_F(EntityManagerTest, RequestsDuringARestartWaitForTheNewHandler) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser", "1")).ok());
  RunMs(100);
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(100);
  EXPECT_FALSE(VolatileExit(2).has_value());
  RunMs(300);
  EXPECT_EQ(VolatileExit(1), Exit::Success("User 1"));
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"GetUser", "GetUser", "GetUser"}));
}

TEST_F(EntityManagerTest, ConcurrentDefectsRebuildOnce) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Die")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Die")).ok());
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.defect").size(), 2u);
  RunMs(500);
  EXPECT_EQ(world_.builds, 2);
  // The replays die again: the manager's schedule steps to 750 ms.
  RunMs(749);
  EXPECT_EQ(world_.builds, 2);
  RunMs(1);
  EXPECT_EQ(world_.builds, 3);
}

TEST_F(EntityManagerTest, DisableFatalDefectsRepliesTheDefect) {
  EntityOptions options;
  options.disable_fatal_defects = true;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Die")).ok());
  RunMs(0);
  EXPECT_EQ(VolatileExit(1), Failed(CauseKind::kDie, "always"));
  RunMs(10'000);
  EXPECT_EQ(world_.builds, 1);
}

TEST_F(EntityManagerTest, FailedBuildIsRetriedWithBackoff) {
  world_.build_failures = 2;
  Start();
  // While the build is retried the entity takes no requests.
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(1, "GetUser"))));
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendStored(Request(2, "GetUserP"))));
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(manager_->ActiveEntityCount(), 0);
  RunMs(500);  // second attempt fails: next try after 750 ms
  EXPECT_EQ(world_.builds, 0);
  RunMs(750);
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(trace_.Of("entity.start").size(), 1u);
  EXPECT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
}

// Effect's defectRetryPolicy replaces the default backoff.
TEST_F(EntityManagerTest, ADefectRetryPolicyReplacesTheDefaultBackoff) {
  EntityOptions options;
  options.defect_backoff_us = [](int64_t) { return int64_t{50'000}; };
  Start(options);
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "123")).ok());
  RunMs(49);
  EXPECT_EQ(world_.builds, 1);
  RunMs(1);
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(StoredExit(1), Exit::Success("User 123"));
}

TEST_F(EntityManagerTest, SpawnIsAbandonedWhenTheShardIsLostDuringTheBuild) {
  world_.build_failures = 1;
  Start();
  EXPECT_FALSE(SendVolatile(Request(1, "GetUser")).ok());
  host_.lost_.insert(ShardId("default", 1));
  RunMs(500);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(world_.builds, 0);
  EXPECT_EQ(host_.resident_, 0);
  EXPECT_TRUE(trace_.Of("entity.start").empty());
}

}  // namespace
}  // namespace clustersim::sharding
