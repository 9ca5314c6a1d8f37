// The `replay` subcommand:
//   clustersim replay FILE [--until EVENT] [--tail K] [--trace FILE] [--json]
//   clustersim replay SCENARIO --seed N [...run flags] [--until EVENT] ...
// Re-runs a run, from its flags or from a file holding its `run --json`
// summary (read with nlohmann-json). From a file, the run comes from the
// recorded "reproduce" command alone (other run flags are rejected), and the
// trace hash must equal the recorded "trace_hash": a mismatch says "NOT
// deterministic" and exits 1, in text and in JSON ("replay" says why). A
// malformed file or recorded hash is bad input (exit 2). --until EVENT stops
// after that trace event (at most 10^12) and prints the events leading up to
// it.
#ifndef CLUSTERSIM_TOOLS_REPLAY_COMMAND_H_
#define CLUSTERSIM_TOOLS_REPLAY_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

void AddReplayCommand(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_REPLAY_COMMAND_H_
