// Multi-runner tests of Sharding in the simulated world: RunnerProcesses on
// sim::World nodes talking over sim::Network, sharing one in-process
// storage state (its clock is the world's global time). Covers remote
// routing, a runner crash (its shards move and its stored messages are
// processed by the new owners), a runner paused past its lease (reference
// mode: its stale reply lands; hardened mode: it is refused), and a partition
// between a runner and storage.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/cluster/shard_routing.h"
#include "core/cluster/singleton_address.h"
#include "core/runtime/clock.h"
#include "core/sharding/runner_process.h"
#include "core/sharding/sharding_testing.h"
#include "core/sharding/test_storage.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/storage_state.h"
#include "sim/network.h"
#include "sim/node_clock.h"
#include "sim/world.h"

namespace clustersim::sharding {
namespace {

using testing::CallResult;
using testing::kTestEntity;
using testing::SuccessValue;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;

const EntityType kLedger("Ledger");

// The storage server's clock: global virtual time.
class WorldClock : public Clock {
 public:
  explicit WorldClock(const sim::World& world) : world_(world) {}
  int64_t NowMs() const override {
    return sim::kSimEpochMs + world_.now_us() / 1000;
  }

 private:
  const sim::World& world_;
};

// Ledger.Slow: sleeps, then answers with the address of the runner that
// ran it.
class SlowHandler : public EntityHandler {
 public:
  SlowHandler(EntityContext* context, int64_t sleep_ms)
      : context_(context), sleep_ms_(sleep_ms) {}
  Task<storage::Exit> Handle(const EntityRequest&, ChunkWriter*) override {
    co_await SleepMs(sleep_ms_);
    co_return storage::Exit::Success(context_->runner_address().Key());
  }

 private:
  EntityContext* context_;
  int64_t sleep_ms_;
};

EntityDefinition LedgerDefinition() {
  EntityDefinition definition(kLedger);
  definition.Add(testing::Rpc("Slow", true));
  return definition;
}

ShardingConfig ClusterConfig(int32_t port, Mode mode) {
  ShardingConfig config;
  config.runner_address = RunnerAddress("runner", port);
  config.shards_per_group = 8;
  config.shard_lock_expiration_ms = 3'000;
  config.shard_lock_refresh_interval_ms = 1'000;
  config.refresh_assignments_interval_ms = 500;
  config.entity_message_poll_interval_ms = 1'000;
  config.entity_termination_timeout_ms = 1'000;
  config.entity_registration_timeout_ms = 5'000;
  config.mode = mode;
  return config;
}

class Cluster {
 public:
  explicit Cluster(Mode mode, int64_t slow_ms = 2'000,
                   Sharding::HealthCheck health = Sharding::HealthCheck::kNoop)
      : mode_(mode),
        health_(health),
        world_(sim::WorldOptions{42, true}),
        network_(world_, FixedLatency()),
        state_(StorageOptions(mode)),
        clock_(world_),
        slow_ms_(slow_ms) {}

  ~Cluster() {
    // The nodes' fibers refer to the state below: end them first.
    for (uint32_t id = 1; id <= world_.node_count(); ++id) {
      world_.Crash(NodeId{id});
    }
  }

  // A node without a runner address: it only sends.
  NodeId AddClient() {
    const NodeId node{static_cast<uint32_t>(world_.node_count() + 1)};
    RunnerProcessOptions options;
    options.config = ClusterConfig(1, mode_);
    options.config.runner_address = std::nullopt;
    options.resolver = &resolver_;
    options.storage = StorageFor(node);
    options.register_entities = [](Sharding& sharding) {
      sharding.DefineEntity(TestEntityDefinition());
      return absl::OkStatus();
    };
    const NodeId added =
        world_.AddNode("client", RunnerProcess::Factory(std::move(options)));
    CHECK(added == node);
    return node;
  }

