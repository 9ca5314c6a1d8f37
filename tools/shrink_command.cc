#include "tools/shrink_command.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/duration.h"
#include "sim/faults.h"
#include "tools/report.h"
#include "tools/simulation.h"

namespace clustersim::tools {
namespace {

using sim::FaultPlan;
using sim::TimedFault;

constexpr int kDefaultMaxRuns = 500;
constexpr int kMaxMaxRuns = 100'000;
// Rates are not lowered below this (dropping the item was tried first).
constexpr double kMinRate = 0.001;
// Windows are not narrowed below this, durations are cut in these steps.
constexpr int64_t kMinWindowUs = 1'000;
constexpr int64_t kDurationStepUs = 100'000;

// A candidate run: what shrinking changes. The seed, mode and mutant stay.
struct Shape {
  FaultPlan plan;
  int runners = 0;
  int64_t duration_us = 0;
  int load_percent = scenarios::kFullLoadPercent;
};

// How big a run is, by the measures shrinking reduces.
struct Size {
  int fault_items = 0;
  int64_t fault_window_us = 0;  // summed over timed faults
  int64_t duration_us = 0;
  int runners = 0;
  double rate_sum = 0;  // of the whole-run rates (loss, dup, storage-errors…)
  int load_percent = scenarios::kFullLoadPercent;
  uint64_t events = 0;

  std::string ToString() const {
    return std::to_string(fault_items) +
           (fault_items == 1 ? " fault item, " : " fault items, ") +
           sim::FormatDurationUs(fault_window_us) +
           " of fault windows, duration " + sim::FormatDurationUs(duration_us) +
           ", " + std::to_string(runners) +
           (runners == 1 ? " runner, " : " runners, ") + "rates summing to " +
           sim::FormatProbability(rate_sum) + ", load " +
           std::to_string(load_percent) + "%, " + std::to_string(events) +
           " trace events";
  }
  Json ToJson() const {
    return Json{{"fault_items", fault_items},
                {"fault_window_ms", JsonMs(fault_window_us)},
                {"duration_ms", JsonMs(duration_us)},
                {"runners", runners},
                {"rate_sum", rate_sum},
                {"load_percent", load_percent},
                {"events", events}};
  }
};

int FaultItems(const FaultPlan& plan) {
  return static_cast<int>(plan.timed.size() + plan.clocks.size()) +
         (plan.loss > 0) + (plan.duplicate > 0) + (plan.reorder > 0) +
         (plan.corrupt > 0) + plan.latency.has_value() +
         (plan.storage.error_rate > 0) + (plan.storage.drop_rate > 0) +
         (plan.storage.spike_rate > 0);
}

// The plan for `to` runners instead of `from` (to < from): the removed
// runners leave every fault (a fault left without nodes goes), and nodes
// after the runners (storage, ...) move down.
FaultPlan WithRunners(const FaultPlan& plan, int from, int to) {
  const uint32_t removed = static_cast<uint32_t>(from - to);
  auto renumber = [&](uint32_t node) -> std::optional<uint32_t> {
    if (node <= static_cast<uint32_t>(to)) return node;
    if (node <= static_cast<uint32_t>(from)) return std::nullopt;
    return node - removed;
  };
  FaultPlan out = plan;
  out.clocks.clear();
  for (const auto& [node, clock] : plan.clocks) {
    if (std::optional<uint32_t> n = renumber(node)) out.clocks[*n] = clock;
  }
  out.timed.clear();
  for (const TimedFault& fault : plan.timed) {
    TimedFault f = fault;
    bool emptied = false;
    for (std::vector<NodeId>& group : f.groups) {
      std::vector<NodeId> kept;
      for (NodeId node : group) {
        if (std::optional<uint32_t> n = renumber(node.value)) {
          kept.push_back(NodeId{*n});
        }
      }
      emptied = emptied || kept.empty();
      group = std::move(kept);
    }
    if (!emptied) out.timed.push_back(std::move(f));
  }
  return out;
}

class Shrinker {
 public:
  // Steps go to `log`; the result to `cli`'s exit code and, with --json,
  // one object on `cli.out`.
  Shrinker(RunFlags base, int min_runners, int max_runs, std::ostream& log,
           Cli& cli)
      : base_(std::move(base)),
        min_runners_(min_runners),
        max_runs_(max_runs),
        log_(log),
        cli_(cli) {}

