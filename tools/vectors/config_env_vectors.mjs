// Prints core/sharding/config_env_test_vectors.h: what Effect 4.1.0's
// ShardingConfig.configFromEnv (ConfigProvider.fromEnv + constantCase) makes
// of one environment variable, computed by Effect's own dist JS.
//
//   cd /tmp && npm pack effect@4.1.0 && tar xzf effect-4.1.0.tgz
//   node tools/vectors/config_env_vectors.mjs /tmp/package \
//     > core/sharding/config_env_test_vectors.h
//   clang-format -i core/sharding/config_env_test_vectors.h
import { pathToFileURL } from "node:url"
import path from "node:path"

const pkg = process.argv[2]
if (!pkg) {
  console.error("usage: node config_env_vectors.mjs PATH/TO/effect/package")
  process.exit(2)
}
const load = (m) => import(pathToFileURL(path.join(pkg, "dist", m)).href)
const SC = await load("cluster/ShardingConfig.js")
const CP = await load("ConfigProvider.js")
const Effect = await load("Effect.js")
const Exit = await load("Exit.js")
const Duration = await load("Duration.js")
const Option = await load("Option.js")

const fromEnv = (env) =>
  Effect.runSyncExit(SC.config.pipe(
    Effect.provideService(CP.ConfigProvider, CP.fromEnv({ env }).pipe(CP.constantCase)),
  ))
const defaults = fromEnv({}).value

// One field's value as text: durations in ms (or ±Infinity), addresses as
// host:port ("none"), the rest as JSON.
const show = (v) =>
  Duration.isDuration(v)
    ? String(Duration.toMillis(v))
    : Option.isOption(v)
    ? (Option.isSome(v) ? `${v.value.host}:${v.value.port}` : "none")
    : JSON.stringify(v)

const cstr = (s) => JSON.stringify(s)

const cases = [
  ["HOST", "h"], ["HOST", ""], ["HOST", " x"], ["PORT", "1"], ["PORT", " 5 "], ["PORT", "0x10"],
  ["PORT", "1e3"], ["PORT", ""], ["PORT", "-1"], ["PORT", "5.0"], ["PORT", "Infinity"],
  ["PORT", "99999999999999999999"], ["PORT", "65536"], ["PORT", "x"], ["LISTEN_HOST", "l"],
  ["LISTEN_PORT", "5"], ["LISTEN_PORT", "x"], ["SHARDS_PER_GROUP", "1e-400"], ["SHARDS_PER_GROUP", "1e400"], ["RUNNER_SHARD_WEIGHT", "3"], ["RUNNER_SHARD_WEIGHT", "1.5"],
  ["RUNNER_SHARD_WEIGHT", "0"], ["AVAILABLE_SHARD_GROUPS", "a,b"], ["AVAILABLE_SHARD_GROUPS", "a, b"],
  ["AVAILABLE_SHARD_GROUPS", "a,,b"], ["AVAILABLE_SHARD_GROUPS", "a,"], ["AVAILABLE_SHARD_GROUPS", ""],
  ["SHARD_GROUPS", "x,y"], ["ASSIGNED_SHARD_GROUPS", "x"], ["SHARDS_PER_GROUP", "+5"],
  ["SHARDS_PER_GROUP", ".5e1"], ["SHARDS_PER_GROUP", "1."], ["SHARDS_PER_GROUP", "0"],
  ["SHARDS_PER_GROUP", "-3"], ["SHARDS_PER_GROUP", "2E2"], ["SHARDS_PER_GROUP", "1e-1"],
  ["SHARD_LOCK_REFRESH_INTERVAL", "2 seconds"], ["SHARD_LOCK_EXPIRATION", "5 seconds"],
  ["SHARD_LOCK_EXPIRATION", "5s"], ["SHARD_LOCK_EXPIRATION", "500"], ["SHARD_LOCK_EXPIRATION", "Infinity"],
  ["SHARD_LOCK_EXPIRATION", "-Infinity"], ["SHARD_LOCK_EXPIRATION", "1.5 seconds"],
  ["SHARD_LOCK_EXPIRATION", "-1 seconds"], ["SHARD_LOCK_EXPIRATION", "2  minutes"],
  ["SHARD_LOCK_EXPIRATION", "1 second"], ["SHARD_LOCK_EXPIRATION", "3 weeks"],
  ["SHARD_LOCK_EXPIRATION", "2 hours"], ["SHARD_LOCK_EXPIRATION", "1 day"],
  ["SHARD_LOCK_EXPIRATION", "1500 micros"], ["SHARD_LOCK_EXPIRATION", "2000000 nanos"],
  ["SHARD_LOCK_EXPIRATION", "1 nano"], ["SHARD_LOCK_EXPIRATION", "1 Seconds"],
  ["SHARD_LOCK_EXPIRATION", " 1 seconds"], ["SHARD_LOCK_EXPIRATION", "1 seconds "],
  ["SHARD_LOCK_EXPIRATION", "0.0001 millis"], ["SHARD_LOCK_EXPIRATION", "+1 seconds"],
  ["SHARD_LOCK_EXPIRATION", ".5 seconds"], ["SHARD_LOCK_EXPIRATION", "1.0000005 seconds"],
  ["SHARD_LOCK_EXPIRATION", "99999999999999999999999 seconds"], ["SHARD_LOCK_DISABLE_ADVISORY", "true"],
  ["SHARD_LOCK_DISABLE_ADVISORY", "maybe"], ["PREEMPTIVE_SHUTDOWN", "no"],
  ["PREEMPTIVE_SHUTDOWN", "false"], ["PREEMPTIVE_SHUTDOWN", "0"], ["PREEMPTIVE_SHUTDOWN", "off"],
  ["PREEMPTIVE_SHUTDOWN", "n"], ["PREEMPTIVE_SHUTDOWN", "FALSE"], ["PREEMPTIVE_SHUTDOWN", "x"],
  ["PREEMPTIVE_SHUTDOWN", ""], ["ENTITY_MAILBOX_CAPACITY", "10"], ["ENTITY_MAILBOX_CAPACITY", "unbounded"],
  ["ENTITY_MAILBOX_CAPACITY", "0"], ["ENTITY_MAILBOX_CAPACITY", "-5"], ["ENTITY_MAILBOX_METRICS", "yes"],
  ["ENTITY_MAILBOX_METRICS", "on"], ["ENTITY_MAILBOX_METRICS", "y"], ["ENTITY_MAILBOX_METRICS", "1"],
  ["ENTITY_MAILBOX_METRICS", "true"], ["ENTITY_MAILBOX_METRICS", "TRUE"], ["MAX_RESIDENT_ENTITIES", "7"],
  ["MAX_RESIDENT_ENTITIES", "0"], ["MAX_RESIDENT_ENTITIES", "-1"], ["MAX_RESIDENT_ENTITIES", "500"], ["MAX_RESIDENT_ENTITIES", "unbounded"], ["MAX_RESIDENT_ENTITIES", "2.5"],
  ["UNPROCESSED_MESSAGE_BATCH_SIZE", "16"], ["UNPROCESSED_MESSAGE_BATCH_SIZE", "unbounded"],
  ["UNPROCESSED_MESSAGE_BATCH_SIZE", "-1"], ["UNPROCESSED_MESSAGE_BATCH_SIZE", "0"],
  ["UNPROCESSED_MESSAGE_BATCH_SIZE", "128"], ["ENTITY_MAX_IDLE_TIME", "Infinity"],
  ["ENTITY_MAX_IDLE_TIME", "30 seconds"], ["ENTITY_REGISTRATION_TIMEOUT", "1 minute"],
  ["ENTITY_TERMINATION_TIMEOUT", "0 millis"], ["ENTITY_MESSAGE_POLL_INTERVAL", "250 millis"],
  ["ENTITY_REPLY_POLL_INTERVAL", "50 milli"], ["SEND_RETRY_INTERVAL", "-0 millis"],
  ["SEND_RETRY_INTERVAL", "1 hour"], ["REFRESH_ASSIGNMENTS_INTERVAL", "4 seconds"],
  ["RUNNER_JOIN_DEBOUNCE", "0 millis"], ["RUNNER_JOIN_DEBOUNCE", "2 seconds"],
  ["RUNNER_HEALTH_CHECK_INTERVAL", "90 seconds"], ["SIMULATE_REMOTE_SERIALIZATION", "false"],
  ["shard_lock_expiration", "1 seconds"], ["shardLockExpiration", "1 seconds"],
]

