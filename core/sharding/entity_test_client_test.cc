// EntityTestClient, written to Effect's Entity.makeTestClient: one
// activation per entity id holding its state, the entity's concurrency,
// Effect's test addresses, streams, and no sharding at all.
#include "core/sharding/entity_test_client.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_queue.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

const EntityType kCounter("Counter");

struct World {
  int builds = 0;
  int build_failures = 0;
  Latch release;
  std::vector<std::string> runner_addresses;
};

// "Add" adds the payload to the activation's total and returns it; "Hold"
// waits for World::release; "Count" streams 1..payload; "Where" returns
// the entity's address.
class CounterHandler : public EntityHandler {
 public:
  CounterHandler(World* world, EntityContext& context)
      : world_(world), context_(context) {}

  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter* chunks) override {
    if (request.tag == "Add") {
      total_ += std::stoll(request.payload);
      co_return storage::Exit::Success(absl::StrCat(total_));
    }
    if (request.tag == "Hold") co_await world_->release.Wait();
    if (request.tag == "Count") {
      for (int i = 1; i <= std::stoi(request.payload); ++i) {
        std::vector<std::string> values(1, absl::StrCat(i));
        (void)co_await chunks->Emit(std::move(values));
      }
    }
    if (request.tag == "Where") {
      co_return storage::Exit::Success(
          absl::StrCat(context_.address().ToString(), " on ",
                       context_.runner_address().Key()));
    }
    co_return storage::Exit::Success("done");
  }

 private:
  World* world_;
  EntityContext& context_;
  int64_t total_ = 0;
};

RpcSpec Rpc(std::string tag, bool stream = false) {
  RpcSpec spec;
  spec.tag = std::move(tag);
  spec.stream = stream;
  return spec;
}

EntityDefinition CounterDefinition() {
  EntityDefinition definition(kCounter);  // concurrency 1
  for (const char* tag : {"Add", "Hold", "Where"}) {
    RpcSpec spec;
    spec.tag = tag;
    definition.Add(std::move(spec));
  }
  RpcSpec count;
  count.tag = "Count";
  count.stream = true;
  definition.Add(std::move(count));
  return definition;
}

using Result = std::optional<absl::StatusOr<storage::Exit>>;

Task<void> SendInto(EntityTestClient* client, std::string id, std::string tag,
                    std::string payload, Result* out,
                    std::vector<std::string>* chunks = nullptr) {
  *out = co_await client->Send(
      EntityId(std::move(id)), std::move(tag), std::move(payload),
      [chunks](const std::vector<std::string>& values) {
        if (chunks != nullptr) {
          chunks->insert(chunks->end(), values.begin(), values.end());
        }
      });
}

std::string Value(const Result& result) {
  if (!result.has_value()) return "<pending>";
  if (!result->ok()) return result->status().ToString();
  return (*result)->is_success() ? (*result)->value() : "<failure>";
}

class EntityTestClientTest : public ::testing::Test {
 protected:
  std::string Call(std::string id, std::string tag, std::string payload = "") {
    Result result;
    scope_.Spawn(SendInto(&client_, std::move(id), std::move(tag),
                          std::move(payload), &result));
    ex_.RunForMs(0);
    return Value(result);
  }

  ManualExecutor ex_{1'000};
  World world_;
  EntityTestClient client_{
      CounterDefinition(),
      [world = &world_](EntityContext& context)
          -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
        if (world->build_failures > 0) {
          --world->build_failures;
          return absl::InternalError("no build");
        }
        ++world->builds;
        return std::make_unique<CounterHandler>(world, context);
      },
      300, ex_};
  // After the client: its fibers end first.
  Scope scope_{ex_};
};

TEST_F(EntityTestClientTest, EachEntityIdKeepsItsOwnActivation) {
  EXPECT_EQ(Call("a", "Add", "2"), "2");
  EXPECT_EQ(Call("a", "Add", "3"), "5");
  EXPECT_EQ(Call("b", "Add", "1"), "1");
  EXPECT_EQ(world_.builds, 2);
}

TEST_F(EntityTestClientTest, AddressesAreEffectsTestAddresses) {
  const absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId("a"), "default", 300);
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(
      Call("a", "Where"),
      absl::StrCat(EntityAddress(kCounter, EntityId("a"), *shard).ToString(),
                   " on localhost:3000"));
}

