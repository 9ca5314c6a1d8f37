// The wire encoding of storage values, for the RPCs between runners and the
// storage server: envelopes, replies, stored rows, save results, fencing
// tokens, read queries and runner rows, plus the cluster identifiers they
// contain. Built on core/codec's ByteWriter / ByteReader.
//
// Put* appends a value; Get* reads one and advances, so values compose into
// larger messages. Encode* / Decode* handle a byte string holding exactly one
// value (trailing bytes are an error).
//
// Layout (fields in order; "opt X" is a bool then X if present; "list X" is
// a varint count then the elements):
//   Snowflake      fixed64 (the int64's bits)
//   ShardId        string group, varint number (1..INT32_MAX)
//   EntityAddress  string type, string id, ShardId
//   RunnerAddress  string host, signed varint port (int32)
//   Runner         RunnerAddress, list string groups, double weight (finite)
//   Envelope       u8 kind: 1 Request  Snowflake request_id, EntityAddress,
//                                      string tag, string payload,
//                                      list (string name, string value)
//                                      with names strictly increasing,
//                                      opt string primary_key,
//                                      opt signed varint deliver_at_ms
//                           2 AckChunk Snowflake id, EntityAddress,
//                                      Snowflake request_id, Snowflake reply_id
//                           3 Interrupt Snowflake id, EntityAddress,
//                                      Snowflake request_id
//   Exit           u8 kind: 1 Success string value
//                           2 Failure u8 cause kind (1..3), string message
//   Reply          u8 kind: 1 WithExit Snowflake request_id, Snowflake id, Exit
//                           2 Chunk Snowflake request_id, Snowflake id,
//                                   signed varint sequence (int32),
//                                   list string values (non-empty)
//   StoredMessage  Envelope, opt Reply
//   SaveResult     u8 kind: 1 Success; 2 Duplicate Snowflake original_id,
//                                                   opt Reply
//   FencingToken   ShardId, varint epoch
//   UnprocessedQuery list ShardId, opt signed varint limit,
//                    opt list EntityAddress
//   RunnerEntry    Runner, bool healthy
//
// Every encoding is canonical: a decoded value re-encodes to the same bytes.
// Decoding never crashes or over-allocates on bad input; it returns
// InvalidArgument "malformed: ..." (core/codec's convention).
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_CODEC_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/storage/envelope.h"
#include "core/storage/fencing_token.h"
#include "core/storage/message_store.h"
#include "core/storage/reply.h"
#include "core/storage/runner_store.h"
#include "core/storage/save_result.h"
#include "core/storage/stored_message.h"

namespace clustersim::storage {

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

void PutEnvelope(codec::ByteWriter& writer, const Envelope& envelope);
absl::StatusOr<Envelope> GetEnvelope(codec::ByteReader& reader);

void PutReply(codec::ByteWriter& writer, const Reply& reply);
absl::StatusOr<Reply> GetReply(codec::ByteReader& reader);

void PutStoredMessage(codec::ByteWriter& writer, const StoredMessage& message);
absl::StatusOr<StoredMessage> GetStoredMessage(codec::ByteReader& reader);

void PutSaveResult(codec::ByteWriter& writer, const SaveResult& result);
absl::StatusOr<SaveResult> GetSaveResult(codec::ByteReader& reader);

void PutFencingToken(codec::ByteWriter& writer, const FencingToken& token);
absl::StatusOr<FencingToken> GetFencingToken(codec::ByteReader& reader);

void PutUnprocessedQuery(codec::ByteWriter& writer,
                         const UnprocessedQuery& query);
absl::StatusOr<UnprocessedQuery> GetUnprocessedQuery(codec::ByteReader& reader);

void PutRunnerEntry(codec::ByteWriter& writer, const RunnerEntry& entry);
absl::StatusOr<RunnerEntry> GetRunnerEntry(codec::ByteReader& reader);

std::string EncodeEnvelope(const Envelope& envelope);
absl::StatusOr<Envelope> DecodeEnvelope(std::string_view bytes);

std::string EncodeReply(const Reply& reply);
absl::StatusOr<Reply> DecodeReply(std::string_view bytes);

std::string EncodeStoredMessage(const StoredMessage& message);
absl::StatusOr<StoredMessage> DecodeStoredMessage(std::string_view bytes);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_CODEC_H_
