// ShardingConfigFromEnv: Effect 4.1.0's ShardingConfig.configFromEnv, the
// runner configuration read from environment variables, as a pure function
// of a name -> value map (core code never reads the process environment; a
// main reads `environ` and passes the map).
//
// The variables are Effect's config paths in CONSTANT_CASE: HOST, PORT,
// LISTEN_HOST, LISTEN_PORT, RUNNER_SHARD_WEIGHT, AVAILABLE_SHARD_GROUPS,
// SHARD_GROUPS (the assigned groups), SHARDS_PER_GROUP,
// SHARD_LOCK_REFRESH_INTERVAL, SHARD_LOCK_EXPIRATION,
// SHARD_LOCK_DISABLE_ADVISORY, PREEMPTIVE_SHUTDOWN, ENTITY_MAILBOX_CAPACITY,
// ENTITY_MAILBOX_METRICS, MAX_RESIDENT_ENTITIES,
// UNPROCESSED_MESSAGE_BATCH_SIZE, ENTITY_MAX_IDLE_TIME,
// ENTITY_REGISTRATION_TIMEOUT, ENTITY_TERMINATION_TIMEOUT,
// ENTITY_MESSAGE_POLL_INTERVAL, ENTITY_REPLY_POLL_INTERVAL,
// SEND_RETRY_INTERVAL, REFRESH_ASSIGNMENTS_INTERVAL, RUNNER_JOIN_DEBOUNCE,
// RUNNER_HEALTH_CHECK_INTERVAL, SIMULATE_REMOTE_SERIALIZATION. Names are
// case-sensitive; other variables are ignored; an unset or empty variable
// takes Effect's default. Values parse as Effect's do:
//   integers  Effect's finite-number syntax ("+5", "1e3", "5.0"; no spaces,
//             hex or "Infinity") with a safe-integer value;
//   booleans  true yes on 1 y / false no off 0 n (lower case only);
//   durations "<n> <unit>" (n may be negative or fractional; unit nano(s),
//             micro(s), milli(s), second(s), minute(s), hour(s), day(s),
//             week(s)), or "Infinity" / "-Infinity";
//   lists     split at every ',' (no trimming; "a,,b" has an empty group).
// "unbounded" is never accepted: as in Effect, the environment only sets
// numbers (entityMailboxCapacity / maxResidentEntities "unbounded" can only
// be set in code). Errors name the variable, its value and Effect's
// expectation, and the first failing variable in Effect's field order wins.
//
// Stricter than Effect, with a clear error instead of a value the simulator
// cannot use: durations must be a whole number of milliseconds and finite
// (except ENTITY_MAX_IDLE_TIME=Infinity, kNeverIdle), PORT must be 1..65535,
// and the result must pass ShardingConfig::Validate (Effect takes, e.g.,
// SHARDS_PER_GROUP=0). LISTEN_HOST, LISTEN_PORT and
// SHARD_LOCK_DISABLE_ADVISORY are checked but have no effect here (no
// listen sockets, no advisory locks).
// Pure function; thread-safe.
#ifndef CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_H_
#define CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "core/sharding/config.h"

namespace clustersim::sharding {

using EnvironmentMap = std::map<std::string, std::string, std::less<>>;

// Effect's configFromEnv over `env`. Fields Effect does not read from the
// environment (mode, mutant) keep their ShardingConfig defaults.
absl::StatusOr<ShardingConfig> ShardingConfigFromEnv(const EnvironmentMap& env);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_H_
