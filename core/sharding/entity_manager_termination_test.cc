// EntityManager tests: idle reaping and keep-alive, shard interruption,
// graceful and forced termination and close (entity_manager_termination.cc).
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
using storage::Exit;

// --- Idle reaping and keep-alive
// ----------------------------------------------

TEST_F(EntityManagerTest, ReapsIdleEntities) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;  // reaper period 10 s
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(9'999);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  RunMs(1);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.stop").size(), 1u);
  EXPECT_EQ(host_.resident_, 0);
  EXPECT_EQ(host_.releases_, 1);
}

TEST_F(EntityManagerTest, ActiveRequestsAndRecentActivityPreventReaping) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "15000")).ok());
  RunMs(10'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));  // busy
  RunMs(10'000);  // finished at 15 s: idle for 5 s only
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
}

TEST_F(EntityManagerTest, NeverIdleEntitiesAreNotReaped) {
  EntityOptions options;
  options.max_idle_time_ms = kNeverIdle;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(3'600'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
}

TEST_F(EntityManagerTest, KeepAlivePreventsReapingUntilReleased) {
  EntityOptions options;
  options.max_idle_time_ms = 5'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "KeepAlive", "on")).ok());
  RunMs(0);
  ASSERT_EQ(host_.keep_alives_, std::vector<EntityAddress>{Addr("1")});
  // The host stores the keep-alive request; storage delivers it back.
  ASSERT_TRUE(SendStored(Request(2, kKeepAliveTag)).ok());
  RunMs(20'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_FALSE(StoredExit(2).has_value());  // parked
  ASSERT_TRUE(SendVolatile(Request(3, "KeepAlive", "off")).ok());
  RunMs(0);
  EXPECT_EQ(StoredExit(2), Exit::Success(""));
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
}

// --- Termination -----------------------------------------------------------

TEST_F(EntityManagerTest, GracefulShardInterruptWaitsForTheTerminationTimeout) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(1);
  host_.lost_.insert(ShardId("default", 1));
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(manager_->ActiveEntityCount(), 0);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(899);
  EXPECT_FALSE(*done);
  EXPECT_TRUE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(world_.interrupted, 0);
  EXPECT_EQ(host_.releases_, 0);
  EXPECT_TRUE(trace_.Of("entity.stop").empty());
  RunMs(101);
  EXPECT_TRUE(*done);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_EQ(host_.releases_, 1);
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(VolatileExit(1), InterruptExit());
}

TEST_F(EntityManagerTest, GracefulShardInterruptEndsWhenHandlersFinish) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "200")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(199);
  EXPECT_TRUE(*done);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));
  EXPECT_EQ(world_.interrupted, 0);
}

// Effect's forced termination closes the handler scope: a request annotated
// Uninterruptible is interrupted too (the annotation makes an interrupted
// persisted request re-run in place, not its fiber uninterruptible), and
// stays in storage for the shard's next owner.
// Effect's InterruptOnTermination: a graceful termination interrupts the
// annotated request at once (it stays in storage for the next owner) rather
// than waiting for it until the termination timeout.
// Effect's `concurrency: "unbounded"`: every request runs at once.
TEST_F(EntityManagerTest, UnboundedConcurrencyRunsEveryRequestAtOnce) {
  EntityOptions options;
  options.concurrency = kUnboundedConcurrency;
  options.mailbox_capacity = 50;
  Start(options);
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE(SendVolatile(Request(i, "Never")).ok());
  }
  RunMs(1);
  EXPECT_EQ(world_.running, 50);
}

TEST_F(EntityManagerTest, GracefulTerminationInterruptsAnnotatedRequests) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverT")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_FALSE(StoredExit(1).has_value());  // left in storage for the owner
  EXPECT_TRUE(*done);
}

TEST_F(EntityManagerTest, GracefulTerminationWaitsForUnannotatedRequests) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 0);
  EXPECT_FALSE(*done);
}

TEST_F(EntityManagerTest, ForcedShardInterruptCancelsUninterruptibleToo) {
  EntityOptions options;
  options.concurrency = 3;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendStored(Request(2, "NeverP")).ok());
  ASSERT_TRUE(SendStored(Request(3, "HoldU")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 3);
  EXPECT_EQ(VolatileExit(1), InterruptExit());
  EXPECT_FALSE(StoredExit(2).has_value());  // left in storage for the owner
  EXPECT_FALSE(StoredExit(3).has_value());
  EXPECT_TRUE(*done);
  EXPECT_EQ(host_.releases_, 1);
}

TEST_F(EntityManagerTest, ForceDuringAGracefulDrainEndsItEarly) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(1);
  auto graceful = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(100);
  EXPECT_FALSE(*graceful);
  auto forced = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*graceful);
  EXPECT_TRUE(*forced);
}

TEST_F(EntityManagerTest, InterruptShardOnlyTouchesThatShard) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never", "", Addr("1", 1))).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never", "", Addr("1", 2))).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*done);
  EXPECT_TRUE(manager_->IsResident(Addr("1", 2)));
  EXPECT_FALSE(manager_->IsResident(Addr("1", 1)));
}

TEST_F(EntityManagerTest, PersistedRequestsInterruptedByShutdownGetNoReply) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*done);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_EQ(world_.interrupted, 1);
}

TEST_F(EntityManagerTest, RetiredEntityStillTakesAcksAndInterrupts) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "2")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  ASSERT_FALSE(manager_->IsResident(Addr("1")));
  // New requests wait for the old activation to stop.
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendStored(Request(2, "GetUserP"))));
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(3, "GetUser"))));
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(1);
  ASSERT_EQ(StoredChunks().size(), 2u);
  ASSERT_TRUE(SendAck(1, StoredChunks()[1].id).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_TRUE(*done);
  // Now a new activation may start.
  EXPECT_TRUE(SendStored(Request(2, "GetUserP")).ok());
}

TEST_F(EntityManagerTest, CloseTerminatesEverythingAndRefusesRequests) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "300")).ok());
  RunMs(1);
  auto done = Spawn(manager_->Close());
  RunMs(1);
  EXPECT_EQ(manager_->state(), ManagerState::kClosing);
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(2, "GetUser", "", Addr("2")))));
  RunMs(300);
  EXPECT_TRUE(*done);
  EXPECT_EQ(manager_->state(), ManagerState::kClosed);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));  // drained gracefully
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(SendInterrupt(1)));
  EXPECT_EQ(host_.resident_, 0);
}

TEST_F(EntityManagerTest, SingleActivationEventsPairUpInOrder) {
  EntityOptions options;
  options.max_idle_time_ms = 5'000;
  Start(options);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(SendVolatile(Request(10 + round, "GetUser")).ok());
    RunMs(5'000);
  }
  ASSERT_TRUE(SendVolatile(Request(20, "Never", "", Addr("2"))).ok());
  auto done = Spawn(manager_->Close());
  RunMs(2'000);
  ASSERT_TRUE(*done);
  std::map<std::string, bool> alive;
  int starts = 0;
  for (const auto& [kind, detail] : trace_.events) {
    if (kind == "entity.start") {
      EXPECT_FALSE(alive[detail]) << "started twice: " << detail;
      alive[detail] = true;
      ++starts;
    } else if (kind == "entity.stop") {
      EXPECT_TRUE(alive[detail]) << "stopped while not alive: " << detail;
      alive[detail] = false;
    }
  }
  EXPECT_EQ(starts, 4);
  for (const auto& [detail, is_alive] : alive) EXPECT_FALSE(is_alive) << detail;
}

}  // namespace
}  // namespace clustersim::sharding