  NodeId AddRunner(int32_t port) {
    const NodeId node{static_cast<uint32_t>(world_.node_count() + 1)};
    resolver_.Add(RunnerAddress("runner", port), node);
    RunnerProcessOptions options;
    options.config = ClusterConfig(port, mode_);
    options.config.runner_health_check_interval_ms = 1'000;
    options.sharding.health_check = health_;
    options.resolver = &resolver_;
    options.storage = StorageFor(node);
    options.register_entities = [this, node](Sharding& sharding) {
      absl::Status status = sharding.RegisterEntity(
          TestEntityDefinition(), TestEntityFactory(&entities_[node.value]));
      if (!status.ok()) return status;
      int* starts = &singleton_starts_[node.value];
      status = sharding.RegisterSingleton(
          "watchdog", "default", [starts] { return CountStart(starts); });
      if (!status.ok()) return status;
      const int64_t slow_ms = slow_ms_;
      return sharding.RegisterEntity(
          LedgerDefinition(),
          [slow_ms](EntityContext& context)
              -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
            return std::make_unique<SlowHandler>(&context, slow_ms);
          });
    };
    const NodeId added =
        world_.AddNode(absl::StrCat("runner-", port),
                       RunnerProcess::Factory(std::move(options)));
    CHECK(added == node);
    return node;
  }

  // Adds runners on ports 1 to `count`, then starts them in that order.
  std::vector<NodeId> StartRunners(int32_t count) {
    std::vector<NodeId> nodes;
    for (int32_t port = 1; port <= count; ++port) {
      nodes.push_back(AddRunner(port));
    }
    for (NodeId node : nodes) world_.Start(node);
    return nodes;
  }

  sim::World& world() { return world_; }
  sim::Network& network() { return network_; }
  storage::StorageState& state() { return state_; }
  RunnerProcess& process(NodeId node) {
    return *static_cast<RunnerProcess*>(world_.process(node));
  }
  Sharding& sharding(NodeId node) { return process(node).sharding(); }
  TestStorage& storage(NodeId node) { return *storages_.at(node.value); }
  TestEntityState& entity(NodeId node) { return entities_[node.value]; }
  // How often the "watchdog" singleton started on the node.
  int singleton_starts(NodeId node) { return singleton_starts_[node.value]; }
  void RunForMs(int64_t ms) { world_.RunFor(ms * 1000); }

  void Call(NodeId from, EntityType type, std::string id, std::string tag,
            std::string payload, CallResult* out) {
    process(from).env().scope->Spawn(
        testing::CallInto(&sharding(from), std::move(type), std::move(id),
                          std::move(tag), std::move(payload), out));
  }

  // An entity id of `type` whose shard `node` holds.
  std::string IdOwnedBy(NodeId node) {
    for (int i = 0; i < 1000; ++i) {
      const std::string id = absl::StrCat("e", i);
      absl::StatusOr<ShardId> shard = ShardIdFor(EntityId(id), "default", 8);
      if (shard.ok() && sharding(node).acquired_shards().contains(*shard)) {
        return id;
      }
    }
    return "";
  }

 private:
  static sim::LinkConfig FixedLatency() {
    sim::LinkConfig link;
    link.latency = sim::LatencyModel{1'000, 0, 1'000};
    return link;
  }
  static storage::StorageState::Options StorageOptions(Mode mode) {
    storage::StorageState::Options options;
    options.mode = mode == Mode::kHardened ? storage::StorageMode::kHardened
                                           : storage::StorageMode::kReference;
    options.runners.lock_expiration_ms = 3'000;
    return options;
  }

  // A node's storage: the shared state through the node's own TestStorage.
  decltype(RunnerProcessOptions::storage) StorageFor(NodeId node) {
    return [this, node](const NodeEnv&, RpcEndpoint&) {
      auto wrapped = std::make_unique<TestStorage>(
          std::make_unique<storage::LocalStorageClient>(state_, clock_));
      storages_[node.value] = wrapped.get();
      return wrapped;
    };
  }

  static Task<void> CountStart(int* starts) {
    ++*starts;
    co_return;
  }

