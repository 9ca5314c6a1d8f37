#include "core/cluster/shard_id.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/parse_int.h"
#include "fmt/format.h"

namespace clustersim {

ShardId::ShardId(std::string group, int32_t number)
    : group_(std::move(group)),
      number_(number),
      group_prefix_(GroupPrefix(group_)) {
  CHECK(number_ >= 1, "shard numbers start at 1");
}

uint64_t ShardId::GroupPrefix(std::string_view group) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    const uint64_t byte =
        i < group.size() ? static_cast<unsigned char>(group[i]) : 0;
    prefix = (prefix << 8) | byte;
  }
  return prefix;
}

absl::StatusOr<ShardId> ShardId::Parse(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("shard id {:?} has no ':' separator", text));
  }
  absl::StatusOr<int64_t> number =
      ParseDecimal("shard number", text.substr(colon + 1), 1,
                   std::numeric_limits<int32_t>::max());
  if (!number.ok()) return number.status();
  return ShardId(std::string(text.substr(0, colon)),
                 static_cast<int32_t>(*number));
}

std::string ShardId::ToString() const {
  return absl::StrCat(group_, ":", number_);
}

}  // namespace clustersim