TEST_F(EntityTestClientTest, RequestsRunWithTheEntitysConcurrency) {
  Result held;
  Result next;
  scope_.Spawn(SendInto(&client_, "a", "Hold", "", &held));
  scope_.Spawn(SendInto(&client_, "a", "Add", "1", &next));
  ex_.RunForMs(0);
  EXPECT_FALSE(held.has_value());
  EXPECT_FALSE(next.has_value());         // concurrency 1
  EXPECT_EQ(Call("b", "Add", "7"), "7");  // another entity is not held up
  world_.release.Open();
  ex_.RunForMs(0);
  EXPECT_EQ(Value(held), "done");
  EXPECT_EQ(Value(next), "1");
}

TEST_F(EntityTestClientTest, StreamsDeliverTheirChunks) {
  Result result;
  std::vector<std::string> chunks;
  scope_.Spawn(SendInto(&client_, "a", "Count", "3", &result, &chunks));
  ex_.RunForMs(0);
  EXPECT_EQ(Value(result), "done");
  EXPECT_EQ(chunks, (std::vector<std::string>{"1", "2", "3"}));
}

TEST_F(EntityTestClientTest, BadTagsAndFailedBuildsAreErrors) {
  EXPECT_EQ(Call("a", "Nope"),
            "INVALID_ARGUMENT: entity type Counter has no RPC Nope");
  world_.build_failures = 1;
  EXPECT_EQ(Call("a", "Add", "1"), "INTERNAL: no build");
  EXPECT_EQ(Call("a", "Add", "1"), "1");  // the build is retried
}

// --- Ported from Effect's Entity.test.ts (makeTestClient, toLayerQueue) ---

// "provides an activation scope per entity and closes it with the client"
TEST(EntityTestClientPortTest, EachEntityHasAnActivationEndedWithTheClient) {
  ManualExecutor ex(1'000);
  std::vector<std::string> closed;
  std::vector<EntityContext*> activations;
  Result one;
  Result two;
  {
    EntityDefinition definition(EntityType("ActivationScope"));
    definition.Add(Rpc("Where"));
    EntityTestClient client(
        std::move(definition),
        [&](EntityContext& context)
            -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
          activations.push_back(&context);
          context.AddActivationFinalizer([&closed, &context](bool) {
            closed.push_back(context.address().entity_id().value());
          });
          return std::make_unique<CounterHandler>(nullptr, context);
        },
        300, ex);
    Scope scope(ex);
    scope.Spawn(SendInto(&client, "one", "Where", "", &one));
    scope.Spawn(SendInto(&client, "two", "Where", "", &two));
    ex.RunForMs(0);
    ASSERT_EQ(activations.size(), 2u);
    EXPECT_NE(activations[0], activations[1]);
    EXPECT_TRUE(closed.empty());
  }
  std::sort(closed.begin(), closed.end());
  EXPECT_EQ(closed, (std::vector<std::string>{"one", "two"}));
}

// FatalDefectEntity: Hold waits for the release and answers 42; Bad dies
// (or fails with a typed error).
class FatalDefectHandler : public EntityHandler {
 public:
  FatalDefectHandler(Latch* release, bool defecting)
      : release_(release), defecting_(defecting) {}
  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter*) override {
    if (request.tag == "Hold") {
      co_await release_->Wait();
      co_return storage::Exit::Success("42");
    }
    co_return storage::Exit::Failure(
        defecting_
            ? storage::Cause{storage::CauseKind::kDie, "fixture defect"}
            : storage::Cause{storage::CauseKind::kFail, "typed failure"});
  }

 private:
  Latch* release_;
  bool defecting_;
};

struct Observed {
  storage::Exit bad = storage::Exit::Success("");
  storage::Exit good = storage::Exit::Success("");
};