  Mode mode_;
  Sharding::HealthCheck health_;
  sim::World world_;
  sim::Network network_;
  storage::StorageState state_;
  WorldClock clock_;
  StaticRunnerResolver resolver_;
  int64_t slow_ms_;
  std::map<uint32_t, TestStorage*> storages_;
  std::map<uint32_t, TestEntityState> entities_;
  std::map<uint32_t, int> singleton_starts_;
};

// Every shard is held by exactly one of the nodes.
void ExpectPartitionOfShards(Cluster& cluster,
                             const std::vector<NodeId>& nodes) {
  std::map<ShardId, int> holders;
  for (NodeId node : nodes) {
    for (const ShardId& shard : cluster.sharding(node).acquired_shards()) {
      ++holders[shard];
    }
  }
  EXPECT_EQ(holders.size(), 8u);
  for (const auto& [shard, count] : holders) EXPECT_EQ(count, 1) << shard;
}

TEST(ShardingClusterTest, ThreeRunnersRouteVolatileAndPersistedRequests) {
  Cluster cluster(Mode::kReference);
  const std::vector<NodeId> nodes = cluster.StartRunners(3);
  cluster.RunForMs(5'000);
  ExpectPartitionOfShards(cluster, nodes);
  for (NodeId node : nodes) {
    EXPECT_FALSE(cluster.sharding(node).acquired_shards().empty());
  }

  std::vector<CallResult> volatile_results(20), persisted_results(20);
  for (int i = 0; i < 20; ++i) {
    cluster.Call(nodes[0], kTestEntity, absl::StrCat(i), "GetUserVolatile",
                 absl::StrCat(i), &volatile_results[i]);
    cluster.Call(nodes[0], kTestEntity, absl::StrCat(i), "GetUser",
                 absl::StrCat(i), &persisted_results[i]);
  }
  cluster.RunForMs(2'000);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(SuccessValue(volatile_results[i]), absl::StrCat("User ", i));
    EXPECT_EQ(SuccessValue(persisted_results[i]), absl::StrCat("User ", i));
  }
  // Every runner served some of them.
  for (NodeId node : nodes) {
    EXPECT_FALSE(cluster.entity(node).handled.empty()) << node.value;
  }
}

TEST(ShardingClusterTest, RemoteStreamsDeliverEveryChunk) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(b);
  ASSERT_FALSE(id.empty());
  std::vector<std::string> chunks;
  CallResult result;
  cluster.process(a).env().scope->Spawn(testing::StreamInto(
      &cluster.sharding(a), id, "GetAllUsers", "1,2,3", &chunks, &result));
  cluster.RunForMs(3'000);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << result->status();
  EXPECT_EQ(chunks, (std::vector<std::string>{"User 1", "User 2", "User 3"}));
}

TEST(ShardingClusterTest, CrashedRunnersShardsMoveAndItsMessagesAreProcessed) {
  Cluster cluster(Mode::kReference);
  const std::vector<NodeId> nodes = cluster.StartRunners(3);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(nodes[2]);
  ASSERT_FALSE(id.empty());

  cluster.world().Crash(nodes[2]);
  // Sent while the owner is dead: stored, then served by the new owner once
  // the dead runner's lease and heartbeat expire.
  CallResult persisted, volatile_result;
  cluster.Call(nodes[0], kTestEntity, id, "GetUser", "x", &persisted);
  cluster.Call(nodes[1], kTestEntity, id, "GetUserVolatile", "y",
               &volatile_result);
  cluster.RunForMs(1'000);
  EXPECT_FALSE(persisted.has_value());
  cluster.RunForMs(14'000);
  EXPECT_EQ(SuccessValue(persisted), "User x");
  EXPECT_EQ(SuccessValue(volatile_result), "User y");
  ExpectPartitionOfShards(cluster, {nodes[0], nodes[1]});
}

int64_t CountEvents(Cluster& cluster, NodeId node, std::string_view kind) {
  int64_t n = 0;
  for (const sim::TraceEvent& event : cluster.world().trace().events()) {
    n += event.node == node.value && event.kind == kind ? 1 : 0;
  }
  return n;
}

// A runner paused past its lease while storing a final reply: its ownership
// check passed before the pause, its write lands after the other runner took
// the shard over (and is running the request again).
struct PauseOutcome {
  std::string reply;          // what the caller got
  int64_t fenced_writes = 0;  // the paused runner's refused writes
  int64_t self_stops = 0;     // the paused runner's lease self-stops
  bool other_owned = false;   // the other runner held the shard meanwhile
};

PauseOutcome RunPausedPastLease(Mode mode) {
  Cluster cluster(mode, /*slow_ms=*/4'000);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(a);
  CHECK(!id.empty());
  const ShardId shard = *ShardIdFor(EntityId(id), "default", 8);
  cluster.storage(a).SetLatencyMs(100);

  CallResult result;
  cluster.Call(b, kLedger, id, "Slow", "", &result);
  // Step until the ownership check of the final reply reached storage.
  const std::vector<ShardId> just_this = {shard};
  cluster.storage(a).ClearCalls();
  auto confirm_sent = [&] {
    for (const TestStorage::Call& call : cluster.storage(a).calls()) {
      if (call.op == StorageOp::kRefresh && call.shards == just_this) {
        return true;
      }
    }
    return false;
  };
  for (int i = 0; i < 10'000 && !confirm_sent(); ++i) cluster.RunForMs(1);
  CHECK(confirm_sent());
  cluster.RunForMs(150);  // applied; its answer is on the way back
  cluster.world().Pause(a);
  // Past the lease: `b` takes the shard over and runs the request again.
  cluster.RunForMs(7'000);
  PauseOutcome outcome;
  outcome.other_owned = cluster.sharding(b).acquired_shards().contains(shard);
  cluster.world().Resume(a);
  cluster.RunForMs(15'000);
  outcome.reply = SuccessValue(result);
  outcome.fenced_writes = CountEvents(cluster, a, "sharding.reply_fenced");
  outcome.self_stops = CountEvents(cluster, a, "shard.self_stop");
  return outcome;
}

TEST(ShardingClusterTest, ReferenceModeLetsAStaleOwnerWriteItsReply) {
  const PauseOutcome outcome = RunPausedPastLease(Mode::kReference);
  EXPECT_TRUE(outcome.other_owned);
  // Effect's behaviour (no fencing): the paused runner's reply is stored
  // although the other runner held the shard: a single-writer violation.
  EXPECT_EQ(outcome.fenced_writes, 0);
  EXPECT_EQ(outcome.self_stops, 0);
  EXPECT_EQ(outcome.reply, "runner:1");
}

TEST(ShardingClusterTest, HardenedModeStopsTheStaleOwnerBeforeItWrites) {
  const PauseOutcome outcome = RunPausedPastLease(Mode::kHardened);
  EXPECT_TRUE(outcome.other_owned);
  // The stall detector stops the paused runner's entity at its resume
  // instant, so its reply is never even attempted.
  EXPECT_GE(outcome.self_stops, 1);
  EXPECT_EQ(outcome.fenced_writes, 0);
  EXPECT_EQ(outcome.reply, "runner:2");
}

// A runner cut off from storage stops processing its shards (forced
// release) before the other runner can take them, and rejoins after the
// partition heals.
TEST(ShardingClusterTest, PartitionFromStorageMovesShardsWithoutOverlap) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(a);
  ASSERT_FALSE(id.empty());

  for (int op = 0; op <= static_cast<int>(StorageOp::kReleaseAll); ++op) {
    cluster.storage(a).SetBlackhole(static_cast<StorageOp>(op), true);
  }
  CallResult result;
  cluster.Call(b, kTestEntity, id, "GetUserVolatile", "v", &result);
  for (int step = 0; step < 150; ++step) {
    cluster.RunForMs(100);
    for (const ShardId& shard : cluster.sharding(a).acquired_shards()) {
      ASSERT_FALSE(cluster.sharding(b).acquired_shards().contains(shard))
          << shard << " at step " << step;
    }
  }
  EXPECT_TRUE(cluster.sharding(a).acquired_shards().empty());
  EXPECT_EQ(cluster.sharding(b).acquired_shards().size(), 8u);
  EXPECT_EQ(SuccessValue(result), "User v");

  for (int op = 0; op <= static_cast<int>(StorageOp::kReleaseAll); ++op) {
    cluster.storage(a).SetBlackhole(static_cast<StorageOp>(op), false);
  }
  cluster.RunForMs(15'000);
  ExpectPartitionOfShards(cluster, {a, b});
  EXPECT_FALSE(cluster.sharding(a).acquired_shards().empty());
}

TEST(ShardingClusterTest, ASingletonRunsOnceAndMovesWithItsShard) {
  Cluster cluster(Mode::kReference);
  const std::vector<NodeId> nodes = cluster.StartRunners(3);
  cluster.RunForMs(5'000);
  const SingletonAddress address(
      "watchdog", *ShardIdFor(EntityId("watchdog"), "default", 8));
  NodeId owner{0};
  int running = 0;
  for (NodeId node : nodes) {
    if (cluster.sharding(node).singletons().IsRunning(address)) {
      owner = node;
      ++running;
    }
  }
  ASSERT_EQ(running, 1);
  EXPECT_EQ(cluster.singleton_starts(owner), 1);

  cluster.world().Crash(owner);
  cluster.RunForMs(10'000);
  running = 0;
  for (NodeId node : nodes) {
    if (node == owner) continue;
    running += cluster.sharding(node).singletons().IsRunning(address) ? 1 : 0;
  }
  EXPECT_EQ(running, 1);
}

// Effect's health checker (a singleton) pings the other runners; under a
// runner-to-runner partition with storage still reachable, it marks the
// peer it cannot reach unhealthy (never the last healthy one), which then
// owns nothing, until the partition heals (effect-semantics.md §14.14).
TEST(ShardingClusterTest, HealthCheckMarksAnUnreachableRunnerUnhealthy) {
  Cluster cluster(Mode::kReference, 2'000, Sharding::HealthCheck::kPing);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  ASSERT_FALSE(cluster.sharding(a).acquired_shards().empty());
  ASSERT_FALSE(cluster.sharding(b).acquired_shards().empty());

  const std::vector<NodeId> left = {a}, right = {b};
  cluster.network().Partition(left, right);
  // Six pings of 10 s each, 500 ms apart, then the next sync.
  cluster.RunForMs(75'000);
  const size_t held_a = cluster.sharding(a).acquired_shards().size();
  const size_t held_b = cluster.sharding(b).acquired_shards().size();
  EXPECT_TRUE((held_a == 8 && held_b == 0) || (held_a == 0 && held_b == 8))
      << held_a << " / " << held_b;
  int unhealthy = 0;
  for (const storage::RunnerEntry& entry :
       cluster.state().GetRunners(cluster.world().NodeNowMs(a))) {
    unhealthy += entry.healthy ? 0 : 1;
  }
  EXPECT_EQ(unhealthy, 1);

  cluster.network().Heal();
  // A ping under way when the partition heals still waits out its 10 s.
  cluster.RunForMs(30'000);
  ExpectPartitionOfShards(cluster, {a, b});
  EXPECT_FALSE(cluster.sharding(a).acquired_shards().empty());
  EXPECT_FALSE(cluster.sharding(b).acquired_shards().empty());
}

Task<void> DiscardEntity(Sharding* sharding, EntityType type, std::string id,
                         std::string tag, std::optional<absl::Status>* out) {
  EntityId entity(std::move(id));
  std::string payload;
  *out = co_await sharding->SendDiscard(std::move(type), std::move(entity),
                                        std::move(tag), std::move(payload));
}

// Effect: "client volatile discard retries a failed delivery".
TEST(ShardingClusterTest, VolatileDiscardRetriesAFailedDelivery) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(b);
  const std::vector<NodeId> left = {a}, right = {b};
  cluster.network().Partition(left, right);
  std::optional<absl::Status> sent;
  cluster.process(a).env().scope->Spawn(DiscardEntity(
      &cluster.sharding(a), kTestEntity, id, "NeverVolatile", &sent));
  cluster.RunForMs(5'000);  // the first attempt times out
  EXPECT_FALSE(sent.has_value());
  cluster.network().Heal();
  cluster.RunForMs(200);  // retried after send_retry_interval_ms
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok()) << *sent;
  EXPECT_EQ(cluster.entity(b).running, 1);
}

// Effect: "interrupts are sent for volatile messages on shutdown".
TEST(ShardingClusterTest, ShutdownInterruptsVolatileRequestsInFlight) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  const std::string id = cluster.IdOwnedBy(b);
  CallResult result;
  cluster.Call(a, kTestEntity, id, "NeverVolatile", "", &result);
  cluster.RunForMs(100);
  ASSERT_EQ(cluster.entity(b).running, 1);
  cluster.process(a).Shutdown();
  cluster.RunForMs(2'000);
  EXPECT_TRUE(cluster.process(a).shutdown_complete());
  EXPECT_EQ(cluster.entity(b).interrupts, 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(IsAbandoned(result->status())) << result->status();
}

TEST(ShardingClusterTest, AClientOnlyNodeRoutesWithoutOwningShards) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  const NodeId client = cluster.AddClient();
  for (NodeId node : {a, b, client}) cluster.world().Start(node);
  cluster.RunForMs(5'000);
  EXPECT_TRUE(cluster.sharding(client).acquired_shards().empty());
  EXPECT_FALSE(cluster.sharding(client).machine_id().has_value());
  std::vector<CallResult> volatile_results(8), persisted_results(8);
  for (int i = 0; i < 8; ++i) {
    cluster.Call(client, kTestEntity, absl::StrCat(i), "GetUserVolatile",
                 absl::StrCat(i), &volatile_results[i]);
    cluster.Call(client, kTestEntity, absl::StrCat(i), "GetUser",
                 absl::StrCat(i), &persisted_results[i]);
  }
  cluster.RunForMs(2'000);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(SuccessValue(volatile_results[i]), absl::StrCat("User ", i));
    EXPECT_EQ(SuccessValue(persisted_results[i]), absl::StrCat("User ", i));
  }
  // Only runners are registered.
  EXPECT_EQ(cluster.state().GetRunners(cluster.world().NodeNowMs(a)).size(),
            2u);
}

// Lost messages are absorbed (Start and Poll are repeated and answered
// idempotently), so volatile requests neither fail nor run twice.
TEST(ShardingClusterTest, VolatileRequestsSurviveMessageLossOnce) {
  Cluster cluster(Mode::kReference);
  const NodeId a = cluster.AddRunner(1);
  const NodeId b = cluster.AddRunner(2);
  cluster.world().Start(a);
  cluster.world().Start(b);
  cluster.RunForMs(5'000);
  sim::LinkConfig lossy;
  lossy.latency = sim::LatencyModel{1'000, 0, 1'000};
  lossy.loss = 0.05;
  cluster.network().SetLink(a, b, lossy);
  cluster.network().SetLink(b, a, lossy);
  const std::string id = cluster.IdOwnedBy(b);
  std::vector<CallResult> results(50);
  for (int i = 0; i < 50; ++i) {
    cluster.Call(a, kTestEntity, id, "GetUserVolatile", absl::StrCat(i),
                 &results[i]);
    cluster.RunForMs(50);
  }
  cluster.RunForMs(60'000);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(SuccessValue(results[i]), absl::StrCat("User ", i));
  }
  EXPECT_EQ(cluster.entity(b).handled.size(), 50u);
  EXPECT_GT(cluster.network().stats().lost, 0u);
}

}  // namespace
}  // namespace clustersim::sharding
