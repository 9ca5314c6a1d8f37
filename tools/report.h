// How the simulation subcommands print a run: the text summary, the one-
// object JSON summary (built with nlohmann-json, keys in contract order),
// trace files, and the number formats they share.
//
// Output is checked: a trace file or summary that could not be written in
// full (a full disk, /dev/full) is an error, never a silent exit 0.
// Pure functions of their inputs plus the stream they write.
#ifndef CLUSTERSIM_TOOLS_REPORT_H_
#define CLUSTERSIM_TOOLS_REPORT_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/scenario.h"
#include "tools/json.h"
#include "tools/simulation.h"

namespace clustersim::tools {

// "0x0123456789abcdef".
std::string Hex64(uint64_t value);
// "12.345678s".
std::string Seconds(int64_t us);
// Milliseconds as an exact JSON number: 1234 or 1234.567.
Json JsonMs(int64_t us);

// "INVARIANT at 1.234000s: MESSAGE".
std::string DescribeViolation(const scenarios::Violation& v);

void PrintText(const Prepared& p, const Outcome& o, std::ostream& out);
// The summary object: scenario, seed, mode, faults, swarm, runners, bug,
// events, virtual_time_ms, wall_time_ms, trace_hash, stats,
// violation_count, violations, [deterministic, determinism], reproduce.
Json RunJson(const Prepared& p, const Outcome& o);

// A trace file, opened before the run so that a bad path fails fast.
class TraceFile {
 public:
  static absl::StatusOr<TraceFile> Open(const std::string& path);

  // FILE.json gets Perfetto/Chrome JSON, any other name the text trace.
  // An error if the file could not be written in full.
  absl::Status Write(const scenarios::RunResult& r);

 private:
  TraceFile(std::string path, std::unique_ptr<std::ofstream> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  std::string path_;
  std::unique_ptr<std::ofstream> file_;
};

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_REPORT_H_
