// Port of Effect's Sharding.test.ts "does not wait for entity construction
// before a forced shard release": a runner whose lock refresh hangs gives up
// its shard within the lock expiration although an entity of that shard is
// still being built, and the forced release (releaseAll) runs once the
// storage answers again.
//
// Effect's entity build is an effect the test blocks on a latch. A build
// here is a synchronous factory call, so an entity is "being built" while
// its factory fails and the spawn is retried with the defect backoff: the
// only state in which a spawn is in progress.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::CallInto;
using testing::CallResult;
using testing::kStartMs;
using testing::kTestEntity;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNode;

// Effect's test configuration: one shard, a 300 ms lock expiration (lock
// interval 100 ms) and fast polls.
ShardingConfig ForcedReleaseConfig() {
  ShardingConfig config = TestConfig(1234);
  config.shards_per_group = 1;
  config.shard_lock_expiration_ms = 300;
  config.shard_lock_refresh_interval_ms = 1'000;
  config.entity_termination_timeout_ms = 0;
  config.entity_message_poll_interval_ms = 10;
  config.refresh_assignments_interval_ms = 10;
  config.send_retry_interval_ms = 10;
  return config;
}

storage::StorageState::Options LeaseOptions() {
  storage::StorageState::Options options;
  options.runners.lock_expiration_ms = 300;
  return options;
}

class ShardingForcedReleaseTest : public ::testing::Test {
 protected:
  ShardingForcedReleaseTest() {
    EntityDefinition definition = TestEntityDefinition();
    EntityOptions options = definition.options();
    // A failed build is retried after 10 s: the spawn stays in progress
    // for the whole test (a retry would see the shard lost and give up).
    options.defect_backoff_us = [](int64_t) { return int64_t{10'000'000}; };
    definition.SetOptions(options);
    EntityFactory factory = TestEntityFactory(&entity_);
    EXPECT_TRUE(node_.sharding
                    .RegisterEntity(
                        std::move(definition),
                        [this, factory](EntityContext& context)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          ++build_attempts_;
                          if (build_blocked_) {
                            return absl::UnavailableError("build blocked");
                          }
                          return factory(context);
                        })
                    .ok());
    node_.sharding.Start();
  }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{LeaseOptions()};
  StaticRunnerResolver resolver_;
  TestEntityState entity_;
  bool build_blocked_ = false;
  int build_attempts_ = 0;
  TestNode node_{ex_,       state_,  ForcedReleaseConfig(),
                 NodeId{1}, nullptr, resolver_};
};

TEST_F(ShardingForcedReleaseTest, DoesNotWaitForEntityConstruction) {
  const ShardId shard = *node_.sharding.ShardFor(EntityId("1"), "default");
  while (!node_.sharding.HasShardId(shard)) ex_.RunForMs(10);
  // Past the first refresh that carries the shard.
  ex_.RunForMs(1'000);

  build_blocked_ = true;
  CallResult result;
  const FiberId caller = node_.scope().Spawn(CallInto(
      &node_.sharding, kTestEntity, "1", "GetUserVolatile", "1", &result));
  while (build_attempts_ == 0) ex_.RunForMs(1);

  node_.storage.ClearCalls();
  node_.storage.SetBlackhole(StorageOp::kRefresh, true);
  ex_.RunForMs(201);
  EXPECT_FALSE(node_.sharding.HasShardId(shard));
  // The entity was still being built meanwhile.
  EXPECT_EQ(build_attempts_, 1);
  EXPECT_EQ(entity_.builds, 0);

  node_.storage.SetBlackhole(StorageOp::kRefresh, false);
  ex_.RunForMs(1'000);
  EXPECT_EQ(node_.storage.CountOf(StorageOp::kReleaseAll), 1);

  build_blocked_ = false;
  ex_.RunForMs(1);
  node_.scope().Cancel(caller);
  ex_.RunForMs(100);
}

}  // namespace
}  // namespace clustersim::sharding