  void Shrink(const Prepared& original) {
    absl::StatusOr<Outcome> first = Run(original);
    if (!first.ok()) return cli_.BadInput(Message(first.status()));
    if (first->result.violations.empty()) {
      log_ << "the run holds (no violation): nothing to shrink\n";
      if (base_.json) {
        cli_.out << DumpJson(Json{{"original", original.reproduce},
                                  {"invariant", nullptr}})
                 << "\n";
      }
      cli_.exit_code = kExitOk;
      return;
    }
    invariant_ = first->result.violations[0].invariant;
    current_ =
        Shape{original.options.faults, original.options.runners,
              original.options.duration_us, original.options.load_percent};
    current_size_ = SizeOf(current_, first->result.events);
    const Size before = current_size_;
    best_command_ = original.reproduce;
    log_ << "shrinking " << original.reproduce << "\n"
         << "invariant: " << invariant_ << " (first at "
         << Seconds(first->result.violations[0].time_us) << ")\n";
    if (original.swarm) {
      Try("expand the swarm plan to --faults", current_);
    }
    for (bool progress = true; progress && !OutOfRuns();) {
      const int steps = steps_;
      DropTimedFaults();
      DropWholeRunItems();
      LowerRates();
      NarrowWindows();
      ShortenDuration();
      FewerRunners();
      if (original.scenario->has_load) LowerLoad();
      progress = steps_ > steps;
    }
    if (!original.scenario->has_load) {
      log_ << "load: " << original.scenario->name
           << " has no clients (--load); load not shrunk\n";
    }
    if (OutOfRuns()) {
      log_ << "stopped at the budget of " << max_runs_
           << " runs (--max-runs)\n";
    }
    log_ << "runs:   " << runs_ << "\n"
         << "before: " << before.ToString() << "\n"
         << "after:  " << current_size_.ToString() << "\n"
         << "smallest: " << best_command_ << "\n";
    const Json json{{"scenario", original.scenario->name},
                    {"seed", original.options.seed},
                    {"invariant", invariant_},
                    {"runs", runs_},
                    {"max_runs", max_runs_},
                    {"steps", steps_json_},
                    {"before", before.ToJson()},
                    {"after", current_size_.ToJson()},
                    {"original", original.reproduce},
                    {"smallest", best_command_}};
    if (base_.json) cli_.out << DumpJson(json) << "\n";
    cli_.exit_code = kExitViolation;
  }

 private:
  bool OutOfRuns() const { return runs_ >= max_runs_; }

  absl::StatusOr<Outcome> Run(const Prepared& p) {
    ++runs_;
    return Execute(p, /*check_determinism=*/false);
  }

  Size SizeOf(const Shape& shape, uint64_t events) const {
    Size size;
    size.fault_items = FaultItems(shape.plan);
    for (const TimedFault& f : shape.plan.timed) {
      size.fault_window_us += f.end_us - f.start_us;
    }
    size.duration_us = shape.duration_us;
    size.runners = shape.runners;
    const FaultPlan& p = shape.plan;
    size.rate_sum = p.loss + p.duplicate + p.reorder + p.corrupt +
                    p.storage.error_rate + p.storage.drop_rate +
                    p.storage.spike_rate;
    size.load_percent = shape.load_percent;
    size.events = events;
    return size;
  }

  // Runs `shape`; keeps it (and prints the step) if the invariant still
  // fails. A shape the flags reject (a fault past the duration) fails.
  bool Try(const std::string& what, const Shape& shape) {
    if (OutOfRuns()) return false;
    RunFlags flags = base_;
    flags.swarm = false;
    flags.faults = shape.plan.ToString();
    flags.runners = shape.runners;
    flags.duration = sim::FormatDurationUs(shape.duration_us);
    flags.load.reset();
    if (shape.load_percent != scenarios::kFullLoadPercent) {
      flags.load = shape.load_percent;
    }
    absl::StatusOr<Prepared> p = PrepareFromFlags(flags);
    if (!p.ok()) return false;
    absl::StatusOr<Outcome> o = Run(*p);
    if (!o.ok()) return false;
    const std::vector<scenarios::Violation>& found = o->result.violations;
    const auto same = std::find_if(found.begin(), found.end(),
                                   [&](const scenarios::Violation& v) {
                                     return v.invariant == invariant_;
                                   });
    if (same == found.end()) return false;
    current_ = shape;
    current_size_ = SizeOf(shape, o->result.events);
    best_command_ = p->reproduce;
    ++steps_;
    log_ << "step " << steps_ << ": " << what << ": still fails (" << invariant_
         << " at " << Seconds(same->time_us) << ", " << o->result.events
         << " events)\n";
    steps_json_.push_back(Json{{"step", what},
                               {"time_ms", JsonMs(same->time_us)},
                               {"events", o->result.events}});
    return true;
  }

