// Ports of Effect's cluster-integration tests (platform-node
// test/cluster-integration: real runners on a shared SQL database) that the
// in-process world expresses: runners are TestNodes on one TestNetwork
// sharing one storage state, a "kill" is TestNode::Crash (every fiber gone,
// nothing received), and the survivor takes the dead runner's shards once
// its lease expires. Effect's waits ("waitUntil … within N seconds") become
// fixed virtual-time runs long enough for a lease to expire.
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
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::CallInto;
using testing::CallResult;
using testing::DiscardInto;
using testing::kStartMs;
using testing::kTestEntity;
using testing::StreamInto;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNetwork;
using testing::TestNode;

const EntityType kGrouped("GroupEntity");
const EntityType kPersistence("PersistenceEntity");
const EntityType kState("StateEntity");
const EntityType kMailbox("MailboxEntity");
const EntityType kResidency("ResidencyEntity");

// Effect's GroupEntity: Runner answers with the address of the runner it
// runs on; the id "grouped" is in the shard group "special".
class RunnerHandler : public EntityHandler {
 public:
  explicit RunnerHandler(EntityContext* context) : context_(context) {}
  Task<storage::Exit> Handle(const EntityRequest&, ChunkWriter*) override {
    co_return storage::Exit::Success(context_->runner_address().Key());
  }

 private:
  EntityContext* context_;
};

EntityDefinition GroupedDefinition() {
  EntityDefinition definition(kGrouped);
  definition.Add(testing::Rpc("Runner", /*persisted=*/false));
  definition.SetShardGroup([](const EntityId& id) {
    return id.value() == "grouped" ? std::string("special")
                                   : std::string("default");
  });
  return definition;
}

// Effect's PersistenceEntity (the RPCs ported here), every RPC persisted,
// keyed by its payload (Effect's KeyedPayload primary key), fatal defects
// off:
//   Uninterruptible  server-uninterruptible; waits for the gate;
//   TypedFailure     fails with "typed:<payload>";
//   Defect           dies with "defect:<payload>";
//   Healthy          answers "healthy:<payload>";
//   Scheduled        payload = its DeliverAt (ms); answers the time it ran.
struct PersistenceState {
  std::map<std::string, int> runs;  // per tag
  int completed_uninterruptible = 0;
  Latch gate;
};

class PersistenceHandler : public EntityHandler {
 public:
  PersistenceHandler(PersistenceState* state, EntityContext* context)
      : state_(state), context_(context) {}
  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    ++state_->runs[request.tag];
    const std::string& payload = request.payload;
    if (request.tag == "Uninterruptible") {
      co_await state_->gate.Wait();
      ++state_->completed_uninterruptible;
      co_return storage::Exit::Success(
          absl::StrCat("uninterruptible:", payload));
    }
    if (request.tag == "TypedFailure") {
      co_return storage::Exit::Failure(storage::Cause{
          storage::CauseKind::kFail, absl::StrCat("typed:", payload)});
    }
    if (request.tag == "Defect") {
      co_return storage::Exit::Failure(storage::Cause{
          storage::CauseKind::kDie, absl::StrCat("defect:", payload)});
    }
    if (request.tag == "Scheduled") {
      co_return storage::Exit::Success(absl::StrCat(context_->NowMs()));
    }
    co_return storage::Exit::Success(absl::StrCat("healthy:", payload));
  }

 private:
  PersistenceState* state_;
  EntityContext* context_;
};

EntityDefinition PersistenceDefinition() {
  EntityOptions options;
  options.disable_fatal_defects = true;
  options.concurrency = kUnboundedConcurrency;
  EntityDefinition definition(kPersistence, options);
  for (const char* tag :
       {"Uninterruptible", "TypedFailure", "Defect", "Healthy", "Scheduled"}) {
    RpcSpec spec = testing::Rpc(tag, /*persisted=*/true);
    spec.primary_key = [](std::string_view payload) {
      return std::optional<std::string>(std::string(payload));
    };
    if (spec.tag == "Uninterruptible") {
      spec.uninterruptible = Uninterruptible::kServer;
    }
    if (spec.tag == "Scheduled") {
      spec.deliver_at_ms =
          [](std::string_view payload) -> std::optional<int64_t> {
        int64_t at_ms = 0;
        if (!absl::SimpleAtoi(std::string(payload), &at_ms)) {
          return std::nullopt;
        }
        return at_ms;
      };
    }
    definition.Add(std::move(spec));
  }
  return definition;
}

