#include "core/cluster/singleton_address.h"

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(SingletonAddressTest, EqualityCoversNameAndShard) {
  const SingletonAddress a("cron", ShardId("default", 3));
  EXPECT_EQ(a, SingletonAddress("cron", ShardId("default", 3)));
  EXPECT_NE(a, SingletonAddress("cron", ShardId("default", 4)));
  EXPECT_NE(a, SingletonAddress("other", ShardId("default", 3)));
  EXPECT_EQ(a.name(), "cron");
  EXPECT_EQ(a.shard_id(), ShardId("default", 3));
  absl::flat_hash_set<SingletonAddress> hashed{a, a};
  EXPECT_EQ(hashed.size(), 1u);
  absl::btree_set<SingletonAddress> ordered{
      SingletonAddress("a", ShardId("g", 2)),
      SingletonAddress("z", ShardId("g", 1))};
  EXPECT_EQ(ordered.begin()->name(), "z");
}

}  // namespace
}  // namespace clustersim
