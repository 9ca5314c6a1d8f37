// Network: the simulated network between the World's nodes (a Router).
//
// Every message gets a per-link fate, decided at send time from the world's
// "net" PRNG stream and nothing else:
//   - dropped if the link is partitioned (checked again on arrival: a
//     partition also cuts messages already in flight),
//   - lost with probability `loss`,
//   - duplicated with probability `duplicate` (the copy gets its own latency,
//     so it may arrive first),
//   - delayed by the link's latency: min + Exponential(tail mean), capped at
//     max; jitter alone reorders messages, and with probability `reorder` a
//     copy is held back an extra uniform [0, max] on top,
//   - corrupted with probability `corrupt`: one random bit is flipped (the
//     frame CRC must catch it downstream).
// A clogged link or node stalls instead of dropping: messages sent over it,
// or arriving while it is clogged, are held; when it unclogs they are
// delivered in send order, after the link's minimum latency. Arriving at a
// down node drops the message; at a paused node it queues (World::Deliver).
//
// Every message event is traced with its id, endpoints, size and a short
// digest of the payload (PayloadDigest) (never the payload itself): net.send
// and net.dup and net.corrupt on the sender's track, net.deliver / net.queue /
// net.drop (with the reason) on the receiver's; clogs, partitions and heals on
// the world's. In-flight messages live in a pooled slab and are delivered by
// World::ScheduleAt with a plain Action, so sending allocates nothing beyond
// the payload itself once the pool has grown.
//
// Single-threaded. The Network installs itself as the World's router and
// must be destroyed before it.
#ifndef CLUSTERSIM_SIM_NETWORK_H_
#define CLUSTERSIM_SIM_NETWORK_H_

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "core/runtime/transport.h"
#include "sim/world.h"

namespace clustersim::sim {

// One-way latency of a link: min + Exponential(tail_mean), capped at max.
struct LatencyModel {
  int64_t min_us = 500;
  int64_t tail_mean_us = 500;  // 0: every message takes exactly min
  int64_t max_us = 10'000;
  friend bool operator==(const LatencyModel&, const LatencyModel&) = default;
};

// How one directed link behaves. Probabilities are in [0, 1].
struct LinkConfig {
  LatencyModel latency;
  double loss = 0;
  double duplicate = 0;
  double reorder = 0;
  double corrupt = 0;
};

// Why a message was dropped.
enum class DropReason : uint8_t { kLoss, kPartition, kNodeDown };
std::string_view DropReasonName(DropReason reason);

struct NetworkStats {
  uint64_t sent = 0;         // Route calls
  uint64_t delivered = 0;    // handed to an up node's process
  uint64_t queued = 0;       // handed to a paused node's inbox
  uint64_t lost = 0;         // dropped by `loss`
  uint64_t partitioned = 0;  // dropped by a partition
  uint64_t node_down = 0;    // dropped at a down node
  uint64_t duplicated = 0;   // extra copies made
  uint64_t reordered = 0;    // copies held back by `reorder`
  uint64_t corrupted = 0;    // copies with a flipped bit
  uint64_t held = 0;         // copies stalled by a clog
};

class Network : public Router {
 public:
  Network(World& world, const LinkConfig& defaults = {});
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  ~Network() override;

  // --- Link behaviour --------------------------------------------------
  // The configuration of every link without an override.
  void SetDefaultLink(const LinkConfig& config);
  void SetLink(NodeId from, NodeId to, const LinkConfig& config);
  const LinkConfig& link(NodeId from, NodeId to) const;
  const LinkConfig& default_link() const { return default_; }

  // --- Partitions (cumulative until Heal) -------------------------------
  // Cuts every link between a node of `a` and a node of `b`, both ways.
  void Partition(std::span<const NodeId> a, std::span<const NodeId> b);
  // Cuts every link from a node of `from` to a node of `to` only.
  void PartitionOneWay(std::span<const NodeId> from,
                       std::span<const NodeId> to);
  // Cuts `node` off from every other node of the world, both ways.
  void Isolate(NodeId node);
  // Removes every partition.
  void Heal();
  bool Blocked(NodeId from, NodeId to) const;

  // --- Clogs (nested: each Clog needs its Unclog) -----------------------
  void ClogLink(NodeId from, NodeId to);
  void UnclogLink(NodeId from, NodeId to);
  // Clogs every link to and from `node`.
  void ClogNode(NodeId node);
  void UnclogNode(NodeId node);
  bool Clogged(NodeId from, NodeId to) const;

  // Router: called by a node's Transport.
  void Route(NodeId from, NodeId to, std::string bytes) override;

  const NetworkStats& stats() const { return stats_; }
  // Messages in flight or held by a clog.
  size_t in_flight() const { return in_flight_; }

 private:
  struct Message {
    Network* network = nullptr;
    uint64_t id = 0;  // one per Route call; copies share it
    NodeId from, to;
    std::string bytes;
    uint32_t digest = 0;  // PayloadDigest(bytes), for the trace
    TimerId arrival;      // while scheduled to arrive
    uint32_t slot = 0;
    uint32_t next_free = 0;
    bool in_use = false;
  };
  using Link = std::pair<uint32_t, uint32_t>;

  static void Arrive(void* message);
  void OnArrive(uint32_t slot);
  // Counts, traces (on `where`'s track) and frees a dropped message.
  void Drop(uint32_t slot, NodeId where, DropReason reason);
  void Schedule(uint32_t slot, int64_t delay_us);
  uint32_t Allocate();
  void Free(uint32_t slot);
  void Launch(uint32_t slot, int64_t delay_us);
  int64_t DrawLatencyUs(const LatencyModel& latency);
  void Release();
  void Trace(std::string_view kind, uint32_t node, const Message& message,
             uint64_t extra = 0, std::string_view note = "");
  void TraceTopology(std::string_view kind, std::string detail);
  void CheckNode(NodeId node) const;

  World& world_;
  Random& rng_;
  LinkConfig default_;
  absl::btree_map<Link, LinkConfig> links_;
  absl::btree_set<Link> blocked_;
  absl::btree_map<Link, int> clogged_links_;
  absl::btree_map<uint32_t, int> clogged_nodes_;
  // Slots of messages held by a clog, in the order they were held.
  std::vector<uint32_t> held_;
  std::deque<Message> pool_;
  uint32_t free_head_;
  uint64_t next_id_ = 1;
  size_t in_flight_ = 0;
  NetworkStats stats_;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_NETWORK_H_
