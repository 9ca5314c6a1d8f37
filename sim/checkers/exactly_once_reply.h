// ExactlyOnceReplyChecker: the exactly-once-reply invariant (SPEC.md §4) —
// every persisted request that storage accepted ends with exactly one
// terminal reply; a resend with the same primary key returns that reply and
// does not run the handler again once the reply is recorded.
//
// Fed from both sides of the system:
//   - the storage server's audit: requests it saved (not Duplicates) and
//     WithExit replies it accepted, at the server's virtual time;
//   - the entities: each time a handler starts on a request;
//   - the callers: the exit each caller was finally given, with the request
//     storage holds for it (a resend with the same primary key is answered
//     for the original request).
// Findings, all under "exactly-once-reply":
//   - a second WithExit accepted for one request;
//   - a handler starting on a request after its WithExit was recorded;
//   - a caller given an exit different from the recorded one, or given one
//     while none is recorded for its request;
//   - at CheckAllReplied: a saved request with no WithExit (call it only
//     when the run gave the system time to finish, e.g. after liveness).
// Exits are compared as opaque strings (any faithful encoding).
//
// Single-threaded; feed events in virtual-time order.
#ifndef CLUSTERSIM_SIM_CHECKERS_EXACTLY_ONCE_REPLY_H_
#define CLUSTERSIM_SIM_CHECKERS_EXACTLY_ONCE_REPLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "core/cluster/snowflake.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kExactlyOnceReply[] = "exactly-once-reply";

class ExactlyOnceReplyChecker {
 public:
  explicit ExactlyOnceReplyChecker(FindingSink sink);

  // Storage saved the request (not a Duplicate).
  void OnRequestSaved(int64_t time_us, Snowflake request_id);
  // Storage accepted a WithExit for the request.
  void OnExitSaved(int64_t time_us, Snowflake request_id, std::string exit);
  // A handler started on the request, on `runner`.
  void OnHandlerStarted(int64_t time_us, Snowflake request_id,
                        std::string_view runner);
  // The caller `caller` was given `exit`; storage holds its request as
  // `request_id` (nullopt: storage holds none).
  void OnCallerReply(int64_t time_us, std::string_view caller,
                     std::optional<Snowflake> request_id,
                     std::string_view exit);
  // Every saved request must have its WithExit by now.
  void CheckAllReplied(int64_t now_us);

  int64_t requests_saved() const {
    return static_cast<int64_t>(requests_.size());
  }
  int64_t exits_saved() const { return exits_saved_; }
  int64_t handler_starts() const { return handler_starts_; }
  int64_t caller_replies() const { return caller_replies_; }

 private:
  struct RequestState {
    // The first WithExit recorded, and when.
    std::optional<std::string> exit;
    int64_t exit_time_us = 0;
  };

  void Report(int64_t time_us, std::string message);

  FindingSink sink_;
  absl::btree_map<Snowflake, RequestState> requests_;
  int64_t exits_saved_ = 0;
  int64_t handler_starts_ = 0;
  int64_t caller_replies_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_EXACTLY_ONCE_REPLY_H_
