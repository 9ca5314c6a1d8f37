#include "tools/bench_sweep.h"

#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/cli.h"
#include "tools/json.h"
#include "tools/sweep_command.h"

namespace clustersim::tools {

absl::StatusOr<SweepFigures> RunSweepWorkload(const SweepWorkload& workload) {
  std::vector<std::string> args = {"clustersim",
                                   "sweep",
                                   workload.scenario,
                                   "--seeds",
                                   absl::StrCat("1..", workload.seeds),
                                   "--jobs",
                                   absl::StrCat(workload.jobs),
                                   "--json"};
  if (workload.swarm) args.push_back("--swarm");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());

  std::ostringstream out;
  std::ostringstream err;
  Cli cli{out, err};
  CLI::App app;
  AddSweepCommand(app, cli);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(absl::StrCat("sweep: ", e.what()));
  }
  // Exit 1 is a finding (counted), not a failed benchmark.
  if (cli.exit_code == kExitBadInput) {
    return absl::InvalidArgumentError(absl::StrCat("sweep: ", err.str()));
  }
  const Json summary =
      Json::parse(out.str(), nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object() || !summary.contains("runs") ||
      !summary.contains("failed") || !summary.contains("wall_time_ms")) {
    return absl::InternalError(
        absl::StrCat("sweep printed no summary: ", err.str()));
  }
  return SweepFigures{.seeds = summary["runs"].get<int64_t>(),
                      .failed = summary["failed"].get<int64_t>(),
                      .wall_s = summary["wall_time_ms"].get<double>() / 1e3};
}

}  // namespace clustersim::tools
