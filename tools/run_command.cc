#include "tools/run_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/determinism.h"
#include "sim/duration.h"
#include "sim/faults.h"
#include "sim/json_string.h"
#include "sim/perfetto.h"
#include "sim/prng.h"

namespace clustersim::tools {
namespace {

using scenarios::RunOptions;
using scenarios::RunResult;
using scenarios::Scenario;
using scenarios::Violation;

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
  Example: loss=0.05,dup=0.01,delay=1ms..50ms,partition@10s..20s=1|2,3,
           crash@15s=3,restart@17s=3,pause@20s..45s=2,skew=2:+500ms
--swarm draws the faults from the seed instead, and prints them.
Exit status: 0 all invariants held, 1 a violation, 2 bad input.
)";

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

std::string Hex64(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

// "12.345678s".
std::string Seconds(int64_t us) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%lld.%06llds",
                static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buffer;
}

// Milliseconds as a JSON number, exact: "1234" or "1234.567".
std::string JsonMs(int64_t us) {
  std::string out = std::to_string(us / 1000);
  if (us % 1000 != 0) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, ".%03lld",
                  static_cast<long long>(us % 1000));
    out += buffer;
    while (out.back() == '0') out.pop_back();
  }
  return out;
}

absl::StatusOr<uint64_t> ParseU64(std::string_view what,
                                  std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return absl::InvalidArgumentError(
        "bad " + std::string(what) + " '" + std::string(text) +
        "': expected an integer from 0 to 18446744073709551615");
  }
  return value;
}

// The flags every simulation subcommand shares.
struct RunFlags {
  std::string scenario;
  std::string seed;
  std::string faults;
  bool swarm = false;
  std::string mode = "reference";
  int runners = 0;
  std::string duration = "60s";
  std::string bug;
  bool json = false;
  bool check_determinism = false;
};

void AddRunFlags(CLI::App* sub, RunFlags& flags) {
  CLI::Option* faults =
      sub->add_option("--faults", flags.faults, "fault spec (see below)");
  CLI::Option* swarm =
      sub->add_flag("--swarm", flags.swarm,
                    "draw which faults are on, and how hard, from "
                    "the seed");
  faults->excludes(swarm);
  sub->add_option("--mode", flags.mode, "reference (Effect 4.1.0) or hardened (Effect plus every fix)");
  sub->add_option("--runners", flags.runners,
                  "number of runners (default: the scenario's)");
  sub->add_option("--duration", flags.duration,
                  "virtual time to run, e.g. 60s (default 60s)");
  sub->add_option("--bug", flags.bug, "inject a named mutant (see list)");
  sub->add_flag("--json", flags.json, "print one JSON object");
  sub->add_flag("--check-determinism", flags.check_determinism,
                "run twice in this process and compare the trace hashes");
  sub->footer(kFaultHelp);
}

// A run, checked and ready to go.
struct Prepared {
  const Scenario* scenario = nullptr;
  RunOptions options;
  std::string faults;  // the canonical spec (under swarm: the drawn plan)
  std::string reproduce;
};

std::string KnownScenarios() {
  std::string known;
  for (const Scenario& s : scenarios::AllScenarios()) {
    known += (known.empty() ? "" : ", ") + s.name;
  }
  return known;
}

