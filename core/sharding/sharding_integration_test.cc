// Ports of Effect's cluster-integration tests on placement: shard groups,
// rebalancing as runners come, stop and die, and lock faults without split
// brain. The in-process world, its entities and the fixture are in
// sharding_integration_testing.h; delivery across runner failures is in
// sharding_integration_delivery_test.cc, entity state, mailboxes and
// residency in sharding_integration_entities_test.cc.
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

using integration_testing::kGrouped;
using integration_testing::kLeaseMs;
using integration_testing::kState;
using integration_testing::ShardingIntegrationTest;
using testing::CallInto;
using testing::CallResult;
using testing::SuccessValue;
using testing::TestNode;

// Effect: "assigns annotated entities only to runners in their shard group".
TEST_F(ShardingIntegrationTest, AssignsAnnotatedEntitiesOnlyToTheirShardGroup) {
  ShardingConfig default_only = Config(1);
  default_only.available_shard_groups = {"default", "special"};
  default_only.assigned_shard_groups = {"default"};
  ShardingConfig special_only = Config(2);
  special_only.available_shard_groups = {"default", "special"};
  special_only.assigned_shard_groups = {"special"};
  TestNode& default_runner = StartRunner(1, default_only);
  TestNode& special_runner = StartRunner(2, special_only);
  ex_.RunForMs(2'000);

  for (TestNode* caller : {&default_runner, &special_runner}) {
    CallResult grouped, plain;
    caller->scope().Spawn(CallInto(&caller->sharding, kGrouped, "grouped",
                                   "Runner", "", &grouped));
    caller->scope().Spawn(
        CallInto(&caller->sharding, kGrouped, "default", "Runner", "", &plain));
    ex_.RunForMs(100);
    EXPECT_EQ(SuccessValue(grouped), "localhost:2");
    EXPECT_EQ(SuccessValue(plain), "localhost:1");
  }
  // Each runner holds only its group's shards.
  for (const ShardId& shard : default_runner.sharding.acquired_shards()) {
    EXPECT_EQ(shard.group(), "default") << shard;
  }
  for (const ShardId& shard : special_runner.sharding.acquired_shards()) {
    EXPECT_EQ(shard.group(), "special") << shard;
  }
  EXPECT_EQ(default_runner.sharding.acquired_shards().size(), 30u);
  EXPECT_EQ(special_runner.sharding.acquired_shards().size(), 30u);
}

// Effect: "rebalances on runner addition, graceful stop, and abrupt death".
TEST_F(ShardingIntegrationTest, RebalancesOnAdditionGracefulStopAndDeath) {
  TestNode& first = StartRunner(1);
  TestNode& second = StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const auto owner_of = [&](const std::string& id) -> int32_t {
    for (const auto& [port, node] : nodes_) {
      if (port != 9 && Owns(*node, id)) return port;
    }
    return 0;
  };
  std::map<std::string, int32_t> before;
  for (int i = 0; i < 200; ++i) {
    const std::string id = absl::StrCat("moving-", i);
    before[id] = owner_of(id);
  }
  const auto increment = [&](const std::string& id) {
    CallResult result;
    client.scope().Spawn(
        CallInto(&client.sharding, kState, id, "Increment", "", &result));
    ex_.RunForMs(1'000);
    return SuccessValue(result);
  };

  // Addition: some entity moves to the new runner and is served there.
  TestNode& added = StartRunner(3);
  ex_.RunForMs(3 * kLeaseMs);
  std::string moved_id;
  for (const auto& [id, old] : before) {
    if (old != 3 && owner_of(id) == 3) {
      moved_id = id;
      break;
    }
  }
  ASSERT_FALSE(moved_id.empty());
  EXPECT_EQ(increment(moved_id),
            absl::StrCat(added.sharding.runner_address().Key(), " 1 1"));

  // Graceful stop: a request in flight on the stopping runner is handed to
  // the next owner, which answers it.
  const std::string stop_id = IdOwnedBy(first);
  ASSERT_FALSE(stop_id.empty());
  CallResult handed_over;
  client.scope().Spawn(CallInto(&client.sharding, kState, stop_id, "Ordered",
                                "1", &handed_over));
  ex_.RunForMs(100);
  ASSERT_EQ(standard_.ordered_entered, 1);
  bool stopped = false;
  first.scope().Spawn(testing::ShutdownInto(&first.sharding, &stopped));
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_TRUE(stopped);
  const int32_t next_owner = owner_of(stop_id);
  EXPECT_TRUE(next_owner == 2 || next_owner == 3) << next_owner;
  standard_.order_gate.Open();
  ex_.RunForMs(1'000);
  EXPECT_EQ(standard_.ordered_entered, 2);  // run again by the next owner
  EXPECT_EQ(SuccessValue(handed_over), "1");

  // Abrupt death: the dead runner's entity is served elsewhere.
  const std::string kill_id = IdOwnedBy(second);
  ASSERT_FALSE(kill_id.empty());
  second.Crash();
  CallResult after_death;
  client.scope().Spawn(CallInto(&client.sharding, kState, kill_id, "Increment",
                                "", &after_death));
  ex_.RunForMs(4 * kLeaseMs);
  EXPECT_EQ(SuccessValue(after_death),
            absl::StrCat(added.sharding.runner_address().Key(), " 1 1"));
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect's Locks tests "rebuilds a blackholed reserved lock connection and
// rejoins without split brain" (every lock operation of the runner hangs)
// and "keeps peers progressing when a lock query is permanently stuck" (its
// refresh hangs): the faulted runner drops its shards, a peer takes them
// over, no shard ever has two holders, and once the fault clears the faulted
// runner rejoins. (Effect's reserved-connection rebuild has no counterpart:
// there are no connections here.)
class LockFaultTest : public ShardingIntegrationTest,
                      public ::testing::WithParamInterface<bool> {
 protected:
  std::vector<StorageOp> FaultedOps() const {
    if (GetParam()) return {StorageOp::kRefresh};
    return {StorageOp::kAcquire, StorageOp::kRefresh, StorageOp::kRelease,
            StorageOp::kReleaseAll};
  }
  // Runs `ms`, failing if a shard is ever held by both runners.
  void RunWithoutSplitBrain(TestNode& a, TestNode& b, int64_t ms) {
    for (int64_t elapsed_ms = 0; elapsed_ms < ms; elapsed_ms += 50) {
      ex_.RunForMs(50);
      for (const ShardId& shard : a.sharding.acquired_shards()) {
        ASSERT_FALSE(b.sharding.acquired_shards().contains(shard))
            << shard << " held twice";
      }
    }
  }
};

TEST_P(LockFaultTest, PeersTakeOverWithoutSplitBrainAndTheRunnerRejoins) {
  ShardingConfig faulted_config = Config(1);
  faulted_config.shards_per_group = 4;
  TestNode& faulted = StartRunner(1, faulted_config);
  ex_.RunForMs(2'000);
  ASSERT_EQ(faulted.sharding.acquired_shards().size(), 4u);

  for (StorageOp op : FaultedOps()) faulted.storage.SetBlackhole(op, true);
  ShardingConfig peer_config = Config(2);
  peer_config.shards_per_group = 4;
  TestNode& peer = StartRunner(2, peer_config);
  RunWithoutSplitBrain(faulted, peer, 4 * kLeaseMs);
  EXPECT_TRUE(faulted.sharding.acquired_shards().empty());
  EXPECT_FALSE(peer.sharding.acquired_shards().empty());

  for (StorageOp op : FaultedOps()) faulted.storage.SetBlackhole(op, false);
  RunWithoutSplitBrain(faulted, peer, 4 * kLeaseMs);
  EXPECT_FALSE(faulted.sharding.acquired_shards().empty());
  EXPECT_EQ(faulted.sharding.acquired_shards().size() +
                peer.sharding.acquired_shards().size(),
            4u);
}

INSTANTIATE_TEST_SUITE_P(BlackholedOrStuckRefresh, LockFaultTest,
                         ::testing::Bool());

}  // namespace
}  // namespace clustersim::sharding
