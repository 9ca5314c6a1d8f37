#include "tools/simulation.h"

#include <charconv>
#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include "scenarios/registry.h"
#include "sim/duration.h"
#include "sim/faults.h"

namespace clustersim::tools {
namespace {

using scenarios::RunOptions;
using scenarios::RunResult;
using scenarios::Scenario;

constexpr char kFaultHelp[] = R"(
Fault spec (--faults): comma-separated items; "none" for no faults.
  whole run:  loss=P  dup=P  reorder=P  corrupt=P   (probabilities 0..1)
              delay=A..B (latency A to B)  delay=A (fixed)
  windows:    partition@T1..T2=1|2,3   cut {1} from {2,3} both ways
              partition@T1..T2=1,2>3   cut 1,2 -> 3 only
              isolate@T1..T2=N   clog@T1..T2=N   clog@T1..T2=N>M
              pause@T1..T2=N
  instants:   crash@T=N   restart@T=N   step@T=N:+D (clock step)
  clocks:     skew=N:+D   drift=N:+Kppm
  storage:    storage-errors=P  storage-drop=P (applied, reply dropped)
              storage-spike=P:A..B (latency spike)  storage-down@T1..T2
              (only for scenarios with a storage node, e.g. counter)
  Times and durations take a unit: us ms s m h. Nodes are numbered 1..K.
  Every fault time must lie within --duration (at most 24h); a scenario
  may run on past the last fault to let the system settle.
  Example: loss=0.05,dup=0.01,delay=1ms..50ms,partition@10s..20s=1|2,3,
           crash@15s=3,restart@17s=3,pause@20s..45s=2,skew=2:+500ms
--swarm draws the faults from the seed instead, and prints them.
--mode on a scenario without mode-dependent behaviour runs the same
either way; clustersim says so on stderr.
Exit status: 0 all invariants held, 1 a violation, 2 bad input.
)";

std::string KnownScenarios() {
  std::string known;
  for (const Scenario& s : scenarios::AllScenarios()) {
    known += (known.empty() ? "" : ", ") + s.name;
  }
  return known;
}

std::string ReproduceCommand(const Prepared& p) {
  std::string cmd = "clustersim run " + p.scenario->name + " --seed " +
                    std::to_string(p.options.seed);
  if (p.swarm) {
    cmd += " --swarm";
  } else if (!p.options.faults.empty()) {
    cmd += " --faults '" + p.faults + "'";
  }
  if (p.options.mode != scenarios::Mode::kReference) {
    cmd += " --mode " + std::string(ModeName(p.options.mode));
  }
  if (p.options.runners != p.scenario->default_runners) {
    cmd += " --runners " + std::to_string(p.options.runners);
  }
  if (p.options.duration_us != kDefaultDurationUs) {
    cmd += " --duration " + sim::FormatDurationUs(p.options.duration_us);
  }
  if (!p.options.bug.empty()) cmd += " --bug " + p.options.bug;
  if (p.options.load_percent != scenarios::kFullLoadPercent) {
    cmd += " --load " + std::to_string(p.options.load_percent);
  }
  return cmd;
}

}  // namespace

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

absl::StatusOr<uint64_t> ParseU64(std::string_view what, std::string_view text,
                                  uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      value > max) {
    return absl::InvalidArgumentError(
        "bad " + std::string(what) + " '" + std::string(text) +
        "': expected an integer from 0 to " + std::to_string(max));
  }
  return value;
}

bool RunFlags::ShapesTheRun() const {
  const RunFlags defaults;
  return !seed.empty() || !faults.empty() || swarm || mode != defaults.mode ||
         runners.has_value() || duration != defaults.duration || !bug.empty() ||
         load.has_value();
}

void AddRunFlags(CLI::App* sub, RunFlags& flags) {
  CLI::Option* faults =
      sub->add_option("--faults", flags.faults, "fault spec (see below)");
  CLI::Option* swarm =
      sub->add_flag("--swarm", flags.swarm,
                    "draw which faults are on, and how hard, from the seed");
  faults->excludes(swarm);
  sub->add_option(
      "--mode", flags.mode,
      "reference (Effect 4.1.0) or hardened (Effect plus every fix)");
  sub->add_option("--runners", flags.runners,
                  "number of runners (default: the scenario's)");
  sub->add_option("--duration", flags.duration,
                  "virtual time to run, e.g. 60s (default 60s, at most 24h)");
  sub->add_option("--bug", flags.bug, "inject a named mutant (see list)");
  sub->add_option("--load", flags.load,
                  "the clients' request rate in percent, 1..100 (default "
                  "100): their pauses between operations grow by 100/PERCENT");
  sub->add_flag("--json", flags.json, "print one JSON object");
  sub->add_flag("--check-determinism", flags.check_determinism,
                "run twice in this process and compare the trace hashes");
  sub->footer(kFaultHelp);
}