std::string ReproduceCommand(const RunFlags& flags, const Prepared& p) {
  std::string cmd = "clustersim run " + p.scenario->name + " --seed " +
                    std::to_string(p.options.seed);
  if (flags.swarm) {
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
  if (p.options.duration_us != 60'000'000) {
    cmd += " --duration " + sim::FormatDurationUs(p.options.duration_us);
  }
  if (!p.options.bug.empty()) cmd += " --bug " + p.options.bug;
  return cmd;
}

absl::StatusOr<Prepared> Prepare(const RunFlags& flags, uint64_t seed) {
  Prepared p;
  p.scenario = scenarios::FindScenario(flags.scenario);
  if (p.scenario == nullptr) {
    return absl::InvalidArgumentError("unknown scenario '" + flags.scenario +
                                      "' (known: " + KnownScenarios() + ")");
  }
  RunOptions& o = p.options;
  o.seed = seed;
  std::optional<scenarios::Mode> mode = scenarios::ParseMode(flags.mode);
  if (!mode.has_value()) {
    return absl::InvalidArgumentError("bad mode '" + flags.mode +
                                      "': expected reference or hardened");
  }
  o.mode = *mode;
  absl::StatusOr<int64_t> duration = sim::ParseDurationUs(flags.duration);
  if (!duration.ok()) return duration.status();
  if (*duration <= 0) {
    return absl::InvalidArgumentError("bad duration '" + flags.duration +
                                      "': must be positive");
  }
  o.duration_us = *duration;
  o.runners = flags.runners == 0 ? p.scenario->default_runners : flags.runners;
  if (o.runners < p.scenario->min_runners ||
      o.runners > p.scenario->max_runners) {
    return absl::InvalidArgumentError(
        p.scenario->name + " needs " + std::to_string(p.scenario->min_runners) +
        ".." + std::to_string(p.scenario->max_runners) + " runners, not " +
        std::to_string(o.runners));
  }
  o.bug = flags.bug;
  if (!o.bug.empty() && !p.scenario->HasMutant(o.bug)) {
    return absl::InvalidArgumentError("unknown bug '" + o.bug + "' for " +
                                      p.scenario->name +
                                      " (see clustersim list)");
  }
  const size_t nodes = static_cast<size_t>(o.runners + p.scenario->extra_nodes);
  if (flags.swarm) {
    sim::Prng rng = sim::Prng::ForStream(seed, "swarm");
    o.faults =
        sim::SwarmFaultPlan(rng, nodes, o.duration_us, p.scenario->has_storage);
  } else {
    absl::StatusOr<sim::FaultPlan> plan = sim::ParseFaultPlan(flags.faults);
    if (!plan.ok()) return plan.status();
    o.faults = *std::move(plan);
  }
  if (absl::Status s = o.faults.ValidateNodes(nodes); !s.ok()) return s;
  if (o.faults.UsesStorage() && !p.scenario->has_storage) {
    return absl::InvalidArgumentError(
        "the fault plan has storage faults (storage-*) but " +
        p.scenario->name + " has no storage");
  }
  p.faults = o.faults.ToString();
  p.reproduce = ReproduceCommand(flags, p);
  return p;
}

struct Outcome {
  RunResult result;
  int64_t wall_us = 0;
  std::optional<sim::DeterminismReport> determinism;

  bool failed() const {
    return result.violation_count > 0 ||
           (determinism.has_value() && !determinism->deterministic());
  }
};

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

std::string FaultsLine(const RunFlags& flags, const Prepared& p) {
  return flags.swarm ? "swarm: " + p.faults : p.faults;
}

void PrintText(const RunFlags& flags, const Prepared& p, const Outcome& o,
               std::ostream& out) {
  const RunResult& r = o.result;
  out << "scenario      " << p.scenario->name << "\n"
      << "seed          " << p.options.seed << "\n"
      << "mode          " << ModeName(p.options.mode) << "\n"
      << "faults        " << FaultsLine(flags, p) << "\n"
      << "runners       " << p.options.runners << "\n";
  if (!p.options.bug.empty()) out << "bug           " << p.options.bug << "\n";
  out << "events        " << r.events << "\n"
      << "virtual time  " << Seconds(r.virtual_time_us) << "\n"
      << "wall time     " << Seconds(o.wall_us) << "\n"
      << "trace hash    " << Hex64(r.trace_hash) << "\n"
      << "counters     ";
  for (const auto& [name, value] : r.stats) out << " " << name << "=" << value;
  out << "\n";
  if (o.determinism.has_value()) {
    out << "determinism   " << o.determinism->ToString() << "\n";
  }
  if (r.violation_count == 0) {
    out << "violations    none\n";
  } else {
    out << "violations    " << r.violation_count << "\n";
    constexpr size_t kShown = 10;
    for (size_t i = 0; i < r.violations.size() && i < kShown; ++i) {
      const Violation& v = r.violations[i];
      out << "  VIOLATION " << v.invariant << " at " << Seconds(v.time_us)
          << ": " << v.message << "\n";
    }
    if (r.violation_count > kShown) {
      out << "  ... and " << r.violation_count - kShown << " more\n";
    }
  }
  out << "reproduce     " << p.reproduce << "\n";
}

void PrintJson(const RunFlags& flags, const Prepared& p, const Outcome& o,
               std::ostream& out) {
  const RunResult& r = o.result;
  std::string j = "{\"scenario\":" + sim::JsonString(p.scenario->name) +
                  ",\"seed\":" + std::to_string(p.options.seed) +
                  ",\"mode\":" + sim::JsonString(ModeName(p.options.mode)) +
                  ",\"faults\":" + sim::JsonString(p.faults) +
                  ",\"swarm\":" + (flags.swarm ? "true" : "false") +
                  ",\"runners\":" + std::to_string(p.options.runners) +
                  ",\"bug\":" + sim::JsonString(p.options.bug) +
                  ",\"events\":" + std::to_string(r.events) +
                  ",\"virtual_time_ms\":" + JsonMs(r.virtual_time_us) +
                  ",\"wall_time_ms\":" + JsonMs(o.wall_us) +
                  ",\"trace_hash\":" + sim::JsonString(Hex64(r.trace_hash)) +
                  ",\"stats\":{";
  for (size_t i = 0; i < r.stats.size(); ++i) {
    j += (i > 0 ? "," : "") + sim::JsonString(r.stats[i].first) + ":" +
         std::to_string(r.stats[i].second);
  }
  j += "},\"violation_count\":" + std::to_string(r.violation_count) +
       ",\"violations\":[";
  for (size_t i = 0; i < r.violations.size(); ++i) {
    const Violation& v = r.violations[i];
    j += (i > 0 ? "," : "") + std::string("{\"invariant\":") +
         sim::JsonString(v.invariant) + ",\"time_ms\":" + JsonMs(v.time_us) +
         ",\"message\":" + sim::JsonString(v.message) + "}";
  }
  j += "]";
  if (o.determinism.has_value()) {
    j += ",\"deterministic\":";
    j += o.determinism->deterministic() ? "true" : "false";
    j += ",\"determinism\":" + sim::JsonString(o.determinism->ToString());
  }
  j += ",\"reproduce\":" + sim::JsonString(p.reproduce) + "}";
  out << j << "\n";
}

// Opens --trace FILE before the run, so a bad path fails fast.
absl::StatusOr<std::unique_ptr<std::ofstream>> OpenTrace(
    const std::string& path) {
  auto file = std::make_unique<std::ofstream>(path);
  if (!*file) {
    return absl::InvalidArgumentError("cannot write trace file '" + path + "'");
  }
  return file;
}

void WriteTrace(const std::string& path, const RunResult& r,
                std::ofstream& file) {
  if (path.ends_with(".json")) {
    sim::WritePerfettoJson(r.trace, r.node_names, file);
  } else {
    sim::WriteTextTrace(r.trace, r.node_names, file);
  }
}

// --- run -----------------------------------------------------------------

void DoRun(const RunFlags& flags, const std::string& trace_path, Cli& cli) {
  absl::StatusOr<uint64_t> seed = ParseU64("seed", flags.seed);
  if (!seed.ok()) return cli.BadInput(Message(seed.status()));
  absl::StatusOr<Prepared> p = Prepare(flags, *seed);
  if (!p.ok()) return cli.BadInput(Message(p.status()));
  std::unique_ptr<std::ofstream> trace_file;
  if (!trace_path.empty()) {
    absl::StatusOr<std::unique_ptr<std::ofstream>> file = OpenTrace(trace_path);
    if (!file.ok()) return cli.BadInput(Message(file.status()));
    trace_file = *std::move(file);
    p->options.keep_trace_events = true;
  }
  absl::StatusOr<Outcome> o = Execute(*p, flags.check_determinism);
  if (!o.ok()) return cli.BadInput(Message(o.status()));
  if (trace_file != nullptr) WriteTrace(trace_path, o->result, *trace_file);
  (flags.json ? PrintJson : PrintText)(flags, *p, *o, cli.out);
  cli.exit_code = o->failed() ? kExitViolation : kExitOk;
}

// --- list ----------------------------------------------------------------

void DoList(Cli& cli) {
  for (const Scenario& s : scenarios::AllScenarios()) {
    cli.out << s.name << "\n  " << s.description << "\n  runners "
            << s.min_runners << ".." << s.max_runners << " (default "
            << s.default_runners << ")\n";
    for (const scenarios::Mutant& m : s.mutants) {
      cli.out << "  --bug " << m.name << ": " << m.description << "\n";
    }
  }
}

// --- sweep ---------------------------------------------------------------

struct SeedOutcome {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t violation_count = 0;
  bool deterministic = true;
  std::string first;  // the first violation, as printed
  std::string reproduce;
};

SeedOutcome RunSeed(const RunFlags& flags, uint64_t seed) {
  SeedOutcome s;
  s.seed = seed;
  // Prepare() succeeded for the first seed; only the seed differs here.
  Prepared p = *Prepare(flags, seed);
  Outcome o = *Execute(p, flags.check_determinism);
  s.trace_hash = o.result.trace_hash;
  s.violation_count = o.result.violation_count;
  s.reproduce = p.reproduce;
  if (o.determinism.has_value() && !o.determinism->deterministic()) {
    s.deterministic = false;
    s.first = "determinism: " + o.determinism->ToString();
  } else if (!o.result.violations.empty()) {
    const Violation& v = o.result.violations[0];
    s.first = v.invariant + " at " + Seconds(v.time_us) + ": " + v.message;
  }
  return s;
}

// Worker results cross a pipe as lines of tab-separated fields.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
      out += text[i] == 't' ? '\t' : text[i] == 'n' ? '\n' : text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Serialize(const SeedOutcome& s) {
  return std::to_string(s.seed) + "\t" + std::to_string(s.trace_hash) + "\t" +
         std::to_string(s.violation_count) + "\t" +
         (s.deterministic ? "1" : "0") + "\t" + Escape(s.first) + "\t" +
         Escape(s.reproduce) + "\n";
}

std::optional<SeedOutcome> Deserialize(std::string_view line) {
  std::vector<std::string_view> f;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string_view::npos;
       start = tab + 1) {
    f.push_back(line.substr(start, tab - start));
  }
  f.push_back(line.substr(start));
  if (f.size() != 6) return std::nullopt;
  SeedOutcome s;
  absl::StatusOr<uint64_t> seed = ParseU64("seed", f[0]);
  absl::StatusOr<uint64_t> hash = ParseU64("hash", f[1]);
  absl::StatusOr<uint64_t> count = ParseU64("count", f[2]);
  if (!seed.ok() || !hash.ok() || !count.ok()) return std::nullopt;
  s.seed = *seed;
  s.trace_hash = *hash;
  s.violation_count = *count;
  s.deterministic = f[3] == "1";
  s.first = Unescape(f[4]);
  s.reproduce = Unescape(f[5]);
  return s;
}