// Effect's StateEntity (persisted RPCs, idle after 1 s) and MailboxEntity
// (a volatile RPC):
//   StateEntity.Increment  the activation's counter, incremented:
//                          "<runner> <value> <generation>", the generation
//                          counting the entity id's activations;
//   StateEntity.Ordered    records its payload once the gate opens;
//   MailboxEntity.Hold     (mailbox capacity 1) waits for the gate;
// and Effect's ResidencyEntity (persisted RPCs, idle after 1 s, concurrency
// 2): Ping answers its payload, Hold waits for the residency gate.
struct StandardState {
  std::map<std::string, int> generations;  // per entity id
  std::vector<std::string> order;
  int ordered_entered = 0;
  int held_entered = 0;
  Latch order_gate;
  Latch mailbox_gate;
  Latch residency_gate;
};

struct Counter {
  int value = 0;
  int generation = 0;
};

class StandardHandler : public EntityHandler {
 public:
  StandardHandler(StandardState* state, EntityContext* context)
      : state_(state), context_(context) {}
  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    if (request.tag == "Increment") {
      Counter& counter = context_->ActivationState<Counter>();
      if (counter.generation == 0) {
        counter.generation =
            ++state_->generations[context_->address().entity_id().value()];
      }
      co_return storage::Exit::Success(
          absl::StrCat(context_->runner_address().Key(), " ", ++counter.value,
                       " ", counter.generation));
    }
    if (request.tag == "Ordered") {
      ++state_->ordered_entered;
      co_await state_->order_gate.Wait();
      state_->order.push_back(request.payload);
      co_return storage::Exit::Success(request.payload);
    }
    if (request.tag == "Ping")
      co_return storage::Exit::Success(request.payload);
    if (context_->address().entity_type() == kResidency) {
      co_await state_->residency_gate.Wait();
      co_return storage::Exit::Success("");
    }
    ++state_->held_entered;
    co_await state_->mailbox_gate.Wait();
    co_return storage::Exit::Success("1");
  }

 private:
  StandardState* state_;
  EntityContext* context_;
};

constexpr int64_t kMaxIdleMs = 1'000;

EntityDefinition StateDefinition() {
  EntityOptions options;
  options.max_idle_time_ms = kMaxIdleMs;
  EntityDefinition definition(kState, options);
  definition.Add(testing::Rpc("Increment", /*persisted=*/true))
      .Add(testing::Rpc("Ordered", /*persisted=*/true));
  return definition;
}

EntityDefinition ResidencyDefinition() {
  EntityOptions options;
  options.max_idle_time_ms = 1'000;
  options.concurrency = 2;
  EntityDefinition definition(kResidency, options);
  definition.Add(testing::Rpc("Ping", /*persisted=*/true))
      .Add(testing::Rpc("Hold", /*persisted=*/true));
  return definition;
}

EntityDefinition MailboxDefinition() {
  EntityOptions options;
  options.mailbox_capacity = 1;
  EntityDefinition definition(kMailbox, options);
  definition.Add(testing::Rpc("Hold", /*persisted=*/false));
  return definition;
}

Task<void> DiscardTo(Sharding* sharding, EntityType type, std::string id,
                     std::string tag, std::optional<absl::Status>* out) {
  *out = co_await sharding->SendDiscard(
      std::move(type), EntityId(std::move(id)), std::move(tag), "");
}

constexpr int64_t kLeaseMs = 3'000;

class ShardingIntegrationTest : public ::testing::Test {
 protected:
  static ShardingConfig Config(int32_t port) {
    ShardingConfig config = TestConfig(port);
    config.shards_per_group = 30;
    config.shard_lock_expiration_ms = kLeaseMs;
    config.shard_lock_refresh_interval_ms = 1'000;
    config.refresh_assignments_interval_ms = 500;
    config.entity_message_poll_interval_ms = 500;
    config.entity_termination_timeout_ms = 100;
    return config;
  }
  static storage::StorageState::Options StorageOptions() {
    storage::StorageState::Options options;
    options.runners.lock_expiration_ms = kLeaseMs;
    return options;
  }

