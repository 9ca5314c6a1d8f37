#include "sim/network.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/check.h"
#include "core/runtime/distributions.h"

namespace clustersim::sim {
namespace {

constexpr uint32_t kNoSlot = 0xffffffffu;

void CheckConfig(const LinkConfig& c) {
  CHECK(c.latency.min_us >= 0 && c.latency.tail_mean_us >= 0 &&
            c.latency.max_us >= c.latency.min_us,
        "latency needs 0 <= min <= max and a non-negative tail");
  for (double p : {c.loss, c.duplicate, c.reorder, c.corrupt}) {
    CHECK(p >= 0.0 && p <= 1.0, "link probabilities must be in [0, 1]");
  }
}

std::string NodeList(std::span<const NodeId> nodes) {
  return absl::StrJoin(nodes, ",", [](std::string* out, NodeId n) {
    absl::StrAppend(out, n.value);
  });
}

}  // namespace

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kLoss:
      return "loss";
    case DropReason::kPartition:
      return "partition";
    case DropReason::kNodeDown:
      return "node-down";
  }
  return "?";
}

Network::Network(World& world, const LinkConfig& defaults)
    : world_(world),
      rng_(world.Stream("net")),
      default_(defaults),
      free_head_(kNoSlot) {
  CheckConfig(defaults);
  world_.SetRouter(this);
}

Network::~Network() {
  // Scheduled arrivals point into the pool.
  for (const Message& m : pool_) {
    if (m.arrival) world_.Cancel(m.arrival);
  }
  world_.SetRouter(nullptr);
}

void Network::SetDefaultLink(const LinkConfig& config) {
  CheckConfig(config);
  default_ = config;
}

void Network::SetLink(NodeId from, NodeId to, const LinkConfig& config) {
  CheckNode(from);
  CheckNode(to);
  CheckConfig(config);
  links_[Link{from.value, to.value}] = config;
}

const LinkConfig& Network::link(NodeId from, NodeId to) const {
  if (links_.empty()) return default_;
  auto it = links_.find(Link{from.value, to.value});
  return it == links_.end() ? default_ : it->second;
}

void Network::CheckNode(NodeId node) const {
  CHECK(node.value >= 1 && node.value <= world_.node_count(),
        "unknown node id");
}

// --- Partitions -------------------------------------------------------

void Network::Partition(std::span<const NodeId> a, std::span<const NodeId> b) {
  for (NodeId x : a) {
    for (NodeId y : b) {
      CheckNode(x);
      CheckNode(y);
      if (x == y) continue;
      blocked_.insert(Link{x.value, y.value});
      blocked_.insert(Link{y.value, x.value});
    }
  }
  TraceTopology("net.partition", absl::StrCat(NodeList(a), " | ", NodeList(b)));
}

void Network::PartitionOneWay(std::span<const NodeId> from,
                              std::span<const NodeId> to) {
  for (NodeId x : from) {
    for (NodeId y : to) {
      CheckNode(x);
      CheckNode(y);
      if (x != y) blocked_.insert(Link{x.value, y.value});
    }
  }
  TraceTopology("net.partition",
                absl::StrCat(NodeList(from), " -> ", NodeList(to)));
}

void Network::Isolate(NodeId node) {
  CheckNode(node);
  std::vector<NodeId> others;
  for (uint32_t n = 1; n <= world_.node_count(); ++n) {
    if (n != node.value) others.push_back(NodeId{n});
  }
  const NodeId self[] = {node};
  Partition(self, others);
}

void Network::Heal() {
  blocked_.clear();
  TraceTopology("net.heal", "");
}

bool Network::Blocked(NodeId from, NodeId to) const {
  return !blocked_.empty() && blocked_.contains(Link{from.value, to.value});
}

// --- Clogs --------------------------------------------------------------

void Network::ClogLink(NodeId from, NodeId to) {
  CheckNode(from);
  CheckNode(to);
  ++clogged_links_[Link{from.value, to.value}];
  TraceTopology("net.clog", absl::StrCat(from.value, "->", to.value));
}

