// The wire encoding of storage values, for the RPCs between runners and the
// storage server: envelopes, replies, stored rows, save results, fencing
// tokens, read queries and runner rows. Built on core/codec's ByteWriter /
// ByteReader and core/cluster/cluster_codec.h (the identifiers they contain).
//
// Put* appends a value; Get* reads one and advances, so values compose into
// larger messages. Encode* / Decode* handle a byte string holding exactly one
// value (trailing bytes are an error).
//
// Layout (fields in order; "opt X" is a bool then X if present; "list X" is
// a varint count then the elements). Snowflake, ShardId, EntityAddress,
// RunnerAddress and Runner are core/cluster/cluster_codec.h's encodings.
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
#include "core/cluster/cluster_codec.h"
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

// Each kind has its own writer, so that a Request is written as it is, not
// copied into an Envelope first.
void PutEnvelope(codec::ByteWriter& writer, const Envelope& envelope);
void PutEnvelope(codec::ByteWriter& writer, const Request& request);
void PutEnvelope(codec::ByteWriter& writer, const AckChunk& ack);
void PutEnvelope(codec::ByteWriter& writer, const Interrupt& interrupt);
absl::StatusOr<Envelope> GetEnvelope(codec::ByteReader& reader);
// Reads one envelope that must be of kind E (Request, AckChunk or
// Interrupt) straight into an E. A well-formed envelope of another kind is
// InvalidArgument "malformed: envelope is not a Request at byte offset N"
// (resp. "an AckChunk", "an Interrupt"); a malformed one, its own error.
template <typename E>
absl::StatusOr<E> GetEnvelopeOf(codec::ByteReader& reader);

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
