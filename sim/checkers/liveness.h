// LivenessChecker: the liveness invariant for requests (SPEC.md §4) — after
// the last fault heals, every accepted request is replied within a bounded
// virtual time.
//
// A request accepted at time A is due by max(A, quiet) + bound, where
// `quiet` is when the last fault ended (SimHarness::quiet_time_us). At Check
// time `now`, a request is a finding if it was replied after it was due, or
// is still unreplied and already due. Requests not yet due have no verdict
// (the run ended too soon to judge them). Requests are named by an opaque
// key (a primary key, an operation id).
//
// Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_LIVENESS_H_
#define CLUSTERSIM_SIM_CHECKERS_LIVENESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kLiveness[] = "liveness";

class LivenessChecker {
 public:
  // Precondition: bound_us > 0.
  LivenessChecker(int64_t bound_us, FindingSink sink);

  // The request was accepted (first time wins).
  void OnAccepted(int64_t time_us, std::string_view key);
  // The request was replied (first time wins; an unknown key is accepted
  // at that instant).
  void OnReplied(int64_t time_us, std::string_view key);
  // Judges every request at `now_us`, the last fault having ended at
  // `quiet_us`.
  void Check(int64_t quiet_us, int64_t now_us);

  int64_t bound_us() const { return bound_us_; }
  int64_t accepted() const { return static_cast<int64_t>(requests_.size()); }
  int64_t replied() const { return replied_; }
  // After Check: requests too young to judge.
  int64_t unjudged() const { return unjudged_; }
  // After Check: the longest time from due-start (max(accepted, quiet)) to
  // reply among replied requests.
  int64_t max_latency_after_quiet_us() const { return max_latency_us_; }

 private:
  struct Request {
    int64_t accepted_us = 0;
    std::optional<int64_t> replied_us;
  };

  int64_t bound_us_;
  FindingSink sink_;
  absl::btree_map<std::string, Request, std::less<>> requests_;
  int64_t replied_ = 0;
  int64_t unjudged_ = 0;
  int64_t max_latency_us_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_LIVENESS_H_
