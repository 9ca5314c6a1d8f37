// The `shrink` subcommand:
//   clustersim shrink SCENARIO --seed N [...run flags] [--max-runs R]
// Minimizes a failing run while the same invariant (the first violation's)
// still fails, keeping the seed, mode and mutant. A swarm plan is first
// expanded to its explicit --faults form; then, greedily and in passes until
// nothing more helps or R runs (default 500) are spent, it tries: dropping
// timed faults (halves, quarters, ... then one by one), dropping whole-run
// fault items, narrowing fault windows (keeping either half), a shorter
// duration, and fewer runners (faults naming a removed runner lose it;
// nodes after the runners are renumbered). Load is not shrunk: no scenario
// has a load knob yet, and the command says so. Every accepted step is
// printed, then the size before and after (fault items, total fault-window
// time, duration, runners, trace events) and the smallest `run` command.
// Exit status: 1 the (shrunk) run fails, 0 the given run holds (nothing to
// shrink), 2 bad input.
#ifndef CLUSTERSIM_TOOLS_SHRINK_COMMAND_H_
#define CLUSTERSIM_TOOLS_SHRINK_COMMAND_H_

#include "CLI/CLI.hpp"
#include "tools/cli.h"

namespace clustersim::tools {

void AddShrinkCommand(CLI::App& app, Cli& cli);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_SHRINK_COMMAND_H_
