#include "core/storage/storage_protocol.h"

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/cluster/cluster_codec.h"
#include "core/codec/byte_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const ShardId kShard("default", 7);
const EntityAddress kAddress(EntityType("Counter"), EntityId("c-1"), kShard);
const RunnerAddress kRunner("runner-1", 34431);

Request SampleRequest() {
  return Request{.request_id = Snowflake(1001),
                 .address = kAddress,
                 .tag = "Increment",
                 .payload = std::string("p\0q", 3),
                 .headers = {{"h", "v"}},
                 .primary_key = "Counter/c-1/Increment/k",
                 .deliver_at_ms = 5'000};
}

Reply SampleChunk() {
  return Chunk{Snowflake(1001), Snowflake(2002), 3, {"a", "b"}};
}

Reply SampleExit() {
  return WithExit{Snowflake(1001), Snowflake(2003), Exit::Success("42")};
}

void ExpectMalformed(const absl::Status& status, std::string_view detail) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("malformed:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(detail)));
}

// Round trip, canonical bytes, and every truncation or extension rejected.
template <typename Call>
void ExpectCallRoundTrips(const Call& call) {
  SCOPED_TRACE(std::string(StorageMethodName(Call::kMethod)));
  const std::string bytes = EncodeCall(call);
  const absl::StatusOr<Call> decoded = DecodeCall<Call>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeCall(*decoded), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    ExpectMalformed(
        DecodeCall<Call>(std::string_view(bytes).substr(0, n)).status(), "");
  }
  ExpectMalformed(DecodeCall<Call>(bytes + "x").status(), "trailing");
}

template <typename Call>
void ExpectResponseRoundTrips(const typename Call::Response& response) {
  SCOPED_TRACE(std::string(StorageMethodName(Call::kMethod)));
  const std::string bytes = EncodeResponse<Call>(response);
  const absl::StatusOr<typename Call::Response> decoded =
      DecodeResponse<Call>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, response);
  EXPECT_EQ(EncodeResponse<Call>(*decoded), bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    ExpectMalformed(
        DecodeResponse<Call>(std::string_view(bytes).substr(0, n)).status(),
        "");
  }
  ExpectMalformed(DecodeResponse<Call>(bytes + "x").status(), "trailing");
}

TEST(StorageProtocolTest, MethodsAreDistinctAndNamed) {
  std::set<RpcMethod> methods;
  std::set<std::string_view> names;
#define CLUSTERSIM_COLLECT_(Call)                        \
  methods.insert(static_cast<RpcMethod>(Call::kMethod)); \
  names.insert(StorageMethodName(Call::kMethod));
  CLUSTERSIM_STORAGE_CALLS(CLUSTERSIM_COLLECT_)
#undef CLUSTERSIM_COLLECT_
  EXPECT_EQ(methods.size(), 22u);
  EXPECT_EQ(names.size(), 22u);
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_EQ(*methods.begin(), 200u);
  EXPECT_EQ(*methods.rbegin(), 221u);
  EXPECT_EQ(StorageMethodName(StorageMethod::kSaveReply), "save_reply");
}

TEST(StorageProtocolTest, MessageStorageCallsRoundTrip) {
  ExpectCallRoundTrips(SaveRequestCall{SampleRequest()});
  ExpectCallRoundTrips(SaveAckChunkCall{
      AckChunk{Snowflake(5), kAddress, Snowflake(1001), Snowflake(2002)}});
  ExpectCallRoundTrips(
      SaveInterruptCall{Interrupt{Snowflake(6), kAddress, Snowflake(1001)}});
  ExpectCallRoundTrips(
      SaveReplyCall{kRunner, SampleExit(), FencingToken{kShard, 9}});
  ExpectCallRoundTrips(
      SaveReplyCall{std::nullopt, SampleChunk(), std::nullopt});
  ExpectCallRoundTrips(ClearRepliesCall{Snowflake(1001), Snowflake(2002)});
  ExpectCallRoundTrips(ClearRepliesCall{Snowflake(-1), std::nullopt});
  ExpectCallRoundTrips(RequestIdForPrimaryKeyCall{"Counter/c-1/Increment/k"});
  ExpectCallRoundTrips(RepliesForCall{{Snowflake(1), Snowflake(2)}});
  ExpectCallRoundTrips(RepliesForUnfilteredCall{{}});
  ExpectCallRoundTrips(UnprocessedMessagesCall{
      UnprocessedQuery{{kShard, ShardId("other", 1)}, 10, {{kAddress}}}, -7});
  ExpectCallRoundTrips(
      UnprocessedMessagesCall{UnprocessedQuery{{}, std::nullopt, {}}, 0});
  ExpectCallRoundTrips(
      UnprocessedMessagesByIdCall{{Snowflake(3)}, 1'700'000'000'000});
  ExpectCallRoundTrips(ResetShardsCall{{kShard}});
  ExpectCallRoundTrips(ResetAddressesCall{{kAddress, kAddress}});
  ExpectCallRoundTrips(ResetRequestsCall{{Snowflake(8)}});
  ExpectCallRoundTrips(ClearAddressCall{kAddress});
}