// Runs `seeds` in `jobs` forked workers (worker k takes every jobs-th seed)
// and returns the outcomes in seed order.
absl::StatusOr<std::vector<SeedOutcome>> RunForked(
    const RunFlags& flags, const std::vector<uint64_t>& seeds, int jobs) {
  struct Worker {
    pid_t pid;
    int fd;
  };
  std::vector<Worker> workers;
  for (int k = 0; k < jobs; ++k) {
    int fds[2];
    if (pipe(fds) != 0) return absl::InternalError("pipe failed");
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) return absl::InternalError("fork failed");
    if (pid == 0) {
      close(fds[0]);
      for (size_t i = static_cast<size_t>(k); i < seeds.size();
           i += static_cast<size_t>(jobs)) {
        const std::string line = Serialize(RunSeed(flags, seeds[i]));
        for (size_t done = 0; done < line.size();) {
          const ssize_t n =
              write(fds[1], line.data() + done, line.size() - done);
          if (n <= 0) _exit(3);
          done += static_cast<size_t>(n);
        }
      }
      close(fds[1]);
      _exit(0);
    }
    close(fds[1]);
    workers.push_back(Worker{pid, fds[0]});
  }
  std::vector<SeedOutcome> outcomes;
  bool worker_failed = false;
  for (const Worker& w : workers) {
    std::string data;
    char buffer[4096];
    for (ssize_t n; (n = read(w.fd, buffer, sizeof buffer)) > 0;) {
      data.append(buffer, static_cast<size_t>(n));
    }
    close(w.fd);
    int status = 0;
    waitpid(w.pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) worker_failed = true;
    std::istringstream lines(data);
    for (std::string line; std::getline(lines, line);) {
      std::optional<SeedOutcome> s = Deserialize(line);
      if (!s.has_value()) {
        worker_failed = true;
        continue;
      }
      outcomes.push_back(*std::move(s));
    }
  }
  if (worker_failed || outcomes.size() != seeds.size()) {
    return absl::InternalError(
        "a sweep worker died (a crash in the simulated code?); re-run the "
        "missing seeds with --jobs 1 to see it");
  }
  std::sort(outcomes.begin(), outcomes.end(),
            [](const SeedOutcome& a, const SeedOutcome& b) {
              return a.seed < b.seed;
            });
  return outcomes;
}

