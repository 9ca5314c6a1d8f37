#include "core/sharding/entity.h"

#include <utility>

#include "core/base/check.h"

namespace clustersim::sharding {

RequestAnnotations RpcSpec::AnnotationsFor(std::string_view payload) const {
  RequestAnnotations annotations{fork, uninterruptible, with_transaction};
  if (dynamic) dynamic(payload, annotations);
  return annotations;
}

EntityDefinition& EntityDefinition::Add(RpcSpec spec) {
  CHECK(!spec.tag.empty(), "an rpc needs a tag");
  std::string tag = spec.tag;
  CHECK(rpcs_.emplace(std::move(tag), std::move(spec)).second,
        "rpc tag defined twice");
  return *this;
}

EntityDefinition& EntityDefinition::SetShardGroup(
    std::function<std::string(const EntityId&)> group) {
  shard_group_ = std::move(group);
  return *this;
}

const RpcSpec* EntityDefinition::Find(std::string_view tag) const {
  auto it = rpcs_.find(tag);
  return it == rpcs_.end() ? nullptr : &it->second;
}

std::string EntityDefinition::ShardGroupOf(const EntityId& id) const {
  return shard_group_ ? shard_group_(id) : std::string("default");
}

}  // namespace clustersim::sharding
