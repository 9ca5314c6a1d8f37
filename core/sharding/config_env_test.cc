#include "core/sharding/config_env.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/sharding/config_env_test_vectors.h"
#include "core/sharding/entity.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

using ::clustersim::testing::ConfigEnvVector;
using ::clustersim::testing::kConfigEnvVectors;

std::string Ms(int64_t ms) {
  return ms == kNeverIdle ? "Infinity" : absl::StrCat(ms);
}

std::string Groups(const std::vector<std::string>& groups) {
  std::vector<std::string> quoted;
  for (const std::string& g : groups)
    quoted.push_back(absl::StrCat("\"", g, "\""));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

// The config's fields in Effect's names and the vectors' notation.
std::vector<std::pair<std::string, std::string>> EffectFields(
    const ShardingConfig& c) {
  return {
      {"runnerAddress", c.runner_address->Key()},
      {"runnerShardWeight", absl::StrCat(c.runner_shard_weight)},
      {"availableShardGroups", Groups(c.available_shard_groups)},
      {"assignedShardGroups", Groups(c.assigned_shard_groups)},
      {"shardsPerGroup", absl::StrCat(c.shards_per_group)},
      {"shardLockRefreshInterval", Ms(c.shard_lock_refresh_interval_ms)},
      {"shardLockExpiration", Ms(c.shard_lock_expiration_ms)},
      {"preemptiveShutdown", c.preemptive_shutdown ? "true" : "false"},
      {"entityMailboxCapacity", absl::StrCat(*c.entity_mailbox_capacity)},
      {"entityMailboxMetrics", c.entity_mailbox_metrics ? "true" : "false"},
      {"maxResidentEntities", absl::StrCat(*c.max_resident_entities)},
      {"unprocessedMessageBatchSize",
       absl::StrCat(c.unprocessed_message_batch_size)},
      {"entityMaxIdleTime", Ms(c.entity_max_idle_time_ms)},
      {"entityRegistrationTimeout", Ms(c.entity_registration_timeout_ms)},
      {"entityTerminationTimeout", Ms(c.entity_termination_timeout_ms)},
      {"entityMessagePollInterval", Ms(c.entity_message_poll_interval_ms)},
      {"entityReplyPollInterval", Ms(c.entity_reply_poll_interval_ms)},
      {"sendRetryInterval", Ms(c.send_retry_interval_ms)},
      {"refreshAssignmentsInterval", Ms(c.refresh_assignments_interval_ms)},
      {"runnerJoinDebounce", Ms(c.runner_join_debounce_ms)},
      {"runnerHealthCheckInterval", Ms(c.runner_health_check_interval_ms)},
      {"simulateRemoteSerialization",
       c.simulate_remote_serialization ? "true" : "false"},
  };
}

// "field=value ..." for the fields that differ from the defaults.
std::string Changed(const ShardingConfig& config) {
  const auto defaults = EffectFields(ShardingConfig());
  const auto fields = EffectFields(config);
  std::vector<std::string> changed;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].second != defaults[i].second) {
      changed.push_back(absl::StrCat(fields[i].first, "=", fields[i].second));
    }
  }
  return absl::StrJoin(changed, " ");
}

// Effect's fields with no counterpart here (checked, then dropped).
std::string WithoutInapplicable(absl::string_view effect_changed) {
  std::vector<std::string> kept;
  for (absl::string_view field :
       absl::StrSplit(effect_changed, ' ', absl::SkipEmpty())) {
    if (absl::StartsWith(field, "runnerListenAddress=") ||
        absl::StartsWith(field, "shardLockDisableAdvisory=")) {
      continue;
    }
    kept.emplace_back(field);
  }
  return absl::StrJoin(kept, " ");
}

// Values Effect takes that the simulator refuses (config_env.h): not a
// whole number of ms, infinite, no port, or failing Validate.
const std::set<std::pair<std::string, std::string>>& StricterThanEffect() {
  static const auto* kStricter =
      new std::set<std::pair<std::string, std::string>>{
          {"PORT", "-1"},
          {"PORT", "65536"},
          {"RUNNER_SHARD_WEIGHT", "0"},
          {"SHARDS_PER_GROUP", "0"},
          {"SHARDS_PER_GROUP", "1e-400"},
          {"SHARDS_PER_GROUP", "-3"},
          {"SHARD_LOCK_EXPIRATION", "Infinity"},
          {"SHARD_LOCK_EXPIRATION", "-Infinity"},
          {"SHARD_LOCK_EXPIRATION", "-1 seconds"},
          {"SHARD_LOCK_EXPIRATION", "1500 micros"},
          {"SHARD_LOCK_EXPIRATION", "1 nano"},
          {"SHARD_LOCK_EXPIRATION", "2000000 nanos"},  // lock interval 0 ms
          {"SHARD_LOCK_EXPIRATION", "0.0001 millis"},
          {"SHARD_LOCK_EXPIRATION", "1.0000005 seconds"},
          {"SHARD_LOCK_EXPIRATION", "99999999999999999999999 seconds"},
          {"ENTITY_MAILBOX_CAPACITY", "0"},
          {"ENTITY_MAILBOX_CAPACITY", "-5"},
          {"SEND_RETRY_INTERVAL", "-0 millis"},
      };
  return *kStricter;
}