struct SweepFlags {
  std::string seeds;
  int jobs = 1;
  std::string shard;
};

// "A..B" (inclusive) and "I/N".
absl::StatusOr<std::vector<uint64_t>> SweepSeeds(const SweepFlags& sweep) {
  const size_t dots = sweep.seeds.find("..");
  if (dots == std::string::npos) {
    return absl::InvalidArgumentError("bad --seeds '" + sweep.seeds +
                                      "': expected A..B");
  }
  absl::StatusOr<uint64_t> a =
      ParseU64("first seed", sweep.seeds.substr(0, dots));
  if (!a.ok()) return a.status();
  absl::StatusOr<uint64_t> b =
      ParseU64("last seed", sweep.seeds.substr(dots + 2));
  if (!b.ok()) return b.status();
  if (*b < *a) {
    return absl::InvalidArgumentError("bad --seeds '" + sweep.seeds +
                                      "': the range is empty");
  }
  constexpr uint64_t kMaxSeeds = 100'000'000;
  if (*b - *a >= kMaxSeeds) {
    return absl::InvalidArgumentError("bad --seeds '" + sweep.seeds +
                                      "': at most 100000000 seeds per sweep");
  }
  uint64_t shard = 0, shards = 1;
  if (!sweep.shard.empty()) {
    const size_t slash = sweep.shard.find('/');
    absl::StatusOr<uint64_t> i =
        ParseU64("shard", sweep.shard.substr(0, slash));
    absl::StatusOr<uint64_t> n =
        slash == std::string::npos
            ? absl::StatusOr<uint64_t>(0)
            : ParseU64("shard count", sweep.shard.substr(slash + 1));
    if (!i.ok() || !n.ok() || *n == 0 || *i >= *n) {
      return absl::InvalidArgumentError("bad --shard '" + sweep.shard +
                                        "': expected I/N with 0 <= I < N");
    }
    shard = *i;
    shards = *n;
  }
  std::vector<uint64_t> seeds;
  for (uint64_t s = *a;; ++s) {
    if ((s - *a) % shards == shard) seeds.push_back(s);
    if (s == *b) break;
  }
  return seeds;
}

