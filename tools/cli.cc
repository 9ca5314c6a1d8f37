#include "tools/cli.h"

#include <string>
#include <utility>

#include "tools/bench_command.h"
#include "tools/config_command.h"
#include "tools/primitive_commands.h"
#include "tools/replay_command.h"
#include "tools/run_command.h"
#include "tools/shrink_command.h"
#include "tools/sweep_command.h"

namespace clustersim::tools {
namespace {

int Parse(CLI::App& app, int argc, const char* const* argv, Cli& cli) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    cli.out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    cli.out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // A first word that is no subcommand: name it, rather than CLI11's
    // "A subcommand is required".
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      std::string known;
      for (const CLI::App* sub : app.get_subcommands({})) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
      }
      cli.BadInput("unknown command '" + std::string(argv[1]) +
                   "' (known: " + known + ")");
      return kExitBadInput;
    }
    std::string what = e.what();
    cli.BadInput(what.empty() ? e.get_name() : what);
    return kExitBadInput;
  }
  return cli.exit_code;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err, bool err_is_terminal,
           std::map<std::string, std::string, std::less<>> environment) {
  Cli cli{out, err, err_is_terminal, std::move(environment)};
  CLI::App app{"clustersim: deterministic simulation of Effect's cluster",
               "clustersim"};
  app.require_subcommand(1);
  AddPrimitiveCommands(app, cli);
  AddRunCommands(app, cli);
  AddSweepCommand(app, cli);
  AddReplayCommand(app, cli);
  AddShrinkCommand(app, cli);
  AddBenchCommand(app, cli);
  AddConfigCommand(app, cli);
  const int exit_code = Parse(app, argc, argv, cli);
  // A full disk or a closed pipe must not pass for success.
  out.flush();
  if (!out) {
    err << "clustersim: could not write the output in full\n";
    return kExitBadInput;
  }
  return exit_code;
}

}  // namespace clustersim::tools