  // ddmin-style: drop chunks of half the timed faults, then quarters, ...
  void DropTimedFaults() {
    for (size_t chunk = std::max<size_t>(current_.plan.timed.size() / 2, 1);
         chunk >= 1 && !current_.plan.timed.empty(); chunk /= 2) {
      for (size_t at = 0; at < current_.plan.timed.size();) {
        Shape next = current_;
        const size_t end = std::min(at + chunk, next.plan.timed.size());
        std::string what = "drop";
        for (size_t i = at; i < end; ++i) {
          what += " '" + next.plan.timed[i].ToString() + "'";
        }
        next.plan.timed.erase(next.plan.timed.begin() + at,
                              next.plan.timed.begin() + end);
        if (!Try(what, next)) at += chunk;
      }
    }
  }

  void DropWholeRunItems() {
    auto drop = [&](const std::string& what,
                    const std::function<bool(FaultPlan&)>& clear) {
      Shape next = current_;
      if (clear(next.plan)) Try("drop " + what, next);
    };
    auto zero = [](double& rate) {
      const bool was = rate > 0;
      rate = 0;
      return was;
    };
    drop("loss", [&](FaultPlan& p) { return zero(p.loss); });
    drop("dup", [&](FaultPlan& p) { return zero(p.duplicate); });
    drop("reorder", [&](FaultPlan& p) { return zero(p.reorder); });
    drop("corrupt", [&](FaultPlan& p) { return zero(p.corrupt); });
    drop("delay", [](FaultPlan& p) {
      const bool was = p.latency.has_value();
      p.latency.reset();
      return was;
    });
    drop("storage-errors",
         [&](FaultPlan& p) { return zero(p.storage.error_rate); });
    drop("storage-drop",
         [&](FaultPlan& p) { return zero(p.storage.drop_rate); });
    drop("storage-spike",
         [&](FaultPlan& p) { return zero(p.storage.spike_rate); });
    std::vector<uint32_t> clocks;
    for (const auto& [node, clock] : current_.plan.clocks)
      clocks.push_back(node);
    for (uint32_t node : clocks) {
      drop("the clock settings of node " + std::to_string(node),
           [node](FaultPlan& p) { return p.clocks.erase(node) > 0; });
    }
  }

  // Halves each whole-run rate (to a thousandth) while the failure stays.
  void LowerRates() {
    auto lower = [&](const std::string& name,
                     const std::function<double&(FaultPlan&)>& rate) {
      while (!OutOfRuns()) {
        Shape next = current_;
        double& r = rate(next.plan);
        const double half = std::floor(r * 500.0) / 1000.0;
        if (r <= 0 || half < kMinRate || half >= r) return;
        r = half;
        if (!Try("lower " + name + " to " + sim::FormatProbability(half),
                 next)) {
          return;
        }
      }
    };
    lower("loss", [](FaultPlan& p) -> double& { return p.loss; });
    lower("dup", [](FaultPlan& p) -> double& { return p.duplicate; });
    lower("reorder", [](FaultPlan& p) -> double& { return p.reorder; });
    lower("corrupt", [](FaultPlan& p) -> double& { return p.corrupt; });
    lower("storage-errors",
          [](FaultPlan& p) -> double& { return p.storage.error_rate; });
    lower("storage-drop",
          [](FaultPlan& p) -> double& { return p.storage.drop_rate; });
    lower("storage-spike",
          [](FaultPlan& p) -> double& { return p.storage.spike_rate; });
  }