void Network::UnclogLink(NodeId from, NodeId to) {
  auto it = clogged_links_.find(Link{from.value, to.value});
  CHECK(it != clogged_links_.end(), "unclogging a link that is not clogged");
  if (--it->second == 0) clogged_links_.erase(it);
  TraceTopology("net.unclog", absl::StrCat(from.value, "->", to.value));
  Release();
}

void Network::ClogNode(NodeId node) {
  CheckNode(node);
  ++clogged_nodes_[node.value];
  TraceTopology("net.clog", absl::StrCat("node ", node.value));
}

void Network::UnclogNode(NodeId node) {
  auto it = clogged_nodes_.find(node.value);
  CHECK(it != clogged_nodes_.end(), "unclogging a node that is not clogged");
  if (--it->second == 0) clogged_nodes_.erase(it);
  TraceTopology("net.unclog", absl::StrCat("node ", node.value));
  Release();
}

bool Network::Clogged(NodeId from, NodeId to) const {
  if (clogged_links_.empty() && clogged_nodes_.empty()) return false;
  return clogged_nodes_.contains(from.value) ||
         clogged_nodes_.contains(to.value) ||
         clogged_links_.contains(Link{from.value, to.value});
}

// Sends every held message whose link is no longer clogged, in send order.
void Network::Release() {
  std::vector<uint32_t> ready;
  std::vector<uint32_t> still_held;
  for (uint32_t slot : held_) {
    const Message& m = pool_[slot];
    (Clogged(m.from, m.to) ? still_held : ready).push_back(slot);
  }
  held_ = std::move(still_held);
  std::stable_sort(ready.begin(), ready.end(), [this](uint32_t a, uint32_t b) {
    return pool_[a].id < pool_[b].id;
  });
  for (uint32_t slot : ready) {
    const Message& m = pool_[slot];
    Schedule(slot, link(m.from, m.to).latency.min_us);
  }
}

// --- Messages -----------------------------------------------------------

uint32_t Network::Allocate() {
  uint32_t slot;
  if (free_head_ != kNoSlot) {
    slot = free_head_;
    free_head_ = pool_[slot].next_free;
  } else {
    CHECK(pool_.size() < kNoSlot, "too many messages in flight");
    slot = static_cast<uint32_t>(pool_.size());
    pool_.emplace_back();
    pool_.back().network = this;
    pool_.back().slot = slot;
  }
  pool_[slot].in_use = true;
  ++in_flight_;
  return slot;
}

void Network::Free(uint32_t slot) {
  CHECK(pool_[slot].in_use);
  pool_[slot].in_use = false;
  pool_[slot].bytes.clear();
  pool_[slot].next_free = free_head_;
  free_head_ = slot;
  --in_flight_;
}

int64_t Network::DrawLatencyUs(const LatencyModel& latency) {
  if (latency.tail_mean_us == 0 || latency.max_us == latency.min_us) {
    return latency.min_us;
  }
  const double tail =
      Exponential(rng_, static_cast<double>(latency.tail_mean_us));
  const double span = static_cast<double>(latency.max_us - latency.min_us);
  return latency.min_us + static_cast<int64_t>(std::min(tail, span));
}

void Network::Launch(uint32_t slot, int64_t delay_us) {
  Message& m = pool_[slot];
  if (Clogged(m.from, m.to)) {
    ++stats_.held;
    held_.push_back(slot);
    return;
  }
  Schedule(slot, delay_us);
}

void Network::Schedule(uint32_t slot, int64_t delay_us) {
  Message& m = pool_[slot];
  m.arrival = world_.ScheduleAfter(delay_us, Action{&Network::Arrive, &m});
}

