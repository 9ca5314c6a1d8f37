#include "sim/perfetto.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/json_string.h"

namespace clustersim::sim {
namespace {

// Process ids: the world is 1, node n is n + 1 (pid 0 confuses some
// viewers). Threads within a node process:
constexpr int kWorldPid = 1;
constexpr int kLifecycleTid = 1;  // incarnations
constexpr int kPauseTid = 2;      // pauses
constexpr int kEventTid = 3;      // messages and core events
// Threads of the world process: the network, then one lane per concurrently
// open fault window (complete events on one thread must nest).
constexpr int kNetworkTid = 1;
constexpr int kFirstFaultTid = 10;

int PidOf(uint32_t node) {
  return node == kWorldNode ? kWorldPid : static_cast<int>(node) + 1;
}

std::string NodeName(uint32_t node, std::span<const std::string> names) {
  if (node == kWorldNode) return "world";
  if (node <= names.size()) return names[node - 1];
  return "node" + std::to_string(node);
}

// The message id of a network event ("#17 1->2 ..."), if any.
std::optional<uint64_t> MessageId(const TraceEvent& e) {
  if (!e.kind.starts_with("net.") || !e.detail.starts_with("#")) {
    return std::nullopt;
  }
  uint64_t id = 0;
  const char* begin = e.detail.data() + 1;
  auto [end, ec] =
      std::from_chars(begin, e.detail.data() + e.detail.size(), id);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return id;
}

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {
    out_ << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  }
  ~JsonWriter() { out_ << "\n]}\n"; }

  void Metadata(std::string_view what, int pid, int tid,
                std::string_view name) {
    std::string e = "{\"ph\":\"M\",\"name\":";
    AppendJsonString(e, what);
    e += ",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) +
         ",\"args\":{\"name\":";
    AppendJsonString(e, name);
    e += "}}";
    Emit(e);
  }
  void SortIndex(int pid, int index) {
    Emit("{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":" +
         std::to_string(pid) +
         ",\"tid\":0,\"args\":{\"sort_index\":" + std::to_string(index) + "}}");
  }
  void Instant(std::string_view name, int64_t ts, int pid, int tid,
               std::string_view detail) {
    std::string e = "{\"ph\":\"i\",\"s\":\"t\",\"name\":";
    AppendJsonString(e, name);
    e += Where(ts, pid, tid) + Args(detail) + "}";
    Emit(e);
  }
  void Complete(std::string_view name, int64_t ts, int64_t dur, int pid,
                int tid, std::string_view detail) {
    std::string e = "{\"ph\":\"X\",\"name\":";
    AppendJsonString(e, name);
    e += Where(ts, pid, tid) + ",\"dur\":" + std::to_string(dur) +
         Args(detail) + "}";
    Emit(e);
  }
  // A flow arrow endpoint bound to the slice at (ts, pid, tid).
  void Flow(bool start, uint64_t id, int64_t ts, int pid, int tid) {
    Emit(std::string("{\"ph\":\"") + (start ? "s" : "f") +
         "\",\"name\":\"message\",\"id\":" + std::to_string(id) +
         Where(ts, pid, tid) + (start ? "" : ",\"bp\":\"e\"") + "}");
  }

 private:
  static std::string Where(int64_t ts, int pid, int tid) {
    return ",\"cat\":\"sim\",\"ts\":" + std::to_string(ts) +
           ",\"pid\":" + std::to_string(pid) +
           ",\"tid\":" + std::to_string(tid);
  }
  static std::string Args(std::string_view detail) {
    if (detail.empty()) return "";
    std::string a = ",\"args\":{\"detail\":";
    AppendJsonString(a, detail);
    return a + "}";
  }
  void Emit(const std::string& event) {
    if (!first_) out_ << ",\n";
    first_ = false;
    out_ << event;
  }

  std::ostream& out_;
  bool first_ = true;
};

struct OpenSpan {
  int64_t start_us;
  std::string name;
  int tid;
};

}  // namespace

