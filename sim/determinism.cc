#include "sim/determinism.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/perfetto.h"

namespace clustersim::sim {
namespace {

std::string Hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%016llx",
                static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace

std::optional<Divergence> FirstDivergence(std::span<const TraceEvent> a,
                                          std::span<const TraceEvent> b) {
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < common; ++i) {
    if (!(a[i] == b[i])) return Divergence{i, a[i], b[i]};
  }
  if (a.size() == b.size()) return std::nullopt;
  Divergence d{common, std::nullopt, std::nullopt};
  if (a.size() > common) d.first = a[common];
  if (b.size() > common) d.second = b[common];
  return d;
}

DeterminismReport CheckDeterminism(const RepeatableRun& run) {
  DeterminismReport report;
  const TraceSnapshot first = run(false);
  const TraceSnapshot second = run(false);
  report.first_hash = first.hash;
  report.second_hash = second.hash;
  report.node_names = first.node_names;
  if (report.deterministic()) return report;
  const TraceSnapshot a = run(true);
  const TraceSnapshot b = run(true);
  report.divergence = FirstDivergence(a.events, b.events);
  return report;
}

std::string DeterminismReport::ToString() const {
  if (deterministic())
    return "deterministic (trace hash " + Hex(first_hash) + ")";
  std::string out = "NOT deterministic: the same run gave trace hashes " +
                    Hex(first_hash) + " and " + Hex(second_hash);
  if (!divergence.has_value()) {
    return out +
           "; two more runs keeping events agreed, so the difference "
           "comes and goes";
  }
  const Divergence& d = *divergence;
  out += "\nfirst difference at event " + std::to_string(d.index);
  auto line = [&](const std::optional<TraceEvent>& e) {
    return e.has_value() ? FormatTraceEvent(d.index, *e, node_names)
                         : std::string("(run ended)");
  };
  out += "\n  run A: " + line(d.first);
  out += "\n  run B: " + line(d.second);
  return out;
}

}  // namespace clustersim::sim
