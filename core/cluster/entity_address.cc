#include "core/cluster/entity_address.h"

#include "absl/strings/str_cat.h"

namespace clustersim {

std::string EntityAddress::ToString() const {
  return absl::StrCat("EntityAddress(", entity_type_.value(), ", ",
                      entity_id_.value(), ", ", shard_id_.ToString(), ")");
}

}  // namespace clustersim