Observed ObserveFatalDefect(std::optional<bool> disable_fatal_defects,
                            bool defecting, bool separate_ids = false) {
  ManualExecutor ex(1'000);
  Latch release;
  EntityOptions options;
  options.concurrency = kUnboundedConcurrency;
  options.disable_fatal_defects = disable_fatal_defects.value_or(false);
  EntityDefinition definition(EntityType("FatalDefectEntity"), options);
  definition.Add(Rpc("Hold")).Add(Rpc("Bad"));
  EntityTestClient client(
      std::move(definition),
      [&](EntityContext&) -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
        return std::make_unique<FatalDefectHandler>(&release, defecting);
      },
      300, ex);
  Scope scope(ex);
  Result good;
  Result bad;
  scope.Spawn(SendInto(&client, "one", "Hold", "", &good));
  ex.RunForMs(0);
  scope.Spawn(SendInto(&client, separate_ids ? "two" : "one", "Bad", "", &bad));
  ex.RunForMs(0);
  release.Open();
  ex.RunForMs(0);
  EXPECT_TRUE(good.has_value() && good->ok());
  EXPECT_TRUE(bad.has_value() && bad->ok());
  Observed observed;
  if (good.has_value() && good->ok()) observed.good = **good;
  if (bad.has_value() && bad->ok()) observed.bad = **bad;
  return observed;
}

const storage::Exit kDefect = storage::Exit::Failure(
    storage::Cause{storage::CauseKind::kDie, "fixture defect"});

TEST(EntityTestClientPortTest, IsolatesDefectsOnlyWhenFatalDefectsAreOff) {
  for (std::optional<bool> flag :
       {std::optional<bool>(true), std::optional<bool>(false),
        std::optional<bool>()}) {
    SCOPED_TRACE(flag.has_value() ? (*flag ? "true" : "false") : "omitted");
    const Observed observed = ObserveFatalDefect(flag, /*defecting=*/true);
    EXPECT_EQ(observed.bad, kDefect);  // Bad keeps its own defect
    EXPECT_EQ(observed.good,
              flag == true ? storage::Exit::Success("42") : kDefect);
  }
}

TEST(EntityTestClientPortTest, KeepsTypedFailuresRequestLocal) {
  for (std::optional<bool> flag :
       {std::optional<bool>(true), std::optional<bool>(false),
        std::optional<bool>()}) {
    const Observed observed = ObserveFatalDefect(flag, /*defecting=*/false);
    EXPECT_EQ(observed.bad, storage::Exit::Failure(storage::Cause{
                                storage::CauseKind::kFail, "typed failure"}));
    EXPECT_EQ(observed.good, storage::Exit::Success("42"));
  }
}

TEST(EntityTestClientPortTest, DoesNotSendFatalDefectsAcrossEntityIds) {
  const Observed observed =
      ObserveFatalDefect(false, /*defecting=*/true, /*separate_ids=*/true);
  EXPECT_EQ(observed.bad, kDefect);
  EXPECT_EQ(observed.good, storage::Exit::Success("42"));
}

// "replies to a streaming RPC" (toLayerQueue through makeTestClient).
Task<void> StreamBehaviour(Queue<QueuedRequest>& mailbox, Replier& replier) {
  for (;;) {
    std::optional<QueuedRequest> request = co_await mailbox.Receive();
    if (!request.has_value()) co_return;
    for (int i = 1; i <= 3; ++i) {
      std::vector<std::string> values(1, absl::StrCat(i));
      (void)co_await request->chunks->Emit(std::move(values));
    }
    replier.Succeed(request->request_id, "");
  }
}

TEST(EntityTestClientPortTest, AQueueEntityRepliesToAStreamingRpc) {
  ManualExecutor ex(1'000);
  EntityDefinition definition(EntityType("StreamEntity"));
  definition.Add(Rpc("Watch", /*stream=*/true));
  QueueEntity entity = ToQueueEntity(
      std::move(definition),
      [](Queue<QueuedRequest>& mailbox, Replier& replier, EntityContext&) {
        return StreamBehaviour(mailbox, replier);
      });
  EntityTestClient client(std::move(entity.definition),
                          std::move(entity.factory), 300, ex);
  Scope scope(ex);
  Result result;
  std::vector<std::string> chunks;
  scope.Spawn(SendInto(&client, "entity-1", "Watch", "", &result, &chunks));
  ex.RunForMs(0);
  EXPECT_EQ(Value(result), "");
  EXPECT_EQ(chunks, (std::vector<std::string>{"1", "2", "3"}));
}

}  // namespace
}  // namespace clustersim::sharding
