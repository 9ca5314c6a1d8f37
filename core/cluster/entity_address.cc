#include "core/cluster/entity_address.h"

#include "absl/strings/str_cat.h"

namespace clustersim {

std::string EntityAddress::ToString() const {
  // One concatenation (the shard's "<group>:<number>" spelled out, not
  // formatted apart): trace details format an address for every request.
  return absl::StrCat("EntityAddress(", entity_type_.value(), ", ",
                      entity_id_.value(), ", ", shard_id_.group(), ":",
                      shard_id_.number(), ")");
}

}  // namespace clustersim
