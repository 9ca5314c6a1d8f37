#include "tools/cli.h"

#include <string>

#include "tools/primitive_commands.h"
#include "tools/run_command.h"

namespace clustersim::tools {

int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err) {
  Cli cli{out, err};
  CLI::App app{"clustersim: deterministic simulation of Effect's cluster",
               "clustersim"};
  app.require_subcommand(1);
  AddPrimitiveCommands(app, cli);
  AddRunCommands(app, cli);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    cli.BadInput(what.empty() ? e.get_name() : what);
    return kExitBadInput;
  }
  return cli.exit_code;
}

}  // namespace clustersim::tools
