// Registration events, written to Effect's Sharding.getRegistrationEvents:
// EntityRegistered / SingletonRegistered for what is registered after
// subscribing, in order, per subscriber.
#include "core/sharding/registration_events.h"

#include <memory>
#include <optional>
#include <vector>

#include "core/cluster/shard_routing.h"
#include "core/sharding/sharding_testing.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

using testing::kStartMs;
using testing::kTestEntity;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNode;

std::vector<RegistrationEvent> Drain(Queue<RegistrationEvent>& queue) {
  std::vector<RegistrationEvent> events;
  while (std::optional<RegistrationEvent> event = queue.TryReceive()) {
    events.push_back(*std::move(event));
  }
  return events;
}

Task<void> Idle() { co_return; }

class RegistrationEventsTest : public ::testing::Test {
 protected:
  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  TestEntityState entity_;
  TestNode node_{ex_, state_, TestConfig(), NodeId{1}, nullptr, resolver_};
};

TEST_F(RegistrationEventsTest, AnnouncesEntitiesAndSingletonsInOrder) {
  std::shared_ptr<Queue<RegistrationEvent>> events =
      node_.sharding.RegistrationEventsQueue();
  node_.sharding.Start();
  ASSERT_TRUE(
      node_.sharding
          .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
          .ok());
  ASSERT_TRUE(
      node_.sharding.RegisterSingleton("cron", "default", [] { return Idle(); })
          .ok());
  ex_.RunForMs(10);
  const absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId("cron"), "default", TestConfig().shards_per_group);
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(Drain(*events),
            (std::vector<RegistrationEvent>{
                EntityRegistered{kTestEntity},
                SingletonRegistered{SingletonAddress("cron", *shard)}}));
}

TEST_F(RegistrationEventsTest, ASubscriberSeesOnlyLaterRegistrations) {
  node_.sharding.Start();
  ASSERT_TRUE(
      node_.sharding
          .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
          .ok());
  ex_.RunForMs(10);
  std::shared_ptr<Queue<RegistrationEvent>> late =
      node_.sharding.RegistrationEventsQueue();
  std::shared_ptr<Queue<RegistrationEvent>> dropped =
      node_.sharding.RegistrationEventsQueue();
  std::weak_ptr<Queue<RegistrationEvent>> watch = dropped;
  dropped.reset();
  // Registering the same type again is a no-op: no event either.
  ASSERT_TRUE(
      node_.sharding
          .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
          .ok());
  ASSERT_TRUE(
      node_.sharding.RegisterSingleton("s", "default", [] { return Idle(); })
          .ok());
  // A failed registration announces nothing.
  EXPECT_FALSE(
      node_.sharding.RegisterSingleton("s", "default", [] { return Idle(); })
          .ok());
  const std::vector<RegistrationEvent> events = Drain(*late);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<SingletonRegistered>(events[0]));
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace clustersim::sharding
