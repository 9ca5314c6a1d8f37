#include "tools/sweep_command.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/report.h"
#include "tools/simulation.h"
#include "tools/triage.h"

namespace clustersim::tools {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMaxSeeds = 100'000'000;
constexpr int kMaxJobs = 256;

struct SweepFlags {
  std::string seeds;
  int jobs = 1;
  std::string shard;
};

// Prepare() succeeded for the first seed; only the seed differs here.
SeedOutcome RunSeed(const RunFlags& flags, uint64_t seed) {
  SeedOutcome s;
  s.seed = seed;
  const Prepared p = *Prepare(flags, seed);
  const Outcome o = *Execute(p, flags.check_determinism);
  s.trace_hash = o.result.trace_hash;
  s.violation_count = o.result.violation_count;
  s.reproduce = p.reproduce;
  if (o.determinism.has_value() && !o.determinism->deterministic()) {
    s.deterministic = false;
    s.invariant = "determinism";
    s.message = o.determinism->ToString();
  } else if (!o.result.violations.empty()) {
    const scenarios::Violation& v = o.result.violations[0];
    s.invariant = v.invariant;
    s.time_us = v.time_us;
    s.message = v.message;
  }
  return s;
}

// The live progress line: on a terminal only, rewritten in place at most
// ten times a second.
class Progress {
 public:
  Progress(Cli& cli, size_t total)
      : cli_(cli), total_(total), start_(Clock::now()) {}

