// The simulation subcommands:
//   clustersim list
//   clustersim run SCENARIO --seed N [--faults SPEC|--swarm]
//                  [--mode reference|hardened] [--runners K] [--duration 60s]
//                  [--trace FILE] [--json] [--bug NAME] [--check-determinism]
//   clustersim sweep SCENARIO --seeds A..B [--jobs J] [--shard I/N]
//                    [...run flags]
//   clustersim replay FILE|SCENARIO --seed N [...run flags]
//                     [--until EVENT] [--tail K]
// `run` prints the scenario, seed, mode, faults, events, virtual time, wall
// time, trace hash, counters and violations (with --json: one JSON object
// with the same content), and the exact command that reproduces the run.
// `sweep` runs a range of seeds (in forked worker processes with --jobs J
// > 1; results are printed in seed order whatever J is). `replay` re-runs a
// run, from its flags or from a file holding a `run --json` summary (and
// then checks the trace hash matches), optionally stopping at a trace event
// and printing the events leading up to it.
// Exit status: 0 all invariants held, 1 a violation, 2 bad input.
// Wall time is read from the host clock for reporting only; it never
// reaches the simulation.
#ifndef CLUSTERSIM_TOOLS_RUN_COMMAND_H_
#define CLUSTERSIM_TOOLS_RUN_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

// Registers list, run, sweep and replay on `app`; their callbacks write to
// `cli`, which must outlive the parse.
void AddRunCommands(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_RUN_COMMAND_H_
