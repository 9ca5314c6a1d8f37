// Scenario: a named workload with its invariants, runnable from a seed.
//
// A scenario builds a World (its nodes, the network, the fault plan), runs
// it for the requested virtual time, checks its invariants and returns what
// happened. A run is a pure function of its RunOptions and the build: the
// same options give the same trace hash, in any process. Mutants are
// deliberately injected bugs (`--bug NAME`), off by default; a sweep must
// catch each one. Value types; single-threaded.
#ifndef CLUSTERSIM_SCENARIOS_SCENARIO_H_
#define CLUSTERSIM_SCENARIOS_SCENARIO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/runtime/random.h"
#include "core/sharding/config.h"
#include "sim/faults.h"
#include "sim/trace.h"

namespace clustersim::scenarios {

inline constexpr int kFullLoadPercent = 100;

// `pause_ms` of a client between two operations, at `load_percent`.
int64_t PauseAtLoadMs(int64_t pause_ms, int load_percent);

// Reference mode reproduces Effect's behaviour; hardened mode adds the fencing
// Effect lacks (see SPEC.md section 4).
using Mode = sharding::Mode;
using sharding::ModeName;
using sharding::ParseMode;

struct RunOptions {
  uint64_t seed = 0;
  Mode mode = Mode::kReference;
  sim::FaultPlan faults;
  int runners = 0;  // 0: the scenario's default
  int64_t duration_us = 60'000'000;
  std::string bug;  // a mutant of the scenario, or "" for none
  bool keep_trace_events = false;
  // Stop once the trace holds this many events (replay --until).
  uint64_t max_trace_events = UINT64_MAX;
  // The clients' request rate in percent of the scenario's (1..100): their
  // pauses between operations are scaled by 100 / load_percent, so a lower
  // load sends fewer requests from the same random draws (shrink lowers
  // it). Scenarios without clients (Scenario::has_load) ignore it.
  int load_percent = kFullLoadPercent;
};

struct Violation {
  std::string invariant;  // e.g. "at-most-once-delivery"
  int64_t time_us = 0;    // virtual time it was detected
  std::string message;
};

struct RunResult {
  uint64_t events = 0;  // trace events
  int64_t virtual_time_us = 0;
  uint64_t trace_hash = 0;
  bool stopped_early = false;  // by max_trace_events
  // The first violations found (at most kMaxViolationsKept) and how many
  // there were in all.
  std::vector<Violation> violations;
  uint64_t violation_count = 0;
  // Counters worth printing, in a fixed order.
  std::vector<std::pair<std::string, int64_t>> stats;
  std::vector<std::string> node_names;  // node i + 1
  std::vector<sim::TraceEvent> trace;   // when kept
};

inline constexpr size_t kMaxViolationsKept = 100;

struct Mutant {
  std::string name;
  std::string description;
};

// A scenario's own mutants followed by the core's registry
// (core/mutants/mutant.h), for scenarios whose runners honour
// ShardingConfig::mutant.
std::vector<Mutant> WithCoreMutants(std::vector<Mutant> own);

struct Scenario {
  std::string name;
  std::string description;
  int default_runners = 3;
  int min_runners = 1;
  int max_runners = 1000;
  // Nodes besides the runners (a storage server, ...), numbered after them;
  // swarm plans and fault specs may name them too.
  int extra_nodes = 0;
  // Whether it has a storage server that storage faults apply to.
  bool has_storage = false;
  // Whether its clients honour RunOptions::load_percent.
  bool has_load = false;
  // Whether --mode changes what runs (reference and hardened differ); when
  // not, the command says a --mode hardened run is the reference run.
  bool mode_dependent = true;
  std::vector<Mutant> mutants;
  // Draws the fault plan of a --swarm run; nullptr: sim::SwarmFaultPlan. A
  // scenario aimed at one kind of fault biases its draws here.
  sim::FaultPlan (*swarm)(Random& rng, size_t node_count, int64_t duration_us,
                          bool has_storage) = nullptr;
  // One run. An error status is bad input (e.g. the fault plan names a node
  // the run does not have), never an invariant violation.
  absl::StatusOr<RunResult> (*run)(const RunOptions& options) = nullptr;

  bool HasMutant(std::string_view name) const;
  // The fault plan of `--swarm` for `seed` with `runners` runners (drawn
  // from the seed's "swarm" stream).
  sim::FaultPlan SwarmPlan(uint64_t seed, int runners,
                           int64_t duration_us) const;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_SCENARIO_H_
