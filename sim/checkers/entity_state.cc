#include "sim/checkers/entity_state.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace clustersim::sim::checkers {

EntityStateChecker::EntityStateChecker(FindingSink sink)
    : sink_(std::move(sink)) {}

void EntityStateChecker::OnWrite(int64_t time_us, std::string_view where,
                                 std::string_view key, std::string_view op,
                                 int64_t amount, int64_t value) {
  // absl::StrCat takes absl::string_view, which std::string_view is not here.
  const std::string where_text(where), key_text(key), op_text(op);
  ++writes_;
  if (auto it = applied_.find(op); it != applied_.end()) {
    sink_(Finding{kEntityState, time_us,
                  absl::StrCat(where_text, " applied ", op_text, " to ",
                               key_text, " again (writing ", value,
                               "); it was applied before, leaving ",
                               it->second.key, " at ", it->second.value)});
    return;
  }
  int64_t& model = model_[key_text];
  model += amount;
  applied_.emplace(op_text, Applied{key_text, model});
  if (value != model) {
    sink_(Finding{
        kEntityState, time_us,
        absl::StrCat(where_text, " applied ", op_text, " (+", amount, ") to ",
                     key_text, " and wrote ", value,
                     ", but its history makes it ", model,
                     ": the entity computed from stale state (", model - value,
                     " applied elsewhere since it loaded)")});
  }
}

void EntityStateChecker::OnReply(int64_t time_us, std::string_view key,
                                 std::string_view op, int64_t value) {
  const std::string key_text(key), op_text(op);
  ++replies_checked_;
  auto it = applied_.find(op);
  if (it == applied_.end()) {
    sink_(Finding{
        kEntityState, time_us,
        absl::StrCat("a reply says ", op_text, " left ", key_text, " at ",
                     value, ", but ", op_text, " was never applied")});
    return;
  }
  if (it->second.key != key || it->second.value != value) {
    sink_(Finding{kEntityState, time_us,
                  absl::StrCat("a reply says ", op_text, " left ", key_text,
                               " at ", value, ", but it left ", it->second.key,
                               " at ", it->second.value)});
  }
}

}  // namespace clustersim::sim::checkers