const lines = []
for (const [name, value] of cases) {
  const exit = fromEnv({ [name]: value })
  if (Exit.isSuccess(exit)) {
    const changed = []
    for (const key of Object.keys(exit.value)) {
      const now = show(exit.value[key])
      if (now !== show(defaults[key])) changed.push(`${key}=${now}`)
    }
    lines.push(`    {${cstr(name)}, ${cstr(value)}, ${cstr(changed.join(" "))}, nullptr},`)
  } else {
    // "...SchemaError(Expected X\n  at [\"field\"])...": keep "Expected X".
    const message = /SchemaError\((Expected[^\n]*)\n/.exec(String(exit.cause))[1]
    lines.push(`    {${cstr(name)}, ${cstr(value)}, nullptr, ${cstr(message)}},`)
  }
}

console.log(`// Golden configFromEnv vectors computed by Effect 4.1.0 (dist/cluster/
// ShardingConfig.js under node) by tools/vectors/config_env_vectors.mjs.
// Facts, not code: regenerate rather than edit. ${cases.length} vectors.
#ifndef CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_TEST_VECTORS_H_
#define CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_TEST_VECTORS_H_

namespace clustersim::testing {

// The environment holds exactly one variable, name=value.
struct ConfigEnvVector {
  const char* name;
  const char* value;
  // Effect's fields that differ from its defaults, "field=value" separated
  // by spaces (durations in ms or "Infinity"/"-Infinity"; addresses host:port);
  // nullptr when Effect fails.
  const char* changed;
  // The first line of Effect's ConfigError; nullptr when it succeeds.
  const char* error;
};

inline constexpr ConfigEnvVector kConfigEnvVectors[] = {
${lines.join("\n")}
};

}  // namespace clustersim::testing

#endif  // CLUSTERSIM_CORE_SHARDING_CONFIG_ENV_TEST_VECTORS_H_`)
