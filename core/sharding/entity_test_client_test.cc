// EntityTestClient, written to Effect's Entity.makeTestClient: one
// activation per entity id holding its state, the entity's concurrency,
// Effect's test addresses, streams, and no sharding at all.
#include "core/sharding/entity_test_client.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/sync.h"
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

}  // namespace
}  // namespace clustersim::sharding