absl::StatusOr<Prepared> Prepare(const RunFlags& flags, uint64_t seed) {
  Prepared p;
  p.scenario = scenarios::FindScenario(flags.scenario);
  if (p.scenario == nullptr) {
    return absl::InvalidArgumentError("unknown scenario '" + flags.scenario +
                                      "' (known: " + KnownScenarios() + ")");
  }
  const Scenario& scenario = *p.scenario;
  RunOptions& o = p.options;
  o.seed = seed;
  std::optional<scenarios::Mode> mode = scenarios::ParseMode(flags.mode);
  if (!mode.has_value()) {
    return absl::InvalidArgumentError("bad mode '" + flags.mode +
                                      "': expected reference or hardened");
  }
  o.mode = *mode;
  if (o.mode != scenarios::Mode::kReference && !scenario.mode_dependent) {
    p.note = scenario.name + " has no mode-dependent behaviour: --mode " +
             flags.mode + " runs the same as reference";
  }
  absl::StatusOr<int64_t> duration = sim::ParseDurationUs(flags.duration);
  if (!duration.ok()) return duration.status();
  if (*duration <= 0 || *duration > kMaxRunDurationUs) {
    return absl::InvalidArgumentError("bad duration '" + flags.duration +
                                      "': must be positive and at most 24h");
  }
  o.duration_us = *duration;
  o.runners = flags.runners.value_or(scenario.default_runners);
  if (o.runners < scenario.min_runners || o.runners > scenario.max_runners) {
    return absl::InvalidArgumentError(
        scenario.name + " needs " + std::to_string(scenario.min_runners) +
        ".." + std::to_string(scenario.max_runners) + " runners, not " +
        std::to_string(o.runners));
  }
  o.bug = flags.bug;
  if (!o.bug.empty() && !scenario.HasMutant(o.bug)) {
    return absl::InvalidArgumentError("unknown bug '" + o.bug + "' for " +
                                      scenario.name + " (see clustersim list)");
  }
  if (flags.load.has_value()) {
    if (!scenario.has_load) {
      return absl::InvalidArgumentError(
          scenario.name + " has no clients whose load --load could change");
    }
    if (*flags.load < 1 || *flags.load > scenarios::kFullLoadPercent) {
      return absl::InvalidArgumentError("bad --load " +
                                        std::to_string(*flags.load) +
                                        ": expected a percent from 1 to 100");
    }
    o.load_percent = *flags.load;
  }
  const size_t nodes = static_cast<size_t>(o.runners + scenario.extra_nodes);
  p.swarm = flags.swarm;
  if (flags.swarm) {
    o.faults = scenario.SwarmPlan(seed, o.runners, o.duration_us);
  } else {
    absl::StatusOr<sim::FaultPlan> plan = sim::ParseFaultPlan(flags.faults);
    if (!plan.ok()) return plan.status();
    o.faults = *std::move(plan);
  }
  if (absl::Status s = o.faults.ValidateNodes(nodes); !s.ok()) return s;
  if (absl::Status s = o.faults.ValidateTimes(o.duration_us); !s.ok()) {
    return s;
  }
  if (o.faults.UsesStorage() && !scenario.has_storage) {
    return absl::InvalidArgumentError(
        "the fault plan has storage faults (storage-*) but " + scenario.name +
        " has no storage");
  }
  p.faults = o.faults.ToString();
  p.reproduce = ReproduceCommand(p);
  return p;
}

absl::StatusOr<Prepared> PrepareFromFlags(const RunFlags& flags) {
  absl::StatusOr<uint64_t> seed = ParseU64("seed", flags.seed);
  if (!seed.ok()) return seed.status();
  return Prepare(flags, *seed);
}

RunFlags ExplicitFlags(const Prepared& p) {
  RunFlags flags;
  flags.scenario = p.scenario->name;
  flags.seed = std::to_string(p.options.seed);
  flags.faults = p.faults;
  flags.mode = std::string(ModeName(p.options.mode));
  flags.runners = p.options.runners;
  flags.duration = sim::FormatDurationUs(p.options.duration_us);
  flags.bug = p.options.bug;
  if (p.options.load_percent != scenarios::kFullLoadPercent) {
    flags.load = p.options.load_percent;
  }
  return flags;
}

absl::StatusOr<Outcome> Execute(const Prepared& p, bool check_determinism) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<RunResult> result = RunScenario(*p.scenario, p.options);
  const auto end = std::chrono::steady_clock::now();
  if (!result.ok()) return result.status();
  outcome.result = *std::move(result);
  outcome.wall_us =
      std::chrono::duration_cast<std::chrono::microseconds>(end - start)
          .count();
  if (check_determinism) {
    outcome.determinism = sim::CheckDeterminism([&p](bool keep_events) {
      RunOptions options = p.options;
      options.keep_trace_events = keep_events;
      RunResult r = *RunScenario(*p.scenario, options);
      return sim::TraceSnapshot{r.trace_hash, r.events, std::move(r.trace),
                                std::move(r.node_names)};
    });
  }
  return outcome;
}

std::vector<std::string> CommandWords(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, in_word = false;
  for (char c : command) {
    if (c == '\'') {
      quoted = !quoted;
      in_word = true;
    } else if (c == ' ' && !quoted) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace clustersim::tools
