#include "sim/perfetto.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

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
constexpr int kMarkTid = 2;  // violations
constexpr int kFirstFaultTid = 10;
// Node threads past the fixed ones: one per entity address, then one per
// shard, each numbered in order of first appearance.
constexpr int kFirstEntityTid = 100;
constexpr int kFirstShardTid = 100'000;
constexpr int kFirstRunTid = 200'000;
constexpr int kFirstActivityTid = 300'000;

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

using Json = nlohmann::ordered_json;

// One trace event per line; events are built with nlohmann-json, so names
// and details of any bytes are escaped correctly.
class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {
    out_ << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  }
  ~JsonWriter() { out_ << "\n]}\n"; }

  void Metadata(std::string_view what, int pid, int tid,
                std::string_view name) {
    Emit(Json{{"ph", "M"},
              {"name", what},
              {"pid", pid},
              {"tid", tid},
              {"args", {{"name", name}}}});
  }
  void SortIndex(int pid, int index) {
    Emit(Json{{"ph", "M"},
              {"name", "process_sort_index"},
              {"pid", pid},
              {"tid", 0},
              {"args", {{"sort_index", index}}}});
  }
  // `global`: drawn across the whole timeline (violations).
  void Instant(std::string_view name, int64_t ts, int pid, int tid,
               std::string_view detail, bool global = false) {
    Json e = {{"ph", "i"}, {"s", global ? "g" : "t"}, {"name", name}};
    Where(e, ts, pid, tid);
    Emit(WithArgs(std::move(e), detail));
  }
  void Complete(std::string_view name, int64_t ts, int64_t dur, int pid,
                int tid, std::string_view detail) {
    Json e = {{"ph", "X"}, {"name", name}};
    Where(e, ts, pid, tid);
    e["dur"] = dur;
    Emit(WithArgs(std::move(e), detail));
  }
  // A span opened and closed by separate events ("B" ... "E").
  void Begin(std::string_view name, int64_t ts, int pid, int tid,
             std::string_view detail) {
    Json e = {{"ph", "B"}, {"name", name}};
    Where(e, ts, pid, tid);
    Emit(WithArgs(std::move(e), detail));
  }
  void End(int64_t ts, int pid, int tid) {
    Json e = {{"ph", "E"}};
    Where(e, ts, pid, tid);
    Emit(e);
  }
  // A flow arrow endpoint bound to the slice at (ts, pid, tid).
  void Flow(bool start, uint64_t id, int64_t ts, int pid, int tid) {
    Json e = {{"ph", start ? "s" : "f"}, {"name", "message"}, {"id", id}};
    Where(e, ts, pid, tid);
    if (!start) e["bp"] = "e";
    Emit(e);
  }

 private:
  static void Where(Json& e, int64_t ts, int pid, int tid) {
    e["cat"] = "sim";
    e["ts"] = ts;
    e["pid"] = pid;
    e["tid"] = tid;
  }
  static Json WithArgs(Json e, std::string_view detail) {
    if (!detail.empty()) e["args"] = {{"detail", detail}};
    return e;
  }
  void Emit(const Json& event) {
    if (!first_) out_ << ",\n";
    first_ = false;
    out_ << event.dump(-1, ' ', /*ensure_ascii=*/false,
                       Json::error_handler_t::replace);
  }

  std::ostream& out_;
  bool first_ = true;
};

struct OpenSpan {
  int64_t start_us;
  std::string name;
  int tid;
};

// "ADDRESS runner=HOST:PORT" (entity and shard events): ADDRESS.
std::string_view Subject(std::string_view detail) {
  return detail.substr(0, detail.find(" runner="));
}

// "EXECUTION name=NAME attempt=N runner=..." (activity events): "EXECUTION
// name=NAME", so that an activity's attempts share one track.
std::string_view ActivitySubject(std::string_view detail) {
  return detail.substr(0, detail.find(" attempt="));
}

// Tracks opened by "B" and closed by "E" events, one thread per (node,
// subject): an entity's alive spans on a runner, a shard's ownership spans.
// Every span it opens it closes: at the closing event, at the node's
// crash, or at the end of the trace.
class SpanTracks {
 public:
  SpanTracks(JsonWriter& json, std::string label, int first_tid)
      : json_(json), label_(std::move(label)), next_tid_(first_tid) {}

