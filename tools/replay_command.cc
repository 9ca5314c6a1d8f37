#include "tools/replay_command.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/registry.h"
#include "sim/perfetto.h"
#include "tools/report.h"
#include "tools/simulation.h"

namespace clustersim::tools {
namespace {

// Far more events than any run keeps in memory, far from overflow.
constexpr uint64_t kMaxUntilEvent = 1'000'000'000'000;

struct ReplayFlags {
  std::string target;  // a scenario name or a summary file
  std::string until;
  int tail = 20;
  std::string trace_path;
};

bool IsHashText(const std::string& text) {
  if (text.size() != 18 || !text.starts_with("0x")) return false;
  return text.find_first_not_of("0123456789abcdef", 2) == std::string::npos;
}

struct Recorded {
  RunFlags flags;
  std::optional<std::string> trace_hash;
};

// The run recorded in a `run --json` summary file.
absl::StatusOr<Recorded> ReadSummary(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return absl::InvalidArgumentError(
        "'" + path + "' is neither a scenario nor a readable file");
  }
  std::stringstream content;
  content << file.rdbuf();
  const Json summary =
      Json::parse(content.str(), nullptr, /*allow_exceptions=*/false);
  const std::string expected =
      "' (expected the output of clustersim run --json)";
  if (!summary.is_object()) {
    return absl::InvalidArgumentError("'" + path + "' is not a JSON object" +
                                      expected);
  }
  const auto reproduce = summary.find("reproduce");
  if (reproduce == summary.end() || !reproduce->is_string()) {
    return absl::InvalidArgumentError(
        "'" + path + "' holds no \"reproduce\" command" + expected);
  }
  Recorded recorded;
  if (const auto hash = summary.find("trace_hash"); hash != summary.end()) {
    if (!hash->is_string() || !IsHashText(hash->get<std::string>())) {
      return absl::InvalidArgumentError(
          "'" + path + "' has a malformed \"trace_hash\" " + DumpJson(*hash) +
          ": expected \"0x\" and 16 lowercase hex digits");
    }
    recorded.trace_hash = hash->get<std::string>();
  }
  const std::string command = reproduce->get<std::string>();
  const std::vector<std::string> words = CommandWords(command);
  const absl::Status unexpected =
      absl::InvalidArgumentError("unexpected reproduce command: " + command);
  if (words.size() < 3 || words[0] != "clustersim" || words[1] != "run") {
    return unexpected;
  }
  // Parse the recorded command's flags as `run` would.
  CLI::App parser{"replay"};
  parser.add_option("scenario", recorded.flags.scenario)->required();
  parser.add_option("--seed", recorded.flags.seed)->required();
  AddRunFlags(&parser, recorded.flags);
  std::vector<std::string> args(words.rbegin(), words.rend() - 2);
  try {
    parser.parse(args);
  } catch (const CLI::ParseError&) {
    return unexpected;
  }
  return recorded;
}

void PrintEventsUntil(const Outcome& o, uint64_t until, int tail,
                      std::ostream& out) {
  const std::vector<sim::TraceEvent>& events = o.result.trace;
  if (events.size() <= until) {
    out << "the run ended at event " << events.size() << ", before event "
        << until << "\n";
    return;
  }
  const uint64_t first = until >= static_cast<uint64_t>(tail)
                             ? until + 1 - static_cast<uint64_t>(tail)
                             : 0;
  out << "events " << first << ".." << until << ":\n";
  for (uint64_t i = first; i <= until; ++i) {
    out << sim::FormatTraceEvent(i, events[i], o.result.node_names) << "\n";
  }
}

void DoReplay(RunFlags flags, const ReplayFlags& replay, Cli& cli) {
  std::optional<std::string> recorded_hash;
  if (scenarios::FindScenario(replay.target) != nullptr) {
    flags.scenario = replay.target;
    if (flags.seed.empty()) {
      return cli.BadInput("replay " + flags.scenario + " needs --seed N");
    }
  } else {
    if (flags.ShapesTheRun()) {
      return cli.BadInput(
          "replay FILE takes the run from the file: drop --seed, --faults, "
          "--swarm, --mode, --runners, --duration, --bug and --load (or replay "
          "SCENARIO --seed N with them)");
    }
    absl::StatusOr<Recorded> recorded = ReadSummary(replay.target);
    if (!recorded.ok()) return cli.BadInput(Message(recorded.status()));
    recorded->flags.json = flags.json;
    recorded->flags.check_determinism = flags.check_determinism;
    flags = recorded->flags;
    recorded_hash = recorded->trace_hash;
  }
  absl::StatusOr<Prepared> p = PrepareFromFlags(flags);
  if (!p.ok()) return cli.BadInput(Message(p.status()));
  if (!p->note.empty()) cli.Note(p->note);
  std::optional<uint64_t> until;
  if (!replay.until.empty()) {
    absl::StatusOr<uint64_t> event =
        ParseU64("--until event", replay.until, kMaxUntilEvent);
    if (!event.ok()) return cli.BadInput(Message(event.status()));
    until = *event;
    p->options.max_trace_events = *event + 1;
  }
  if (replay.tail < 0) return cli.BadInput("bad --tail: must be >= 0");
  p->options.keep_trace_events =
      until.has_value() || !replay.trace_path.empty();
  std::optional<TraceFile> trace;
  if (!replay.trace_path.empty()) {
    absl::StatusOr<TraceFile> f = TraceFile::Open(replay.trace_path);
    if (!f.ok()) return cli.BadInput(Message(f.status()));
    trace = *std::move(f);
  }
  absl::StatusOr<Outcome> o = Execute(*p, flags.check_determinism);
  if (!o.ok()) return cli.BadInput(Message(o.status()));
  if (trace.has_value()) {
    if (absl::Status s = trace->Write(o->result); !s.ok()) {
      return cli.BadInput(Message(s));
    }
  }
  // An early stop (--until) has a different hash by design.
  const bool compare = recorded_hash.has_value() && !until.has_value();
  const std::string hash = Hex64(o->result.trace_hash);
  const bool mismatch = compare && *recorded_hash != hash;
  const std::string verdict =
      mismatch ? "NOT deterministic: the recorded run had trace hash " +
                     *recorded_hash + ", this one " + hash
               : "same trace hash as the recorded run";
  cli.exit_code = o->failed() || mismatch ? kExitViolation : kExitOk;
  if (flags.json) {
    Json j = RunJson(*p, *o);
    if (compare) {
      j["recorded_trace_hash"] = *recorded_hash;
      j["replay"] = verdict;
    }
    cli.out << DumpJson(j) << "\n";
    return;
  }
  PrintText(*p, *o, cli.out);
  if (compare) cli.out << "replay        " << verdict << "\n";
  if (until.has_value()) PrintEventsUntil(*o, *until, replay.tail, cli.out);
}

}  // namespace

void AddReplayCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<RunFlags>();
  auto replay = std::make_shared<ReplayFlags>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Re-run a run (from its flags, or from a file holding its `run "
      "--json` output, checking the trace hash), optionally stopping at a "
      "trace event");
  cmd->add_option("target", replay->target,
                  "a scenario name (then give --seed and run flags) or a "
                  "run --json summary file (then no run flags)")
      ->required();
  cmd->add_option("--seed", flags->seed, "the run's seed");
  AddRunFlags(cmd, *flags);
  cmd->add_option("--until", replay->until,
                  "stop after trace event EVENT (0..10^12) and print the "
                  "events leading up to it");
  cmd->add_option("--tail", replay->tail,
                  "how many events to print with --until (default 20)");
  cmd->add_option("--trace", replay->trace_path, "write the trace (as run)");
  cmd->callback([flags, replay, &cli] { DoReplay(*flags, *replay, cli); });
}

}  // namespace clustersim::tools
