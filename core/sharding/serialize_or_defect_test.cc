// Effect's Reply.serializeOrDefect: a reply whose value cannot be encoded
// is replaced by WithExit(die MalformedMessage) under the same request:
// the caller and storage get the defect, only that request or stream
// fails, and the entity keeps running (it is not a handler defect).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/sharding_testing.h"
#include "core/sharding/typed_rpc.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

using testing::CallResult;
using testing::DecodeNumber;
using testing::EncodeNumber;
using testing::kStartMs;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestNode;

const EntityType kMeter("Meter");

// A reading cannot represent a negative value.
void EncodeReading(const int64_t& value, codec::ByteWriter& writer) {
  if (value < 0) {
    writer.Fail(
        absl::InvalidArgumentError(absl::StrCat("negative reading ", value)));
    return;
  }
  writer.PutVarint(static_cast<uint64_t>(value));
}
absl::StatusOr<int64_t> DecodeReading(codec::ByteReader& reader) {
  absl::StatusOr<uint64_t> value = reader.GetVarint();
  if (!value.ok()) return value.status();
  return static_cast<int64_t>(*value);
}

TypedRpc<int64_t, int64_t>::Options Persisted() {
  TypedRpc<int64_t, int64_t>::Options options;
  options.persisted = true;
  return options;
}

// Read(n) answers the reading n; Readings(n) streams 1, then n.
const TypedRpc<int64_t, int64_t>& ReadRpc() {
  static const auto* const rpc = new TypedRpc<int64_t, int64_t>(
      "Read", {&EncodeNumber, &DecodeNumber}, {&EncodeReading, &DecodeReading},
      Persisted());
  return *rpc;
}
const TypedRpc<int64_t, int64_t>& ReadingsRpc() {
  static const auto* const rpc = new TypedRpc<int64_t, int64_t>(
      "Readings", {&EncodeNumber, &DecodeNumber},
      {&EncodeReading, &DecodeReading}, Persisted());
  return *rpc;
}

Task<absl::StatusOr<int64_t>> Echo(int64_t value) { co_return value; }

Task<storage::Exit> StreamReadings(const EntityRequest& request,
                                   ChunkWriter* chunks) {
  absl::StatusOr<int64_t> last = ReadingsRpc().DecodeRequest(request.payload);
  if (!last.ok()) {
    co_return MalformedMessageExit(std::string(last.status().message()));
  }
  // No initializer lists: GCC mishandles one that lives across a
  // suspension point.
  std::vector<int64_t> values(1, 1);
  values.push_back(*last);
  for (int64_t value : values) {
    std::optional<storage::Exit> ended =
        co_await ReadingsRpc().Emit(*chunks, std::vector<int64_t>(1, value));
    if (ended.has_value()) co_return *std::move(ended);
  }
  co_return storage::Exit::Success("");
}

class MeterHandler : public EntityHandler {
 public:
  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter* chunks) override {
    if (request.tag == ReadingsRpc().tag()) {
      return StreamReadings(request, chunks);
    }
    return ReadRpc().Serve(request, &Echo);
  }
};

TEST(SerializeOrDefectTest, ToExitAndEmitSubstituteTheDefect) {
  const storage::Exit good = ReadRpc().ToExit(int64_t{3});
  EXPECT_EQ(ReadRpc().FromExit(good).value_or(0), 3);
  const storage::Exit bad = ReadRpc().ToExit(int64_t{-3});
  ASSERT_FALSE(bad.is_success());
  EXPECT_TRUE(IsMalformedMessage(bad.cause()));
  EXPECT_EQ(bad.cause().message,
            "MalformedMessage: reply of 'Read' does not encode: negative "
            "reading -3");
  // A typed failure is not a value to encode.
  EXPECT_EQ(ReadRpc().ToExit(absl::NotFoundError("x")).cause().kind,
            storage::CauseKind::kFail);
}

