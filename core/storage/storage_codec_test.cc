#include "core/storage/storage_codec.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

EntityAddress Address() {
  return EntityAddress(EntityType("Workflow/Order"), EntityId("id-\xC3\xA9"),
                       ShardId("default", 17));
}

Request FullRequest() {
  return Request{.request_id = Snowflake(std::numeric_limits<int64_t>::max()),
                 .address = Address(),
                 .tag = "Run",
                 .payload = std::string("bin\0ary\xff", 8),
                 .headers = {{"a", "1"}, {"b", ""}, {"trace", "x"}},
                 .primary_key = "Workflow/Order/id/Run/k",
                 .deliver_at_ms = -5};
}

Request BareRequest() {
  return Request{.request_id = Snowflake(-1),
                 .address = Address(),
                 .tag = "",
                 .payload = "",
                 .headers = {},
                 .primary_key = std::nullopt,
                 .deliver_at_ms = std::nullopt};
}

std::vector<Envelope> SampleEnvelopes() {
  return {FullRequest(), BareRequest(),
          AckChunk{Snowflake(7), Address(), Snowflake(1), Snowflake(2)},
          Interrupt{Snowflake(0), Address(), Snowflake(1)}};
}

std::vector<Reply> SampleReplies() {
  return {
      WithExit{Snowflake(1), Snowflake(2), Exit::Success("{\"value\":42}")},
      WithExit{Snowflake(1), Snowflake(3),
               Exit::Failure({CauseKind::kFail, "boom"})},
      WithExit{Snowflake(1), Snowflake(4),
               Exit::Failure({CauseKind::kDie, ""})},
      WithExit{Snowflake(1), Snowflake(5),
               Exit::Failure({CauseKind::kInterrupt, "x"})},
      Chunk{Snowflake(1), Snowflake(6), 0, {""}},
      Chunk{Snowflake(1),
            Snowflake(7),
            std::numeric_limits<int32_t>::min(),
            {"a", std::string("\0", 1), "c"}},
  };
}

// Each decode of every strict prefix must fail cleanly.
template <typename Decode>
void ExpectPrefixesMalformed(const std::string& bytes, Decode decode) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    const auto result = decode(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(result.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_THAT(std::string(result.status().message()),
                StartsWith("malformed:"));
  }
}

TEST(StorageCodecTest, EnvelopesRoundTrip) {
  for (const Envelope& envelope : SampleEnvelopes()) {
    const std::string bytes = EncodeEnvelope(envelope);
    absl::StatusOr<Envelope> decoded = DecodeEnvelope(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, envelope);
    ExpectPrefixesMalformed(bytes, DecodeEnvelope);
  }
}

TEST(StorageCodecTest, RepliesRoundTrip) {
  for (const Reply& reply : SampleReplies()) {
    const std::string bytes = EncodeReply(reply);
    absl::StatusOr<Reply> decoded = DecodeReply(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, reply);
    ExpectPrefixesMalformed(bytes, DecodeReply);
  }
}

TEST(StorageCodecTest, StoredMessagesRoundTrip) {
  const std::vector<StoredMessage> messages = {
      {FullRequest(), std::nullopt},
      {FullRequest(), Chunk{Snowflake(1), Snowflake(2), 3, {"v"}}},
      {Interrupt{Snowflake(9), Address(), Snowflake(1)}, std::nullopt},
  };
  for (const StoredMessage& message : messages) {
    const std::string bytes = EncodeStoredMessage(message);
    absl::StatusOr<StoredMessage> decoded = DecodeStoredMessage(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, message);
    ExpectPrefixesMalformed(bytes, DecodeStoredMessage);
  }
}

