#include "core/cluster/cluster_codec.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace clustersim {
namespace {

using codec::ByteReader;
using codec::ByteWriter;

// `offset` is where the offending value starts.
absl::Status Malformed(size_t offset, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed: ", what, " at byte offset ", offset));
}

}  // namespace

void PutSnowflake(ByteWriter& writer, Snowflake id) {
  writer.PutFixed64(static_cast<uint64_t>(id.value()));
}

absl::StatusOr<Snowflake> GetSnowflake(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t bits, reader.GetFixed64());
  return Snowflake(static_cast<int64_t>(bits));
}

void PutShardId(ByteWriter& writer, const ShardId& shard) {
  writer.PutString(shard.group());
  writer.PutVarint(static_cast<uint64_t>(shard.number()));
}

absl::StatusOr<ShardId> GetShardId(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::string_view group,
                              reader.GetStringView());
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t number, reader.GetVarint());
  if (number < 1 ||
      number > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return Malformed(offset, absl::StrCat("shard number ", number));
  }
  return absl::StatusOr<ShardId>(absl::in_place, std::string(group),
                                 static_cast<int32_t>(number));
}

void PutEntityAddress(ByteWriter& writer, const EntityAddress& address) {
  writer.PutString(address.entity_type().value());
  writer.PutString(address.entity_id().value());
  PutShardId(writer, address.shard_id());
}

absl::StatusOr<EntityAddress> GetEntityAddress(ByteReader& reader) {
  // Views until every field has been read: the strings are built once, in
  // place (addresses are decoded with every message).
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::string_view type,
                              reader.GetStringView());
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::string_view id,
                              reader.GetStringView());
  CLUSTERSIM_ASSIGN_OR_RETURN(ShardId shard, GetShardId(reader));
  return absl::StatusOr<EntityAddress>(
      absl::in_place, EntityType(std::string(type)), EntityId(std::string(id)),
      std::move(shard));
}

void PutRunnerAddress(ByteWriter& writer, const RunnerAddress& address) {
  writer.PutString(address.host());
  writer.PutSignedVarint(address.port());
}

absl::StatusOr<RunnerAddress> GetRunnerAddress(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(std::string host, reader.GetString());
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t port, reader.GetSignedVarint());
  if (port < std::numeric_limits<int32_t>::min() ||
      port > std::numeric_limits<int32_t>::max()) {
    return Malformed(offset,
                     absl::StrCat("port ", port, " out of int32 range"));
  }
  return RunnerAddress(std::move(host), static_cast<int32_t>(port));
}

void PutRunner(ByteWriter& writer, const Runner& runner) {
  PutRunnerAddress(writer, runner.address());
  writer.PutVarint(runner.groups().size());
  for (const std::string& group : runner.groups()) writer.PutString(group);
  writer.PutDouble(runner.weight());
}

absl::StatusOr<Runner> GetRunner(ByteReader& reader) {
  CLUSTERSIM_ASSIGN_OR_RETURN(RunnerAddress address, GetRunnerAddress(reader));
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count, reader.GetCount(1));
  std::vector<std::string> groups;
  groups.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string group, reader.GetString());
    groups.push_back(std::move(group));
  }
  const size_t offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const double weight, reader.GetDouble());
  if (!std::isfinite(weight)) {
    return Malformed(offset, "runner weight is not finite");
  }
  return Runner(std::move(address), std::move(groups), weight);
}

}  // namespace clustersim
