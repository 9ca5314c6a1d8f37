// The `list` and `run` subcommands:
//   clustersim list
//   clustersim run SCENARIO --seed N [--faults SPEC|--swarm]
//                  [--mode reference|hardened] [--runners K] [--duration 60s]
//                  [--trace FILE] [--json] [--bug NAME] [--check-determinism]
// `run` prints the scenario, seed, mode, faults, events, virtual time, wall
// time, trace hash, counters and violations (with --json: one JSON object
// with the same content), and the exact command that reproduces the run.
// Exit status: 0 all invariants held, 1 a violation, 2 bad input (a trace
// file that cannot be written in full included).
#ifndef CLUSTERSIM_TOOLS_RUN_COMMAND_H_
#define CLUSTERSIM_TOOLS_RUN_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

// Registers list and run on `app`; their callbacks write to `cli`, which
// must outlive the parse.
void AddRunCommands(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_RUN_COMMAND_H_