void DoSweep(const RunFlags& flags, const SweepFlags& sweep, Cli& cli) {
  absl::StatusOr<std::vector<uint64_t>> seeds = SweepSeeds(sweep);
  if (!seeds.ok()) return cli.BadInput(Message(seeds.status()));
  if (sweep.jobs < 1 || sweep.jobs > 256) {
    return cli.BadInput("bad --jobs " + std::to_string(sweep.jobs) +
                        ": expected 1..256");
  }
  if (seeds->empty()) return cli.BadInput("this shard has no seeds");
  // Every seed prepares the same way: check the flags once.
  if (absl::StatusOr<Prepared> p = Prepare(flags, seeds->front()); !p.ok()) {
    return cli.BadInput(Message(p.status()));
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<SeedOutcome> outcomes;
  const int jobs = std::min<int>(sweep.jobs, static_cast<int>(seeds->size()));
  if (jobs == 1) {
    for (uint64_t seed : *seeds) outcomes.push_back(RunSeed(flags, seed));
  } else {
    absl::StatusOr<std::vector<SeedOutcome>> forked =
        RunForked(flags, *seeds, jobs);
    if (!forked.ok()) {
      cli.err << "clustersim: " << Message(forked.status()) << "\n";
      cli.exit_code = kExitViolation;
      return;
    }
    outcomes = *std::move(forked);
  }
  const int64_t wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  std::vector<const SeedOutcome*> failed;
  for (const SeedOutcome& s : outcomes) {
    if (s.violation_count > 0 || !s.deterministic) failed.push_back(&s);
  }
  if (flags.json) {
    std::string j = "{\"scenario\":" + sim::JsonString(flags.scenario) +
                    ",\"seeds\":" + sim::JsonString(sweep.seeds) +
                    ",\"shard\":" + sim::JsonString(sweep.shard) +
                    ",\"runs\":" + std::to_string(outcomes.size()) +
                    ",\"failed\":" + std::to_string(failed.size()) +
                    ",\"wall_time_ms\":" + JsonMs(wall_us) + ",\"failures\":[";
    for (size_t i = 0; i < failed.size(); ++i) {
      const SeedOutcome& s = *failed[i];
      j += (i > 0 ? "," : "") + std::string("{\"seed\":") +
           std::to_string(s.seed) +
           ",\"trace_hash\":" + sim::JsonString(Hex64(s.trace_hash)) +
           ",\"violation_count\":" + std::to_string(s.violation_count) +
           ",\"first\":" + sim::JsonString(s.first) +
           ",\"reproduce\":" + sim::JsonString(s.reproduce) + "}";
    }
    cli.out << j << "]}\n";
  } else {
    for (const SeedOutcome* s : failed) {
      cli.out << "seed " << s->seed << ": " << s->first;
      if (s->violation_count > 1) {
        cli.out << " (+" << s->violation_count - 1 << " more)";
      }
      cli.out << "\n  reproduce: " << s->reproduce << "\n";
    }
    cli.out << "swept " << outcomes.size() << " seeds of " << sweep.seeds
            << (sweep.shard.empty() ? "" : " shard " + sweep.shard) << " with "
            << jobs << (jobs == 1 ? " job" : " jobs") << " in "
            << Seconds(wall_us) << ": " << failed.size() << " failed\n";
  }
  cli.exit_code = failed.empty() ? kExitOk : kExitViolation;
}

// --- replay --------------------------------------------------------------

// The value of the string field `key` in a one-object JSON summary.
std::optional<std::string> JsonField(const std::string& json,
                                     const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const size_t at = json.find(needle);
  if (at == std::string::npos) return std::nullopt;
  std::string value;
  for (size_t i = at + needle.size(); i < json.size(); ++i) {
    if (json[i] == '"') return value;
    if (json[i] == '\\' && i + 1 < json.size()) {
      ++i;
      const char c = json[i];
      value += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
    } else {
      value += json[i];
    }
  }
  return std::nullopt;
}

// Splits a reproduce command into words (single quotes group).
std::vector<std::string> Words(const std::string& command) {
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

struct ReplayFlags {
  std::string target;  // a scenario name or a summary file
  std::string until;
  int tail = 20;
  std::string trace_path;
};

void DoReplay(RunFlags flags, const ReplayFlags& replay, Cli& cli) {
  std::optional<std::string> recorded_hash;
  if (scenarios::FindScenario(replay.target) != nullptr) {
    flags.scenario = replay.target;
  } else {
    std::ifstream file(replay.target);
    if (!file) {
      return cli.BadInput("'" + replay.target +
                          "' is neither a scenario nor a readable file");
    }
    std::stringstream content;
    content << file.rdbuf();
    std::optional<std::string> command = JsonField(content.str(), "reproduce");
    recorded_hash = JsonField(content.str(), "trace_hash");
    if (!command.has_value()) {
      return cli.BadInput("'" + replay.target +
                          "' holds no \"reproduce\" command (expected the "
                          "output of clustersim run --json)");
    }
    std::vector<std::string> words = Words(*command);
    if (words.size() < 3 || words[0] != "clustersim" || words[1] != "run") {
      return cli.BadInput("unexpected reproduce command: " + *command);
    }
    // Parse the recorded command's flags as `run` would.
    RunFlags recorded;
    CLI::App parser{"replay"};
    parser.add_option("scenario", recorded.scenario)->required();
    parser.add_option("--seed", recorded.seed)->required();
    AddRunFlags(&parser, recorded);
    std::vector<std::string> args(words.rbegin(), words.rend() - 2);
    try {
      parser.parse(args);
    } catch (const CLI::ParseError& e) {
      return cli.BadInput("unexpected reproduce command: " + *command);
    }
    recorded.json = flags.json;
    flags = recorded;
  }
  if (flags.seed.empty()) {
    return cli.BadInput("replay " + flags.scenario + " needs --seed N");
  }
  absl::StatusOr<uint64_t> seed = ParseU64("seed", flags.seed);
  if (!seed.ok()) return cli.BadInput(Message(seed.status()));
  absl::StatusOr<Prepared> p = Prepare(flags, *seed);
  if (!p.ok()) return cli.BadInput(Message(p.status()));
  std::optional<uint64_t> until;
  if (!replay.until.empty()) {
    absl::StatusOr<uint64_t> event = ParseU64("event", replay.until);
    if (!event.ok()) return cli.BadInput(Message(event.status()));
    until = *event;
    p->options.max_trace_events = *event + 1;
  }
  if (replay.tail < 0) return cli.BadInput("bad --tail: must be >= 0");
  p->options.keep_trace_events =
      until.has_value() || !replay.trace_path.empty();
  std::unique_ptr<std::ofstream> trace_file;
  if (!replay.trace_path.empty()) {
    absl::StatusOr<std::unique_ptr<std::ofstream>> f =
        OpenTrace(replay.trace_path);
    if (!f.ok()) return cli.BadInput(Message(f.status()));
    trace_file = *std::move(f);
  }
  absl::StatusOr<Outcome> o = Execute(*p, /*check_determinism=*/false);
  if (!o.ok()) return cli.BadInput(Message(o.status()));
  if (trace_file != nullptr)
    WriteTrace(replay.trace_path, o->result, *trace_file);
  (flags.json ? PrintJson : PrintText)(flags, *p, *o, cli.out);
  const bool mismatch = recorded_hash.has_value() && !until.has_value() &&
                        *recorded_hash != Hex64(o->result.trace_hash);
  cli.exit_code = o->failed() || mismatch ? kExitViolation : kExitOk;
  if (flags.json) return;  // the one JSON object only
  if (recorded_hash.has_value() && !until.has_value()) {
    cli.out << "replay        "
            << (mismatch ? "NOT deterministic: the recorded run had trace "
                           "hash " +
                               *recorded_hash
                         : std::string("same trace hash as the recorded run"))
            << "\n";
  }
  if (until.has_value()) {
    const std::vector<sim::TraceEvent>& events = o->result.trace;
    if (events.size() <= *until) {
      cli.out << "the run ended at event " << events.size() << ", before event "
              << *until << "\n";
    } else {
      const uint64_t first =
          *until >= static_cast<uint64_t>(replay.tail)
              ? *until + 1 - static_cast<uint64_t>(replay.tail)
              : 0;
      cli.out << "events " << first << ".." << *until << ":\n";
      for (uint64_t i = first; i <= *until; ++i) {
        cli.out << sim::FormatTraceEvent(i, events[i], o->result.node_names)
                << "\n";
      }
    }
  }
}

}  // namespace

void AddRunCommands(CLI::App& app, Cli& cli) {
  app.add_subcommand("list", "List the scenarios and their bugs")
      ->callback([&cli] { DoList(cli); });

  {
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
  {
    auto flags = std::make_shared<RunFlags>();
    auto sweep = std::make_shared<SweepFlags>();
    CLI::App* cmd = app.add_subcommand(
        "sweep", "Run a scenario over a range of seeds; report failing seeds");
    cmd->add_option("scenario", flags->scenario, "scenario name")->required();
    cmd->add_option("--seeds", sweep->seeds, "seed range A..B (inclusive)")
        ->required();
    cmd->add_option("--jobs", sweep->jobs,
                    "worker processes (default 1: in this process)");
    cmd->add_option("--shard", sweep->shard,
                    "I/N: only seeds A+I, A+I+N, ... (split a sweep across "
                    "machines)");
    AddRunFlags(cmd, *flags);
    cmd->callback([flags, sweep, &cli] { DoSweep(*flags, *sweep, cli); });
  }
  {
    auto flags = std::make_shared<RunFlags>();
    auto replay = std::make_shared<ReplayFlags>();
    CLI::App* cmd = app.add_subcommand(
        "replay",
        "Re-run a run (from its flags, or from a file holding its `run "
        "--json` output, checking the trace hash), optionally stopping at a "
        "trace event");
    cmd->add_option("target", replay->target,
                    "a scenario name (then give --seed and run flags) or a "
                    "run --json summary file")
        ->required();
    cmd->add_option("--seed", flags->seed, "the run's seed");
    AddRunFlags(cmd, *flags);
    cmd->add_option("--until", replay->until,
                    "stop after trace event EVENT and print the events "
                    "leading up to it");
    cmd->add_option("--tail", replay->tail,
                    "how many events to print with --until (default 20)");
    cmd->add_option("--trace", replay->trace_path, "write the trace (as run)");
    cmd->callback([flags, replay, &cli] { DoReplay(*flags, *replay, cli); });
  }
}

}  // namespace clustersim::tools
