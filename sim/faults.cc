#include "sim/faults.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "sim/duration.h"
#include "sim/world.h"

namespace clustersim::sim {
namespace {

constexpr std::string_view kKnownFaults =
    "loss, dup, reorder, corrupt, delay, skew, drift, partition, isolate, "
    "clog, pause, crash, restart, step, storage-errors, storage-drop, "
    "storage-spike, storage-down";

std::string S(std::string_view s) { return std::string(s); }

// Errors inside one item; the caller adds which item.
absl::Status Why(std::string why) {
  return absl::InvalidArgumentError(std::move(why));
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

absl::StatusOr<double> ParseProbability(std::string_view text) {
  double p = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !(p >= 0.0 && p <= 1.0)) {
    return Why("'" + S(text) + "' is not a probability in [0, 1]");
  }
  return p;
}

absl::StatusOr<NodeId> ParseNode(std::string_view text) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      n == 0 || n > World::kMaxNodes) {
    return Why("'" + S(text) + "' is not a node number (1, 2, ...)");
  }
  return NodeId{n};
}

absl::StatusOr<std::vector<NodeId>> ParseSet(std::string_view text) {
  std::vector<NodeId> set;
  for (std::string_view part : Split(text, ',')) {
    absl::StatusOr<NodeId> node = ParseNode(part);
    if (!node.ok()) return node.status();
    if (std::find(set.begin(), set.end(), *node) != set.end()) {
      return Why("node " + std::to_string(node->value) + " listed twice");
    }
    set.push_back(*node);
  }
  return set;
}

std::string FormatSet(const std::vector<NodeId>& set) {
  std::string out;
  for (NodeId n : set) {
    if (!out.empty()) out += ",";
    out += std::to_string(n.value);
  }
  return out;
}

// "T1..T2" with T1 < T2.
absl::Status ParseWindow(std::string_view text, TimedFault& fault) {
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    return Why("expected a window T1..T2 after '@', got '" + S(text) + "'");
  }
  absl::StatusOr<int64_t> start = ParseDurationUs(text.substr(0, dots));
  if (!start.ok()) return start.status();
  absl::StatusOr<int64_t> end = ParseDurationUs(text.substr(dots + 2));
  if (!end.ok()) return end.status();
  if (*end <= *start) return Why("the window must end after it starts");
  fault.start_us = *start;
  fault.end_us = *end;
  return absl::OkStatus();
}

// "N:+D" for skew and step.
absl::StatusOr<std::pair<NodeId, int64_t>> ParseNodeAndShift(
    std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Why("expected N:+DURATION, got '" + S(text) + "'");
  }
  absl::StatusOr<NodeId> node = ParseNode(text.substr(0, colon));
  if (!node.ok()) return node.status();
  absl::StatusOr<int64_t> shift = ParseSignedDurationUs(text.substr(colon + 1));
  if (!shift.ok()) return shift.status();
  return std::make_pair(*node, *shift);
}