// A failure the RPC's error schema refuses is the same defect; one it
// accepts stays a typed failure.
TEST(SerializeOrDefectTest, ARefusedFailureIsTheDefect) {
  TypedRpc<int64_t, int64_t>::Options options = Persisted();
  options.check_failure = [](const absl::Status& failure) {
    return absl::IsNotFound(failure)
               ? absl::OkStatus()
               : absl::InvalidArgumentError("not a declared error");
  };
  const TypedRpc<int64_t, int64_t> rpc("Read", {&EncodeNumber, &DecodeNumber},
                                       {&EncodeReading, &DecodeReading},
                                       std::move(options));
  EXPECT_EQ(rpc.FromExit(rpc.ToExit(absl::NotFoundError("x"))).status(),
            absl::NotFoundError("x"));
  const storage::Exit refused = rpc.ToExit(absl::InternalError("x"));
  ASSERT_FALSE(refused.is_success());
  EXPECT_TRUE(IsMalformedMessage(refused.cause()));
  EXPECT_EQ(refused.cause().message,
            "MalformedMessage: reply of 'Read' does not encode: not a "
            "declared error");
}

// Calls Meter `id`, collecting a stream's chunks in `chunks` (if not null).
Task<void> CallMeter(Sharding* sharding, std::string id, std::string tag,
                     std::string payload, std::vector<std::string>* chunks,
                     CallResult* out) {
  Sharding::CallOptions options;
  options.on_chunk = [chunks](const std::vector<std::string>& values) {
    if (chunks != nullptr) {
      chunks->insert(chunks->end(), values.begin(), values.end());
    }
  };
  *out =
      co_await sharding->Send(kMeter, EntityId(std::move(id)), std::move(tag),
                              std::move(payload), std::move(options));
}

class SerializeOrDefectShardingTest : public ::testing::Test {
 protected:
  SerializeOrDefectShardingTest() {
    EntityDefinition definition(kMeter);
    definition.Add(ReadRpc().Spec());
    RpcSpec readings = ReadingsRpc().Spec();
    readings.stream = true;
    definition.Add(std::move(readings));
    EXPECT_TRUE(node_.sharding
                    .RegisterEntity(
                        std::move(definition),
                        [this](EntityContext&)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          ++builds_;
                          return std::make_unique<MeterHandler>();
                        })
                    .ok());
    node_.sharding.Start();
    ex_.RunForMs(10);
  }

  std::string Call(const TypedRpc<int64_t, int64_t>& rpc, int64_t value,
                   std::vector<std::string>* chunks = nullptr) {
    CallResult result;
    node_.scope().Spawn(CallMeter(&node_.sharding, "m", rpc.tag(),
                                  rpc.EncodeRequest(value), chunks, &result));
    ex_.RunForMs(100);
    return SuccessValue(result);
  }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  int builds_ = 0;
  TestNode node_{ex_, state_, TestConfig(), NodeId{1}, nullptr, resolver_};
};

TEST_F(SerializeOrDefectShardingTest, AnUnencodableReplyIsAStoredDefect) {
  EXPECT_EQ(Call(ReadRpc(), -1),
            "<failure: MalformedMessage: reply of 'Read' does not encode: "
            "negative reading -1>");
  // Stored as the request's final reply: it is not run again.
  EXPECT_EQ(state_.messages().reply_count(), 1);
  EXPECT_EQ(testing::UnprocessedCount(state_, TestConfig(), ex_.NowMs()), 0);
  // Only that request failed: the entity runs on, never rebuilt.
  EXPECT_EQ(Call(ReadRpc(), 7), ReadRpc().EncodeResponse(7));
  EXPECT_EQ(builds_, 1);
}

TEST_F(SerializeOrDefectShardingTest, AnUnencodableChunkEndsOnlyItsStream) {
  std::vector<std::string> chunks;
  EXPECT_EQ(Call(ReadingsRpc(), -2, &chunks),
            "<failure: MalformedMessage: reply of 'Readings' does not encode: "
            "negative reading -2>");
  EXPECT_EQ(chunks.size(), 1u);  // the first reading got through
  chunks.clear();
  EXPECT_EQ(Call(ReadingsRpc(), 2, &chunks), "");
  EXPECT_EQ(chunks.size(), 2u);
  EXPECT_EQ(builds_, 1);
}

