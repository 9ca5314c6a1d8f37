#include "core/cluster/cluster_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

void ExpectMalformed(const absl::Status& status, std::string_view detail) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), StartsWith("malformed:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(detail)));
}

TEST(ClusterCodecTest, EncodingIsStable) {
  codec::ByteWriter writer;
  PutSnowflake(writer, Snowflake(-2));
  PutEntityAddress(
      writer, EntityAddress(EntityType("T"), EntityId("i"), ShardId("g", 300)));
  PutRunner(writer, Runner(RunnerAddress("h", -1), {"a"}, 0.5));
  const std::string expected =
      std::string("\xFE\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8)  // -2, little-endian
      + "\x01T\x01i\x01g\xAC\x02"                         // 300 as a varint
      + "\x01h\x01"                                       // port -1 zigzagged
      +
      "\x01\x01"
      "a"                                                    // one group
      + std::string("\x00\x00\x00\x00\x00\x00\xE0\x3F", 8);  // 0.5
  EXPECT_EQ(writer.data(), expected);
}

TEST(ClusterCodecTest, ValuesRoundTripInOneStream) {
  const Snowflake id(std::numeric_limits<int64_t>::min());
  const ShardId shard("", std::numeric_limits<int32_t>::max());
  const EntityAddress address(EntityType("Workflow/Order"),
                              EntityId("id-\xC3\xA9"), ShardId("default", 1));
  const RunnerAddress runner_address("runner-1", 34431);
  const Runner runner(runner_address, {"default", "other"}, 2.5);
  codec::ByteWriter writer;
  PutSnowflake(writer, id);
  PutShardId(writer, shard);
  PutEntityAddress(writer, address);
  PutRunnerAddress(writer, runner_address);
  PutRunner(writer, runner);

  codec::ByteReader reader(writer.data());
  EXPECT_EQ(*GetSnowflake(reader), id);
  EXPECT_EQ(*GetShardId(reader), shard);
  EXPECT_EQ(*GetEntityAddress(reader), address);
  EXPECT_EQ(*GetRunnerAddress(reader), runner_address);
  const absl::StatusOr<Runner> decoded = GetRunner(reader);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->address(), runner.address());
  EXPECT_EQ(decoded->groups(), runner.groups());
  EXPECT_EQ(decoded->weight(), runner.weight());
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

TEST(ClusterCodecTest, RejectsInvalidShardNumbers) {
  for (uint64_t number : {uint64_t{0}, uint64_t{1} << 31}) {
    codec::ByteWriter writer;
    writer.PutString("default");
    writer.PutVarint(number);
    codec::ByteReader reader(writer.data());
    ExpectMalformed(GetShardId(reader).status(), "shard number");
  }
}

TEST(ClusterCodecTest, RejectsNonFiniteWeightAndWidePort) {
  codec::ByteWriter weight;
  weight.PutString("host");
  weight.PutSignedVarint(1);
  weight.PutVarint(0);
  weight.PutDouble(std::numeric_limits<double>::infinity());
  codec::ByteReader weight_reader(weight.data());
  ExpectMalformed(GetRunner(weight_reader).status(), "not finite");

  codec::ByteWriter port;
  port.PutString("host");
  port.PutSignedVarint(int64_t{1} << 40);
  codec::ByteReader port_reader(port.data());
  ExpectMalformed(GetRunnerAddress(port_reader).status(),
                  "port 1099511627776 out of int32 range at byte offset 5");
}

TEST(ClusterCodecTest, TruncatedInputFailsCleanly) {
  codec::ByteWriter writer;
  PutEntityAddress(
      writer, EntityAddress(EntityType("T"), EntityId("i"), ShardId("g", 3)));
  const std::string bytes = writer.data();
  for (size_t n = 0; n < bytes.size(); ++n) {
    codec::ByteReader reader(std::string_view(bytes).substr(0, n));
    ExpectMalformed(GetEntityAddress(reader).status(), "");
  }
  codec::ByteReader short_id(std::string_view("\x01\x02\x03", 3));
  ExpectMalformed(GetSnowflake(short_id).status(), "");
}

}  // namespace
}  // namespace clustersim