absl::Status ParseTimed(std::string_view name, std::string_view when,
                        std::string_view value, FaultPlan& plan) {
  TimedFault fault;
  const bool windowed = name == "partition" || name == "isolate" ||
                        name == "clog" || name == "pause";
  if (when.empty()) {
    return Why(S(name) + " needs a time: " + S(name) +
               (windowed ? "@T1..T2=..." : "@T=..."));
  }
  if (windowed) {
    if (absl::Status s = ParseWindow(when, fault); !s.ok()) return s;
  } else {
    if (when.find("..") != std::string_view::npos) {
      return Why(S(name) + " happens at an instant: " + S(name) + "@T=...");
    }
    absl::StatusOr<int64_t> at = ParseDurationUs(when);
    if (!at.ok()) return at.status();
    fault.start_us = fault.end_us = *at;
  }

  if (name == "partition") {
    const bool one_way = value.find('>') != std::string_view::npos;
    if (one_way && value.find('|') != std::string_view::npos) {
      return Why("use either '|' (both ways) or '>' (one way), not both");
    }
    fault.kind = one_way ? FaultKind::kPartitionOneWay : FaultKind::kPartition;
    std::vector<std::string_view> parts = Split(value, one_way ? '>' : '|');
    if (parts.size() < 2 || (one_way && parts.size() != 2)) {
      return Why(
          "expected groups like 1|2,3 (both ways) or 1>2,3 (one way), got '" +
          S(value) + "'");
    }
    std::vector<NodeId> seen;
    for (std::string_view part : parts) {
      absl::StatusOr<std::vector<NodeId>> set = ParseSet(part);
      if (!set.ok()) return set.status();
      for (NodeId n : *set) {
        if (std::find(seen.begin(), seen.end(), n) != seen.end()) {
          return Why("node " + std::to_string(n.value) +
                     " is on both sides of the partition");
        }
        seen.push_back(n);
      }
      fault.groups.push_back(std::move(*set));
    }
  } else if (name == "clog" && value.find('>') != std::string_view::npos) {
    fault.kind = FaultKind::kClogLink;
    std::vector<std::string_view> parts = Split(value, '>');
    if (parts.size() != 2) return Why("expected a link N>M");
    for (std::string_view part : parts) {
      absl::StatusOr<NodeId> node = ParseNode(part);
      if (!node.ok()) return node.status();
      fault.groups.push_back({*node});
    }
    if (fault.groups[0] == fault.groups[1]) {
      return Why("a link joins two different nodes");
    }
  } else if (name == "step") {
    fault.kind = FaultKind::kStep;
    absl::StatusOr<std::pair<NodeId, int64_t>> shift = ParseNodeAndShift(value);
    if (!shift.ok()) return shift.status();
    if (shift->second % 1000 != 0 || shift->second == 0) {
      return Why("a step is a non-zero whole number of milliseconds");
    }
    fault.groups.push_back({shift->first});
    fault.step_us = shift->second;
  } else {
    fault.kind = name == "isolate" ? FaultKind::kIsolate
                 : name == "clog"  ? FaultKind::kClogNode
                 : name == "pause" ? FaultKind::kPause
                 : name == "crash" ? FaultKind::kCrash
                                   : FaultKind::kRestart;
    absl::StatusOr<NodeId> node = ParseNode(value);
    if (!node.ok()) return node.status();
    fault.groups.push_back({*node});
  }
  plan.timed.push_back(std::move(fault));
  return absl::OkStatus();
}

