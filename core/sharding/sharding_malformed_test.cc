// Ports of Effect's Sharding.test.ts tests of messages and replies that
// cannot be decoded or encoded: each fails only its own request, with a
// stored defect, and never hangs its caller.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::CallInto;
using testing::CallResult;
using testing::kStartMs;
using testing::kTestEntity;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNode;

class ShardingMalformedTest : public ::testing::Test {
 protected:
  ShardingMalformedTest() {
    EXPECT_TRUE(
        node_.sharding
            .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
            .ok());
    node_.sharding.Start();
    ex_.RunForMs(10);
  }

  int64_t Journal() const { return state_.messages().message_count(); }
  int64_t Replies() const { return state_.messages().reply_count(); }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  ShardingConfig config_ = TestConfig();
  TestEntityState entity_;
  TestNode node_{ex_, state_, config_, NodeId{1}, nullptr, resolver_};
};

// Effect: "malformed message in storage". A stored Interrupt for a running
// request whose address lacks its entity type and id (Effect's row has only
// the shard id; our typed rows cannot lack a field, so both are empty) does
// not decode: the read loop answers the request with a defect, which its
// caller gets, and leaves the row in storage.
TEST_F(ShardingMalformedTest, MalformedMessageInStorage) {
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

}  // namespace
}  // namespace clustersim::sharding
