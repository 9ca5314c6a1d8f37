// Ports of Effect's cluster-integration tests (platform-node
// test/cluster-integration: real runners on a shared SQL database) that the
// in-process world expresses: runners are TestNodes on one TestNetwork
// sharing one storage state, a "kill" is TestNode::Crash (every fiber gone,
// nothing received), and the survivor takes the dead runner's shards once
// its lease expires. Effect's waits ("waitUntil … within N seconds") become
// fixed virtual-time runs long enough for a lease to expire.
// The fixture and entities of the integration tests
// (sharding_integration*_test.cc). Test-only. Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_SHARDING_INTEGRATION_TESTING_H_
#define CLUSTERSIM_CORE_SHARDING_SHARDING_INTEGRATION_TESTING_H_

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

namespace clustersim::sharding::integration_testing {

using testing::kStartMs;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNetwork;
using testing::TestNode;

inline const EntityType kGrouped("GroupEntity");
inline const EntityType kPersistence("PersistenceEntity");
inline const EntityType kState("StateEntity");
inline const EntityType kMailbox("MailboxEntity");
inline const EntityType kResidency("ResidencyEntity");

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

inline EntityDefinition GroupedDefinition() {
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

inline EntityDefinition PersistenceDefinition() {
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

inline constexpr int64_t kMaxIdleMs = 1'000;

inline EntityDefinition StateDefinition() {
  EntityOptions options;
  options.max_idle_time_ms = kMaxIdleMs;
  EntityDefinition definition(kState, options);
  definition.Add(testing::Rpc("Increment", /*persisted=*/true))
      .Add(testing::Rpc("Ordered", /*persisted=*/true));
  return definition;
}

inline EntityDefinition ResidencyDefinition() {
  EntityOptions options;
  options.max_idle_time_ms = 1'000;
  options.concurrency = 2;
  EntityDefinition definition(kResidency, options);
  definition.Add(testing::Rpc("Ping", /*persisted=*/true))
      .Add(testing::Rpc("Hold", /*persisted=*/true));
  return definition;
}

inline EntityDefinition MailboxDefinition() {
  EntityOptions options;
  options.mailbox_capacity = 1;
  EntityDefinition definition(kMailbox, options);
  definition.Add(testing::Rpc("Hold", /*persisted=*/false));
  return definition;
}

inline Task<void> DiscardTo(Sharding* sharding, EntityType type, std::string id,
                            std::string tag, std::optional<absl::Status>* out) {
  *out = co_await sharding->SendDiscard(
      std::move(type), EntityId(std::move(id)), std::move(tag), "");
}

inline constexpr int64_t kLeaseMs = 3'000;

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

}  // namespace clustersim::sharding::integration_testing

#endif  // CLUSTERSIM_CORE_SHARDING_SHARDING_INTEGRATION_TESTING_H_
