#include "sim/checkers/entity_event.h"

#include <optional>
#include <string_view>

namespace clustersim::sim::checkers {

std::optional<EntityEvent> ParseEntityEvent(std::string_view detail) {
  constexpr std::string_view kRunnerTag = " runner=";
  const size_t at = detail.rfind(kRunnerTag);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  const std::string_view runner = detail.substr(at + kRunnerTag.size());
  if (runner.empty()) return std::nullopt;
  return EntityEvent{detail.substr(0, at), runner};
}

std::optional<std::string_view> ShardOfAddress(std::string_view address) {
  if (address.empty() || address.back() != ')') return std::nullopt;
  const size_t at = address.rfind(", ");
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view shard =
      address.substr(at + 2, address.size() - 1 - (at + 2));
  if (shard.empty()) return std::nullopt;
  return shard;
}

}  // namespace clustersim::sim::checkers
