#include "core/cluster/shard_set.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "absl/container/btree_set.h"

namespace clustersim {
namespace {

TEST(ShardSetTest, MembershipAcrossGroupsAndLargeNumbers) {
  ShardSet set;
  EXPECT_FALSE(set.contains(ShardId("default", 1)));
  EXPECT_TRUE(set.insert(ShardId("default", 3)));
  EXPECT_FALSE(set.insert(ShardId("default", 3)));
  EXPECT_TRUE(set.insert(ShardId("other", 3)));
  EXPECT_TRUE(set.insert(ShardId("default", ShardSet::kMaxBitmapNumber + 9)));
  EXPECT_TRUE(set.contains(ShardId("default", 3)));
  EXPECT_TRUE(set.contains(ShardId("other", 3)));
  EXPECT_FALSE(set.contains(ShardId("other", 4)));
  EXPECT_FALSE(set.contains(ShardId("third", 3)));
  EXPECT_TRUE(set.contains(ShardId("default", ShardSet::kMaxBitmapNumber + 9)));
  EXPECT_EQ(set.erase(ShardId("default", 3)), 1u);
  EXPECT_EQ(set.erase(ShardId("default", 3)), 0u);
  EXPECT_FALSE(set.contains(ShardId("default", 3)));
  EXPECT_TRUE(set.contains(ShardId("other", 3)));
  set.clear();
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.contains(ShardId("other", 3)));
}

// Model check: any sequence of inserts, erases and clears leaves the same
// members, in the same order, as an absl::btree_set.
RC_GTEST_PROP(ShardSetProperty, MatchesOrderedSet, ()) {
  ShardSet set;
  absl::btree_set<ShardId> model;
  const std::vector<std::string> groups = {"default", "a", "default-long-name",
                                           "b:c"};
  const int ops = *rc::gen::inRange(1, 300);
  for (int op = 0; op < ops; ++op) {
    const ShardId shard(
        *rc::gen::elementOf(groups),
        *rc::gen::oneOf(rc::gen::inRange(1, 40),
                        rc::gen::just(ShardSet::kMaxBitmapNumber),
                        rc::gen::just(ShardSet::kMaxBitmapNumber + 1)));
    const int kind = *rc::gen::inRange(0, 20);
    if (kind < 11) {
      RC_ASSERT(set.insert(shard) == model.insert(shard).second);
    } else if (kind < 19) {
      RC_ASSERT(set.erase(shard) == model.erase(shard));
    } else {
      set.clear();
      model.clear();
    }
    RC_ASSERT(set.contains(shard) == model.contains(shard));
  }
  for (const std::string& group : groups) {
    for (int32_t number : {1, 2, 39, 40, ShardSet::kMaxBitmapNumber,
                           ShardSet::kMaxBitmapNumber + 1}) {
      const ShardId shard(group, number);
      RC_ASSERT(set.contains(shard) == model.contains(shard));
    }
  }
  RC_ASSERT(set.size() == model.size());
  RC_ASSERT(std::vector<ShardId>(set.begin(), set.end()) ==
            std::vector<ShardId>(model.begin(), model.end()));
}

}  // namespace
}  // namespace clustersim