  // Starts a runner on `port` (its node id is the port) with Effect's
  // TestEntity and the GroupEntity.
  TestNode& StartRunner(int32_t port, ShardingConfig config) {
    const NodeId id{static_cast<uint32_t>(port)};
    resolver_.Add(*config.runner_address, id);
    auto node = std::make_unique<TestNode>(ex_, state_, std::move(config), id,
                                           &network_, resolver_);
    EXPECT_TRUE(node->sharding
                    .RegisterEntity(TestEntityDefinition(),
                                    TestEntityFactory(&entities_[port]))
                    .ok());
    EXPECT_TRUE(node->sharding
                    .RegisterEntity(
                        GroupedDefinition(),
                        [](EntityContext& context)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          return std::make_unique<RunnerHandler>(&context);
                        })
                    .ok());
    EXPECT_TRUE(node->sharding
                    .RegisterEntity(
                        PersistenceDefinition(),
                        [this](EntityContext& context)
                            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                          return std::make_unique<PersistenceHandler>(
                              &persistence_, &context);
                        })
                    .ok());
    for (EntityDefinition definition :
         {StateDefinition(), MailboxDefinition(), ResidencyDefinition()}) {
      EXPECT_TRUE(
          node->sharding
              .RegisterEntity(
                  std::move(definition),
                  [this](EntityContext& context)
                      -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
                    return std::make_unique<StandardHandler>(&standard_,
                                                             &context);
                  })
              .ok());
    }
    node->sharding.Start();
    return *nodes_.emplace(port, std::move(node)).first->second;
  }
  TestNode& StartRunner(int32_t port) {
    return StartRunner(port, Config(port));
  }
  // A node that only sends (Effect's cluster client).
  TestNode& StartClient(int32_t port) {
    ShardingConfig config = Config(port);
    config.runner_address = std::nullopt;
    auto node = std::make_unique<TestNode>(ex_, state_, std::move(config),
                                           NodeId{static_cast<uint32_t>(port)},
                                           &network_, resolver_);
    node->sharding.DefineEntity(TestEntityDefinition());
    node->sharding.DefineEntity(PersistenceDefinition());
    node->sharding.DefineEntity(StateDefinition());
    node->sharding.DefineEntity(MailboxDefinition());
    node->sharding.DefineEntity(ResidencyDefinition());
    node->sharding.Start();
    return *nodes_.emplace(port, std::move(node)).first->second;
  }
  int64_t Unprocessed() const {
    return testing::UnprocessedCount(state_, Config(1), ex_.NowMs());
  }

  // Whether `node` holds the shard of TestEntity `id`.
  static bool Owns(TestNode& node, const std::string& id) {
    absl::StatusOr<ShardId> shard =
        node.sharding.ShardFor(EntityId(id), "default");
    return shard.ok() && node.sharding.HasShardId(*shard);
  }
  // A TestEntity id whose shard `node` holds.
  static std::string IdOwnedBy(TestNode& node) {
    for (int i = 0; i < 1'000; ++i) {
      const std::string id = absl::StrCat("e", i);
      if (Owns(node, id)) return id;
    }
    return "";
  }

  ManualExecutor ex_{kStartMs};
  TestNetwork network_{ex_, /*latency_us=*/1'000};
  storage::StorageState state_{StorageOptions()};
  StaticRunnerResolver resolver_;
  std::map<int32_t, TestEntityState> entities_;
  PersistenceState persistence_;  // shared by every runner
  StandardState standard_;        // shared by every runner
  std::map<int32_t, std::unique_ptr<TestNode>> nodes_;
};