TEST(ConfigEnvTest, EmptyEnvironmentGivesEffectsDefaults) {
  absl::StatusOr<ShardingConfig> config = ShardingConfigFromEnv({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(Changed(*config), "");
  EXPECT_EQ(config->runner_address->Key(), "localhost:34431");
}

TEST(ConfigEnvTest, MatchesEffectsConfigFromEnv) {
  for (const ConfigEnvVector& v : kConfigEnvVectors) {
    SCOPED_TRACE(absl::StrCat(v.name, "=\"", v.value, "\""));
    absl::StatusOr<ShardingConfig> config =
        ShardingConfigFromEnv({{v.name, v.value}});
    if (v.error != nullptr) {
      ASSERT_FALSE(config.ok());
      EXPECT_NE(config.status().message().find(v.error), std::string::npos)
          << config.status();
      EXPECT_NE(config.status().message().find(v.name), std::string::npos)
          << config.status();
    } else if (StricterThanEffect().contains({v.name, v.value})) {
      ASSERT_FALSE(config.ok()) << Changed(*config);
      EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    } else {
      ASSERT_TRUE(config.ok()) << config.status();
      EXPECT_EQ(Changed(*config), WithoutInapplicable(v.changed));
    }
  }
}

TEST(ConfigEnvTest, TheFirstBadVariableInEffectsOrderIsReported) {
  absl::StatusOr<ShardingConfig> config = ShardingConfigFromEnv(
      {{"SEND_RETRY_INTERVAL", "x"}, {"SHARDS_PER_GROUP", "y"}, {"PORT", "z"}});
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(absl::StartsWith(config.status().message(), "PORT=\"z\""))
      << config.status();
}

TEST(ConfigEnvTest, SeveralVariablesCombine) {
  absl::StatusOr<ShardingConfig> config =
      ShardingConfigFromEnv({{"HOST", "runner-1"},
                             {"PORT", "9000"},
                             {"SHARD_GROUPS", "default,tenants"},
                             {"AVAILABLE_SHARD_GROUPS", "default,tenants"},
                             {"ENTITY_MAX_IDLE_TIME", "Infinity"},
                             {"UNRELATED", "ignored"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->runner_address->Key(), "runner-1:9000");
  EXPECT_EQ(config->AssignedGroups(),
            (std::vector<std::string>{"default", "tenants"}));
  EXPECT_EQ(config->entity_max_idle_time_ms, kNeverIdle);
}

// Ported from Effect's ShardingConfig.test.ts.

TEST(ConfigEnvTest, BoundsRunnerResidencyAndStorageReadsByDefault) {
  absl::StatusOr<ShardingConfig> defaults = ShardingConfigFromEnv({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_resident_entities, 10'000);
  EXPECT_EQ(defaults->unprocessed_message_batch_size, 1024);
  absl::StatusOr<ShardingConfig> from_env =
      ShardingConfigFromEnv({{"MAX_RESIDENT_ENTITIES", "500"},
                             {"UNPROCESSED_MESSAGE_BATCH_SIZE", "128"}});
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->max_resident_entities, 500);
  EXPECT_EQ(from_env->unprocessed_message_batch_size, 128);
  // "unbounded" is only available programmatically.
  EXPECT_FALSE(
      ShardingConfigFromEnv({{"MAX_RESIDENT_ENTITIES", "unbounded"}}).ok());
}

TEST(ConfigEnvTest, ChecksTheListenAddressThoughItHasNoEffect) {
  EXPECT_TRUE(ShardingConfigFromEnv({{"LISTEN_HOST", "0.0.0.0"}}).ok());
  EXPECT_TRUE(ShardingConfigFromEnv({{"LISTEN_PORT", "8080"}}).ok());
  absl::StatusOr<ShardingConfig> invalid_port = ShardingConfigFromEnv(
      {{"LISTEN_HOST", "0.0.0.0"}, {"LISTEN_PORT", "invalid"}});
  ASSERT_FALSE(invalid_port.ok());
  EXPECT_EQ(invalid_port.status().message(),
            "LISTEN_PORT=\"invalid\": Expected a string representing a finite "
            "number");
}

TEST(ConfigEnvTest, RejectsNonPositiveResidencyAndBatchLimits) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{
           {"MAX_RESIDENT_ENTITIES", "0"},
           {"MAX_RESIDENT_ENTITIES", "-1"},
           {"UNPROCESSED_MESSAGE_BATCH_SIZE", "0"},
           {"UNPROCESSED_MESSAGE_BATCH_SIZE", "-1"}}) {
    EXPECT_FALSE(ShardingConfigFromEnv({{name, value}}).ok()) << name << value;
  }
}

}  // namespace
}  // namespace clustersim::sharding
