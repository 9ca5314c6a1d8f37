#include "core/storage/reply.h"

#include "core/base/check.h"

namespace clustersim::storage {

const std::string& Exit::value() const {
  CHECK(is_success(), "value() of a failed exit");
  return std::get<std::string>(outcome_);
}

const Cause& Exit::cause() const {
  CHECK(!is_success(), "cause() of a successful exit");
  return std::get<Cause>(outcome_);
}

Snowflake ReplyIdOf(const Reply& reply) {
  return std::visit([](const auto& r) { return r.id; }, reply);
}

Snowflake RequestIdOf(const Reply& reply) {
  return std::visit([](const auto& r) { return r.request_id; }, reply);
}

}  // namespace clustersim::storage
