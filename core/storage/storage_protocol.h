// The RPC protocol between runners and the storage server node: one method
// per StorageClient operation (storage_client.h), each with a request ("call")
// struct and a response type, and their byte encodings for RpcEndpoint
// (core/rpc/rpc_endpoint.h).
//
// Each call struct names its method (`kMethod`) and response type
// (`Response`), so the client and the server are written once, generically:
//
//   std::string bytes = EncodeCall(SaveReplyCall{writer, reply, token});
//   absl::StatusOr<SaveReplyCall> call = DecodeCall<SaveReplyCall>(bytes);
//   std::string answer = EncodeResponse<SaveReplyCall>(Done{});
//
// A failed operation travels as the RPC's status (RpcEndpoint carries statuses
// with their payloads), so responses encode only successful results.
//
// Times: the server uses its own clock for heartbeats, leases and claims, so
// calls carry no time, except the reading runner's clock where Effect compares
// deliver_at with it (`reader_now_ms`). SaveReply, the write a runner makes
// as a shard's owner, carries the writer's address (for the storage audit)
// and, in hardened mode, its FencingToken.
//
// Layout of each call and response, after storage_codec.h's encodings ("opt
// X" is a bool then X if present; "list X" a varint count then the elements):
//   SaveRequest             Request as an Envelope       -> SaveResult
//   SaveAckChunk            AckChunk as an Envelope      -> (empty)
//   SaveInterrupt           Interrupt as an Envelope     -> (empty)
//   SaveReply               opt RunnerAddress writer, Reply,
//                           opt FencingToken             -> (empty)
//   ClearReplies            Snowflake request_id,
//                           opt Snowflake expected_reply -> (empty)
//   RequestIdForPrimaryKey  string primary_key           -> opt Snowflake
//   RepliesFor[Unfiltered]  list Snowflake               -> list Reply
//   UnprocessedMessages     UnprocessedQuery, signed varint reader_now_ms
//                                                        -> list StoredMessage
//   UnprocessedMessagesById list Snowflake, signed varint reader_now_ms
//                                                        -> list StoredMessage
//   ResetShards             list ShardId                 -> (empty)
//   ResetAddresses          list EntityAddress           -> (empty)
//   ResetRequests           list Snowflake               -> (empty)
//   ClearAddress            EntityAddress                -> (empty)
//   Register                Runner, bool healthy         -> signed varint
//                                                           MachineId (int32)
//   Unregister              RunnerAddress                -> (empty)
//   GetRunners              (empty)                      -> list RunnerEntry
//   SetRunnerHealth         RunnerAddress, bool healthy  -> (empty)
//   Acquire / Refresh       RunnerAddress, list ShardId  -> list FencingToken
//   Release                 RunnerAddress, ShardId, max epoch? -> (empty)
//   ReleaseAll              RunnerAddress, max epoch?    -> (empty)
//
// Decoding never crashes on bad bytes: it returns InvalidArgument
// "malformed: ...". Encodings are canonical (decode then encode gives the same
// bytes). Method numbers and layouts are wire contracts: append, never
// renumber. Pure functions and value types; thread-safe.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_PROTOCOL_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/machine_id.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/cluster/snowflake.h"
#include "core/rpc/rpc_endpoint.h"
#include "core/storage/envelope.h"
#include "core/storage/fencing_token.h"
#include "core/storage/message_store.h"
#include "core/storage/reply.h"
#include "core/storage/runner_store.h"
#include "core/storage/save_result.h"
#include "core/storage/stored_message.h"

