#include "sim/checkers/reply_delivery.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {

ReplyDeliveryChecker::ReplyDeliveryChecker(int64_t bound_us,
                                           int64_t judge_from_us,
                                           std::optional<uint32_t> storage_node,
                                           FindingSink sink)
    : bound_us_(bound_us),
      judge_from_us_(judge_from_us),
      storage_node_(storage_node),
      sink_(std::move(sink)) {}

void ReplyDeliveryChecker::WaitStarted(int64_t time_us, uint32_t node,
                                       std::string what) {
  open_.insert_or_assign(
      std::make_pair(node, std::move(what)),
      Wait{.started_us = time_us,
           .excused = storage_down_ || shutting_down_.contains(node) ||
                      shut_down_.contains(node)});
}

void ReplyDeliveryChecker::WaitEnded(int64_t time_us, uint32_t node,
                                     const std::string& what, bool delivered,
                                     std::optional<int64_t> exit_stored_us) {
  auto it = open_.find(std::make_pair(node, what));
  if (it == open_.end()) return;  // began before a crash of its node
  const Wait wait = it->second;
  open_.erase(it);
  Judge(time_us, node, what, wait, delivered, exit_stored_us);
}

void ReplyDeliveryChecker::ShutdownBegan(uint32_t node) {
  shutting_down_.insert(node);
  ExcuseWaitsOf(node);
}

void ReplyDeliveryChecker::OnTraceEvent(int64_t, uint32_t node,
                                        std::string_view kind,
                                        std::string_view) {
  if (kind == "node.pause") {
    ExcuseWaitsOf(node);
  } else if (kind == "sharding.shutdown") {
    shut_down_.insert(node);
    ExcuseWaitsOf(node);
  } else if (kind == "node.crash") {
    if (shut_down_.contains(node)) {
      ExcuseWaitsOf(node);
    } else {
      for (auto& [key, wait] : open_) wait.excused = true;
    }
    shutting_down_.erase(node);
    shut_down_.erase(node);
    if (node == storage_node_) storage_down_ = true;
  } else if (kind == "node.start" && node == storage_node_) {
    storage_down_ = false;
  }
}

void ReplyDeliveryChecker::ExcuseWaitsOf(uint32_t node) {
  for (auto it = open_.lower_bound(std::make_pair(node, std::string()));
       it != open_.end() && it->first.first == node; ++it) {
    it->second.excused = true;
  }
}

void ReplyDeliveryChecker::Finish(
    int64_t now_us,
    const std::function<std::optional<int64_t>(const std::string& what)>&
        exit_stored_us) {
  for (const auto& [key, wait] : open_) {
    Judge(now_us, key.first, key.second, wait, /*delivered=*/false,
          exit_stored_us(key.second));
  }
  open_.clear();
}

void ReplyDeliveryChecker::Judge(int64_t end_us, uint32_t node,
                                 const std::string& what, const Wait& wait,
                                 bool delivered,
                                 std::optional<int64_t> exit_stored_us) {
  if (!exit_stored_us.has_value()) return;
  if (wait.excused) {
    if (delivered) ++excused_;
    return;
  }
  const int64_t ready_us = std::max(*exit_stored_us, wait.started_us);
  if (ready_us < judge_from_us_) return;
  const int64_t waited_us = end_us - ready_us;
  if (!delivered && waited_us <= bound_us_) return;  // not due yet
  ++judged_;
  if (delivered) max_delivery_us_ = std::max(max_delivery_us_, waited_us);
  if (waited_us <= bound_us_) return;
  sink_(Finding{
      .invariant = kReplyDelivery,
      .time_us = end_us,
      .message = absl::StrCat(
          "the caller on node ", node, " waiting on ", what,
          delivered ? " received its reply only " : " still lacked its reply ",
          FormatDurationUs(waited_us), " after it was ready (exit stored at ",
          FormatDurationUs(*exit_stored_us), ", wait started at ",
          FormatDurationUs(wait.started_us), "; bound ",
          FormatDurationUs(bound_us_), ")")});
}

}  // namespace clustersim::sim::checkers