void WritePerfettoJson(std::span<const TraceEvent> events,
                       std::span<const std::string> node_names,
                       std::ostream& out) {
  JsonWriter json(out);
  std::set<uint32_t> nodes;
  for (const TraceEvent& e : events) nodes.insert(e.node);
  for (size_t i = 1; i <= node_names.size(); ++i) {
    nodes.insert(static_cast<uint32_t>(i));
  }
  for (uint32_t node : nodes) {
    const int pid = PidOf(node);
    json.Metadata("process_name", pid, 0, NodeName(node, node_names));
    json.SortIndex(pid, static_cast<int>(node));
    if (node == kWorldNode) {
      json.Metadata("thread_name", pid, kNetworkTid, "network");
    } else {
      json.Metadata("thread_name", pid, kLifecycleTid, "incarnations");
      json.Metadata("thread_name", pid, kPauseTid, "pauses");
      json.Metadata("thread_name", pid, kEventTid, "events");
    }
  }

  std::map<uint32_t, OpenSpan> incarnations, pauses;
  std::map<std::string, OpenSpan> faults;  // by fault item
  std::set<int> busy_lanes;
  std::set<uint64_t> delivered;
  int64_t last_us = 0;

  auto close = [&](const OpenSpan& span, int64_t end_us, int pid) {
    json.Complete(span.name, span.start_us, end_us - span.start_us, pid,
                  span.tid, "");
  };
  for (const TraceEvent& e : events) {
    last_us = e.time_us;
    if (e.kind == "run") continue;
    const int pid = PidOf(e.node);
    if (e.kind == "node.start") {
      incarnations[e.node] = OpenSpan{e.time_us, e.detail, kLifecycleTid};
    } else if (e.kind == "node.crash") {
      if (auto it = incarnations.find(e.node); it != incarnations.end()) {
        close(it->second, e.time_us, pid);
        incarnations.erase(it);
      }
      if (auto it = pauses.find(e.node); it != pauses.end()) {
        close(it->second, e.time_us, pid);
        pauses.erase(it);
      }
    } else if (e.kind == "node.pause") {
      pauses[e.node] = OpenSpan{e.time_us, "paused", kPauseTid};
    } else if (e.kind == "node.resume") {
      if (auto it = pauses.find(e.node); it != pauses.end()) {
        close(it->second, e.time_us, pid);
        pauses.erase(it);
      }
    } else if (e.kind == "fault.begin") {
      int lane = kFirstFaultTid;
      while (busy_lanes.contains(lane)) ++lane;
      busy_lanes.insert(lane);
      json.Metadata("thread_name", kWorldPid, lane, "faults");
      faults[e.detail] = OpenSpan{e.time_us, e.detail, lane};
    } else if (e.kind == "fault.end" ||
               (e.kind == "fault.skip" && e.detail.starts_with("fault.end "))) {
      const std::string item = e.kind == "fault.end"
                                   ? e.detail
                                   : e.detail.substr(sizeof("fault.end ") - 1);
      if (auto it = faults.find(item); it != faults.end()) {
        close(it->second, e.time_us, kWorldPid);
        busy_lanes.erase(it->second.tid);
        faults.erase(it);
      }
    }
    const int tid = e.node == kWorldNode ? kNetworkTid : kEventTid;
    std::optional<uint64_t> id = MessageId(e);
    if (id.has_value() && (e.kind == "net.send" || e.kind == "net.deliver" ||
                           e.kind == "net.queue")) {
      // Flow arrows bind to slices: message events are 1 us slices.
      json.Complete(e.kind, e.time_us, 1, pid, tid, e.detail);
      if (e.kind == "net.send") {
        json.Flow(true, *id, e.time_us, pid, tid);
      } else if (delivered.insert(*id).second) {
        json.Flow(false, *id, e.time_us, pid, tid);
      }
    } else {
      json.Instant(e.kind, e.time_us, pid, tid, e.detail);
    }
  }
  // Spans still open at the end of the trace end with it.
  for (const auto& [node, span] : incarnations)
    close(span, last_us, PidOf(node));
  for (const auto& [node, span] : pauses) close(span, last_us, PidOf(node));
  for (const auto& [item, span] : faults) close(span, last_us, kWorldPid);
}

std::string FormatTraceEvent(uint64_t index, const TraceEvent& event,
                             std::span<const std::string> node_names) {
  char time[32];
  std::snprintf(time, sizeof time, "%lld.%06lld",
                static_cast<long long>(event.time_us / 1'000'000),
                static_cast<long long>(event.time_us % 1'000'000));
  std::string line = std::to_string(index) + " " + time + "s " +
                     NodeName(event.node, node_names) + " " + event.kind;
  if (!event.detail.empty()) line += " " + event.detail;
  return line;
}

void WriteTextTrace(std::span<const TraceEvent> events,
                    std::span<const std::string> node_names,
                    std::ostream& out) {
  for (size_t i = 0; i < events.size(); ++i) {
    out << FormatTraceEvent(i, events[i], node_names) << "\n";
  }
}

}  // namespace clustersim::sim