  // Keeps the first or the second half of each window, while that fails.
  void NarrowWindows() {
    for (size_t i = 0; i < current_.plan.timed.size(); ++i) {
      for (bool narrowed = true; narrowed;) {
        const TimedFault& f = current_.plan.timed[i];
        const int64_t width = f.end_us - f.start_us;
        narrowed = false;
        if (f.instant() || width / 2 < kMinWindowUs) break;
        // Whole milliseconds keep the printed spec short.
        const int64_t half = width / 2 / 1000 * 1000;
        for (const bool first_half : {true, false}) {
          Shape next = current_;
          TimedFault& g = next.plan.timed[i];
          if (first_half) {
            g.end_us = g.start_us + half;
          } else {
            g.start_us = g.end_us - half;
          }
          if (Try("narrow '" + f.ToString() + "' to '" + g.ToString() + "'",
                  next)) {
            narrowed = true;
            break;
          }
        }
      }
    }
  }

  // Bisects between the last fault's end and the current duration.
  void ShortenDuration() {
    int64_t lo = std::max(current_.plan.QuietTimeUs(), kDurationStepUs);
    while (current_.duration_us - lo >= kDurationStepUs && !OutOfRuns()) {
      int64_t mid = lo + (current_.duration_us - lo) / 2;
      mid = (mid + kDurationStepUs - 1) / kDurationStepUs * kDurationStepUs;
      if (mid >= current_.duration_us) break;
      Shape next = current_;
      next.duration_us = mid;
      if (!Try("duration " + sim::FormatDurationUs(mid), next)) lo = mid;
    }
  }

  // Halves the clients' load (to 1%) while the failure stays.
  void LowerLoad() {
    while (current_.load_percent > 1 && !OutOfRuns()) {
      Shape next = current_;
      next.load_percent = current_.load_percent / 2;
      if (!Try("load " + std::to_string(next.load_percent) + "%", next)) {
        return;
      }
    }
  }

  void FewerRunners() {
    for (int to = min_runners_; to < current_.runners && !OutOfRuns(); ++to) {
      Shape next = current_;
      next.plan = WithRunners(current_.plan, current_.runners, to);
      next.runners = to;
      if (Try(std::to_string(to) + (to == 1 ? " runner" : " runners"), next)) {
        return;
      }
    }
  }

  RunFlags base_;
  int min_runners_;
  int max_runs_;
  std::ostream& log_;
  Cli& cli_;
  std::string invariant_;
  Shape current_;
  Size current_size_;
  std::string best_command_;
  int runs_ = 0;
  int steps_ = 0;
  Json steps_json_ = Json::array();
};

struct ShrinkFlags {
  int max_runs = kDefaultMaxRuns;
};

void DoShrink(const RunFlags& flags, const ShrinkFlags& shrink, Cli& cli) {
  if (flags.check_determinism) {
    return cli.BadInput("shrink does not take --check-determinism");
  }
  if (shrink.max_runs < 1 || shrink.max_runs > kMaxMaxRuns) {
    return cli.BadInput("bad --max-runs " + std::to_string(shrink.max_runs) +
                        ": expected 1.." + std::to_string(kMaxMaxRuns));
  }
  absl::StatusOr<Prepared> p = PrepareFromFlags(flags);
  if (!p.ok()) return cli.BadInput(Message(p.status()));
  if (!p->note.empty()) cli.Note(p->note);
  // With --json the steps are left out: the one object has them.
  std::ostringstream unused;
  Shrinker(flags, p->scenario->min_runners, shrink.max_runs,
           flags.json ? unused : cli.out, cli)
      .Shrink(*p);
}

}  // namespace

void AddShrinkCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<RunFlags>();
  auto shrink = std::make_shared<ShrinkFlags>();
  CLI::App* cmd = app.add_subcommand(
      "shrink",
      "Minimize a failing run (fault plan, windows, duration, runners) while "
      "the same invariant still fails; print the smallest run command");
  cmd->add_option("scenario", flags->scenario, "scenario name")->required();
  cmd->add_option("--seed", flags->seed, "the failing run's seed")->required();
  AddRunFlags(cmd, *flags);
  cmd->add_option("--max-runs", shrink->max_runs,
                  "stop after this many runs (default 500)");
  cmd->callback([flags, shrink, &cli] { DoShrink(*flags, *shrink, cli); });
}

}  // namespace clustersim::tools
