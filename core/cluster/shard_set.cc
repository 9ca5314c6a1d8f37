#include "core/cluster/shard_set.h"

#include "core/base/check.h"

namespace clustersim {

size_t ShardSet::GroupIndex(const std::string& group) const {
  for (size_t i = 0; i < bits_.size(); ++i) {
    if (bits_[i].first == group) return i;
  }
  return bits_.size();
}

bool ShardSet::insert(const ShardId& shard) {
  if (!ordered_.insert(shard).second) return false;
  const int32_t number = shard.number();
  if (number > kMaxBitmapNumber) return true;
  const size_t group = GroupIndex(shard.group());
  if (group == bits_.size()) bits_.emplace_back(shard.group(), 0);
  std::vector<bool>& bits = bits_[group].second;
  if (bits.size() <= static_cast<size_t>(number)) {
    bits.resize(static_cast<size_t>(number) + 1, false);
  }
  bits[static_cast<size_t>(number)] = true;
  return true;
}

size_t ShardSet::erase(const ShardId& shard) {
  if (ordered_.erase(shard) == 0) return 0;
  if (shard.number() <= kMaxBitmapNumber) {
    const size_t group = GroupIndex(shard.group());
    CHECK(group < bits_.size(), "an inserted shard's group has a bitmap");
    bits_[group].second[static_cast<size_t>(shard.number())] = false;
  }
  return 1;
}

bool ShardSet::contains(const ShardId& shard) const {
  const int32_t number = shard.number();
  if (number > kMaxBitmapNumber) return ordered_.contains(shard);
  const size_t group = GroupIndex(shard.group());
  if (group == bits_.size()) return false;
  const std::vector<bool>& bits = bits_[group].second;
  return static_cast<size_t>(number) < bits.size() &&
         bits[static_cast<size_t>(number)];
}

void ShardSet::clear() {
  ordered_.clear();
  bits_.clear();
}

}  // namespace clustersim
