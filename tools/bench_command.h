// The `bench` subcommand (and the //tools:bench binary, which is the same
// command): reproducible performance figures.
//   clustersim bench kernel  [--json]
//   clustersim bench cluster [--entities N] [--requests N] [--json]
//   clustersim bench sweep   [--scenario S] [--seeds N] [--jobs J] [--json]
// (tools/bench_kernel.h, bench_cluster.h and bench_sweep.h say what each
// measures). Each workload runs in a forked child process, so its peak RSS
// is its own. Text output is one line per figure; --json prints one object
// per benchmark, units in the key names (_per_wall_s, _s, _mib).
// `workflow` is named but not written yet: bad input (2), saying so.
// Exit status: 0 measured, 1 a workload failed (a request failed, a run
// stalled, a worker died), 2 bad input.
#ifndef CLUSTERSIM_TOOLS_BENCH_COMMAND_H_
#define CLUSTERSIM_TOOLS_BENCH_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

void AddBenchCommand(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_COMMAND_H_