absl::Status ParseItem(std::string_view item, FaultPlan& plan,
                       std::vector<std::string>& seen_once) {
  const size_t eq = item.find('=');
  std::string_view head = item.substr(0, eq);
  std::string_view value =
      eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
  std::string_view name = head;
  std::string_view when;
  if (size_t at = head.find('@'); at != std::string_view::npos) {
    name = head.substr(0, at);
    when = head.substr(at + 1);
    if (when.empty()) return Why("nothing after '@'");
  }
  if (name == "storage-down") {
    if (eq != std::string_view::npos) {
      return Why("storage-down takes no value: storage-down@T1..T2");
    }
    if (when.empty()) return Why("storage-down needs a window: @T1..T2");
    TimedFault fault;
    fault.kind = FaultKind::kStorageDown;
    if (absl::Status s = ParseWindow(when, fault); !s.ok()) return s;
    plan.timed.push_back(std::move(fault));
    return absl::OkStatus();
  }
  if (value.empty()) return Why("nothing after '='");

  auto once = [&](std::string key) -> absl::Status {
    if (std::find(seen_once.begin(), seen_once.end(), key) != seen_once.end()) {
      return Why(key + " given twice");
    }
    seen_once.push_back(std::move(key));
    return absl::OkStatus();
  };
  auto no_time = [&]() -> absl::Status {
    if (!when.empty()) return Why(S(name) + " holds for the whole run: no '@'");
    return absl::OkStatus();
  };

  if (name == "loss" || name == "dup" || name == "reorder" ||
      name == "corrupt") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    if (absl::Status s = once(S(name)); !s.ok()) return s;
    absl::StatusOr<double> p = ParseProbability(value);
    if (!p.ok()) return p.status();
    (name == "loss"      ? plan.loss
     : name == "dup"     ? plan.duplicate
     : name == "reorder" ? plan.reorder
                         : plan.corrupt) = *p;
    return absl::OkStatus();
  }
  if (name == "storage-errors" || name == "storage-drop") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    if (absl::Status s = once(S(name)); !s.ok()) return s;
    absl::StatusOr<double> p = ParseProbability(value);
    if (!p.ok()) return p.status();
    (name == "storage-errors" ? plan.storage.error_rate
                              : plan.storage.drop_rate) = *p;
    return absl::OkStatus();
  }
  if (name == "storage-spike") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    if (absl::Status s = once("storage-spike"); !s.ok()) return s;
    const size_t colon = value.find(':');
    const size_t dots = value.find("..");
    if (colon == std::string_view::npos || dots == std::string_view::npos ||
        dots < colon) {
      return Why("expected P:A..B (probability, then the spike range), got '" +
                 S(value) + "'");
    }
    absl::StatusOr<double> p = ParseProbability(value.substr(0, colon));
    if (!p.ok()) return p.status();
    absl::StatusOr<int64_t> lo =
        ParseDurationUs(value.substr(colon + 1, dots - colon - 1));
    if (!lo.ok()) return lo.status();
    absl::StatusOr<int64_t> hi = ParseDurationUs(value.substr(dots + 2));
    if (!hi.ok()) return hi.status();
    if (*hi < *lo) return Why("the spike range must not end before it starts");
    if (*lo % 1000 != 0 || *hi % 1000 != 0) {
      return Why("a spike range is whole milliseconds");
    }
    plan.storage.spike_rate = *p;
    plan.storage.spike_min_ms = *lo / 1000;
    plan.storage.spike_max_ms = *hi / 1000;
    return absl::OkStatus();
  }
  if (name == "delay") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    if (absl::Status s = once("delay"); !s.ok()) return s;
    size_t dots = value.find("..");
    absl::StatusOr<int64_t> lo = ParseDurationUs(value.substr(0, dots));
    if (!lo.ok()) return lo.status();
    absl::StatusOr<int64_t> hi = lo;
    if (dots != std::string_view::npos)
      hi = ParseDurationUs(value.substr(dots + 2));
    if (!hi.ok()) return hi.status();
    if (*hi < *lo) return Why("the delay range must not end before it starts");
    plan.latency = LatencyModel{
        .min_us = *lo, .tail_mean_us = (*hi - *lo) / 4, .max_us = *hi};
    return absl::OkStatus();
  }
  if (name == "skew") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    absl::StatusOr<std::pair<NodeId, int64_t>> shift = ParseNodeAndShift(value);
    if (!shift.ok()) return shift.status();
    if (shift->second % 1000 != 0) return Why("a skew is whole milliseconds");
    if (absl::Status s = once("skew=" + std::to_string(shift->first.value));
        !s.ok()) {
      return s;
    }
    plan.clocks[shift->first.value].offset_ms = shift->second / 1000;
    return absl::OkStatus();
  }
  if (name == "drift") {
    if (absl::Status s = no_time(); !s.ok()) return s;
    size_t colon = value.find(':');
    if (colon == std::string_view::npos || !value.ends_with("ppm")) {
      return Why("expected N:+Kppm, got '" + S(value) + "'");
    }
    absl::StatusOr<NodeId> node = ParseNode(value.substr(0, colon));
    if (!node.ok()) return node.status();
    std::string_view rate = value.substr(colon + 1, value.size() - colon - 4);
    if (!rate.empty() && rate[0] == '+') rate.remove_prefix(1);
    int64_t ppm = 0;
    auto [end, ec] =
        std::from_chars(rate.data(), rate.data() + rate.size(), ppm);
    if (rate.empty() || ec != std::errc() || end != rate.data() + rate.size() ||
        ppm < -kMaxClockDriftPpm || ppm > kMaxClockDriftPpm) {
      return Why("drift must be an integer number of ppm within +-" +
                 std::to_string(kMaxClockDriftPpm) +
                 " (leases cannot be judged on clocks that err more)");
    }
    if (absl::Status s = once("drift=" + std::to_string(node->value));
        !s.ok()) {
      return s;
    }
    plan.clocks[node->value].drift_ppm = ppm;
    return absl::OkStatus();
  }
  if (name == "partition" || name == "isolate" || name == "clog" ||
      name == "pause" || name == "crash" || name == "restart" ||
      name == "step") {
    return ParseTimed(name, when, value, plan);
  }
  return Why("unknown fault '" + S(name) + "' (known: " + S(kKnownFaults) +
             ")");
}

