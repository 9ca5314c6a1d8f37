#include "core/cluster/shard_routing.h"

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/cluster/unicode_testing.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

constexpr std::array<int32_t, 7> kShardCounts = {1,   2,    3,        8,
                                                 300, 1000, INT32_MAX};

// Math.abs(Hash.string(id) % n) + 1 computed by node with Effect 4.1.0, for
// each n in kShardCounts.
struct Golden {
  std::string entity_id;
  std::array<int32_t, 7> shard;
};

const Golden kGolden[] = {
    {"", {1, 2, 3, 6, 282, 382, 5382}},
    {"1", {1, 1, 2, 5, 257, 557, 177557}},
    {"2", {1, 2, 2, 8, 260, 560, 177560}},
    {"abc", {1, 2, 2, 6, 242, 942, 193415942}},
    {"hello", {1, 2, 2, 8, 8, 8, 181380008}},
    {"\xC3\xA9", {1, 1, 2, 5, 185, 485, 177485}},
    {"\xF0\x9F\x98\x80", {1, 1, 1, 1, 1, 801, 5191801}},
    // Negative hashes: the remainder is negative and its magnitude is used.
    {"shard-0", {1, 1, 1, 5, 49, 949, 146079949}},
    {"shard-2", {1, 1, 3, 3, 15, 515, 779917515}},
    {"shard-3", {1, 2, 3, 2, 258, 58, 711554058}},
    {"shard-4", {1, 1, 3, 1, 153, 753, 713388753}},
    {"localhost:1234:128", {1, 2, 1, 2, 22, 722, 1021391722}},
    {"\xC3\xB1"
     "and\xC3\xBA",
     {1, 2, 1, 6, 262, 62, 52169062}},
    {"a\xF0\x9F\x98\x80"
     "b",
     {1, 2, 3, 4, 108, 708, 1030935708}},
    {"\xF4\x8F\xBF\xBF", {1, 2, 3, 6, 6, 606, 5205606}},
    {std::string(1000, 'x'), {1, 2, 2, 6, 14, 814, 422167814}},
};

TEST(ShardNumberForTest, MatchesEffectGoldenValues) {
  for (const Golden& g : kGolden) {
    for (size_t i = 0; i < kShardCounts.size(); ++i) {
      absl::StatusOr<int32_t> shard =
          ShardNumberFor(EntityId(g.entity_id), kShardCounts[i]);
      ASSERT_TRUE(shard.ok()) << shard.status();
      EXPECT_EQ(*shard, g.shard[i])
          << "id \"" << g.entity_id << "\", " << kShardCounts[i] << " shards";
    }
  }
}

TEST(ShardNumberForTest, SemanticsGoldenValues) {
  // effect-semantics.md §2.2.
  EXPECT_EQ(*ShardNumberFor(EntityId("1"), 300), 257);
  EXPECT_EQ(*ShardNumberFor(EntityId("2"), 300), 260);
  EXPECT_EQ(*ShardNumberFor(EntityId("abc"), 300), 242);
  EXPECT_EQ(*ShardNumberFor(EntityId("1"), 8), 5);
}

TEST(ShardNumberForTest, RejectsBadInput) {
  for (int32_t n : {0, -1, INT32_MIN}) {
    absl::StatusOr<int32_t> shard = ShardNumberFor(EntityId("a"), n);
    ASSERT_FALSE(shard.ok());
    EXPECT_EQ(shard.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ShardNumberFor(EntityId("a"), 0).status().message(),
            "shards per group must be positive, got 0");
  absl::StatusOr<int32_t> bad_utf8 = ShardNumberFor(EntityId("\xFF"), 300);
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.status().message(), "invalid UTF-8 at byte offset 0");
}

TEST(ShardIdForTest, CombinesGroupAndNumber) {
  absl::StatusOr<ShardId> shard = ShardIdFor(EntityId("1"), "default", 300);
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(*shard, ShardId("default", 257));
  EXPECT_EQ(shard->ToString(), "default:257");
  EXPECT_FALSE(ShardIdFor(EntityId("1"), "default", 0).ok());
}

RC_GTEST_PROP(ShardNumberForTest, AlwaysWithinOneToN, ()) {
  const std::string id = *testing::Utf8Text();
  const int32_t n = *rc::gen::inRange<int32_t>(1, INT32_MAX);
  absl::StatusOr<int32_t> shard = ShardNumberFor(EntityId(id), n);
  RC_ASSERT(shard.ok());
  RC_ASSERT(*shard >= 1);
  RC_ASSERT(*shard <= n);
}

RC_GTEST_PROP(ShardNumberForTest, ArbitraryBytesGiveAShardOrAnError, ()) {
  const std::string bytes = *rc::gen::arbitrary<std::string>();
  const int32_t n = *rc::gen::inRange<int32_t>(1, 1000);
  absl::StatusOr<int32_t> shard = ShardNumberFor(EntityId(bytes), n);
  if (shard.ok()) {
    RC_ASSERT(*shard >= 1 && *shard <= n);
  } else {
    RC_ASSERT(shard.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace clustersim
