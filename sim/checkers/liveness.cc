#include "sim/checkers/liveness.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "sim/duration.h"

namespace clustersim::sim::checkers {

LivenessChecker::LivenessChecker(int64_t bound_us, FindingSink sink)
    : bound_us_(bound_us), sink_(std::move(sink)) {
  CHECK(bound_us > 0, "a liveness bound must be positive");
}

void LivenessChecker::OnAccepted(int64_t time_us, std::string_view key) {
  requests_.try_emplace(std::string(key), Request{time_us, std::nullopt});
}

void LivenessChecker::OnReplied(int64_t time_us, std::string_view key) {
  auto [it, inserted] =
      requests_.try_emplace(std::string(key), Request{time_us, std::nullopt});
  if (it->second.replied_us.has_value()) return;
  it->second.replied_us = time_us;
  ++replied_;
}

void LivenessChecker::Check(int64_t quiet_us, int64_t now_us) {
  unjudged_ = 0;
  max_latency_us_ = 0;
  for (const auto& [key, request] : requests_) {
    const int64_t from_us = std::max(request.accepted_us, quiet_us);
    const int64_t due_us = from_us + bound_us_;
    if (request.replied_us.has_value()) {
      const int64_t replied_us = *request.replied_us;
      max_latency_us_ = std::max(max_latency_us_, replied_us - from_us);
      if (replied_us <= due_us) continue;
      sink_(Finding{
          kLiveness, now_us,
          absl::StrCat(key, " was replied at ", FormatDurationUs(replied_us),
                       ", later than ", FormatDurationUs(bound_us_), " after ",
                       FormatDurationUs(from_us))});
      continue;
    }
    if (now_us < due_us) {
      ++unjudged_;
      continue;
    }
    sink_(Finding{
        kLiveness, now_us,
        absl::StrCat(key, " (accepted at ",
                     FormatDurationUs(request.accepted_us),
                     ") got no reply within ", FormatDurationUs(bound_us_),
                     " after ", FormatDurationUs(from_us))});
  }
}

}  // namespace clustersim::sim::checkers
