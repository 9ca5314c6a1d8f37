// Trace files: the kept events of a run, for people and tools to look at.
//
// WritePerfettoJson writes Chrome/Perfetto trace-event JSON (load it in
// ui.perfetto.dev or chrome://tracing): one process per node, named, plus
// one for the world (network and nemesis). Messages and faults are instant
// events carrying their detail; a message's send and delivery are joined by
// a flow arrow; node incarnations (start to crash), pauses (pause to
// resume) and fault windows (fault.begin to fault.end) are complete events.
// Each runner has a track per entity ("alive ADDRESS": begin/end spans from
// entity.start to entity.stop), per shard ("owns SHARD": shard.acquire to
// shard.release) and per workflow execution ("run TAG/ID": each run, from
// workflow.run.start to workflow.run.end; activity attempts are instants),
// closed at the runner's crash or the end of the trace.
// Marks (the run's violations) are global instant events of the world.
// Events are built with nlohmann-json.
// The per-action "run" events are left out: they carry nothing to look at.
// Timestamps are virtual microseconds.
//
// WriteTextTrace writes one event per line, every event included, numbered
// by its index in the trace (the numbering `replay --until` uses):
//   INDEX TIME NODE KIND DETAIL
// with TIME in seconds (microsecond precision) and NODE a node name or
// "world". Pure functions of their inputs.
#ifndef CLUSTERSIM_SIM_PERFETTO_H_
#define CLUSTERSIM_SIM_PERFETTO_H_

#include <ostream>
#include <span>
#include <string>

#include "sim/trace.h"

namespace clustersim::sim {

// Something to show on the timeline that is not a trace event.
struct TraceMark {
  int64_t time_us = 0;
  std::string name;    // e.g. "violation: single-activation"
  std::string detail;  // e.g. the checker's message
};

// `node_names[i]` names node i + 1.
void WritePerfettoJson(std::span<const TraceEvent> events,
                       std::span<const std::string> node_names,
                       std::span<const TraceMark> marks, std::ostream& out);

void WriteTextTrace(std::span<const TraceEvent> events,
                    std::span<const std::string> node_names, std::ostream& out);

// One event as a line of the text trace (without the newline).
std::string FormatTraceEvent(uint64_t index, const TraceEvent& event,
                             std::span<const std::string> node_names);

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_PERFETTO_H_