TEST(StorageProtocolTest, RunnerStorageCallsRoundTrip) {
  ExpectCallRoundTrips(
      RegisterCall{Runner(kRunner, {"default", "other"}, 1.5), true});
  ExpectCallRoundTrips(UnregisterCall{kRunner});
  ExpectCallRoundTrips(GetRunnersCall{});
  ExpectCallRoundTrips(SetRunnerHealthCall{kRunner, false});
  ExpectCallRoundTrips(AcquireCall{kRunner, {kShard, ShardId("default", 8)}});
  ExpectCallRoundTrips(RefreshCall{kRunner, {}});
  ExpectCallRoundTrips(ReleaseCall{kRunner, kShard});
  ExpectCallRoundTrips(ReleaseAllCall{kRunner});
}

TEST(StorageProtocolTest, DecodedCallsKeepTheirFields) {
  const absl::StatusOr<SaveReplyCall> reply =
      DecodeCall<SaveReplyCall>(EncodeCall(
          SaveReplyCall{kRunner, SampleExit(), FencingToken{kShard, 9}}));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->writer, kRunner);
  EXPECT_EQ(reply->reply, SampleExit());
  EXPECT_EQ(reply->fencing, (FencingToken{kShard, 9}));

  const absl::StatusOr<UnprocessedMessagesCall> read =
      DecodeCall<UnprocessedMessagesCall>(EncodeCall(UnprocessedMessagesCall{
          UnprocessedQuery{{kShard}, 10, std::nullopt}, 123}));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->query.shards, std::vector<ShardId>{kShard});
  EXPECT_EQ(read->query.limit, 10);
  EXPECT_FALSE(read->query.addresses.has_value());
  EXPECT_EQ(read->reader_now_ms, 123);

  const absl::StatusOr<RegisterCall> registered = DecodeCall<RegisterCall>(
      EncodeCall(RegisterCall{Runner(kRunner, {"g"}, 2), true}));
  ASSERT_TRUE(registered.ok());
  EXPECT_EQ(registered->runner.groups(), std::vector<std::string>{"g"});
  EXPECT_TRUE(registered->healthy);
}

TEST(StorageProtocolTest, ResponsesRoundTrip) {
  ExpectResponseRoundTrips<SaveAckChunkCall>(Done{});
  ExpectResponseRoundTrips<SaveRequestCall>(SaveSuccess{});
  ExpectResponseRoundTrips<SaveRequestCall>(
      SaveDuplicate{Snowflake(1001), SampleExit()});
  ExpectResponseRoundTrips<RequestIdForPrimaryKeyCall>(Snowflake(1001));
  ExpectResponseRoundTrips<RequestIdForPrimaryKeyCall>(std::nullopt);
  ExpectResponseRoundTrips<RepliesForCall>({SampleChunk(), SampleExit()});
  ExpectResponseRoundTrips<RepliesForUnfilteredCall>({});
  ExpectResponseRoundTrips<UnprocessedMessagesCall>(
      {StoredMessage{SampleRequest(), SampleChunk()},
       StoredMessage{Interrupt{Snowflake(6), kAddress, Snowflake(1001)},
                     std::nullopt}});
  ExpectResponseRoundTrips<RegisterCall>(MachineId(17));
  ExpectResponseRoundTrips<RegisterCall>(
      MachineId(std::numeric_limits<int32_t>::min()));
  ExpectResponseRoundTrips<GetRunnersCall>(
      {RunnerEntry{Runner(kRunner, {"default"}, 1), true}});
  ExpectResponseRoundTrips<AcquireCall>(
      {FencingToken{kShard, 1},
       FencingToken{ShardId("default", 8), uint64_t{1} << 40}});
}