std::string Signed(int64_t us) {
  return (us >= 0 ? "+" : "") + FormatDurationUs(us);
}

}  // namespace

std::string FormatProbability(double p) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, p);
  return std::string(buffer, result.ptr);
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kPartition:
    case FaultKind::kPartitionOneWay:
      return "partition";
    case FaultKind::kIsolate:
      return "isolate";
    case FaultKind::kClogNode:
    case FaultKind::kClogLink:
      return "clog";
    case FaultKind::kPause:
      return "pause";
    case FaultKind::kCrash:
      return "crash";
    case FaultKind::kRestart:
      return "restart";
    case FaultKind::kStep:
      return "step";
    case FaultKind::kStorageDown:
      return "storage-down";
  }
  return "?";
}

bool TimedFault::instant() const {
  return kind == FaultKind::kCrash || kind == FaultKind::kRestart ||
         kind == FaultKind::kStep;
}

std::string TimedFault::ToString() const {
  std::string out = S(FaultKindName(kind)) + "@" + FormatDurationUs(start_us);
  if (!instant()) out += ".." + FormatDurationUs(end_us);
  if (kind == FaultKind::kStorageDown) return out;
  out += "=";
  switch (kind) {
    case FaultKind::kPartition:
      for (size_t i = 0; i < groups.size(); ++i) {
        out += (i > 0 ? "|" : "") + FormatSet(groups[i]);
      }
      break;
    case FaultKind::kPartitionOneWay:
    case FaultKind::kClogLink:
      out += FormatSet(groups[0]) + ">" + FormatSet(groups[1]);
      break;
    case FaultKind::kStep:
      out += FormatSet(groups[0]) + ":" + Signed(step_us);
      break;
    default:
      out += FormatSet(groups[0]);
      break;
  }
  return out;
}

bool FaultPlan::empty() const { return *this == FaultPlan{}; }

