// The `sweep` subcommand:
//   clustersim sweep SCENARIO --seeds A..B [--jobs J] [--shard I/N]
//                    [...run flags]
// Runs every seed of A..B (or, with --shard I/N, seeds A+I, A+I+N, ...: one
// machine's share, e.g. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX as
// I), in forked worker processes with --jobs J > 1. The output is the same
// whatever J is: failures grouped by invariant and message signature
// (tools/triage.h), each with its fastest-failing seed, the command that
// reproduces it and the `shrink` command that minimizes it; with --json,
// one object. On a terminal, stderr shows a live progress line (seeds
// done, seeds per second, failures so far, ETA); elsewhere nothing.
// Exit status: 0 every seed held, 1 a violation (or a worker died), 2 bad
// input.
#ifndef CLUSTERSIM_TOOLS_SWEEP_COMMAND_H_
#define CLUSTERSIM_TOOLS_SWEEP_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

void AddSweepCommand(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_SWEEP_COMMAND_H_
