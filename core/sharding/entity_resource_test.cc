// EntityResource, written to Effect's EntityResource.ts: acquired once and
// shared, keeps the entity alive until closed, released on close or idle
// expiry, and never released when the entity stops (shutdown, shard move):
// the next activation acquires again, woken by the persisted keep-alive.
#include "core/sharding/entity_resource.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/sharding/sharding_testing.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

using testing::CallInto;
using testing::CallResult;
using testing::kStartMs;
using testing::ShutdownInto;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestNode;

const EntityType kPodOwner("PodOwner");

struct Pod {
  int number = 0;
};

// What the tests see across nodes and activations.
struct World {
  int acquisitions = 0;
  int closes = 0;
  int failures_left = 0;  // the next acquisitions that fail
  int64_t idle_time_to_live_ms = kNeverIdle;
  bool acquire_eagerly = false;
};

Task<absl::StatusOr<EntityResource<Pod>::Acquired>> AcquirePod(World* world) {
  if (world->failures_left > 0) {
    --world->failures_left;
    co_return absl::UnavailableError("no pod");
  }
  const int number = ++world->acquisitions;
  co_return EntityResource<Pod>::Acquired{std::make_shared<Pod>(Pod{number}),
                                          [world] { ++world->closes; }};
}

// "Use" answers with the pod's number; "Close" closes the resource.
class PodHandler : public EntityHandler {
 public:
  PodHandler(World* world, EntityContext& context)
      : pod_(context, {[world] { return AcquirePod(world); },
                       world->idle_time_to_live_ms, world->acquire_eagerly}) {}

  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    if (request.tag == "Close") {
      pod_.Close();
      co_return storage::Exit::Success("closed");
    }
    absl::StatusOr<EntityResource<Pod>::Lease> pod = co_await pod_.Get();
    if (!pod.ok()) {
      co_return storage::Exit::Failure(storage::Cause{
          storage::CauseKind::kFail, std::string(pod.status().message())});
    }
    co_return storage::Exit::Success(absl::StrCat("pod ", (*pod)->number));
  }

 private:
  EntityResource<Pod> pod_;
};

EntityDefinition PodOwnerDefinition() {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;
  EntityDefinition definition(kPodOwner, options);
  for (const char* tag : {"Use", "Close"}) {
    RpcSpec spec;
    spec.tag = tag;
    definition.Add(std::move(spec));
  }
  return definition;
}

