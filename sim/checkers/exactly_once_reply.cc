#include "sim/checkers/exactly_once_reply.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {

ExactlyOnceReplyChecker::ExactlyOnceReplyChecker(FindingSink sink)
    : sink_(std::move(sink)) {}

void ExactlyOnceReplyChecker::Report(int64_t time_us, std::string message) {
  sink_(Finding{kExactlyOnceReply, time_us, std::move(message)});
}

void ExactlyOnceReplyChecker::OnRequestSaved(int64_t /*time_us*/,
                                             Snowflake request_id) {
  requests_.try_emplace(request_id);
}

void ExactlyOnceReplyChecker::OnExitSaved(int64_t time_us, Snowflake request_id,
                                          std::string exit) {
  ++exits_saved_;
  RequestState& request = requests_[request_id];
  if (request.exit.has_value()) {
    Report(time_us,
           absl::StrCat("a second terminal reply was accepted for request ",
                        request_id.ToString(), " at ",
                        FormatDurationUs(time_us), " (the first at ",
                        FormatDurationUs(request.exit_time_us), ")",
                        *request.exit == exit ? ", with the same exit"
                                              : ", with a different exit"));
    return;
  }
  request.exit = std::move(exit);
  request.exit_time_us = time_us;
}

void ExactlyOnceReplyChecker::OnHandlerStarted(int64_t time_us,
                                               Snowflake request_id,
                                               std::string_view runner) {
  ++handler_starts_;
  auto it = requests_.find(request_id);
  if (it == requests_.end() || !it->second.exit.has_value()) return;
  Report(time_us, absl::StrCat("the handler of request ", request_id.ToString(),
                               " ran again on runner ", std::string(runner),
                               " at ", FormatDurationUs(time_us),
                               ", after its reply was "
                               "recorded at ",
                               FormatDurationUs(it->second.exit_time_us)));
}

void ExactlyOnceReplyChecker::OnCallerReply(int64_t time_us,
                                            std::string_view caller,
                                            std::optional<Snowflake> request_id,
                                            std::string_view exit) {
  ++caller_replies_;
  auto it =
      request_id.has_value() ? requests_.find(*request_id) : requests_.end();
  if (it == requests_.end() || !it->second.exit.has_value()) {
    Report(time_us,
           absl::StrCat(
               "caller ", std::string(caller), " was answered while ",
               request_id.has_value()
                   ? absl::StrCat("no terminal reply is recorded for request ",
                                  request_id->ToString())
                   : std::string("storage holds no request for it")));
    return;
  }
  if (*it->second.exit != exit) {
    Report(time_us, absl::StrCat("caller ", std::string(caller),
                                 " was given an exit other than the one "
                                 "recorded for request ",
                                 request_id->ToString()));
  }
}

void ExactlyOnceReplyChecker::CheckAllReplied(int64_t now_us) {
  for (const auto& [id, request] : requests_) {
    if (request.exit.has_value()) continue;
    Report(now_us, absl::StrCat("request ", id.ToString(),
                                " was saved but never got a terminal reply"));
  }
}

}  // namespace clustersim::sim::checkers