namespace clustersim::storage {

// Storage methods live at 200..299, apart from the runner protocol's.
enum class StorageMethod : RpcMethod {
  kSaveRequest = 200,
  kSaveAckChunk = 201,
  kSaveInterrupt = 202,
  kSaveReply = 203,
  kClearReplies = 204,
  kRequestIdForPrimaryKey = 205,
  kRepliesFor = 206,
  kRepliesForUnfiltered = 207,
  kUnprocessedMessages = 208,
  kUnprocessedMessagesById = 209,
  kResetShards = 210,
  kResetAddresses = 211,
  kResetRequests = 212,
  kClearAddress = 213,
  kRegister = 214,
  kUnregister = 215,
  kGetRunners = 216,
  kSetRunnerHealth = 217,
  kAcquire = 218,
  kRefresh = 219,
  kRelease = 220,
  kReleaseAll = 221,
};

// "save_request", "acquire", ...: for traces and error messages.
std::string_view StorageMethodName(StorageMethod method);

// The response of operations that return nothing but success.
struct Done {
  friend bool operator==(const Done&, const Done&) = default;
};

// --- MessageStorage ---------------------------------------------------------

struct SaveRequestCall {
  static constexpr StorageMethod kMethod = StorageMethod::kSaveRequest;
  using Response = SaveResult;
  Request request;
};

struct SaveAckChunkCall {
  static constexpr StorageMethod kMethod = StorageMethod::kSaveAckChunk;
  using Response = Done;
  AckChunk ack;
};

struct SaveInterruptCall {
  static constexpr StorageMethod kMethod = StorageMethod::kSaveInterrupt;
  using Response = Done;
  Interrupt interrupt;
};

struct SaveReplyCall {
  static constexpr StorageMethod kMethod = StorageMethod::kSaveReply;
  using Response = Done;
  // The runner writing as the request's shard owner; unset for a writer that
  // is no runner (it then owns no shard).
  std::optional<RunnerAddress> writer;
  Reply reply;
  std::optional<FencingToken> fencing;
};

struct ClearRepliesCall {
  static constexpr StorageMethod kMethod = StorageMethod::kClearReplies;
  using Response = Done;
  Snowflake request_id;
  std::optional<Snowflake> expected_reply_id;
};

struct RequestIdForPrimaryKeyCall {
  static constexpr StorageMethod kMethod =
      StorageMethod::kRequestIdForPrimaryKey;
  using Response = std::optional<Snowflake>;
  std::string primary_key;
};

struct RepliesForCall {
  static constexpr StorageMethod kMethod = StorageMethod::kRepliesFor;
  using Response = std::vector<Reply>;
  std::vector<Snowflake> request_ids;
};

struct RepliesForUnfilteredCall {
  static constexpr StorageMethod kMethod = StorageMethod::kRepliesForUnfiltered;
  using Response = std::vector<Reply>;
  std::vector<Snowflake> request_ids;
};

struct UnprocessedMessagesCall {
  static constexpr StorageMethod kMethod = StorageMethod::kUnprocessedMessages;
  using Response = std::vector<StoredMessage>;
  UnprocessedQuery query;
  int64_t reader_now_ms = 0;
};

struct UnprocessedMessagesByIdCall {
  static constexpr StorageMethod kMethod =
      StorageMethod::kUnprocessedMessagesById;
  using Response = std::vector<StoredMessage>;
  std::vector<Snowflake> ids;
  int64_t reader_now_ms = 0;
};

struct ResetShardsCall {
  static constexpr StorageMethod kMethod = StorageMethod::kResetShards;
  using Response = Done;
  std::vector<ShardId> shards;
};

struct ResetAddressesCall {
  static constexpr StorageMethod kMethod = StorageMethod::kResetAddresses;
  using Response = Done;
  std::vector<EntityAddress> addresses;
};

struct ResetRequestsCall {
  static constexpr StorageMethod kMethod = StorageMethod::kResetRequests;
  using Response = Done;
  std::vector<Snowflake> ids;
};

struct ClearAddressCall {
  static constexpr StorageMethod kMethod = StorageMethod::kClearAddress;
  using Response = Done;
  EntityAddress address;
};

// --- RunnerStorage ----------------------------------------------------------

struct RegisterCall {
  static constexpr StorageMethod kMethod = StorageMethod::kRegister;
  using Response = MachineId;
  Runner runner;
  bool healthy = false;
};

struct UnregisterCall {
  static constexpr StorageMethod kMethod = StorageMethod::kUnregister;
  using Response = Done;
  RunnerAddress address;
};

struct GetRunnersCall {
  static constexpr StorageMethod kMethod = StorageMethod::kGetRunners;
  using Response = std::vector<RunnerEntry>;
};

struct SetRunnerHealthCall {
  static constexpr StorageMethod kMethod = StorageMethod::kSetRunnerHealth;
  using Response = Done;
  RunnerAddress address;
  bool healthy = false;
};

struct AcquireCall {
  static constexpr StorageMethod kMethod = StorageMethod::kAcquire;
  using Response = std::vector<FencingToken>;
  RunnerAddress address;
  std::vector<ShardId> shards;
};

struct RefreshCall {
  static constexpr StorageMethod kMethod = StorageMethod::kRefresh;
  using Response = std::vector<FencingToken>;
  RunnerAddress address;
  std::vector<ShardId> shards;
};

struct ReleaseCall {
  static constexpr StorageMethod kMethod = StorageMethod::kRelease;
  using Response = Done;
  RunnerAddress address;
  ShardId shard;
  std::optional<uint64_t> max_epoch = std::nullopt;  // hardened mode
};

struct ReleaseAllCall {
  static constexpr StorageMethod kMethod = StorageMethod::kReleaseAll;
  using Response = Done;
  RunnerAddress address;
  std::optional<uint64_t> max_epoch = std::nullopt;  // hardened mode
};

// Every call type, for code that handles each (X is a macro taking the type).
#define CLUSTERSIM_STORAGE_CALLS(X) \
  X(SaveRequestCall)                \
  X(SaveAckChunkCall)               \
  X(SaveInterruptCall)              \
  X(SaveReplyCall)                  \
  X(ClearRepliesCall)               \
  X(RequestIdForPrimaryKeyCall)     \
  X(RepliesForCall)                 \
  X(RepliesForUnfilteredCall)       \
  X(UnprocessedMessagesCall)        \
  X(UnprocessedMessagesByIdCall)    \
  X(ResetShardsCall)                \
  X(ResetAddressesCall)             \
  X(ResetRequestsCall)              \
  X(ClearAddressCall)               \
  X(RegisterCall)                   \
  X(UnregisterCall)                 \
  X(GetRunnersCall)                 \
  X(SetRunnerHealthCall)            \
  X(AcquireCall)                    \
  X(RefreshCall)                    \
  X(ReleaseCall)                    \
  X(ReleaseAllCall)

// Defined for every call type above (explicitly instantiated in the .cc).
template <typename Call>
std::string EncodeCall(const Call& call);
template <typename Call>
absl::StatusOr<Call> DecodeCall(std::string_view bytes);

template <typename Call>
std::string EncodeResponse(const typename Call::Response& response);
template <typename Call>
absl::StatusOr<typename Call::Response> DecodeResponse(std::string_view bytes);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_PROTOCOL_H_