class EntityResourceTest : public ::testing::Test {
 protected:
  TestNode& StartNode(int32_t port) {
    const NodeId id{static_cast<uint32_t>(port)};
    resolver_.Add(*TestConfig(port).runner_address, id);
    nodes_.push_back(std::make_unique<TestNode>(ex_, state_, TestConfig(port),
                                                id, &network_, resolver_));
    TestNode& node = *nodes_.back();
    EXPECT_TRUE(node.sharding
                    .RegisterEntity(
                        PodOwnerDefinition(),
                        [world = &world_](EntityContext& context)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          return std::make_unique<PodHandler>(world, context);
                        })
                    .ok());
    node.sharding.Start();
    ex_.RunForMs(10);
    return node;
  }
  std::string Call(TestNode& node, std::string tag) {
    CallResult result;
    node.scope().Spawn(
        CallInto(&node.sharding, kPodOwner, "1", std::move(tag), "", &result));
    ex_.RunForMs(100);
    return SuccessValue(result);
  }

  // Whether `node` holds the entity's shard.
  static bool Owns(TestNode& node) {
    return node.sharding.HasShardId(
        *node.sharding.ShardFor(EntityId("1"), "default"));
  }

  ManualExecutor ex_{kStartMs};
  testing::TestNetwork network_{ex_, /*latency_us=*/1'000};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  World world_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(EntityResourceTest, AcquiredOnceKeptAliveUntilClosed) {
  TestNode& node = StartNode(34431);
  EXPECT_EQ(world_.acquisitions, 0);  // lazy
  EXPECT_EQ(Call(node, "Use"), "pod 1");
  EXPECT_EQ(Call(node, "Use"), "pod 1");
  EXPECT_EQ(world_.acquisitions, 1);
  // Far past the entity's 10 s max idle time: kept alive.
  ex_.RunForMs(120'000);
  EXPECT_EQ(node.sharding.ActiveEntityCount(), 1);
  EXPECT_EQ(Call(node, "Close"), "closed");
  EXPECT_EQ(world_.closes, 1);
  // The keep-alive is off: the idle entity is reaped.
  ex_.RunForMs(120'000);
  EXPECT_EQ(node.sharding.ActiveEntityCount(), 0);
  // The next use acquires anew.
  EXPECT_EQ(Call(node, "Use"), "pod 2");
}

TEST_F(EntityResourceTest, ReleasedAfterItsIdleTimeToLive) {
  world_.idle_time_to_live_ms = 5'000;
  TestNode& node = StartNode(34431);
  EXPECT_EQ(Call(node, "Use"), "pod 1");
  ex_.RunForMs(4'000);
  EXPECT_EQ(Call(node, "Use"), "pod 1");  // used again: the clock restarts
  ex_.RunForMs(4'000);
  EXPECT_EQ(world_.closes, 0);
  ex_.RunForMs(2'000);
  EXPECT_EQ(world_.closes, 1);
  EXPECT_EQ(Call(node, "Use"), "pod 2");
}

TEST_F(EntityResourceTest, AFailedAcquisitionFailsTheGetAndIsRetriedNextTime) {
  world_.failures_left = 1;
  TestNode& node = StartNode(34431);
  EXPECT_EQ(Call(node, "Use"), "<failure: no pod>");
  EXPECT_EQ(Call(node, "Use"), "pod 1");
  EXPECT_EQ(world_.closes, 0);
}

TEST_F(EntityResourceTest, SurvivesShutdownAndIsReacquiredByTheNextOwner) {
  world_.acquire_eagerly = true;
  TestNode& first = StartNode(34431);
  EXPECT_EQ(Call(first, "Use"), "pod 1");
  bool done = false;
  first.scope().Spawn(ShutdownInto(&first.sharding, &done));
  ex_.RunForMs(1'000);
  ASSERT_TRUE(done);
  // Stopping the entity released nothing.
  EXPECT_EQ(world_.closes, 0);
  // The next runner owning the shard re-activates the entity from the
  // persisted keep-alive, with no request: the eager resource is acquired.
  StartNode(34432);
  ex_.RunForMs(30'000);
  EXPECT_EQ(world_.acquisitions, 2);
  EXPECT_EQ(world_.closes, 0);
}

// Effect's integration test "keeps EntityResource alive during movement and
// releases it explicitly": two runners; the owner stops, the entity moves to
// the other runner, which acquires the resource again (the first acquisition
// is not released: only Close releases), and Close releases it.
TEST_F(EntityResourceTest, KeptAliveDuringMovementAndReleasedByClose) {
  TestNode& a = StartNode(34431);
  TestNode& b = StartNode(34432);
  ex_.RunForMs(1'000);
  ASSERT_NE(Owns(a), Owns(b));
  TestNode& owner = Owns(a) ? a : b;
  TestNode& other = Owns(a) ? b : a;
  EXPECT_EQ(Call(other, "Use"), "pod 1");
  bool stopped = false;
  owner.scope().Spawn(ShutdownInto(&owner.sharding, &stopped));
  ex_.RunForMs(1'000);
  ASSERT_TRUE(stopped);
  ASSERT_TRUE(Owns(other));
  EXPECT_EQ(world_.closes, 0);
  EXPECT_EQ(Call(other, "Use"), "pod 2");
  EXPECT_EQ(Call(other, "Close"), "closed");
  EXPECT_EQ(world_.acquisitions, 2);
  EXPECT_EQ(world_.closes, 1);
}

}  // namespace
}  // namespace clustersim::sharding
