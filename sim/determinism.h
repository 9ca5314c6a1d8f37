// The determinism self-check: run the same thing twice in one process and
// compare trace hashes; if they differ, run it twice more keeping every
// event and report the first event where the two runs part ways.
//
// A run is given as a function of `keep_events` that performs one complete,
// fresh run (same seed, same inputs) and returns its trace. Single-threaded.
#ifndef CLUSTERSIM_SIM_DETERMINISM_H_
#define CLUSTERSIM_SIM_DETERMINISM_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/trace.h"

namespace clustersim::sim {

struct TraceSnapshot {
  uint64_t hash = 0;
  uint64_t count = 0;
  std::vector<TraceEvent> events;       // empty unless kept
  std::vector<std::string> node_names;  // for printing events
};

using RepeatableRun = std::function<TraceSnapshot(bool keep_events)>;

struct Divergence {
  uint64_t index = 0;
  // The event at `index` in each run; nullopt if that run had ended.
  std::optional<TraceEvent> first;
  std::optional<TraceEvent> second;
};

// The first index where the two event lists differ, or nullopt if equal.
std::optional<Divergence> FirstDivergence(std::span<const TraceEvent> a,
                                          std::span<const TraceEvent> b);

struct DeterminismReport {
  uint64_t first_hash = 0;
  uint64_t second_hash = 0;
  // Located by the re-runs when the hashes differ; nullopt if those re-runs
  // happened to agree.
  std::optional<Divergence> divergence;
  std::vector<std::string> node_names;

  bool deterministic() const { return first_hash == second_hash; }
  // "deterministic (trace hash 0x...)" or what differed and where.
  std::string ToString() const;
};

DeterminismReport CheckDeterminism(const RepeatableRun& run);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_DETERMINISM_H_
