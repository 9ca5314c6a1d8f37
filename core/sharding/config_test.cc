#include "core/sharding/config.h"

#include <gtest/gtest.h>

namespace clustersim::sharding {
namespace {

TEST(ShardingConfigTest, DefaultsMatchEffect) {
  ShardingConfig config;
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_EQ(config.shards_per_group, 300);
  EXPECT_EQ(config.max_resident_entities, 10'000);
  EXPECT_EQ(config.unprocessed_message_batch_size, 1024);
  EXPECT_EQ(config.entity_mailbox_capacity, 4096);
  EXPECT_EQ(config.shard_lock_interval_ms(), 10'000);  // min(10 s, 35 s / 3)
  EXPECT_EQ(config.runner_address->Key(), "localhost:34431");
}

TEST(ShardingConfigTest, LockIntervalIsAThirdOfExpirationWhenShorter) {
  ShardingConfig config;
  config.shard_lock_expiration_ms = 300;
  config.shard_lock_refresh_interval_ms = 1000;
  EXPECT_EQ(config.shard_lock_interval_ms(), 100);
}

TEST(ShardingConfigTest, RejectsZeroOrNegativeLimits) {
  for (int64_t bad : {0, -1}) {
    ShardingConfig a;
    a.max_resident_entities = bad;
    EXPECT_FALSE(a.Validate().ok()) << bad;
    ShardingConfig b;
    b.entity_mailbox_capacity = bad;
    EXPECT_FALSE(b.Validate().ok()) << bad;
    ShardingConfig c;
    c.shards_per_group = static_cast<int32_t>(bad);
    EXPECT_FALSE(c.Validate().ok()) << bad;
    ShardingConfig d;
    d.send_retry_interval_ms = bad;
    EXPECT_FALSE(d.Validate().ok()) << bad;
  }
  ShardingConfig e;
  e.runner_shard_weight = 0;
  EXPECT_FALSE(e.Validate().ok());
  ShardingConfig f;
  f.shard_lock_expiration_ms = 2;  // interval rounds to 0
  EXPECT_FALSE(f.Validate().ok());
  ShardingConfig unbounded;
  unbounded.max_resident_entities = std::nullopt;
  unbounded.entity_mailbox_capacity = std::nullopt;
  EXPECT_TRUE(unbounded.Validate().ok());
}

// Hardened mode's lease self-stop must leave time for at least one lock
// refresh: an expiration so short that the drift-shrunk, margin-less lease
// ends within one lock interval is refused; reference mode has no self-stop.
TEST(ShardingConfigTest, HardenedRejectsAnExpirationThatLeavesNoRoom) {
  ShardingConfig config;
  config.shard_lock_expiration_ms = 150;  // interval 50 ms, self-stop 47 ms
  config.mode = Mode::kHardened;
  EXPECT_EQ(config.shard_lock_interval_ms(), 50);
  EXPECT_EQ(config.lease_self_stop_after_us(), 47'029);
  const absl::Status refused = config.Validate();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("hardened"), std::string_view::npos)
      << refused;
  config.mode = Mode::kReference;
  EXPECT_TRUE(config.Validate().ok());
  // 160 ms leaves 56.8 ms against a 53 ms interval.
  config.mode = Mode::kHardened;
  config.shard_lock_expiration_ms = 160;
  EXPECT_TRUE(config.Validate().ok());
}

TEST(ShardingConfigTest, AssignedGroupsAreAvailableAndSorted) {
  ShardingConfig config;
  config.available_shard_groups = {"workflow", "default", "extra"};
  config.assigned_shard_groups = {"workflow", "missing", "default"};
  EXPECT_EQ(config.AssignedGroups(),
            (std::vector<std::string>{"default", "workflow"}));
}

TEST(ShardingConfigTest, ModeNamesRoundTrip) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    EXPECT_EQ(ParseMode(ModeName(mode)), mode);
  }
  EXPECT_EQ(ParseMode("Hardened"), std::nullopt);
}

}  // namespace
}  // namespace clustersim::sharding
