// BenchWorld: the simulated world a cluster benchmark runs in — its runners,
// and storage in-process (one runner whose storage client calls the storage
// state in the same process) or as a node (3 runners and a storage node over
// the simulated network with its default latency, every message a
// CRC-checked frame).
//
// What a runner process is, and what it registers, is the benchmark's: it
// passes a factory from runner options to a process, and a way to find the
// sharding runner inside that process.
// Single-threaded; runs everything in the calling process.
#ifndef CLUSTERSIM_TOOLS_BENCH_WORLD_H_
#define CLUSTERSIM_TOOLS_BENCH_WORLD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/runtime/process.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/runner_resolver.h"
#include "core/storage/storage_server.h"
#include "core/storage/storage_state.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::tools {

enum class ClusterSetting { kInProcess, kSimulated };
std::string_view ClusterSettingName(ClusterSetting setting);

// Virtual time a phase may go without progress before it is a stall.
inline constexpr int64_t kBenchStallUs = 600'000'000;
inline constexpr int64_t kBenchStepUs = 1'000;

class BenchWorld {
 public:
  using MakeRunner =
      std::function<ProcessFactory(sharding::RunnerProcessOptions options)>;
  using RunnerOf = std::function<sharding::RunnerProcess*(Process* process)>;

  // `options.register_entities` is left to `make_runner`.
  BenchWorld(ClusterSetting setting, MakeRunner make_runner,
             RunnerOf runner_of);

  // Runs until every shard has an owner that holds its lock.
  absl::Status AwaitShards();

  sim::World& world() { return world_; }
  // The runner processes, node 1 first.
  const std::vector<Process*>& processes() const { return processes_; }
  const std::vector<sharding::RunnerProcess*>& runners() const {
    return runners_;
  }

 private:
  sim::World world_;
  std::optional<sim::Network> network_;
  // In-process: the storage the runner's client calls directly.
  storage::StorageState state_;
  // Simulated: the storage node's database.
  storage::StorageBackend backend_;
  sharding::StaticRunnerResolver resolver_;
  std::vector<Process*> processes_;
  std::vector<sharding::RunnerProcess*> runners_;
};

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_BENCH_WORLD_H_
