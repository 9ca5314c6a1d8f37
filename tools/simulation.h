// One simulation run as the command line sees it: the flags every
// simulation subcommand shares (run, sweep, replay, shrink), their checking
// into scenarios::RunOptions, the run itself, and the `clustersim run`
// command that reproduces it.
//
// Every size a user can type is bounded here (runners by the scenario,
// --duration by kMaxRunDurationUs, fault times by the duration), so bad
// input is an InvalidArgument error (exit 2), never a huge allocation or a
// run that never ends. Value types; single-threaded. Wall time is read from
// the host clock for reporting only; it never reaches the simulation.
#ifndef CLUSTERSIM_TOOLS_SIMULATION_H_
#define CLUSTERSIM_TOOLS_SIMULATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/scenario.h"
#include "sim/determinism.h"

namespace clustersim::tools {

// The longest --duration a run accepts: a day of virtual time.
inline constexpr int64_t kMaxRunDurationUs = int64_t{24} * 3600 * 1'000'000;
inline constexpr int64_t kDefaultDurationUs = 60'000'000;

// The message of a non-OK status (Abseil's string_view is not
// std::string_view here).
std::string Message(const absl::Status& status);

// A decimal integer from 0 to `max`, the whole text; InvalidArgument names
// `what` and the text.
absl::StatusOr<uint64_t> ParseU64(std::string_view what, std::string_view text,
                                  uint64_t max = UINT64_MAX);

// The flags every simulation subcommand shares, as typed.
struct RunFlags {
  std::string scenario;
  std::string seed;
  std::string faults;
  bool swarm = false;
  std::string mode = "reference";
  std::optional<int> runners;  // unset: the scenario's default
  std::string duration = "60s";
  std::string bug;
  std::optional<int> load;  // percent; unset: full load
  bool json = false;
  bool check_determinism = false;

  // Whether any flag that shapes the run was given (replay FILE takes the
  // run from the file and rejects them).
  bool ShapesTheRun() const;
};

// Registers the shared flags on `sub`, with the fault grammar as its footer.
void AddRunFlags(CLI::App* sub, RunFlags& flags);

// A run, checked and ready to go.
struct Prepared {
  const scenarios::Scenario* scenario = nullptr;
  scenarios::RunOptions options;
  bool swarm = false;
  std::string faults;  // the canonical spec (under swarm: the drawn plan)
  // A note for stderr about a flag that changes nothing (--mode on a
  // scenario without mode-dependent behaviour), or "".
  std::string note;
  std::string reproduce;  // the `clustersim run ...` command
};

// Checks `flags` for `seed`; InvalidArgument (bad input) says what is wrong.
absl::StatusOr<Prepared> Prepare(const RunFlags& flags, uint64_t seed);

// Prepare() with the seed parsed from flags.seed.
absl::StatusOr<Prepared> PrepareFromFlags(const RunFlags& flags);

// Splits a printed command (a reproduce command) into its words; single
// quotes group.
std::vector<std::string> CommandWords(const std::string& command);

// The flags that reproduce `p` with its fault plan spelled out (a swarm
// plan becomes its explicit --faults form).
RunFlags ExplicitFlags(const Prepared& p);

struct Outcome {
  scenarios::RunResult result;
  int64_t wall_us = 0;
  std::optional<sim::DeterminismReport> determinism;

  bool failed() const {
    return result.violation_count > 0 ||
           (determinism.has_value() && !determinism->deterministic());
  }
};

// Runs `p` (twice more if `check_determinism`). An error is bad input.
absl::StatusOr<Outcome> Execute(const Prepared& p, bool check_determinism);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_SIMULATION_H_
