#include "core/sharding/runner_protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "core/cluster/cluster_error.h"

namespace clustersim::sharding {
namespace {

const EntityAddress kAddress(EntityType("Counter"), EntityId("c-1"),
                             ShardId("default", 17));

storage::Request SampleRequest() {
  return storage::Request{Snowflake(12587010),
                          kAddress,
                          "Increment",
                          std::string("\x00\x01payload", 9),
                          {{"a", "1"}, {"b", "2"}},
                          "Counter/c-1/Increment/k",
                          1'767'225'600'123};
}

TEST(RunnerProtocolTest, MessagesRoundTrip) {
  const storage::Request request = SampleRequest();
  EXPECT_EQ(*DecodeRequest(EncodeRequest(request)), request);

  const StartMessage start{request, true};
  absl::StatusOr<StartMessage> start2 = DecodeStart(EncodeStart(start));
  ASSERT_TRUE(start2.ok());
  EXPECT_EQ(start2->request, request);
  EXPECT_TRUE(start2->persisted);

  for (const storage::Envelope& envelope :
       {storage::Envelope(request),
        storage::Envelope(storage::AckChunk{Snowflake(5), kAddress,
                                            Snowflake(6), Snowflake(7)}),
        storage::Envelope(
            storage::Interrupt{Snowflake(8), kAddress, Snowflake(9)})}) {
    absl::StatusOr<NotifyMessage> notify =
        DecodeNotify(EncodeNotify(NotifyMessage{envelope, false}));
    ASSERT_TRUE(notify.ok()) << notify.status();
    EXPECT_EQ(notify->envelope, envelope);
  }

  const EnvelopeMessage ack{
      storage::AckChunk{Snowflake(1), kAddress, Snowflake(2), Snowflake(3)},
      true};
  absl::StatusOr<EnvelopeMessage> ack2 = DecodeEnvelope(EncodeEnvelope(ack));
  ASSERT_TRUE(ack2.ok());
  EXPECT_EQ(ack2->envelope, ack.envelope);

  absl::StatusOr<PollMessage> poll =
      DecodePoll(EncodePoll(PollMessage{Snowflake(44), 3}));
  ASSERT_TRUE(poll.ok());
  EXPECT_EQ(poll->request_id, Snowflake(44));
  EXPECT_EQ(poll->index, 3);

  for (const PollResult& result :
       {PollResult(),
        PollResult(storage::WithExit{
            Snowflake(1), Snowflake(2),
            storage::Exit::Failure({storage::CauseKind::kDie, "boom"})}),
        PollResult(storage::WithExit{Snowflake(1), Snowflake(2),
                                     storage::Exit::Success("v")}),
        PollResult(
            storage::Chunk{Snowflake(1), Snowflake(3), 4, {"x", "y"}})}) {
    absl::StatusOr<PollResult> decoded =
        DecodePollResult(EncodePollResult(result));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, result);
  }
}

TEST(RunnerProtocolTest, MalformedBytesAreMalformedMessageErrors) {
  const std::string good = EncodeStart(StartMessage{SampleRequest(), false});
  // Every truncation and a trailing byte are rejected, never a crash.
  for (size_t n = 0; n < good.size(); ++n) {
    absl::StatusOr<StartMessage> decoded = DecodeStart(good.substr(0, n));
    ASSERT_FALSE(decoded.ok());
    EXPECT_TRUE(IsClusterError<MalformedMessage>(decoded.status()))
        << decoded.status();
  }
  EXPECT_FALSE(DecodeStart(good + "x").ok());
  // Every single-byte corruption decodes or fails cleanly.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    (void)DecodeStart(bad);
  }
  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      DecodePollResult(std::string("\x01\x07", 2)).status()));
  EXPECT_TRUE(IsClusterError<MalformedMessage>(
      DecodeEnvelope(std::string("\x00", 1)).status()));
}

}  // namespace
}  // namespace clustersim::sharding
