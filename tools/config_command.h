// The `config` subcommand: the runner configuration (Effect's
// ShardingConfig) a runner would use, printed so a user can check it before
// deploying.
//   clustersim config [--from-env] [--json]
// Without --from-env it prints Effect's defaults; with it, Effect's
// configFromEnv over the process environment (core/sharding/config_env.h:
// HOST, PORT, SHARDS_PER_GROUP, SHARD_LOCK_EXPIRATION, ...). Text output is
// one VARIABLE=value line per setting, in the syntax configFromEnv reads
// back; --json gives Effect's field names with durations in ms (null for
// Effect's infinite idle time). A variable Effect would reject, or a value
// the simulator cannot use, is bad input (exit 2) naming the variable.
#ifndef CLUSTERSIM_TOOLS_CONFIG_COMMAND_H_
#define CLUSTERSIM_TOOLS_CONFIG_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

// Registers the subcommand on `app`; its callback writes to `cli`, which
// must outlive the parse.
void AddConfigCommand(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_CONFIG_COMMAND_H_