void Network::Route(NodeId from, NodeId to, std::string bytes) {
  CheckNode(from);
  CheckNode(to);
  ++stats_.sent;
  const uint32_t slot = Allocate();
  {
    Message& m = pool_[slot];
    m.id = next_id_++;
    m.from = from;
    m.to = to;
    m.bytes = std::move(bytes);
    m.digest = PayloadDigest(m.bytes);
  }
  Trace("net.send", from.value, pool_[slot]);
  if (Blocked(from, to)) return Drop(slot, from, DropReason::kPartition);
  const LinkConfig& config = link(from, to);
  if (config.loss > 0 && Bernoulli(rng_, config.loss)) {
    return Drop(slot, from, DropReason::kLoss);
  }
  const bool duplicate =
      config.duplicate > 0 && Bernoulli(rng_, config.duplicate);
  uint32_t copies[2] = {slot, kNoSlot};
  if (duplicate) {
    ++stats_.duplicated;
    copies[1] = Allocate();
    Message& copy = pool_[copies[1]];
    const Message& original = pool_[slot];
    copy.id = original.id;
    copy.from = from;
    copy.to = to;
    copy.bytes = original.bytes;
    copy.digest = original.digest;
    Trace("net.dup", from.value, copy);
  }
  for (uint32_t copy : copies) {
    if (copy == kNoSlot) continue;
    Message& m = pool_[copy];
    int64_t delay_us = DrawLatencyUs(config.latency);
    if (config.reorder > 0 && Bernoulli(rng_, config.reorder)) {
      ++stats_.reordered;
      delay_us += UniformInt(rng_, 0, config.latency.max_us);
    }
    if (config.corrupt > 0 && !m.bytes.empty() &&
        Bernoulli(rng_, config.corrupt)) {
      ++stats_.corrupted;
      const uint64_t bit = UniformU64(rng_, m.bytes.size() * 8);
      m.bytes[bit / 8] =
          static_cast<char>(m.bytes[bit / 8] ^ (1u << (bit % 8)));
      m.digest = PayloadDigest(m.bytes);
      Trace("net.corrupt", from.value, m, bit,
            world_.trace().keeps_events() ? absl::StrCat("bit=", bit) : "");
    }
    Launch(copy, delay_us);
  }
}

void Network::Drop(uint32_t slot, NodeId where, DropReason reason) {
  switch (reason) {
    case DropReason::kLoss:
      ++stats_.lost;
      break;
    case DropReason::kPartition:
      ++stats_.partitioned;
      break;
    case DropReason::kNodeDown:
      ++stats_.node_down;
      break;
  }
  Trace("net.drop", where.value, pool_[slot], static_cast<uint64_t>(reason),
        DropReasonName(reason));
  Free(slot);
}

void Network::Arrive(void* p) {
  auto* m = static_cast<Message*>(p);
  m->arrival = TimerId{};
  m->network->OnArrive(m->slot);
}

void Network::OnArrive(uint32_t slot) {
  Message& m = pool_[slot];
  const NodeId from = m.from;
  const NodeId to = m.to;
  if (Blocked(from, to)) return Drop(slot, to, DropReason::kPartition);
  if (Clogged(from, to)) {
    ++stats_.held;
    held_.push_back(slot);
    return;
  }
  switch (world_.state(to)) {
    case NodeState::kDown:
      return Drop(slot, to, DropReason::kNodeDown);
    case NodeState::kPaused:
      ++stats_.queued;
      Trace("net.queue", to.value, m);
      break;
    case NodeState::kUp:
      ++stats_.delivered;
      Trace("net.deliver", to.value, m);
      break;
  }
  // Free the slot first: the receiver may send (and reuse it) right away.
  std::string bytes = std::move(m.bytes);
  Free(slot);
  world_.Deliver(from, to, std::move(bytes));
}

void Network::Trace(std::string_view kind, uint32_t node,
                    const Message& message, uint64_t extra,
                    std::string_view note) {
  TraceRecorder& trace = world_.trace();
  const uint64_t digest = message.digest;
  const uint64_t numbers[] = {message.id,       message.from.value,
                              message.to.value, message.bytes.size(),
                              digest,           extra};
  std::string detail;
  if (trace.keeps_events()) {
    detail = absl::StrCat("#", message.id, " ", message.from.value, "->",
                          message.to.value, " ", message.bytes.size(),
                          "B digest=", absl::Hex(digest, absl::kZeroPad8));
    if (!note.empty()) detail.append(" ").append(note);
  }
  trace.RecordNumbers(world_.now_us(), node, kind, numbers, detail);
}

void Network::TraceTopology(std::string_view kind, std::string detail) {
  world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
}

}  // namespace clustersim::sim