// Effect: "assigns annotated entities only to runners in their shard group".
TEST_F(ShardingIntegrationTest, AssignsAnnotatedEntitiesOnlyToTheirShardGroup) {
  ShardingConfig default_only = Config(1);
  default_only.available_shard_groups = {"default", "special"};
  default_only.assigned_shard_groups = {"default"};
  ShardingConfig special_only = Config(2);
  special_only.available_shard_groups = {"default", "special"};
  special_only.assigned_shard_groups = {"special"};
  TestNode& default_runner = StartRunner(1, default_only);
  TestNode& special_runner = StartRunner(2, special_only);
  ex_.RunForMs(2'000);

  for (TestNode* caller : {&default_runner, &special_runner}) {
    CallResult grouped, plain;
    caller->scope().Spawn(CallInto(&caller->sharding, kGrouped, "grouped",
                                   "Runner", "", &grouped));
    caller->scope().Spawn(
        CallInto(&caller->sharding, kGrouped, "default", "Runner", "", &plain));
    ex_.RunForMs(100);
    EXPECT_EQ(SuccessValue(grouped), "localhost:2");
    EXPECT_EQ(SuccessValue(plain), "localhost:1");
  }
  // Each runner holds only its group's shards.
  for (const ShardId& shard : default_runner.sharding.acquired_shards()) {
    EXPECT_EQ(shard.group(), "default") << shard;
  }
  for (const ShardId& shard : special_runner.sharding.acquired_shards()) {
    EXPECT_EQ(shard.group(), "special") << shard;
  }
  EXPECT_EQ(default_runner.sharding.acquired_shards().size(), 30u);
  EXPECT_EQ(special_runner.sharding.acquired_shards().size(), 30u);
}

// Effect: "does not store or redeliver a volatile request after runner
// failure". A discarded volatile request whose handler is running when its
// runner dies is gone: nothing stored, not run again by the next owner.
TEST_F(ShardingIntegrationTest, DoesNotStoreOrRedeliverAVolatileRequest) {
  TestNode& owner = StartRunner(1);
  TestNode& caller = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::optional<absl::Status> sent;
  caller.scope().Spawn(
      DiscardInto(&caller.sharding, id, "NeverVolatile", "", &sent));
  ex_.RunForMs(100);
  ASSERT_TRUE(sent.has_value() && sent->ok());
  ASSERT_EQ(entities_[1].running, 1);

  owner.Crash();
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(Owns(caller, id));
  EXPECT_EQ(entities_[2].running, 0);
  EXPECT_TRUE(entities_[2].handled.empty());
  EXPECT_EQ(state_.messages().message_count(), 0);
  EXPECT_EQ(state_.messages().reply_count(), 0);
}

// Effect: "resumes a terminal stream on the replacement owner and persists
// exactly one reply". The owner sent the stream's only value and then dies
// before storing the stream's end; the next owner resumes the stream after
// that chunk and ends it. The caller sees the value once and one end.
TEST_F(ShardingIntegrationTest, ResumesATerminalStreamOnTheReplacementOwner) {
  TestNode& owner = StartRunner(1);
  TestNode& peer = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> received;
  CallResult result;
  peer.scope().Spawn(
      StreamInto(&peer.sharding, id, "StreamWithKey", id, &received, &result));
  ex_.RunForMs(100);
  entities_[1].stream_items.Push(0);
  ex_.RunForMs(100);
  ASSERT_EQ(received, std::vector<std::string>{"0"});

  owner.Crash();
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(Owns(peer, id));
  // The replacement resumed the stream after its stored chunk.
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  ASSERT_TRUE(entities_[2].stream_starts[0].has_value());
  EXPECT_EQ(entities_[2].stream_starts[0]->values,
            std::vector<std::string>{"0"});
  EXPECT_FALSE(result.has_value());
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);

  EXPECT_EQ(SuccessValue(result), "");
  EXPECT_EQ(received, std::vector<std::string>{"0"});
  // Stored: the request (its WithExit), the chunk's AckChunk; the chunk
  // and exactly one WithExit.
  ASSERT_EQ(entities_[1].handled.size(), 1u);
  EXPECT_TRUE(state_.messages().HasExit(entities_[1].handled[0].second));
  EXPECT_EQ(state_.messages().message_count(), 2);
  EXPECT_EQ(state_.messages().reply_count(), 2);
  EXPECT_EQ(Unprocessed(), 0);
  EXPECT_TRUE(Owns(peer, id));
}

