#include "tools/bench_command.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench_cluster.h"
#include "tools/bench_kernel.h"
#include "tools/bench_sweep.h"
#include "tools/bench_workflow.h"
#include "tools/json.h"

namespace clustersim::tools {
namespace {

constexpr int64_t kMaxEntities = 100'000;
constexpr int64_t kMaxRequests = 10'000;
constexpr int64_t kMaxExecutions = 100'000;
constexpr int64_t kMaxSeeds = 1'000'000;
constexpr int kMaxJobs = 256;

struct BenchFlags {
  std::string name;
  bool json = false;
  int64_t entities = 1000;
  int64_t requests = 100;
  int64_t executions = 1000;
  std::string scenario = "counter";
  int64_t seeds = 400;
  int jobs = 0;  // 0: one per core
};

using Measure = std::function<absl::StatusOr<Json>()>;

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Runs `measure` in a forked child, so that the peak RSS reported (with
// the figures, as "peak_rss_mib") is the workload's own: the child's, or
// that of its largest worker. The figures come back as JSON over a pipe.
absl::StatusOr<Json> RunIsolated(const Measure& measure) {
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    close(fds[0]);
    const absl::StatusOr<Json> figures = measure();
    const Json reply =
        figures.ok()
            ? Json{{"figures", *figures}}
            : Json{{"error", std::string(figures.status().message())},
                   {"code", static_cast<int>(figures.status().code())}};
    _exit(WriteAll(fds[1], DumpJson(reply)) ? 0 : 1);
  }
  close(fds[1]);
  std::string bytes;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  const Json reply = Json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !reply.is_object()) {
    return absl::InternalError("the benchmark process died");
  }
  if (reply.contains("error")) {
    return absl::Status(static_cast<absl::StatusCode>(reply["code"].get<int>()),
                        reply["error"].get<std::string>());
  }
  Json figures = reply["figures"];
  // ru_maxrss is in KiB on Linux.
  figures["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return figures;
}

double PerSecond(double count, double seconds) {
  return seconds > 0 ? count / seconds : 0;
}

absl::StatusOr<Json> Kernel() {
  absl::StatusOr<Json> figures = RunIsolated([]() -> absl::StatusOr<Json> {
    absl::StatusOr<KernelFigures> kernel = RunKernelBenchmark();
    if (!kernel.ok()) return kernel.status();
    return Json{
        {"bare_events_per_wall_s", kernel->bare_events_per_wall_s},
        {"framed_deliveries_per_wall_s", kernel->framed_deliveries_per_wall_s},
        {"pingpong_sim_s_per_wall_s", kernel->pingpong_sim_s_per_wall_s}};
  });
  if (!figures.ok()) return figures.status();
  Json result = {{"benchmark", "kernel"}};
  result.update(*figures);
  return result;
}

absl::StatusOr<Json> Cluster(const BenchFlags& flags) {
  Json result = {{"benchmark", "cluster"},
                 {"entities", flags.entities},
                 {"requests_per_entity", flags.requests},
                 {"runs", Json::array()}};
  for (ClusterSetting setting :
       {ClusterSetting::kInProcess, ClusterSetting::kSimulated}) {
    for (bool persisted : {false, true}) {
      const ClusterWorkload workload{.setting = setting,
                                     .persisted = persisted,
                                     .entities = flags.entities,
                                     .requests = flags.requests};
      absl::StatusOr<Json> run =
          RunIsolated([&workload]() -> absl::StatusOr<Json> {
            absl::StatusOr<ClusterFigures> figures =
                RunClusterWorkload(workload);
            if (!figures.ok()) return figures.status();
            const double trips = static_cast<double>(figures->round_trips);
            return Json{
                {"setting", ClusterSettingName(workload.setting)},
                {"rpc", workload.persisted ? "persisted" : "volatile"},
                {"round_trips", figures->round_trips},
                {"wall_s", figures->wall_s},
                {"virtual_s", figures->virtual_s},
                {"round_trips_per_wall_s", PerSecond(trips, figures->wall_s)},
                {"sim_s_per_wall_s",
                 PerSecond(figures->virtual_s, figures->wall_s)}};
          });
      if (!run.ok()) {
        return absl::Status(
            run.status().code(),
            absl::StrCat(std::string(ClusterSettingName(setting)), " ",
                         persisted ? "persisted" : "volatile", ": ",
                         run.status().message()));
      }
      result["runs"].push_back(*std::move(run));
    }
  }
  return result;
}

absl::StatusOr<Json> Workflow(const BenchFlags& flags) {
  Json result = {{"benchmark", "workflow"},
                 {"executions", flags.executions},
                 {"activities_per_execution", 3},
                 {"runs", Json::array()}};
  for (ClusterSetting setting :
       {ClusterSetting::kInProcess, ClusterSetting::kSimulated}) {
    const WorkflowWorkload workload{.setting = setting,
                                    .executions = flags.executions};
    absl::StatusOr<Json> run =
        RunIsolated([&workload]() -> absl::StatusOr<Json> {
          absl::StatusOr<WorkflowFigures> figures =
              RunWorkflowWorkload(workload);
          if (!figures.ok()) return figures.status();
          const double done = static_cast<double>(figures->executions);
          return Json{
              {"setting", ClusterSettingName(workload.setting)},
              {"executions", figures->executions},
              {"wall_s", figures->wall_s},
              {"virtual_s", figures->virtual_s},
              {"executions_per_wall_s", PerSecond(done, figures->wall_s)},
              {"sim_s_per_wall_s",
               PerSecond(figures->virtual_s, figures->wall_s)}};
        });
    if (!run.ok()) {
      return absl::Status(run.status().code(),
                          absl::StrCat(std::string(ClusterSettingName(setting)),
                                       ": ", run.status().message()));
    }
    result["runs"].push_back(*std::move(run));
  }
  return result;
}

int Cores() {
  return std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
}

absl::StatusOr<Json> Sweep(const BenchFlags& flags) {
  const int cores = Cores();
  const int jobs = flags.jobs == 0 ? cores : flags.jobs;
  Json result = {{"benchmark", "sweep"},
                 {"scenario", flags.scenario},
                 {"cores", cores},
                 {"jobs", jobs},
                 {"runs", Json::array()}};
  for (bool swarm : {false, true}) {
    const SweepWorkload workload{.scenario = flags.scenario,
                                 .seeds = flags.seeds,
                                 .jobs = jobs,
                                 .swarm = swarm};
    absl::StatusOr<Json> run = RunIsolated([&]() -> absl::StatusOr<Json> {
      absl::StatusOr<SweepFigures> figures = RunSweepWorkload(workload);
      if (!figures.ok()) return figures.status();
      const double per_hour =
          3600 *
          PerSecond(static_cast<double>(figures->seeds), figures->wall_s);
      return Json{
          {"faults", swarm ? "swarm" : "none"},
          {"seeds", figures->seeds},
          {"failed", figures->failed},
          {"wall_s", figures->wall_s},
          {"seeds_per_hour", per_hour},
          {"seeds_per_hour_per_core", per_hour / std::min(jobs, cores)}};
    });
    if (!run.ok()) return run.status();
    result["runs"].push_back(*std::move(run));
  }
  return result;
}

// A figure for people: integers as they are, rates without decimals, small
// values to four significant digits.
std::string Text(const Json& value) {
  if (value.is_number_float()) {
    const double v = value.get<double>();
    return std::fabs(v) >= 1000 ? absl::StrFormat("%.0f", v)
                                : absl::StrFormat("%.4g", v);
  }
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// One line per figure: "benchmark key value", each run's figures prefixed
// with what identifies the run (its leading string fields).
void PrintText(const Json& result, std::ostream& out) {
  const std::string name = result["benchmark"].get<std::string>();
  for (const auto& [key, value] : result.items()) {
    if (key == "benchmark" || key == "runs") continue;
    out << absl::StrFormat("%-8s %-46s %s\n", name, key, Text(value));
  }
  if (!result.contains("runs")) return;
  for (const Json& run : result["runs"]) {
    std::string label;
    for (const auto& [key, value] : run.items()) {
      if (value.is_string()) label += (label.empty() ? "" : ".") + Text(value);
    }
    for (const auto& [key, value] : run.items()) {
      if (value.is_string()) continue;
      out << absl::StrFormat("%-8s %-46s %s\n", name,
                             absl::StrCat(label, " ", key), Text(value));
    }
  }
}

void DoBench(const BenchFlags& flags, const CLI::App& cmd, Cli& cli) {
  const auto given = [&cmd](const char* flag) { return cmd.count(flag) > 0; };
  const auto only_for = [&](const char* flag, const char* benchmark) {
    if (given(flag) && flags.name != benchmark) {
      cli.BadInput(
          absl::StrCat(flag, " applies to bench ", benchmark, " only"));
      return false;
    }
    return true;
  };
  if (flags.name != "kernel" && flags.name != "cluster" &&
      flags.name != "workflow" && flags.name != "sweep") {
    return cli.BadInput(
        absl::StrCat("unknown benchmark '", flags.name,
                     "' (known: kernel, cluster, workflow, sweep)"));
  }
  if (!only_for("--entities", "cluster") ||
      !only_for("--requests", "cluster") ||
      !only_for("--executions", "workflow") ||
      !only_for("--scenario", "sweep") || !only_for("--seeds", "sweep") ||
      !only_for("--jobs", "sweep")) {
    return;
  }
  if (flags.entities < 1 || flags.entities > kMaxEntities) {
    return cli.BadInput(absl::StrCat("bad --entities ", flags.entities,
                                     ": expected 1..", kMaxEntities));
  }
  if (flags.requests < 1 || flags.requests > kMaxRequests) {
    return cli.BadInput(absl::StrCat("bad --requests ", flags.requests,
                                     ": expected 1..", kMaxRequests));
  }
  if (flags.executions < 1 || flags.executions > kMaxExecutions) {
    return cli.BadInput(absl::StrCat("bad --executions ", flags.executions,
                                     ": expected 1..", kMaxExecutions));
  }
  if (flags.seeds < 1 || flags.seeds > kMaxSeeds) {
    return cli.BadInput(
        absl::StrCat("bad --seeds ", flags.seeds, ": expected 1..", kMaxSeeds));
  }
  if (given("--jobs") && (flags.jobs < 1 || flags.jobs > kMaxJobs)) {
    return cli.BadInput(
        absl::StrCat("bad --jobs ", flags.jobs, ": expected 1..", kMaxJobs));
  }
  absl::StatusOr<Json> result = flags.name == "kernel"     ? Kernel()
                                : flags.name == "cluster"  ? Cluster(flags)
                                : flags.name == "workflow" ? Workflow(flags)
                                                           : Sweep(flags);
  if (!result.ok()) {
    if (absl::IsInvalidArgument(result.status())) {
      return cli.BadInput(
          absl::StrCat("bench ", flags.name, ": ", result.status().message()));
    }
    cli.err << "clustersim: bench " << flags.name << ": "
            << result.status().message() << "\n";
    cli.exit_code = kExitViolation;
    return;
  }
  if (flags.json) {
    cli.out << DumpJson(*result) << "\n";
  } else {
    PrintText(*result, cli.out);
  }
}

}  // namespace

void AddBenchCommand(CLI::App& app, Cli& cli) {
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure performance: kernel (simulator events and deliveries), cluster "
      "(Effect's peer workload, in-process and simulated), workflow "
      "(concurrent three-activity workflows), sweep (seeds per hour)");
  cmd->add_option("name", flags->name, "kernel, cluster, workflow or sweep")
      ->required();
  cmd->add_flag("--json", flags->json, "print one JSON object");
  cmd->add_option("--entities", flags->entities,
                  "cluster: entities, 1..100000 (default 1000)");
  cmd->add_option("--requests", flags->requests,
                  "cluster: sequential requests per entity, 1..10000 "
                  "(default 100)");
  cmd->add_option("--executions", flags->executions,
                  "workflow: concurrent executions, 1..100000 (default 1000)");
  cmd->add_option("--scenario", flags->scenario,
                  "sweep: the scenario (default counter)");
  cmd->add_option("--seeds", flags->seeds,
                  "sweep: seeds 1..N per run, N at most 1000000 (default 400)");
  cmd->add_option("--jobs", flags->jobs,
                  "sweep: worker processes, 1..256 (default: one per core)");
  cmd->callback([flags, cmd, &cli] { DoBench(*flags, *cmd, cli); });
}

}  // namespace clustersim::tools