// Put/Get pairs of the other values, through one shared stream.
TEST(StorageCodecTest, OtherValuesRoundTripInOneStream) {
  const SaveResult success = SaveSuccess{};
  const SaveResult duplicate = SaveDuplicate{
      Snowflake(5), WithExit{Snowflake(5), Snowflake(6), Exit::Success("ok")}};
  const SaveResult bare_duplicate = SaveDuplicate{Snowflake(5), std::nullopt};
  const FencingToken token{ShardId("g:with:colons", 300),
                           std::numeric_limits<uint64_t>::max()};
  const UnprocessedQuery query{{ShardId("default", 1), ShardId("other", 2)},
                               1024,
                               std::vector<EntityAddress>{Address()}};
  const UnprocessedQuery open_query{{}, std::nullopt, std::nullopt};
  const RunnerEntry entry{
      Runner(RunnerAddress("host", 34431), {"default", "other"}, 0.5), true};
  const RunnerEntry no_groups{Runner(RunnerAddress("", -1), {}, -0.0), false};

  codec::ByteWriter writer;
  PutSaveResult(writer, success);
  PutSaveResult(writer, duplicate);
  PutSaveResult(writer, bare_duplicate);
  PutFencingToken(writer, token);
  PutUnprocessedQuery(writer, query);
  PutUnprocessedQuery(writer, open_query);
  PutRunnerEntry(writer, entry);
  PutRunnerEntry(writer, no_groups);
  const std::string bytes = writer.Release();

  codec::ByteReader reader(bytes);
  EXPECT_EQ(*GetSaveResult(reader), success);
  EXPECT_EQ(*GetSaveResult(reader), duplicate);
  EXPECT_EQ(*GetSaveResult(reader), bare_duplicate);
  EXPECT_EQ(*GetFencingToken(reader), token);
  const UnprocessedQuery got_query = *GetUnprocessedQuery(reader);
  EXPECT_EQ(got_query.shards, query.shards);
  EXPECT_EQ(got_query.limit, query.limit);
  EXPECT_EQ(got_query.addresses, query.addresses);
  const UnprocessedQuery got_open = *GetUnprocessedQuery(reader);
  EXPECT_TRUE(got_open.shards.empty());
  EXPECT_FALSE(got_open.limit.has_value());
  EXPECT_FALSE(got_open.addresses.has_value());
  const RunnerEntry got_entry = *GetRunnerEntry(reader);
  EXPECT_EQ(got_entry, entry);
  EXPECT_EQ(got_entry.runner.groups(), entry.runner.groups());
  EXPECT_EQ(*GetRunnerEntry(reader), no_groups);
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

// ---- Malformed input --------------------------------------------------------

std::string Encoded(const Envelope& envelope) {
  return EncodeEnvelope(envelope);
}

void ExpectMalformed(const absl::Status& status, std::string_view detail) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("malformed:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(detail)));
}

TEST(StorageCodecTest, RejectsUnknownTags) {
  std::string envelope = Encoded(BareRequest());
  envelope[0] = 4;
  ExpectMalformed(DecodeEnvelope(envelope).status(), "envelope tag 4");
  envelope[0] = 0;
  ExpectMalformed(DecodeEnvelope(envelope).status(), "envelope tag 0");

  std::string reply = EncodeReply(SampleReplies()[0]);
  reply[0] = 3;
  ExpectMalformed(DecodeReply(reply).status(), "reply tag 3");
  // The exit tag follows the tag and two snowflakes.
  reply = EncodeReply(SampleReplies()[0]);
  reply[17] = 9;
  ExpectMalformed(DecodeReply(reply).status(), "exit tag 9");
  // The cause kind follows the exit tag.
  reply = EncodeReply(SampleReplies()[1]);
  reply[18] = 0;
  ExpectMalformed(DecodeReply(reply).status(), "cause kind 0");
  reply[18] = 4;
  ExpectMalformed(DecodeReply(reply).status(), "cause kind 4");

  codec::ByteWriter writer;
  writer.PutU8(3);
  codec::ByteReader reader(writer.data());
  ExpectMalformed(GetSaveResult(reader).status(), "save result tag 3");
}

TEST(StorageCodecTest, RejectsTrailingBytes) {
  const std::string bytes = Encoded(BareRequest()) + "x";
  EXPECT_FALSE(DecodeEnvelope(bytes).ok());
  EXPECT_FALSE(DecodeReply(EncodeReply(SampleReplies()[0]) + "x").ok());
}

TEST(StorageCodecTest, RejectsEmptyChunkAndOutOfRangeSequence) {
  codec::ByteWriter empty;
  empty.PutU8(2);
  PutSnowflake(empty, Snowflake(1));
  PutSnowflake(empty, Snowflake(2));
  empty.PutSignedVarint(0);
  empty.PutVarint(0);
  ExpectMalformed(DecodeReply(empty.data()).status(), "chunk with no values");

  codec::ByteWriter wide;
  wide.PutU8(2);
  PutSnowflake(wide, Snowflake(1));
  PutSnowflake(wide, Snowflake(2));
  wide.PutSignedVarint(int64_t{1} << 31);
  wide.PutVarint(1);
  wide.PutString("v");
  ExpectMalformed(DecodeReply(wide.data()).status(), "chunk sequence");
}

TEST(StorageCodecTest, RejectsUnsortedOrDuplicateHeaders) {
  for (const auto& names :
       std::vector<std::vector<std::string>>{{"b", "a"}, {"a", "a"}}) {
    codec::ByteWriter writer;
    writer.PutU8(1);
    PutSnowflake(writer, Snowflake(1));
    PutEntityAddress(writer, Address());
    writer.PutString("tag");
    writer.PutString("payload");
    writer.PutVarint(names.size());
    for (const std::string& name : names) {
      writer.PutString(name);
      writer.PutString("v");
    }
    writer.PutBool(false);
    writer.PutBool(false);
    ExpectMalformed(DecodeEnvelope(writer.data()).status(),
                    "header names not strictly increasing");
  }
}

TEST(StorageCodecTest, RejectsHugeCountsWithoutAllocating) {
  codec::ByteWriter writer;
  writer.PutU8(2);
  PutSnowflake(writer, Snowflake(1));
  PutSnowflake(writer, Snowflake(2));
  writer.PutSignedVarint(0);
  writer.PutVarint(std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(DecodeReply(writer.data()).ok());
}

// Any byte string, and in particular any corruption of a valid encoding,
// either decodes to a value that re-encodes to exactly those bytes or is
// refused as malformed. Never a crash.
RC_GTEST_PROP(StorageCodecProperty, DecodingArbitraryBytesIsSafeAndCanonical,
              (const std::vector<uint8_t>& noise)) {
  std::vector<std::string> inputs = {std::string(noise.begin(), noise.end())};
  for (const StoredMessage& message :
       {StoredMessage{FullRequest(), SampleReplies()[5]},
        StoredMessage{SampleEnvelopes()[2], std::nullopt}}) {
    std::string bytes = EncodeStoredMessage(message);
    // Overwrite bytes of the valid encoding with the noise.
    const size_t at = *rc::gen::inRange<size_t>(0, bytes.size());
    for (size_t i = 0; i < noise.size() && at + i < bytes.size(); ++i) {
      bytes[at + i] = static_cast<char>(noise[i]);
    }
    inputs.push_back(std::move(bytes));
  }
  for (const std::string& input : inputs) {
    absl::StatusOr<StoredMessage> decoded = DecodeStoredMessage(input);
    if (decoded.ok()) {
      RC_ASSERT(EncodeStoredMessage(*decoded) == input);
    } else {
      RC_ASSERT(decoded.status().message().substr(0, 10) == "malformed:");
    }
  }
}

}  // namespace
}  // namespace clustersim::storage
