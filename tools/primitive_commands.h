// The `route`, `ring`, `snowflake` and `cron` subcommands: Effect 4.1.0's
// shard routing, hash-ring shard assignment, snowflake layout and cron
// schedules, bit for bit.
//   clustersim route ID... --shards N [--group G] [--json]
//   clustersim ring --runners HOST:PORT[@WEIGHT],... --shards N [--group G]
//                   [--json]
//   clustersim snowflake decode ID [--json]
//   clustersim snowflake make --timestamp MS --machine M --sequence S [--json]
//   clustersim cron EXPR --from MS [--tz ZONE] [--on-dst-overlap POLICY]
//                   [--count N] [--json]
// Bad input exits 2 with a one-line reason (see tools/cli.h).
#ifndef CLUSTERSIM_TOOLS_PRIMITIVE_COMMANDS_H_
#define CLUSTERSIM_TOOLS_PRIMITIVE_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

// Registers the subcommands on `app`; their callbacks write to `cli`, which
// must outlive the parse.
void AddPrimitiveCommands(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_PRIMITIVE_COMMANDS_H_
