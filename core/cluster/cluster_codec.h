// The wire encoding of the cluster identifiers that messages between nodes
// carry: snowflakes, shard ids, entity and runner addresses, and runners.
// One implementation shared by every protocol that embeds them (storage RPCs,
// cluster errors), so the layout below is written down once.
//
// Layout, on core/codec's ByteWriter / ByteReader:
//   Snowflake      fixed64 (the int64's bits)
//   ShardId        string group, varint number (1..INT32_MAX)
//   EntityAddress  string type, string id, ShardId
//   RunnerAddress  string host, signed varint port (int32)
//   Runner         RunnerAddress, list string groups (varint count first),
//                  double weight (finite)
//
// Put* appends a value; Get* reads one and advances. Every encoding is
// canonical (a decoded value re-encodes to the same bytes), and decoding never
// crashes on bad input: it returns InvalidArgument "malformed: ... at byte
// offset N" (core/codec's convention). Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_CLUSTER_CLUSTER_CODEC_H_
#define CLUSTERSIM_CORE_CLUSTER_CLUSTER_CODEC_H_

#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"

namespace clustersim {

void PutSnowflake(codec::ByteWriter& writer, Snowflake id);
absl::StatusOr<Snowflake> GetSnowflake(codec::ByteReader& reader);

void PutShardId(codec::ByteWriter& writer, const ShardId& shard);
absl::StatusOr<ShardId> GetShardId(codec::ByteReader& reader);

void PutEntityAddress(codec::ByteWriter& writer, const EntityAddress& address);
absl::StatusOr<EntityAddress> GetEntityAddress(codec::ByteReader& reader);

void PutRunnerAddress(codec::ByteWriter& writer, const RunnerAddress& address);
absl::StatusOr<RunnerAddress> GetRunnerAddress(codec::ByteReader& reader);

void PutRunner(codec::ByteWriter& writer, const Runner& runner);
absl::StatusOr<Runner> GetRunner(codec::ByteReader& reader);

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_CLUSTER_CODEC_H_
