#include "tools/config_command.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "core/sharding/config.h"
#include "core/sharding/config_env.h"
#include "core/sharding/entity.h"
#include "fmt/format.h"
#include "tools/json.h"

namespace clustersim::tools {
namespace {

struct ConfigOptions {
  bool from_env = false;
  bool json = false;
};

// One setting: its variable, its value as configFromEnv reads it, and its
// Effect field with a JSON value.
struct Setting {
  const char* variable;
  std::string text;
  const char* field;
  Json json;
};

Setting Duration(const char* variable, const char* field, int64_t ms) {
  if (ms == sharding::kNeverIdle) return {variable, "Infinity", field, nullptr};
  return {variable, fmt::format("{} millis", ms), field, ms};
}

Setting Bool(const char* variable, const char* field, bool value) {
  return {variable, value ? "true" : "false", field, value};
}

Setting Int(const char* variable, const char* field, int64_t value) {
  return {variable, fmt::format("{}", value), field, value};
}

Setting List(const char* variable, const char* field,
             const std::vector<std::string>& groups) {
  return {variable, absl::StrJoin(groups, ","), field, groups};
}

std::vector<Setting> Settings(const sharding::ShardingConfig& c) {
  return {
      {"HOST", c.runner_address->host(), "host", c.runner_address->host()},
      Int("PORT", "port", c.runner_address->port()),
      Int("RUNNER_SHARD_WEIGHT", "runnerShardWeight",
          static_cast<int64_t>(c.runner_shard_weight)),
      List("AVAILABLE_SHARD_GROUPS", "availableShardGroups",
           c.available_shard_groups),
      List("SHARD_GROUPS", "assignedShardGroups", c.assigned_shard_groups),
      Int("SHARDS_PER_GROUP", "shardsPerGroup", c.shards_per_group),
      Duration("SHARD_LOCK_REFRESH_INTERVAL", "shardLockRefreshInterval",
               c.shard_lock_refresh_interval_ms),
      Duration("SHARD_LOCK_EXPIRATION", "shardLockExpiration",
               c.shard_lock_expiration_ms),
      Bool("PREEMPTIVE_SHUTDOWN", "preemptiveShutdown", c.preemptive_shutdown),
      Int("ENTITY_MAILBOX_CAPACITY", "entityMailboxCapacity",
          *c.entity_mailbox_capacity),
      Bool("ENTITY_MAILBOX_METRICS", "entityMailboxMetrics",
           c.entity_mailbox_metrics),
      Int("MAX_RESIDENT_ENTITIES", "maxResidentEntities",
          *c.max_resident_entities),
      Int("UNPROCESSED_MESSAGE_BATCH_SIZE", "unprocessedMessageBatchSize",
          c.unprocessed_message_batch_size),
      Duration("ENTITY_MAX_IDLE_TIME", "entityMaxIdleTime",
               c.entity_max_idle_time_ms),
      Duration("ENTITY_REGISTRATION_TIMEOUT", "entityRegistrationTimeout",
               c.entity_registration_timeout_ms),
      Duration("ENTITY_TERMINATION_TIMEOUT", "entityTerminationTimeout",
               c.entity_termination_timeout_ms),
      Duration("ENTITY_MESSAGE_POLL_INTERVAL", "entityMessagePollInterval",
               c.entity_message_poll_interval_ms),
      Duration("ENTITY_REPLY_POLL_INTERVAL", "entityReplyPollInterval",
               c.entity_reply_poll_interval_ms),
      Duration("SEND_RETRY_INTERVAL", "sendRetryInterval",
               c.send_retry_interval_ms),
      Duration("REFRESH_ASSIGNMENTS_INTERVAL", "refreshAssignmentsInterval",
               c.refresh_assignments_interval_ms),
      Duration("RUNNER_JOIN_DEBOUNCE", "runnerJoinDebounce",
               c.runner_join_debounce_ms),
      Duration("RUNNER_HEALTH_CHECK_INTERVAL", "runnerHealthCheckInterval",
               c.runner_health_check_interval_ms),
      Bool("SIMULATE_REMOTE_SERIALIZATION", "simulateRemoteSerialization",
           c.simulate_remote_serialization),
  };
}

void PrintConfig(const ConfigOptions& options, Cli& cli) {
  absl::StatusOr<sharding::ShardingConfig> config =
      options.from_env ? sharding::ShardingConfigFromEnv(cli.environment)
                       : sharding::ShardingConfig();
  if (!config.ok()) {
    return cli.BadInput(std::string(config.status().message()));
  }
  const std::vector<Setting> settings = Settings(*config);
  if (options.json) {
    Json object = Json::object();
    for (const Setting& s : settings) object[s.field] = s.json;
    cli.out << DumpJson(object) << "\n";
    return;
  }
  for (const Setting& s : settings) {
    cli.out << s.variable << "=" << s.text << "\n";
  }
}

}  // namespace

void AddConfigCommand(CLI::App& app, Cli& cli) {
  auto options = std::make_shared<ConfigOptions>();
  CLI::App* config = app.add_subcommand(
      "config",
      "Print the runner configuration: Effect's defaults, or Effect's "
      "configFromEnv over the environment");
  config->add_flag("--from-env", options->from_env,
                   "Read HOST, PORT, SHARDS_PER_GROUP, ... from the "
                   "environment as Effect's ShardingConfig.configFromEnv");
  config->add_flag("--json", options->json,
                   "One JSON object with Effect's field names (durations in "
                   "ms)");
  config->callback([options, &cli] { PrintConfig(*options, cli); });
}

}  // namespace clustersim::tools
