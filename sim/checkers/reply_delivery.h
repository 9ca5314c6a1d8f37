// ReplyDeliveryChecker: the reply-delivery invariant (SPEC.md §4, issue 9):
// a caller waiting on a persisted request receives its reply within
// `bound_us` of the later of the exit being stored and the wait starting.
//
// It is judged on each wait of the caller itself, so a client that gives
// up and resends (and then reads the stored reply back at once) does not
// hide a reply that never reached the caller that was waiting for it. A wait
// that ends without the reply (the client's timeout), or with it too late,
// or is still open at the end, is a violation once its exit had been stored
// for longer than the bound.
//
// Faults legitimately delay delivery, so only waits that became ready (exit
// stored and wait started) at or after `judge_from_us` (the fault plan's
// quiet time) are judged, and a wait is not judged (it is excused) if, while
// it was open:
//   - its caller's node paused, crashed, or was shutting down gracefully
//     (from ShutdownBegan, or the core's `sharding.shutdown` at a
//     shutdown's end, until the node's crash);
//   - any node crashed abruptly, i.e. without having completed a graceful
//     shutdown: a callee's shards wait out their leases before another
//     runner serves them, and a crashed storage node answers nothing;
//   - the storage node (`storage_node`) was down: a wait that starts then is
//     excused from its start.
// A runner that completed its graceful shutdown held no shards when its
// node stopped, so its stop excuses only its own caller's waits.
//
// Single-threaded; feed it events in trace order.
#ifndef CLUSTERSIM_SIM_CHECKERS_REPLY_DELIVERY_H_
#define CLUSTERSIM_SIM_CHECKERS_REPLY_DELIVERY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kReplyDelivery[] = "reply-delivery";

class ReplyDeliveryChecker {
 public:
  // `storage_node`: the node whose downtime excuses every wait (nullopt:
  // none).
  ReplyDeliveryChecker(int64_t bound_us, int64_t judge_from_us,
                       std::optional<uint32_t> storage_node, FindingSink sink);

  // `node`'s caller starts waiting for the reply to `what` (one wait per
  // (node, what) at a time).
  void WaitStarted(int64_t time_us, uint32_t node, std::string what);
  // The wait ended, with the reply (`delivered`) or without it; the exit
  // of the request waited on was stored at `exit_stored_us` (nullopt: not
  // stored).
  void WaitEnded(int64_t time_us, uint32_t node, const std::string& what,
                 bool delivered, std::optional<int64_t> exit_stored_us);
  // `node` begins a graceful shutdown (the trace's `sharding.shutdown`
  // comes only at its end): its caller's waits are excused until the node
  // crashes.
  void ShutdownBegan(uint32_t node);
  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail);
  // Judges the waits still open at `now_us`; `exit_stored_us` says when
  // the exit of a wait's request was stored, if it was.
  void Finish(int64_t now_us, const std::function<std::optional<int64_t>(
                                  const std::string& what)>& exit_stored_us);

  // Waits judged against the bound (a run that judged none checked
  // nothing), waits that ended with their reply but were excused, and the
  // longest delivery among the judged.
  int64_t judged() const { return judged_; }
  int64_t excused() const { return excused_; }
  int64_t max_delivery_us() const { return max_delivery_us_; }

 private:
  struct Wait {
    int64_t started_us = 0;
    bool excused = false;  // see the class comment
  };
  // Excuses the open waits of `node`'s caller.
  void ExcuseWaitsOf(uint32_t node);
  void Judge(int64_t end_us, uint32_t node, const std::string& what,
             const Wait& wait, bool delivered,
             std::optional<int64_t> exit_stored_us);

  const int64_t bound_us_;
  const int64_t judge_from_us_;
  const std::optional<uint32_t> storage_node_;
  FindingSink sink_;
  absl::btree_map<std::pair<uint32_t, std::string>, Wait> open_;
  // Nodes shutting down gracefully, and those whose shutdown completed,
  // until their crash.
  absl::btree_set<uint32_t> shutting_down_;
  absl::btree_set<uint32_t> shut_down_;
  bool storage_down_ = false;
  int64_t judged_ = 0;
  int64_t excused_ = 0;
  int64_t max_delivery_us_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_REPLY_DELIVERY_H_