TEST(StorageProtocolTest, RejectsAnEnvelopeOfTheWrongKind) {
  const std::string ack = EncodeCall(SaveAckChunkCall{
      AckChunk{Snowflake(5), kAddress, Snowflake(1001), Snowflake(2002)}});
  ExpectMalformed(DecodeCall<SaveRequestCall>(ack).status(),
                  "envelope is not a Request at byte offset 0");
  ExpectMalformed(DecodeCall<SaveInterruptCall>(ack).status(),
                  "envelope is not an Interrupt");
  const std::string request = EncodeCall(SaveRequestCall{SampleRequest()});
  ExpectMalformed(DecodeCall<SaveAckChunkCall>(request).status(),
                  "envelope is not an AckChunk");
}

TEST(StorageProtocolTest, RejectsOutOfRangeValues) {
  codec::ByteWriter machine;
  machine.PutSignedVarint(int64_t{1} << 32);
  ExpectMalformed(DecodeResponse<RegisterCall>(machine.data()).status(),
                  "machine id 4294967296 out of int32 range");

  codec::ByteWriter shard;
  PutRunnerAddress(shard, kRunner);
  shard.PutString("default");
  shard.PutVarint(0);
  ExpectMalformed(DecodeCall<ReleaseCall>(shard.data()).status(),
                  "shard number 0");

  codec::ByteWriter done;
  done.PutU8(0);
  ExpectMalformed(DecodeResponse<ReleaseAllCall>(done.data()).status(),
                  "trailing");
}

TEST(StorageProtocolTest, RejectsHugeCountsWithoutAllocating) {
  codec::ByteWriter ids;
  ids.PutVarint(std::numeric_limits<uint64_t>::max());
  ExpectMalformed(DecodeCall<RepliesForCall>(ids.data()).status(), "");
  ExpectMalformed(DecodeResponse<UnprocessedMessagesCall>(ids.data()).status(),
                  "");
  ExpectMalformed(DecodeResponse<GetRunnersCall>(ids.data()).status(), "");
}

// Arbitrary bytes decode as every call and response type either cleanly
// failing with "malformed:" or to a value that re-encodes to the same bytes.
template <typename Call>
void CheckArbitraryBytes(const std::string& bytes) {
  const absl::StatusOr<Call> call = DecodeCall<Call>(bytes);
  if (call.ok()) {
    RC_ASSERT(EncodeCall(*call) == bytes);
  } else {
    RC_ASSERT(call.status().code() == absl::StatusCode::kInvalidArgument);
    RC_ASSERT(std::string(call.status().message()).starts_with("malformed:"));
  }
  const auto response = DecodeResponse<Call>(bytes);
  if (response.ok()) {
    RC_ASSERT(EncodeResponse<Call>(*response) == bytes);
  } else {
    RC_ASSERT(response.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

RC_GTEST_PROP(StorageProtocolProperty, ArbitraryBytesDecodeSafely, ()) {
  const std::string bytes = *rc::gen::arbitrary<std::string>();
#define CLUSTERSIM_CHECK_(Call) CheckArbitraryBytes<Call>(bytes);
  CLUSTERSIM_STORAGE_CALLS(CLUSTERSIM_CHECK_)
#undef CLUSTERSIM_CHECK_
}

// Valid encodings with one byte changed: still never a crash.
RC_GTEST_PROP(StorageProtocolProperty, MutatedCallsDecodeSafely, ()) {
  std::string bytes = EncodeCall(
      SaveReplyCall{kRunner, SampleChunk(), FencingToken{kShard, 9}});
  const size_t index = *rc::gen::inRange<size_t>(0, bytes.size());
  bytes[index] = *rc::gen::arbitrary<char>();
  CheckArbitraryBytes<SaveReplyCall>(bytes);
  std::string read = EncodeCall(UnprocessedMessagesCall{
      UnprocessedQuery{{kShard}, 10, {{kAddress}}}, 123});
  read[*rc::gen::inRange<size_t>(0, read.size())] = *rc::gen::arbitrary<char>();
  CheckArbitraryBytes<UnprocessedMessagesCall>(read);
}

}  // namespace
}  // namespace clustersim::storage