  void Open(uint32_t node, std::string_view subject, int64_t ts,
            std::string_view detail) {
    const int tid = TidOf(node, subject);
    if (open_.contains({node, tid})) json_.End(ts, PidOf(node), tid);
    json_.Begin(label_, ts, PidOf(node), tid, detail);
    open_.insert({node, tid});
  }
  void Close(uint32_t node, std::string_view subject, int64_t ts) {
    const auto it = tids_.find({node, std::string(subject)});
    if (it == tids_.end() || open_.erase({node, it->second}) == 0) return;
    json_.End(ts, PidOf(node), it->second);
  }
  void CloseNode(uint32_t node, int64_t ts) {
    for (auto it = open_.lower_bound({node, 0});
         it != open_.end() && it->first == node;) {
      json_.End(ts, PidOf(node), it->second);
      it = open_.erase(it);
    }
  }
  void CloseAll(int64_t ts) {
    for (const auto& [node, tid] : open_) json_.End(ts, PidOf(node), tid);
    open_.clear();
  }

 private:
  int TidOf(uint32_t node, std::string_view subject) {
    auto [it, inserted] = tids_.try_emplace({node, std::string(subject)}, 0);
    if (inserted) {
      it->second = next_tid_++;
      json_.Metadata("thread_name", PidOf(node), it->second,
                     label_ + " " + std::string(subject));
    }
    return it->second;
  }

  JsonWriter& json_;
  std::string label_;
  int next_tid_;
  std::map<std::pair<uint32_t, std::string>, int> tids_;
  std::set<std::pair<uint32_t, int>> open_;  // (node, tid)
};

}  // namespace

void WritePerfettoJson(std::span<const TraceEvent> events,
                       std::span<const std::string> node_names,
                       std::span<const TraceMark> marks, std::ostream& out) {
  JsonWriter json(out);
  std::set<uint32_t> nodes;
  for (const TraceEvent& e : events) nodes.insert(e.node);
  for (size_t i = 1; i <= node_names.size(); ++i) {
    nodes.insert(static_cast<uint32_t>(i));
  }
  if (!marks.empty()) nodes.insert(kWorldNode);
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
  SpanTracks entities(json, "alive", kFirstEntityTid);
  SpanTracks shards(json, "owns", kFirstShardTid);
  SpanTracks runs(json, "run", kFirstRunTid);
  SpanTracks activities(json, "activity", kFirstActivityTid);
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
      entities.CloseNode(e.node, e.time_us);
      shards.CloseNode(e.node, e.time_us);
      runs.CloseNode(e.node, e.time_us);
      activities.CloseNode(e.node, e.time_us);
    } else if (e.kind == "node.pause") {
      pauses[e.node] = OpenSpan{e.time_us, "paused", kPauseTid};
    } else if (e.kind == "node.resume") {
      if (auto it = pauses.find(e.node); it != pauses.end()) {
        close(it->second, e.time_us, pid);
        pauses.erase(it);
      }
    } else if (e.kind == "entity.start") {
      entities.Open(e.node, Subject(e.detail), e.time_us, e.detail);
    } else if (e.kind == "entity.stop") {
      entities.Close(e.node, Subject(e.detail), e.time_us);
    } else if (e.kind == "workflow.run.start") {
      runs.Open(e.node, Subject(e.detail), e.time_us, e.detail);
    } else if (e.kind == "workflow.run.end") {
      runs.Close(e.node, Subject(e.detail), e.time_us);
    } else if (e.kind == "workflow.activity.start") {
      activities.Open(e.node, ActivitySubject(e.detail), e.time_us, e.detail);
    } else if (e.kind == "workflow.activity" ||
               e.kind == "workflow.activity.cut") {
      activities.Close(e.node, ActivitySubject(e.detail), e.time_us);
    } else if (e.kind == "shard.acquire") {
      shards.Open(e.node, Subject(e.detail), e.time_us, e.detail);
    } else if (e.kind == "shard.release") {
      shards.Close(e.node, Subject(e.detail), e.time_us);
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
  if (!marks.empty()) {
    json.Metadata("thread_name", kWorldPid, kMarkTid, "violations");
  }
  for (const TraceMark& mark : marks) {
    json.Instant(mark.name, mark.time_us, kWorldPid, kMarkTid, mark.detail,
                 /*global=*/true);
    last_us = std::max(last_us, mark.time_us);
  }
  // Spans still open at the end of the trace end with it.
  for (const auto& [node, span] : incarnations)
    close(span, last_us, PidOf(node));
  for (const auto& [node, span] : pauses) close(span, last_us, PidOf(node));
  for (const auto& [item, span] : faults) close(span, last_us, kWorldPid);
  entities.CloseAll(last_us);
  shards.CloseAll(last_us);
  runs.CloseAll(last_us);
  activities.CloseAll(last_us);
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