std::string FaultPlan::ToString() const {
  std::vector<std::string> items;
  if (latency.has_value()) {
    std::string item = "delay=" + FormatDurationUs(latency->min_us);
    if (latency->max_us != latency->min_us) {
      item += ".." + FormatDurationUs(latency->max_us);
    }
    items.push_back(item);
  }
  if (loss > 0) items.push_back("loss=" + FormatProbability(loss));
  if (duplicate > 0) items.push_back("dup=" + FormatProbability(duplicate));
  if (reorder > 0) items.push_back("reorder=" + FormatProbability(reorder));
  if (corrupt > 0) items.push_back("corrupt=" + FormatProbability(corrupt));
  for (const auto& [node, clock] : clocks) {
    if (clock.offset_ms != 0) {
      items.push_back("skew=" + std::to_string(node) + ":" +
                      Signed(clock.offset_ms * 1000));
    }
    if (clock.drift_ppm != 0) {
      items.push_back("drift=" + std::to_string(node) + ":" +
                      (clock.drift_ppm > 0 ? "+" : "") +
                      std::to_string(clock.drift_ppm) + "ppm");
    }
  }
  if (storage.error_rate > 0) {
    items.push_back("storage-errors=" + FormatProbability(storage.error_rate));
  }
  if (storage.drop_rate > 0) {
    items.push_back("storage-drop=" + FormatProbability(storage.drop_rate));
  }
  if (storage.spike_rate > 0) {
    items.push_back("storage-spike=" + FormatProbability(storage.spike_rate) +
                    ":" + FormatDurationUs(storage.spike_min_ms * 1000) + ".." +
                    FormatDurationUs(storage.spike_max_ms * 1000));
  }
  for (const TimedFault& fault : timed) items.push_back(fault.ToString());
  if (items.empty()) return "none";
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

int64_t FaultPlan::QuietTimeUs() const {
  int64_t quiet = 0;
  for (const TimedFault& fault : timed) quiet = std::max(quiet, fault.end_us);
  return quiet;
}

bool FaultPlan::UsesStorage() const {
  return storage != StorageFaultPlan{} ||
         std::any_of(timed.begin(), timed.end(), [](const TimedFault& f) {
           return f.kind == FaultKind::kStorageDown;
         });
}

absl::Status FaultPlan::ValidateTimes(int64_t duration_us) const {
  for (const TimedFault& fault : timed) {
    if (fault.end_us > duration_us) {
      return absl::InvalidArgumentError(
          "fault '" + fault.ToString() + "' ends after the run's duration " +
          FormatDurationUs(duration_us) + " (raise --duration)");
    }
  }
  return absl::OkStatus();
}

absl::Status FaultPlan::ValidateNodes(size_t node_count) const {
  auto check = [&](uint32_t node, const std::string& item) -> absl::Status {
    if (node >= 1 && node <= node_count) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "fault '" + item + "' names node " + std::to_string(node) +
        " but the run has nodes 1.." + std::to_string(node_count));
  };
  for (const auto& [node, clock] : clocks) {
    if (absl::Status s = check(node, "skew/drift=" + std::to_string(node));
        !s.ok()) {
      return s;
    }
  }
  for (const TimedFault& fault : timed) {
    for (const auto& group : fault.groups) {
      for (NodeId n : group) {
        if (absl::Status s = check(n.value, fault.ToString()); !s.ok()) {
          return s;
        }
      }
    }
  }
  return absl::OkStatus();
}

LinkConfig FaultPlan::LinkFor(const LinkConfig& base) const {
  LinkConfig config = base;
  if (latency.has_value()) config.latency = *latency;
  config.loss = loss;
  config.duplicate = duplicate;
  config.reorder = reorder;
  config.corrupt = corrupt;
  return config;
}

absl::StatusOr<FaultPlan> ParseFaultPlan(std::string_view spec) {
  FaultPlan plan;
  if (spec.empty() || spec == "none") return plan;
  // Re-join node lists split by the item separator: a piece without '='
  // continues the previous item.
  std::vector<std::string> items;
  for (std::string_view piece : Split(spec, ',')) {
    // storage-down@T1..T2 is the one item without '='.
    if (piece.find('=') != std::string_view::npos ||
        piece.starts_with("storage-down")) {
      items.emplace_back(piece);
    } else if (!items.empty() && !piece.empty()) {
      items.back() += ",";
      items.back() += piece;
    } else {
      return absl::InvalidArgumentError(
          "malformed fault spec: bad item '" + S(piece) +
          "': expected NAME=VALUE or NAME@TIME=VALUE");
    }
  }
  std::vector<std::string> seen_once;
  for (const std::string& item : items) {
    if (absl::Status s = ParseItem(item, plan, seen_once); !s.ok()) {
      return absl::InvalidArgumentError("malformed fault spec: bad item '" +
                                        item +
                                        "': " + std::string(s.message()));
    }
  }
  return plan;
}

}  // namespace clustersim::sim
