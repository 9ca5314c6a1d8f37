// TraceRecorder: the record of everything observable in a run.
//
// Every event (a node action running, a message sent/delivered/dropped, a
// node starting or crashing, a fault, an event the core reports) is folded
// into a rolling 64-bit hash, so two runs are the same run exactly when their
// hashes match. Full events are kept only when asked for (a trace file, or
// locating the first divergence of a determinism check), because a long run
// has millions of them. A listener (an invariant checker) can see events as
// they are recorded instead. Single-threaded; owned by the run.
#ifndef CLUSTERSIM_SIM_TRACE_H_
#define CLUSTERSIM_SIM_TRACE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clustersim::sim {

// Node number used for events of the world itself (network, nemesis).
inline constexpr uint32_t kWorldNode = 0;

struct TraceEvent {
  int64_t time_us = 0;
  uint32_t node = kWorldNode;  // the NodeId value (1, 2, ...) or kWorldNode
  std::string kind;            // "net.send", "node.crash", "run", ...
  std::string detail;          // short deterministic summary
  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

// A short digest of a payload for trace details ("digest=1a2b3c4d"): not
// cryptographic, the same on every platform, and much cheaper than a CRC.
uint32_t PayloadDigest(std::string_view bytes);

// Sees each event recorded with Record, at the moment it is recorded, so an
// invariant checker can work online without the events being kept. The
// hot-path events of RecordNumbers (network messages) and RecordRun (node
// actions) are not passed on. A listener must not record into the trace.
class TraceListener {
 public:
  virtual ~TraceListener() = default;
  virtual void OnTraceEvent(int64_t time_us, uint32_t node,
                            std::string_view kind, std::string_view detail) = 0;
};

class TraceRecorder {
 public:
  explicit TraceRecorder(bool keep_events = false)
      : keep_events_(keep_events) {}

  void Record(int64_t time_us, uint32_t node, std::string_view kind,
              std::string_view detail);
  // A node action ran: folded cheaply (no strings on the hot path).
  void RecordRun(int64_t time_us, uint32_t node);
  // Like Record, but the hash folds `numbers` rather than a detail string,
  // which is much cheaper on hot paths (every network message). The caller
  // formats `detail` only when keeps_events() (pass "" otherwise), and it
  // must render no more than what `numbers` holds.
  void RecordNumbers(int64_t time_us, uint32_t node, std::string_view kind,
                     std::span<const uint64_t> numbers,
                     std::string_view detail);

  // At most one listener; nullptr removes it. It must outlive its
  // installation. Listening never changes the hash.
  void set_listener(TraceListener* listener) { listener_ = listener; }

  uint64_t hash() const { return hash_; }
  uint64_t count() const { return count_; }
  bool keeps_events() const { return keep_events_; }
  const std::vector<TraceEvent>& events() const { return events_; }

 private:
  // Each event folds its fields into a running state with a cheap bijective
  // step, then avalanches once: a difference in any one field always
  // changes the hash.
  static uint64_t Fold(uint64_t state, uint64_t value);
  static uint64_t FoldBytes(uint64_t state, std::string_view bytes);
  void Finish(uint64_t state);

  bool keep_events_;
  uint64_t hash_ = 0x9e3779b97f4a7c15ull;
  uint64_t count_ = 0;
  std::vector<TraceEvent> events_;
  TraceListener* listener_ = nullptr;
};

}  // namespace clustersim::sim

#endif  // CLUSTERSIM_SIM_TRACE_H_
