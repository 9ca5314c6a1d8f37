// Model-based property tests of the cluster (RapidCheck): random sequences
// of fault commands against a small simulated cluster (3 runners and a
// storage node, the `counter` workload), shrunk to a minimal sequence when
// an invariant fails.
//
// A command crashes and later restarts a node, pauses it, partitions it from
// the rest, isolates it, clogs one link, steps its clock, or takes storage
// down for a while. A sequence becomes the run's fault plan (the spec
// grammar of sim/faults.h, printed with every counterexample so that
// `clustersim run counter --faults SPEC` replays it); the runners' clients
// keep sending persisted increments throughout. The invariants are checked
// online, event by event, by counter's checkers against its model (a
// ledger of the operations storage accepted, each applied exactly once):
// single-activation, lock belief, single-writer, exactly-once replies,
// reply delivery, liveness once the last fault healed, unique ids.
//
// Hardened mode must hold on every sequence. Each core mutant below must be
// caught: the test fails if RapidCheck finds no failing sequence within
// kMutantTries. At the pinned seed (sequences passed before the first
// failing one; the shrunk counterexample):
//   no-lock-check  0   no faults (lock-belief: a runner starts an entity of
//                      a shard it does not hold)
//   early-release  0   no faults (lock-belief: a step after the release)
//   no-self-stop   40  pause@2000ms..5003ms=1 (lock-belief: a step on a
//                      lease that lapsed during the pause)
//   no-dedupe      47  a partition and a crash/restart (effectively-once)
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/detail/TestMetadata.h"
#include "rapidcheck/detail/TestParams.h"
#include "scenarios/counter.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"
#include "sim/faults.h"

