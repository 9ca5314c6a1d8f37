#include "core/cluster/cluster_error.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "core/codec/byte_writer.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

const EntityAddress kAddress(EntityType("Counter"), EntityId("42"),
                             ShardId("default", 17));
const RunnerAddress kRunner("localhost", 34431);

struct Expected {
  ClusterError error;
  absl::StatusCode code;
  std::string message;
};

std::vector<Expected> AllErrors() {
  return {
      {EntityNotAssignedToRunner{kAddress},
       absl::StatusCode::kFailedPrecondition,
       "EntityNotAssignedToRunner: EntityAddress(Counter, 42, default:17) is "
       "not assigned to this runner"},
      {MalformedMessage{"bad varint"}, absl::StatusCode::kInvalidArgument,
       "MalformedMessage: bad varint"},
      {PersistenceError{"timeout"}, absl::StatusCode::kUnavailable,
       "PersistenceError: timeout"},
      {RunnerNotRegistered{kRunner}, absl::StatusCode::kNotFound,
       "RunnerNotRegistered: RunnerAddress(localhost:34431) is not "
       "registered"},
      {RunnerUnavailable{kRunner}, absl::StatusCode::kUnavailable,
       "RunnerUnavailable: RunnerAddress(localhost:34431) is unavailable"},
      {MailboxFull{kAddress}, absl::StatusCode::kResourceExhausted,
       "MailboxFull: the mailbox of EntityAddress(Counter, 42, default:17) is "
       "full"},
      {AlreadyProcessingMessage{Snowflake(12587010), kAddress},
       absl::StatusCode::kAlreadyExists,
       "AlreadyProcessingMessage: EntityAddress(Counter, 42, default:17) is "
       "already processing envelope 12587010"},
  };
}

TEST(ClusterErrorTest, StatusCarriesCodeMessageAndTypedValue) {
  for (const Expected& e : AllErrors()) {
    const absl::Status status = ToStatus(e.error);
    EXPECT_EQ(status.code(), e.code);
    EXPECT_EQ(status.message(), e.message);
    const std::optional<ClusterError> recovered = GetClusterError(status);
    ASSERT_TRUE(recovered.has_value()) << e.message;
    EXPECT_EQ(*recovered, e.error);
  }
}

TEST(ClusterErrorTest, SurvivesCopiesAndStatusOr) {
  const absl::StatusOr<int> result = ToStatus(MailboxFull{kAddress});
  const absl::Status copy = result.status();
  EXPECT_TRUE(IsClusterError<MailboxFull>(copy));
  EXPECT_FALSE(IsClusterError<EntityNotAssignedToRunner>(copy));
}

TEST(ClusterErrorTest, OtherStatusesCarryNone) {
  EXPECT_FALSE(GetClusterError(absl::OkStatus()).has_value());
  EXPECT_FALSE(GetClusterError(absl::UnavailableError("x")).has_value());
  EXPECT_FALSE(IsClusterError<RunnerUnavailable>(absl::UnavailableError("x")));
  absl::Status corrupt = absl::UnavailableError("x");
  corrupt.SetPayload(kClusterErrorTypeUrl, absl::Cord("\x09"));
  EXPECT_FALSE(GetClusterError(corrupt).has_value());
}

TEST(ClusterErrorTest, EncodingRoundTrips) {
  for (const Expected& e : AllErrors()) {
    const std::string bytes = EncodeClusterError(e.error);
    absl::StatusOr<ClusterError> decoded = DecodeClusterError(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, e.error);
  }
}

TEST(ClusterErrorTest, EncodingIsStable) {
  // Tag 4 (RunnerUnavailable), host "h" (length 1), port 80 zigzagged = 160
  // (varint a0 01).
  EXPECT_EQ(EncodeClusterError(RunnerUnavailable{RunnerAddress("h", 80)}),
            std::string("\x04\x01h\xA0\x01"));
}

TEST(ClusterErrorTest, DecodeRejectsMalformedBytes) {
  struct Case {
    std::string bytes;
    std::string message;
  };
  codec::ByteWriter zero_shard;
  zero_shard.PutVarint(0);
  for (const char* s : {"T", "1", "g"}) zero_shard.PutString(s);
  zero_shard.PutVarint(0);
  codec::ByteWriter huge_shard;
  huge_shard.PutVarint(5);
  for (const char* s : {"T", "1", "g"}) huge_shard.PutString(s);
  huge_shard.PutVarint(uint64_t{1} << 31);
  codec::ByteWriter huge_port;
  huge_port.PutVarint(3);
  huge_port.PutString("h");
  huge_port.PutSignedVarint(int64_t{1} << 40);
  const Case cases[] = {
      {"", "malformed: truncated varint at offset 0"},
      {"\x07", "malformed: cluster error tag 7 is unknown"},
      {"\x01", "malformed: truncated varint at offset 1"},
      {zero_shard.data(), "malformed: shard number 0 at byte offset 7"},
      {huge_shard.data(),
       "malformed: shard number 2147483648 at byte offset 7"},
      {huge_port.data(),
       "malformed: port 1099511627776 out of int32 range at byte offset 3"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ClusterError> decoded = DecodeClusterError(c.bytes);
    ASSERT_FALSE(decoded.ok()) << c.message;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(decoded.status().message(), c.message);
  }
  // Trailing bytes.
  const std::string extra = EncodeClusterError(MalformedMessage{"x"}) + "!";
  EXPECT_FALSE(DecodeClusterError(extra).ok());
}

RC_GTEST_PROP(ClusterErrorTest, ArbitraryBytesDecodeOrFailCleanly, ()) {
  const std::string bytes = *rc::gen::arbitrary<std::string>();
  absl::StatusOr<ClusterError> decoded = DecodeClusterError(bytes);
  if (decoded.ok()) {
    RC_ASSERT(EncodeClusterError(*decoded) == bytes);
  } else {
    RC_ASSERT(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

RC_GTEST_PROP(ClusterErrorTest, GeneratedErrorsRoundTrip,
              (std::string type, std::string id, std::string group,
               std::string host, int32_t port, int64_t envelope)) {
  const int32_t shard = *rc::gen::inRange<int32_t>(1, INT32_MAX);
  const EntityAddress address(EntityType(type), EntityId(id),
                              ShardId(group, shard));
  const std::vector<ClusterError> errors = {
      EntityNotAssignedToRunner{address},
      MalformedMessage{type},
      RunnerUnavailable{RunnerAddress(host, port)},
      AlreadyProcessingMessage{Snowflake(envelope), address},
  };
  for (const ClusterError& error : errors) {
    RC_ASSERT(GetClusterError(ToStatus(error)) == error);
  }
}

}  // namespace
}  // namespace clustersim
