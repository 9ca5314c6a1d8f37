#include "core/sharding/reply_handlers.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"

namespace clustersim::sharding {
namespace {

const EntityAddress kAddress(EntityType("T"), EntityId("e"),
                             ShardId("default", 3));

Task<void> WaitInto(ReplyHandlers::Registration* registration,
                    std::optional<absl::Status>* out) {
  *out = co_await registration->Wait();
}

TEST(ReplyHandlersTest, ChunksAreForwardedAndTheExitCompletes) {
  ManualExecutor ex;
  Scope scope(ex);
  ReplyHandlers handlers;
  std::vector<storage::Reply> a, b;
  ReplyHandlers::Registration first = handlers.Register(
      Snowflake(1), kAddress, [&a](storage::Reply r) { a.push_back(r); });
  ReplyHandlers::Registration second = handlers.Register(
      Snowflake(1), kAddress, [&b](storage::Reply r) { b.push_back(r); });
  std::optional<absl::Status> done_a, done_b;
  scope.Spawn(WaitInto(&first, &done_a));
  scope.Spawn(WaitInto(&second, &done_b));
  ex.RunForMs(1);
  handlers.Deliver(storage::Chunk{Snowflake(1), Snowflake(2), 0, {"x"}});
  handlers.Deliver(storage::Chunk{Snowflake(9), Snowflake(3), 0, {"y"}});
  ex.RunForMs(1);
  EXPECT_FALSE(done_a.has_value());
  EXPECT_EQ(a.size(), 1u);
  handlers.Deliver(storage::WithExit{Snowflake(1), Snowflake(4),
                                     storage::Exit::Success("v")});
  ex.RunForMs(1);
  EXPECT_TRUE(done_a.has_value() && done_a->ok());
  EXPECT_TRUE(done_b.has_value() && done_b->ok());
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(handlers.size(), 0u);
}

TEST(ReplyHandlersTest, UnregisteringFailsOrInterruptsTheWaiters) {
  ManualExecutor ex;
  Scope scope(ex);
  ReplyHandlers handlers;
  ReplyHandlers::Registration one =
      handlers.Register(Snowflake(1), kAddress, nullptr);
  ReplyHandlers::Registration two =
      handlers.Register(Snowflake(2), kAddress, nullptr);
  const EntityAddress elsewhere(EntityType("T"), EntityId("f"),
                                ShardId("default", 4));
  ReplyHandlers::Registration three =
      handlers.Register(Snowflake(3), elsewhere, nullptr);
  std::optional<absl::Status> r1, r2, r3;
  scope.Spawn(WaitInto(&one, &r1));
  scope.Spawn(WaitInto(&two, &r2));
  scope.Spawn(WaitInto(&three, &r3));
  ex.RunForMs(1);
  handlers.Unregister(Snowflake(1), /*interrupt=*/false);
  handlers.UnregisterShard(ShardId("default", 3), /*interrupt=*/true);
  ex.RunForMs(1);
  ASSERT_TRUE(r1.has_value() && r2.has_value());
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(*r1));
  EXPECT_TRUE(IsAbandoned(*r2));
  EXPECT_FALSE(r3.has_value());
  EXPECT_EQ(handlers.size(), 1u);
  // A registration that is dropped removes its handler.
  three.Reset();
  EXPECT_EQ(handlers.size(), 0u);
}

}  // namespace
}  // namespace clustersim::sharding
