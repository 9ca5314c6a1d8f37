// Ports of Effect's Sharding.test.ts tests of messages and replies that
// cannot be decoded or encoded: each fails only its own request, with a
// stored defect, and never hangs its caller. In both modes (hardened mode
// stores the defect with the shard's fencing token).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_testing.h"
#include "core/sharding/typed_rpc.h"

namespace clustersim::sharding {
namespace {

constexpr char kCauseUrl[] = "clustersim/test/cause";

using testing::CallInto;
using testing::CallResult;
using testing::DecodeNumber;
using testing::EncodeNumber;
using testing::kStartMs;
using testing::kTestEntity;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNode;

const EntityType kBoom("Boom");

// Effect's TestEntity.Fail: fails with BoomError({cause: new Error("boom")}).
// Its error schema encodes a failure's code and message, not a nested cause
// (here a payload of the Status), as Effect's JSON cannot encode an Error.
const TypedRpc<int64_t, int64_t>& FailRpc() {
  static const auto* const rpc = [] {
    TypedRpc<int64_t, int64_t>::Options options;
    options.persisted = true;
    options.check_failure = [](const absl::Status& failure) {
      if (failure.GetPayload(kCauseUrl).has_value()) {
        return absl::InvalidArgumentError("a nested cause is not encodable");
      }
      return absl::OkStatus();
    };
    return new TypedRpc<int64_t, int64_t>(
        "Fail", {&EncodeNumber, &DecodeNumber}, {&EncodeNumber, &DecodeNumber},
        std::move(options));
  }();
  return *rpc;
}

Task<absl::StatusOr<int64_t>> FailWithCause(int64_t) {
  absl::Status boom = absl::FailedPreconditionError("BoomError");
  boom.SetPayload(kCauseUrl, absl::Cord("Error: boom"));
  co_return boom;
}

class BoomHandler : public EntityHandler {
 public:
  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    return FailRpc().Serve(request, &FailWithCause);
  }
};

ShardingConfig ConfigFor(Mode mode) {
  ShardingConfig config = TestConfig();
  config.mode = mode;
  return config;
}

storage::StorageState::Options StorageOptionsFor(Mode mode) {
  storage::StorageState::Options options;
  options.mode = mode == Mode::kHardened ? storage::StorageMode::kHardened
                                         : storage::StorageMode::kReference;
  return options;
}

class ShardingMalformedTest : public ::testing::TestWithParam<Mode> {
 protected:
  ShardingMalformedTest() {
    EXPECT_TRUE(
        node_.sharding
            .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
            .ok());
    EntityDefinition boom(kBoom);
    boom.Add(FailRpc().Spec());
    EXPECT_TRUE(node_.sharding
                    .RegisterEntity(
                        std::move(boom),
                        [](EntityContext&)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          return std::make_unique<BoomHandler>();
                        })
                    .ok());
    node_.sharding.Start();
    ex_.RunForMs(10);
  }

  int64_t Journal() const { return state_.messages().message_count(); }
  int64_t Replies() const { return state_.messages().reply_count(); }
  int64_t Unprocessed() const {
    return testing::UnprocessedCount(state_, config_, ex_.NowMs());
  }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{StorageOptionsFor(GetParam())};
  StaticRunnerResolver resolver_;
  ShardingConfig config_ = ConfigFor(GetParam());
  TestEntityState entity_;
  TestNode node_{ex_, state_, config_, NodeId{1}, nullptr, resolver_};
};

// Effect: "malformed message in storage". A stored Interrupt for a running
// request whose address lacks its entity type and id (Effect's row has only
// the shard id; our typed rows cannot lack a field, so both are empty) does
// not decode: the read loop answers the request with a defect, which its
// caller gets, and leaves the row in storage.
TEST_P(ShardingMalformedTest, MalformedMessageInStorage) {
  CallResult result;
  node_.scope().Spawn(
      CallInto(&node_.sharding, kTestEntity, "1", "Never", "", &result));
  ex_.RunForMs(1);
  ASSERT_EQ(entity_.running, 1);
  ASSERT_EQ(entity_.handled.size(), 1u);
  const Snowflake request_id = entity_.handled[0].second;
  const ShardId shard = *node_.sharding.ShardFor(EntityId("1"), "default");
  ASSERT_TRUE(
      state_
          .SaveEnvelope(storage::Interrupt{
              Snowflake(77), EntityAddress(EntityType(""), EntityId(""), shard),
              request_id})
          .ok());
  // The next storage poll.
  ex_.RunForMs(config_.entity_message_poll_interval_ms);
  ASSERT_TRUE(result.has_value()) << "the caller still waits";
  ASSERT_TRUE(result->ok()) << result->status();
  ASSERT_FALSE((*result)->is_success());
  EXPECT_EQ((*result)->cause().kind, storage::CauseKind::kDie);
  // The malformed row stays; one defect reply is stored.
  EXPECT_EQ(Journal(), 2);
  EXPECT_EQ(Replies(), 1);
  absl::StatusOr<std::vector<storage::Reply>> replies =
      state_.RepliesFor({request_id});
  ASSERT_TRUE(replies.ok());
  ASSERT_EQ(replies->size(), 1u);
  const auto* exit = std::get_if<storage::WithExit>(&replies->front());
  ASSERT_NE(exit, nullptr);
  ASSERT_FALSE(exit->exit.is_success());
  EXPECT_EQ(exit->exit.cause().kind, storage::CauseKind::kDie);
  EXPECT_TRUE(IsMalformedMessage(exit->exit.cause()))
      << exit->exit.cause().message;
}

// Effect: "defects instead of hanging when persisted failures contain
// non-JSON Error values". A typed failure whose error schema cannot encode it
// becomes a stored MalformedMessage defect: the caller dies within Effect's
// 2 s timeout, and the request is complete in storage.
TEST_P(ShardingMalformedTest, DefectsWhenAPersistedFailureDoesNotEncode) {
  CallResult result;
  node_.scope().Spawn(CallInto(&node_.sharding, kBoom, "1", "Fail",
                               FailRpc().EncodeRequest(0), &result));
  ex_.RunForMs(2'000);
  ASSERT_TRUE(result.has_value()) << "the caller still waits";
  ASSERT_TRUE(result->ok()) << result->status();
  ASSERT_FALSE((*result)->is_success());
  EXPECT_EQ((*result)->cause().kind, storage::CauseKind::kDie);
  EXPECT_TRUE(absl::StrContains((*result)->cause().message, "MalformedMessage"))
      << (*result)->cause().message;
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, ShardingMalformedTest,
                         ::testing::Values(Mode::kReference, Mode::kHardened),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(ModeName(info.param));
                         });

}  // namespace
}  // namespace clustersim::sharding
