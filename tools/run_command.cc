#include "tools/run_command.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "tools/report.h"
#include "tools/simulation.h"

namespace clustersim::tools {
namespace {

void DoList(Cli& cli) {
  for (const scenarios::Scenario& s : scenarios::AllScenarios()) {
    cli.out << s.name << "\n  " << s.description << "\n  runners "
            << s.min_runners << ".." << s.max_runners << " (default "
            << s.default_runners << ")" << (s.has_load ? "; --load 1..100" : "")
            << (s.mode_dependent ? "" : "; no mode-dependent behaviour")
            << "\n";
    for (const scenarios::Mutant& m : s.mutants) {
      cli.out << "  --bug " << m.name << ": " << m.description << "\n";
    }
  }
}

void DoRun(const RunFlags& flags, const std::string& trace_path, Cli& cli) {
  absl::StatusOr<Prepared> p = PrepareFromFlags(flags);
  if (!p.ok()) return cli.BadInput(Message(p.status()));
  if (!p->note.empty()) cli.Note(p->note);
  std::optional<TraceFile> trace;
  if (!trace_path.empty()) {
    absl::StatusOr<TraceFile> file = TraceFile::Open(trace_path);
    if (!file.ok()) return cli.BadInput(Message(file.status()));
    trace = *std::move(file);
    p->options.keep_trace_events = true;
  }
  absl::StatusOr<Outcome> o = Execute(*p, flags.check_determinism);
  if (!o.ok()) return cli.BadInput(Message(o.status()));
  if (trace.has_value()) {
    if (absl::Status s = trace->Write(o->result); !s.ok()) {
      return cli.BadInput(Message(s));
    }
  }
  if (flags.json) {
    cli.out << DumpJson(RunJson(*p, *o)) << "\n";
  } else {
    PrintText(*p, *o, cli.out);
  }
  cli.exit_code = o->failed() ? kExitViolation : kExitOk;
}

}  // namespace

void AddRunCommands(CLI::App& app, Cli& cli) {
  app.add_subcommand("list", "List the scenarios and their bugs")
      ->callback([&cli] { DoList(cli); });

  auto flags = std::make_shared<RunFlags>();
  auto trace = std::make_shared<std::string>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a scenario from a seed and check its invariants");
  run->add_option("scenario", flags->scenario, "scenario name (see list)")
      ->required();
  run->add_option("--seed", flags->seed, "the run's seed")->required();
  AddRunFlags(run, *flags);
  run->add_option("--trace", *trace,
                  "write the trace: FILE.json is Perfetto/Chrome JSON "
                  "(ui.perfetto.dev), any other name one event per line");
  run->callback([flags, trace, &cli] { DoRun(*flags, *trace, cli); });
}

}  // namespace clustersim::tools
