#include "tools/report.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "sim/perfetto.h"

namespace clustersim::tools {

using scenarios::RunResult;
using scenarios::Violation;

std::string Hex64(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

std::string Seconds(int64_t us) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%lld.%06llds",
                static_cast<long long>(us / 1'000'000),
                static_cast<long long>(us % 1'000'000));
  return buffer;
}

Json JsonMs(int64_t us) {
  if (us % 1000 == 0) return us / 1000;
  // Shortest round-trip form of a value with at most 3 decimals: exact.
  return static_cast<double>(us) / 1000.0;
}

std::string DescribeViolation(const Violation& v) {
  return v.invariant + " at " + Seconds(v.time_us) + ": " + v.message;
}

void PrintText(const Prepared& p, const Outcome& o, std::ostream& out) {
  const RunResult& r = o.result;
  out << "scenario      " << p.scenario->name << "\n"
      << "seed          " << p.options.seed << "\n"
      << "mode          " << ModeName(p.options.mode) << "\n"
      << "faults        " << (p.swarm ? "swarm: " : "") << p.faults << "\n"
      << "runners       " << p.options.runners << "\n";
  if (!p.options.bug.empty()) out << "bug           " << p.options.bug << "\n";
  if (p.options.load_percent != scenarios::kFullLoadPercent) {
    out << "load          " << p.options.load_percent << "%\n";
  }
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
      out << "  VIOLATION " << DescribeViolation(r.violations[i]) << "\n";
    }
    if (r.violation_count > kShown) {
      out << "  ... and " << r.violation_count - kShown << " more\n";
    }
  }
  out << "reproduce     " << p.reproduce << "\n";
}

Json RunJson(const Prepared& p, const Outcome& o) {
  const RunResult& r = o.result;
  Json j;
  j["scenario"] = p.scenario->name;
  j["seed"] = p.options.seed;
  j["mode"] = ModeName(p.options.mode);
  j["faults"] = p.faults;
  j["swarm"] = p.swarm;
  j["runners"] = p.options.runners;
  j["bug"] = p.options.bug;
  j["load_percent"] = p.options.load_percent;
  j["events"] = r.events;
  j["virtual_time_ms"] = JsonMs(r.virtual_time_us);
  j["wall_time_ms"] = JsonMs(o.wall_us);
  j["trace_hash"] = Hex64(r.trace_hash);
  Json stats = Json::object();
  for (const auto& [name, value] : r.stats) stats[name] = value;
  j["stats"] = std::move(stats);
  j["violation_count"] = r.violation_count;
  Json violations = Json::array();
  for (const Violation& v : r.violations) {
    violations.push_back(Json{{"invariant", v.invariant},
                              {"time_ms", JsonMs(v.time_us)},
                              {"message", v.message}});
  }
  j["violations"] = std::move(violations);
  if (o.determinism.has_value()) {
    j["deterministic"] = o.determinism->deterministic();
    j["determinism"] = o.determinism->ToString();
  }
  j["reproduce"] = p.reproduce;
  return j;
}

absl::StatusOr<TraceFile> TraceFile::Open(const std::string& path) {
  auto file = std::make_unique<std::ofstream>(path);
  if (!*file) {
    return absl::InvalidArgumentError("cannot write trace file '" + path + "'");
  }
  return TraceFile(path, std::move(file));
}

absl::Status TraceFile::Write(const RunResult& r) {
  if (path_.ends_with(".json")) {
    std::vector<sim::TraceMark> marks;
    for (const Violation& v : r.violations) {
      marks.push_back({v.time_us, "violation: " + v.invariant, v.message});
    }
    sim::WritePerfettoJson(r.trace, r.node_names, marks, *file_);
  } else {
    sim::WriteTextTrace(r.trace, r.node_names, *file_);
  }
  file_->close();
  if (file_->fail()) {
    return absl::InvalidArgumentError("could not write trace file '" + path_ +
                                      "' in full (disk full?)");
  }
  return absl::OkStatus();
}

}  // namespace clustersim::tools
