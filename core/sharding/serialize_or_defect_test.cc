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
using testing::kStartMs;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestNode;

const EntityType kMeter("Meter");

void EncodeNumber(const int64_t& value, codec::ByteWriter& writer) {
  writer.PutSignedVarint(value);
}
absl::StatusOr<int64_t> DecodeNumber(codec::ByteReader& reader) {
  return reader.GetSignedVarint();
}
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
    node_.scope().Spawn(CallInto(&node_.sharding, rpc.tag(),
                                 rpc.EncodeRequest(value), chunks, &result));
    ex_.RunForMs(100);
    return SuccessValue(result);
  }
  static Task<void> CallInto(Sharding* sharding, std::string tag,
                             std::string payload,
                             std::vector<std::string>* chunks,
                             CallResult* out) {
    Sharding::CallOptions options;
    options.on_chunk = [chunks](const std::vector<std::string>& values) {
      if (chunks != nullptr) {
        chunks->insert(chunks->end(), values.begin(), values.end());
      }
    };
    *out = co_await sharding->Send(kMeter, EntityId("m"), std::move(tag),
                                   std::move(payload), std::move(options));
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

}  // namespace
}  // namespace clustersim::sharding