  void Add(const SeedOutcome& s) {
    ++done_;
    if (s.failed()) ++failed_;
    if (!cli_.err_is_terminal) return;
    const Clock::time_point now = Clock::now();
    if (done_ < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
    const double eta =
        rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
    char line[160];
    std::snprintf(line, sizeof line,
                  "\r%zu/%zu seeds, %.1f seeds/s, %zu failed, ETA %.0fs   ",
                  done_, total_, rate, failed_, eta);
    cli_.err << line << std::flush;
  }
  // Leaves the terminal on a fresh line.
  void Finish() {
    if (cli_.err_is_terminal && done_ > 0) cli_.err << "\n";
  }

 private:
  Cli& cli_;
  size_t total_;
  size_t done_ = 0;
  size_t failed_ = 0;
  Clock::time_point start_;
  Clock::time_point last_;
};

// Runs `seeds` in `jobs` forked workers (worker k takes every jobs-th
// seed), reading their results as they come for the progress line.
absl::StatusOr<std::vector<SeedOutcome>> RunForked(
    const RunFlags& flags, const std::vector<uint64_t>& seeds, int jobs,
    Progress& progress) {
  struct Worker {
    pid_t pid;
    int fd;
    std::string pending;  // a partial line
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
        const std::string line = RunSeed(flags, seeds[i]).ToJsonLine();
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
    workers.push_back(Worker{pid, fds[0], ""});
  }
  std::vector<SeedOutcome> outcomes;
  bool worker_failed = false;
  for (size_t open = workers.size(); open > 0;) {
    std::vector<pollfd> fds;
    for (const Worker& w : workers) {
      fds.push_back(pollfd{w.fd, POLLIN, 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR
    for (size_t i = 0; i < workers.size(); ++i) {
      Worker& w = workers[i];
      if (w.fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(w.fd, buffer, sizeof buffer);
      if (n > 0) {
        w.pending.append(buffer, static_cast<size_t>(n));
        for (size_t eol; (eol = w.pending.find('\n')) != std::string::npos;) {
          std::optional<SeedOutcome> s =
              SeedOutcome::FromJsonLine(w.pending.substr(0, eol));
          w.pending.erase(0, eol + 1);
          if (!s.has_value()) {
            worker_failed = true;
            continue;
          }
          progress.Add(*s);
          outcomes.push_back(*std::move(s));
        }
        continue;
      }
      close(w.fd);
      w.fd = -1;
      --open;
      int status = 0;
      waitpid(w.pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
          !w.pending.empty()) {
        worker_failed = true;
      }
    }
    std::erase_if(workers, [](const Worker& w) { return w.fd < 0; });
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
  if (*b - *a >= kMaxSeeds) {
    return absl::InvalidArgumentError(
        "bad --seeds '" + sweep.seeds + "': at most " +
        std::to_string(kMaxSeeds) + " seeds per sweep");
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

Json GroupJson(const FailureGroup& g) {
  const SeedOutcome& f = g.fastest;
  return Json{{"invariant", g.invariant},
              {"signature", g.signature},
              {"count", g.seeds.size()},
              {"seeds", g.seeds},
              {"fastest",
               {{"seed", f.seed},
                {"time_ms", JsonMs(f.time_us)},
                {"message", f.message},
                {"violation_count", f.violation_count},
                {"trace_hash", Hex64(f.trace_hash)}}},
              {"reproduce", f.reproduce},
              {"shrink", ShrinkCommand(f.reproduce)}};
}

void PrintGroup(size_t index, const FailureGroup& g, std::ostream& out) {
  constexpr size_t kSeedsShown = 10;
  const SeedOutcome& f = g.fastest;
  out << "group " << index << ": " << g.invariant << ", " << g.seeds.size()
      << (g.seeds.size() == 1 ? " seed" : " seeds") << " (";
  for (size_t i = 0; i < g.seeds.size() && i < kSeedsShown; ++i) {
    out << (i > 0 ? " " : "") << g.seeds[i];
  }
  if (g.seeds.size() > kSeedsShown) out << " ...";
  out << ")\n  signature: " << g.signature << "\n  fastest:   seed " << f.seed
      << " at " << Seconds(f.time_us) << ": " << f.message;
  if (f.violation_count > 1) out << " (+" << f.violation_count - 1 << " more)";
  out << "\n  reproduce: " << f.reproduce
      << "\n  shrink:    " << ShrinkCommand(f.reproduce) << "\n";
}

void DoSweep(const RunFlags& flags, const SweepFlags& sweep, Cli& cli) {
  absl::StatusOr<std::vector<uint64_t>> seeds = SweepSeeds(sweep);
  if (!seeds.ok()) return cli.BadInput(Message(seeds.status()));
  if (sweep.jobs < 1 || sweep.jobs > kMaxJobs) {
    return cli.BadInput("bad --jobs " + std::to_string(sweep.jobs) +
                        ": expected 1.." + std::to_string(kMaxJobs));
  }
  if (seeds->empty()) return cli.BadInput("this shard has no seeds");
  // Every seed prepares the same way: check the flags once.
  absl::StatusOr<Prepared> first = Prepare(flags, seeds->front());
  if (!first.ok()) return cli.BadInput(Message(first.status()));
  if (!first->note.empty()) cli.Note(first->note);
  const Clock::time_point start = Clock::now();
  Progress progress(cli, seeds->size());
  std::vector<SeedOutcome> outcomes;
  const int jobs = std::min<int>(sweep.jobs, static_cast<int>(seeds->size()));
  if (jobs == 1) {
    for (uint64_t seed : *seeds) {
      outcomes.push_back(RunSeed(flags, seed));
      progress.Add(outcomes.back());
    }
  } else {
    absl::StatusOr<std::vector<SeedOutcome>> forked =
        RunForked(flags, *seeds, jobs, progress);
    if (!forked.ok()) {
      progress.Finish();
      cli.err << "clustersim: " << Message(forked.status()) << "\n";
      cli.exit_code = kExitViolation;
      return;
    }
    outcomes = *std::move(forked);
  }
  progress.Finish();
  const int64_t wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              Clock::now() - start)
                              .count();
  const std::vector<FailureGroup> groups = GroupFailures(outcomes);
  const size_t failed = static_cast<size_t>(
      std::count_if(outcomes.begin(), outcomes.end(),
                    [](const SeedOutcome& s) { return s.failed(); }));
  if (flags.json) {
    Json j = {{"scenario", flags.scenario},
              {"mode", ModeName(first->options.mode)},
              {"seeds", sweep.seeds},
              {"shard", sweep.shard},
              {"runs", outcomes.size()},
              {"failed", failed},
              {"wall_time_ms", JsonMs(wall_us)},
              {"groups", Json::array()}};
    for (const FailureGroup& g : groups) j["groups"].push_back(GroupJson(g));
    cli.out << DumpJson(j) << "\n";
  } else {
    for (size_t i = 0; i < groups.size(); ++i) {
      PrintGroup(i + 1, groups[i], cli.out);
    }
    cli.out << "swept " << outcomes.size() << " seeds of " << sweep.seeds
            << (sweep.shard.empty() ? "" : " shard " + sweep.shard) << " with "
            << jobs << (jobs == 1 ? " job" : " jobs") << " in "
            << Seconds(wall_us) << ": " << failed << " failed";
    if (!groups.empty()) {
      cli.out << " in " << groups.size()
              << (groups.size() == 1 ? " group" : " groups");
    }
    cli.out << "\n";
  }
  cli.exit_code = failed == 0 ? kExitOk : kExitViolation;
}

}  // namespace

void AddSweepCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<RunFlags>();
  auto sweep = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Run a scenario over a range of seeds; group the failures by invariant "
      "and signature");
  cmd->add_option("scenario", flags->scenario, "scenario name")->required();
  cmd->add_option("--seeds", sweep->seeds,
                  "seed range A..B (inclusive, at most 100000000 seeds)")
      ->required();
  cmd->add_option("--jobs", sweep->jobs,
                  "worker processes, 1..256 (default 1: in this process)");
  cmd->add_option("--shard", sweep->shard,
                  "I/N: only seeds A+I, A+I+N, ... (split a sweep across "
                  "machines)");
  AddRunFlags(cmd, *flags);
  cmd->callback([flags, sweep, &cli] { DoSweep(*flags, *sweep, cli); });
}

}  // namespace clustersim::tools