namespace clustersim {
namespace {

using scenarios::Mode;
using scenarios::RunOptions;
using scenarios::RunResult;

constexpr uint32_t kRunners = 3;
constexpr uint32_t kStorageNode = kRunners + 1;
constexpr int64_t kDurationMs = 40'000;

enum class Kind {
  kCrash,
  kPause,
  kPartition,
  kIsolate,
  kClog,
  kStep,
  kStorageDown
};

struct Command {
  Kind kind = Kind::kCrash;
  int64_t at_ms = 0;
  int64_t length_ms = 0;  // windows; a crash's time down
  uint32_t node = 1;
  uint32_t other = 1;   // a clog's far end
  int64_t step_ms = 0;  // a clock step
};

std::string NodeList(uint32_t except) {
  std::vector<uint32_t> rest;
  for (uint32_t n = 1; n <= kStorageNode; ++n) {
    if (n != except) rest.push_back(n);
  }
  return absl::StrJoin(rest, ",");
}

// The command as fault-spec items.
std::string ToSpec(const Command& c) {
  const std::string window =
      absl::StrCat(c.at_ms, "ms..", c.at_ms + c.length_ms, "ms");
  switch (c.kind) {
    case Kind::kCrash:
      return absl::StrCat("crash@", c.at_ms, "ms=", c.node, ",restart@",
                          c.at_ms + c.length_ms, "ms=", c.node);
    case Kind::kPause:
      return absl::StrCat("pause@", window, "=", c.node);
    case Kind::kPartition:
      return absl::StrCat("partition@", window, "=", c.node, "|",
                          NodeList(c.node));
    case Kind::kIsolate:
      return absl::StrCat("isolate@", window, "=", c.node);
    case Kind::kClog:
      return absl::StrCat("clog@", window, "=", c.node, ">", c.other);
    case Kind::kStep:
      return absl::StrCat("step@", c.at_ms, "ms=", c.node, ":",
                          c.step_ms >= 0 ? "+" : "-",
                          c.step_ms >= 0 ? c.step_ms : -c.step_ms, "ms");
    case Kind::kStorageDown:
      return absl::StrCat("storage-down@", window);
  }
  return "";
}

std::string ToSpec(const std::vector<Command>& commands) {
  if (commands.empty()) return "none";
  std::vector<std::string> items;
  for (const Command& c : commands) items.push_back(ToSpec(c));
  return absl::StrJoin(items, ",");
}

rc::Gen<Command> ArbitraryCommand() {
  return rc::gen::exec([] {
    Command c;
    c.kind = *rc::gen::element(Kind::kCrash, Kind::kPause, Kind::kPartition,
                               Kind::kIsolate, Kind::kClog, Kind::kStep,
                               Kind::kStorageDown);
    c.at_ms = *rc::gen::inRange<int64_t>(2'000, 30'000);
    c.length_ms = *rc::gen::inRange<int64_t>(200, 10'000);
    c.node = *rc::gen::inRange<uint32_t>(1, kStorageNode + 1);
    c.other = *rc::gen::inRange<uint32_t>(1, kStorageNode + 1);
    if (c.other == c.node) c.other = c.node % kStorageNode + 1;
    c.step_ms = *rc::gen::inRange<int64_t>(-3'000, 3'001);
    return c;
  });
}

// Up to 8 commands. (RapidCheck grows values with the test's size, so
// early sequences are short and early, later ones span the run.)
rc::Gen<std::vector<Command>> ArbitraryCommands() {
  return rc::gen::exec([] {
    const int count = *rc::gen::inRange(0, 9);
    return *rc::gen::container<std::vector<Command>>(count, ArbitraryCommand());
  });
}

RunResult Run(const std::vector<Command>& commands, const std::string& bug) {
  RunOptions options;
  options.seed = 7;
  options.mode = Mode::kHardened;
  absl::StatusOr<sim::FaultPlan> plan = sim::ParseFaultPlan(ToSpec(commands));
  RC_ASSERT(plan.ok());
  options.faults = *plan;
  options.duration_us = kDurationMs * 1000;
  options.bug = bug;
  absl::StatusOr<RunResult> result =
      scenarios::RunScenario(scenarios::CounterScenario(), options);
  RC_ASSERT(result.ok());
  return *std::move(result);
}

// The property: the sequence breaks no invariant. On failure it prints the
// command that replays the sequence and the first violation.
void HoldsEveryInvariant(const std::vector<Command>& commands,
                         const std::string& bug) {
  const RunResult r = Run(commands, bug);
  if (r.violation_count == 0) return;
  const std::string replay = absl::StrCat(
      "clustersim run counter --seed 7 --mode hardened --duration 40s",
      bug.empty() ? "" : " --bug " + bug, " --faults '", ToSpec(commands),
      "'\n", r.violations[0].invariant, ": ", r.violations[0].message);
  RC_FAIL(replay);
}

rc::detail::TestResult Check(const std::string& bug, int tries, bool shrink) {
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = "cluster model " + bug;
  rc::detail::TestParams params;
  params.seed = 20261203;
  params.maxSuccess = tries;
  params.disableShrinking = !shrink;
  return rc::detail::checkTestable(
      [bug] { HoldsEveryInvariant(*ArbitraryCommands(), bug); }, metadata,
      params);
}

TEST(ClusterModelTest, HardenedModeHoldsOnEverySequence) {
  const rc::detail::TestResult result = Check("", 100, /*shrink=*/true);
  std::ostringstream out;
  rc::detail::printResultMessage(result, out);
  EXPECT_TRUE(result.is<rc::detail::SuccessResult>()) << out.str();
}

constexpr int kMutantTries = 100;

TEST(ClusterModelTest, MutantsAreFoundAndShrunk) {
  for (const std::string bug :
       {"no-lock-check", "no-self-stop", "no-dedupe", "early-release"}) {
    SCOPED_TRACE(bug);
    const rc::detail::TestResult result =
        Check(bug, kMutantTries, /*shrink=*/true);
    rc::detail::FailureResult failure;
    ASSERT_TRUE(result.match(failure))
        << bug << " survived " << kMutantTries << " sequences";
    std::cerr << bug << ": found after " << failure.numSuccess
              << " passing sequences; shrunk counterexample:\n"
              << failure.description << "\n";
  }
}

}  // namespace
}  // namespace clustersim
