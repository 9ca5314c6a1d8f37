// Ports of Effect's cluster-integration tests on entities: routing by id,
// isolated state, mailbox order and saturation, idle revival and the
// residency cap (fixture: sharding_integration_testing.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/sharding.h"
#include "core/sharding/sharding_integration_testing.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using integration_testing::DiscardTo;
using integration_testing::kMailbox;
using integration_testing::kMaxIdleMs;
using integration_testing::kResidency;
using integration_testing::kState;
using integration_testing::ShardingIntegrationTest;
using testing::CallInto;
using testing::CallResult;
using testing::SuccessValue;
using testing::TestNode;

// Effect: "routes by entity id, isolates state, and preserves mailbox
// order" (three runners and a client that holds no shard).
TEST_F(ShardingIntegrationTest, RoutesByIdIsolatesStateAndKeepsMailboxOrder) {
  std::vector<TestNode*> runners = {&StartRunner(1), &StartRunner(2),
                                    &StartRunner(3)};
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  EXPECT_TRUE(client.sharding.acquired_shards().empty());
  const auto call = [&](EntityType type, std::string id, std::string tag,
                        std::string payload, CallResult* out) {
    client.scope().Spawn(CallInto(&client.sharding, std::move(type),
                                  std::move(id), std::move(tag),
                                  std::move(payload), out));
  };
  for (TestNode* runner : runners) {
    const std::string id = IdOwnedBy(*runner);
    ASSERT_FALSE(id.empty());
    const std::string address = runner->sharding.runner_address().Key();
    CallResult first, second;
    call(kState, id, "Increment", "", &first);
    ex_.RunForMs(100);
    call(kState, id, "Increment", "", &second);
    ex_.RunForMs(100);
    EXPECT_EQ(SuccessValue(first), absl::StrCat(address, " 1 1"));
    EXPECT_EQ(SuccessValue(second), absl::StrCat(address, " 2 1"));
  }

  const std::string ordered_id = IdOwnedBy(*runners[0]);
  CallResult first, second;
  call(kState, ordered_id, "Ordered", "1", &first);
  ex_.RunForMs(100);
  ASSERT_EQ(standard_.ordered_entered, 1);
  call(kState, ordered_id, "Ordered", "2", &second);
  ex_.RunForMs(100);
  EXPECT_EQ(standard_.ordered_entered, 1);  // the second waits its turn
  standard_.order_gate.Open();
  ex_.RunForMs(100);
  EXPECT_EQ(SuccessValue(first), "1");
  EXPECT_EQ(SuccessValue(second), "2");
  EXPECT_EQ(standard_.order, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(state_.GetRunners(ex_.NowMs()).size(), 3u);
}

// Effect: "reports mailbox saturation and revives idle entities with fresh
// state".
TEST_F(ShardingIntegrationTest, ReportsAFullMailboxAndRevivesIdleEntities) {
  StartRunner(1);
  StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const auto call = [&](EntityType type, std::string id, std::string tag) {
    auto result = std::make_shared<CallResult>();
    client.scope().Spawn(CallInto(&client.sharding, std::move(type),
                                  std::move(id), std::move(tag), "",
                                  result.get()));
    ex_.RunForMs(100);
    return result;
  };
  std::shared_ptr<CallResult> held = call(kMailbox, "full", "Hold");
  ASSERT_EQ(standard_.held_entered, 1);
  std::shared_ptr<CallResult> rejected = call(kMailbox, "full", "Hold");
  ASSERT_TRUE(rejected->has_value());
  EXPECT_TRUE(IsClusterError<MailboxFull>((*rejected)->status()))
      << (*rejected)->status();
  standard_.mailbox_gate.Open();
  ex_.RunForMs(100);
  EXPECT_EQ(SuccessValue(*held), "1");

  const std::string first = SuccessValue(*call(kState, "idle", "Increment"));
  TestNode& owner = *nodes_.at(Owns(*nodes_.at(1), "idle") ? 1 : 2);
  EXPECT_EQ(first, absl::StrCat(owner.sharding.runner_address().Key(), " 1 1"));
  ex_.RunForMs(2 * kMaxIdleMs + 30'000);  // the reaper runs every 30 s at most
  EXPECT_EQ(owner.sharding.ActiveEntityCount(), 0);
  EXPECT_EQ(SuccessValue(*call(kState, "idle", "Increment")),
            absl::StrCat(owner.sharding.runner_address().Key(), " 1 2"));
}

// Effect's Residency test: "stays at the entity cap and keeps residents
// moving" (maxResidentEntities 3).
TEST_F(ShardingIntegrationTest, StaysAtTheEntityCapAndKeepsResidentsMoving) {
  ShardingConfig config = Config(1);
  config.max_resident_entities = 3;
  TestNode& runner = StartRunner(1, std::move(config));
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  std::vector<CallResult> held(3);
  for (int i = 0; i < 3; ++i) {
    client.scope().Spawn(CallInto(&client.sharding, kResidency,
                                  absl::StrCat("held-", i + 1), "Hold", "",
                                  &held[i]));
  }
  ex_.RunForMs(1'000);
  ASSERT_EQ(runner.sharding.ActiveEntityCount(), 3);
  // A backlog for new entity ids stays in storage.
  std::vector<std::optional<absl::Status>> backlog(8);
  for (int i = 0; i < 8; ++i) {
    client.scope().Spawn(DiscardTo(&client.sharding, kResidency,
                                   absl::StrCat("backlog-", i + 1), "Ping",
                                   &backlog[i]));
  }
  // Residents keep receiving messages at the cap.
  CallResult first, second;
  client.scope().Spawn(CallInto(&client.sharding, kResidency, "held-1", "Ping",
                                "first", &first));
  client.scope().Spawn(CallInto(&client.sharding, kResidency, "held-2", "Ping",
                                "second", &second));
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(first), "first");
  EXPECT_EQ(SuccessValue(second), "second");
  for (const std::optional<absl::Status>& sent : backlog) {
    EXPECT_TRUE(sent.has_value() && sent->ok());
  }
  EXPECT_EQ(runner.sharding.ActiveEntityCount(), 3);
  EXPECT_GE(Unprocessed(), 8);

  // As slots free up, the backlog drains in waves, never above the cap.
  standard_.residency_gate.Open();
  int64_t most = 0;
  for (int step = 0; step < 450 && Unprocessed() > 0; ++step) {
    ex_.RunForMs(100);
    most = std::max(most, runner.sharding.ActiveEntityCount());
  }
  for (const CallResult& result : held) EXPECT_EQ(SuccessValue(result), "");
  EXPECT_EQ(Unprocessed(), 0);
  EXPECT_LE(most, 3);
}

}  // namespace
}  // namespace clustersim::sharding