// Effect: "delivers a persisted request sent while its runner is down
// exactly once".
TEST_F(ShardingIntegrationTest, DeliversARequestSentWhileItsRunnerIsDown) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  owner.Crash();
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kTestEntity, "restart",
                                "GetUser", "r", &result));
  ex_.RunForMs(1'000);
  ASSERT_EQ(Unprocessed(), 1);  // stored while nobody serves it

  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_EQ(SuccessValue(result), "User r");
  EXPECT_EQ(entities_[2].handled.size(), 1u);
  EXPECT_EQ(state_.messages().message_count(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "does not lose an uninterruptible request during runner
// shutdown". The owner stops while the handler waits: the handler is cut
// after the termination timeout (the annotation makes the request run again,
// not its fiber uninterruptible), the request stays stored, and the next
// runner runs it to its one reply.
TEST_F(ShardingIntegrationTest, DoesNotLoseAnUninterruptibleRequestOnShutdown) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kPersistence,
                                "uninterruptible", "Uninterruptible", "u",
                                &result));
  ex_.RunForMs(1'000);
  ASSERT_EQ(persistence_.runs["Uninterruptible"], 1);

  bool stopped = false;
  owner.scope().Spawn(testing::ShutdownInto(&owner.sharding, &stopped));
  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_TRUE(stopped);
  EXPECT_EQ(persistence_.runs["Uninterruptible"], 2);
  EXPECT_FALSE(result.has_value());
  persistence_.gate.Open();
  ex_.RunForMs(2'000);
  EXPECT_EQ(persistence_.completed_uninterruptible, 1);
  EXPECT_EQ(SuccessValue(result), "uninterruptible:u");
  EXPECT_EQ(state_.messages().reply_count(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "abandons a stream chunk acknowledgement during shutdown without
// stranding either runner". The owner stops while the stream waits for its
// next value, which it sends during the stop (its acknowledgement cannot
// reach the stopping runner); the peer resumes the stream after the last
// stored chunk, every value reaches the caller once, and the entity serves
// new requests on the peer.
TEST_F(ShardingIntegrationTest, AbandonsAChunkAckDuringShutdown) {
  TestNode& owner = StartRunner(1);
  TestNode& peer = StartRunner(2);
  ex_.RunForMs(2'000);
  const std::string id = IdOwnedBy(owner);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> received;
  CallResult stream;
  peer.scope().Spawn(
      StreamInto(&peer.sharding, id, "StreamWithKey", id, &received, &stream));
  ex_.RunForMs(100);
  for (int value : {0, 1, 2}) entities_[1].stream_items.Push(value);
  ex_.RunForMs(100);
  ASSERT_EQ(received, (std::vector<std::string>{"0", "1", "2"}));

  bool stopped = false;
  owner.scope().Spawn(testing::ShutdownInto(&owner.sharding, &stopped));
  entities_[1].stream_items.Push(3);
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_TRUE(stopped);
  ASSERT_TRUE(Owns(peer, id));
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  entities_[2].stream_items.Push(4);
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(stream), "");
  EXPECT_EQ(received, (std::vector<std::string>{"0", "1", "2", "3", "4"}));

  CallResult healthy;
  peer.scope().Spawn(
      CallInto(&peer.sharding, kTestEntity, id, "GetUser", "h", &healthy));
  ex_.RunForMs(1'000);
  EXPECT_EQ(SuccessValue(healthy), "User h");
}

// Effect: "persists typed failures and defects without wedging the
// mailbox". A typed failure and a defect (fatal defects off) are stored as
// the requests' replies: the same primary key again is answered from
// storage without running the handler, and the entity serves on.
TEST_F(ShardingIntegrationTest, PersistsFailuresAndDefectsWithoutWedging) {
  StartRunner(1);
  StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const auto call = [&](std::string tag, std::string payload) {
    CallResult result;
    client.scope().Spawn(CallInto(&client.sharding, kPersistence, "failures",
                                  std::move(tag), std::move(payload), &result));
    ex_.RunForMs(1'000);
    return SuccessValue(result);
  };
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(call("TypedFailure", "t"), "<failure: typed:t>");
    EXPECT_EQ(call("Defect", "d"), "<failure: defect:d>");
  }
  EXPECT_EQ(persistence_.runs["TypedFailure"], 1);
  EXPECT_EQ(persistence_.runs["Defect"], 1);
  EXPECT_EQ(call("Healthy", "h"), "healthy:h");
  EXPECT_EQ(state_.messages().message_count(), 3);
  EXPECT_EQ(state_.messages().reply_count(), 3);
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "delivers scheduled messages only after their deadline".
TEST_F(ShardingIntegrationTest, DeliversScheduledMessagesAfterTheirDeadline) {
  StartRunner(1);
  StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const int64_t deliver_at_ms = ex_.NowMs() + 1'500;
  CallResult result;
  client.scope().Spawn(CallInto(&client.sharding, kPersistence, "scheduled",
                                "Scheduled", absl::StrCat(deliver_at_ms),
                                &result));
  ex_.RunForMs(1'000);
  EXPECT_EQ(persistence_.runs["Scheduled"], 0);
  EXPECT_EQ(Unprocessed(), 0);  // not yet deliverable
  ex_.RunForMs(2'000);
  ASSERT_EQ(persistence_.runs["Scheduled"], 1);
  int64_t delivered_at_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(SuccessValue(result), &delivered_at_ms))
      << SuccessValue(result);
  EXPECT_GE(delivered_at_ms, deliver_at_ms);
  EXPECT_EQ(state_.messages().reply_count(), 1);
}

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

// Effect: "resumes a persisted stream after its runner is killed". The only
// runner dies with the stream half sent; a new runner resumes it after the
// last stored chunk and the caller gets every value once.
TEST_F(ShardingIntegrationTest, ResumesAPersistedStreamAfterItsRunnerIsKilled) {
  TestNode& owner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  std::vector<std::string> received;
  CallResult stream;
  client.scope().Spawn(StreamInto(&client.sharding, "stream-restart",
                                  "StreamWithKey", "k", &received, &stream));
  ex_.RunForMs(100);
  for (int value : {0, 1}) entities_[1].stream_items.Push(value);
  ex_.RunForMs(100);
  ASSERT_EQ(received, (std::vector<std::string>{"0", "1"}));

  owner.Crash();
  StartRunner(2);
  ex_.RunForMs(3 * kLeaseMs);
  ASSERT_EQ(entities_[2].stream_starts.size(), 1u);
  for (int value : {2, 3, 4}) entities_[2].stream_items.Push(value);
  entities_[2].stream_items.Push(std::nullopt);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(stream), "");
  EXPECT_EQ(received, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "rebalances on runner addition, graceful stop, and abrupt death".
TEST_F(ShardingIntegrationTest, RebalancesOnAdditionGracefulStopAndDeath) {
  TestNode& first = StartRunner(1);
  TestNode& second = StartRunner(2);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  const auto owner_of = [&](const std::string& id) -> int32_t {
    for (const auto& [port, node] : nodes_) {
      if (port != 9 && Owns(*node, id)) return port;
    }
    return 0;
  };
  std::map<std::string, int32_t> before;
  for (int i = 0; i < 200; ++i) {
    const std::string id = absl::StrCat("moving-", i);
    before[id] = owner_of(id);
  }
  const auto increment = [&](const std::string& id) {
    CallResult result;
    client.scope().Spawn(
        CallInto(&client.sharding, kState, id, "Increment", "", &result));
    ex_.RunForMs(1'000);
    return SuccessValue(result);
  };

  // Addition: some entity moves to the new runner and is served there.
  TestNode& added = StartRunner(3);
  ex_.RunForMs(3 * kLeaseMs);
  std::string moved_id;
  for (const auto& [id, old] : before) {
    if (old != 3 && owner_of(id) == 3) {
      moved_id = id;
      break;
    }
  }
  ASSERT_FALSE(moved_id.empty());
  EXPECT_EQ(increment(moved_id),
            absl::StrCat(added.sharding.runner_address().Key(), " 1 1"));

  // Graceful stop: a request in flight on the stopping runner is handed to
  // the next owner, which answers it.
  const std::string stop_id = IdOwnedBy(first);
  ASSERT_FALSE(stop_id.empty());
  CallResult handed_over;
  client.scope().Spawn(CallInto(&client.sharding, kState, stop_id, "Ordered",
                                "1", &handed_over));
  ex_.RunForMs(100);
  ASSERT_EQ(standard_.ordered_entered, 1);
  bool stopped = false;
  first.scope().Spawn(testing::ShutdownInto(&first.sharding, &stopped));
  ex_.RunForMs(3 * kLeaseMs);
  EXPECT_TRUE(stopped);
  const int32_t next_owner = owner_of(stop_id);
  EXPECT_TRUE(next_owner == 2 || next_owner == 3) << next_owner;
  standard_.order_gate.Open();
  ex_.RunForMs(1'000);
  EXPECT_EQ(standard_.ordered_entered, 2);  // run again by the next owner
  EXPECT_EQ(SuccessValue(handed_over), "1");

  // Abrupt death: the dead runner's entity is served elsewhere.
  const std::string kill_id = IdOwnedBy(second);
  ASSERT_FALSE(kill_id.empty());
  second.Crash();
  CallResult after_death;
  client.scope().Spawn(CallInto(&client.sharding, kState, kill_id, "Increment",
                                "", &after_death));
  ex_.RunForMs(4 * kLeaseMs);
  EXPECT_EQ(SuccessValue(after_death),
            absl::StrCat(added.sharding.runner_address().Key(), " 1 1"));
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect's Locks tests "rebuilds a blackholed reserved lock connection and
// rejoins without split brain" (every lock operation of the runner hangs)
// and "keeps peers progressing when a lock query is permanently stuck" (its
// refresh hangs): the faulted runner drops its shards, a peer takes them
// over, no shard ever has two holders, and once the fault clears the faulted
// runner rejoins. (Effect's reserved-connection rebuild has no counterpart:
// there are no connections here.)
class LockFaultTest : public ShardingIntegrationTest,
                      public ::testing::WithParamInterface<bool> {
 protected:
  std::vector<StorageOp> FaultedOps() const {
    if (GetParam()) return {StorageOp::kRefresh};
    return {StorageOp::kAcquire, StorageOp::kRefresh, StorageOp::kRelease,
            StorageOp::kReleaseAll};
  }
  // Runs `ms`, failing if a shard is ever held by both runners.
  void RunWithoutSplitBrain(TestNode& a, TestNode& b, int64_t ms) {
    for (int64_t elapsed_ms = 0; elapsed_ms < ms; elapsed_ms += 50) {
      ex_.RunForMs(50);
      for (const ShardId& shard : a.sharding.acquired_shards()) {
        ASSERT_FALSE(b.sharding.acquired_shards().contains(shard))
            << shard << " held twice";
      }
    }
  }
};

TEST_P(LockFaultTest, PeersTakeOverWithoutSplitBrainAndTheRunnerRejoins) {
  ShardingConfig faulted_config = Config(1);
  faulted_config.shards_per_group = 4;
  TestNode& faulted = StartRunner(1, faulted_config);
  ex_.RunForMs(2'000);
  ASSERT_EQ(faulted.sharding.acquired_shards().size(), 4u);

  for (StorageOp op : FaultedOps()) faulted.storage.SetBlackhole(op, true);
  ShardingConfig peer_config = Config(2);
  peer_config.shards_per_group = 4;
  TestNode& peer = StartRunner(2, peer_config);
  RunWithoutSplitBrain(faulted, peer, 4 * kLeaseMs);
  EXPECT_TRUE(faulted.sharding.acquired_shards().empty());
  EXPECT_FALSE(peer.sharding.acquired_shards().empty());

  for (StorageOp op : FaultedOps()) faulted.storage.SetBlackhole(op, false);
  RunWithoutSplitBrain(faulted, peer, 4 * kLeaseMs);
  EXPECT_FALSE(faulted.sharding.acquired_shards().empty());
  EXPECT_EQ(faulted.sharding.acquired_shards().size() +
                peer.sharding.acquired_shards().size(),
            4u);
}

INSTANTIATE_TEST_SUITE_P(BlackholedOrStuckRefresh, LockFaultTest,
                         ::testing::Bool());

// Effect's Runners test "persisted notification transport failures are
// ignored": a persisted discard whose notification cannot reach the runner
// (the link is cut) succeeds, as the request is stored, and the runner
// serves it from storage (its poll; nothing was delivered).
TEST_F(ShardingIntegrationTest,
       PersistedNotificationTransportFailuresAreIgnored) {
  TestNode& runner = StartRunner(1);
  TestNode& client = StartClient(9);
  ex_.RunForMs(2'000);
  network_.Partition(client.node(), runner.node());
  std::optional<absl::Status> sent;
  client.scope().Spawn(
      DiscardInto(&client.sharding, "notified", "GetUser", "n", &sent));
  // A cut link drops silently here (Effect's fake protocol fails at once):
  // the notification ends with its call's timeout.
  ex_.RunForMs(10'000);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok()) << *sent;
  ASSERT_EQ(entities_[1].handled.size(), 1u);
  EXPECT_EQ(entities_[1].handled[0].first, "GetUser");
  EXPECT_EQ(Unprocessed(), 0);
}

}  // namespace
}  // namespace clustersim::sharding