// Effect's Runners.test.ts "a reply that fails to serialize fails only its
// own request" and "a stream reply that fails to serialize ends the stream
// with the defect", with the integration test "isolates a reply-encoding
// failure so a sibling request on the same connection succeeds": volatile
// requests (as Effect's BadReplyEntity) from a client-only node to the
// runner serving the Meter, through its RunnerServer.
class SerializeOrDefectRemoteTest : public ::testing::Test {
 protected:
  SerializeOrDefectRemoteTest() {
    resolver_.Add(*TestConfig().runner_address, NodeId{1});
    EXPECT_TRUE(runner_.sharding
                    .RegisterEntity(
                        VolatileMeter(),
                        [this](EntityContext&)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          ++builds_;
                          return std::make_unique<MeterHandler>();
                        })
                    .ok());
    client_.sharding.DefineEntity(VolatileMeter());
    runner_.sharding.Start();
    client_.sharding.Start();
    ex_.RunForMs(10);
  }

  static EntityDefinition VolatileMeter() {
    EntityDefinition definition(kMeter);
    RpcSpec read = ReadRpc().Spec();
    read.persisted = false;
    definition.Add(std::move(read));
    RpcSpec readings = ReadingsRpc().Spec();
    readings.persisted = false;
    readings.stream = true;
    definition.Add(std::move(readings));
    return definition;
  }
  static ShardingConfig ClientConfig() {
    ShardingConfig config = TestConfig();
    config.runner_address = std::nullopt;
    return config;
  }

  ManualExecutor ex_{kStartMs};
  testing::TestNetwork network_{ex_, /*latency_us=*/1'000};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  int builds_ = 0;
  TestNode runner_{ex_, state_, TestConfig(), NodeId{1}, &network_, resolver_};
  TestNode client_{ex_,       state_,    ClientConfig(),
                   NodeId{2}, &network_, resolver_};
};

TEST_F(SerializeOrDefectRemoteTest, AnUnencodableReplyFailsOnlyItsRequest) {
  CallResult bad, sibling;
  client_.scope().Spawn(CallMeter(&client_.sharding, "m", ReadRpc().tag(),
                                  ReadRpc().EncodeRequest(-1), nullptr, &bad));
  client_.scope().Spawn(CallMeter(&client_.sharding, "n", ReadRpc().tag(),
                                  ReadRpc().EncodeRequest(7), nullptr,
                                  &sibling));
  ex_.RunForMs(100);
  EXPECT_EQ(SuccessValue(bad),
            "<failure: MalformedMessage: reply of 'Read' does not encode: "
            "negative reading -1>");
  EXPECT_EQ(SuccessValue(sibling), ReadRpc().EncodeResponse(7));
  // The same entity serves the next request: no defect, no rebuild.
  CallResult next;
  client_.scope().Spawn(CallMeter(&client_.sharding, "m", ReadRpc().tag(),
                                  ReadRpc().EncodeRequest(3), nullptr, &next));
  ex_.RunForMs(100);
  EXPECT_EQ(SuccessValue(next), ReadRpc().EncodeResponse(3));
  EXPECT_EQ(builds_, 2);  // "m" and "n", once each
  EXPECT_EQ(state_.messages().message_count(), 0);
}

TEST_F(SerializeOrDefectRemoteTest, AnUnencodableChunkEndsTheStream) {
  std::vector<std::string> chunks;
  CallResult result;
  client_.scope().Spawn(CallMeter(&client_.sharding, "m", ReadingsRpc().tag(),
                                  ReadingsRpc().EncodeRequest(-2), &chunks,
                                  &result));
  ex_.RunForMs(100);
  EXPECT_EQ(SuccessValue(result),
            "<failure: MalformedMessage: reply of 'Readings' does not encode: "
            "negative reading -2>");
  EXPECT_EQ(chunks.size(), 1u);  // the first reading got through
}

}  // namespace
}  // namespace clustersim::sharding
