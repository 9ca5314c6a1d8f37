#include "core/storage/storage_rpc_client.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/sync.h"
#include "core/storage/storage_errors.h"
#include "core/storage/storage_test_world.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::StorageTestWorld;
using testing::StorageTestWorldOptions;

const RunnerAddress kRunnerA("a", 1);
const RunnerAddress kRunnerB("b", 1);
const ShardId kShard1("default", 1);
const ShardId kShard2("default", 2);
const EntityAddress kAddress(EntityType("Counter"), EntityId("c"), kShard1);

Request MakeRequest(int64_t id, std::optional<std::string> primary_key) {
  return Request{.request_id = Snowflake(id),
                 .address = kAddress,
                 .tag = "Increment",
                 .payload = "{}",
                 .headers = {},
                 .primary_key = std::move(primary_key),
                 .deliver_at_ms = std::nullopt};
}

std::vector<int64_t> ReplyIds(const absl::StatusOr<std::vector<Reply>>& r) {
  std::vector<int64_t> ids;
  if (r.ok()) {
    for (const Reply& reply : *r) ids.push_back(ReplyIdOf(reply).value());
  }
  return ids;
}

template <typename T>
size_t SizeOf(const absl::StatusOr<std::vector<T>>& r) {
  return r.ok() ? r->size() : size_t{999};
}

bool IsPersistenceError(const absl::Status& status) {
  return IsClusterError<PersistenceError>(status);
}

// Every StorageClient operation once, in an order where each result shows
// the previous ones took effect on the server. (Arguments are built before
// each co_await: GCC 12 mishandles temporaries in co_await expressions.)
Task<void> EveryOperation(StorageClient* client, const Clock* clock) {
  const Runner runner(kRunnerA, {"default"}, 1);
  absl::Status status;
  absl::StatusOr<MachineId> machine = co_await client->Register(runner, true);
  EXPECT_EQ(machine.value_or(MachineId(-1)), MachineId(1));
  status = co_await client->SetRunnerHealth(kRunnerA, false);
  EXPECT_TRUE(status.ok()) << status;
  absl::StatusOr<std::vector<RunnerEntry>> runners =
      co_await client->GetRunners();
  const std::vector<RunnerEntry> expected_runners = {
      RunnerEntry{runner, false}};
  EXPECT_EQ(runners.value_or(std::vector<RunnerEntry>{}), expected_runners);

  const std::vector<ShardId> both_shards = {kShard1, kShard2};
  const std::vector<ShardId> shard1 = {kShard1};
  absl::StatusOr<std::vector<FencingToken>> acquired =
      co_await client->Acquire(kRunnerA, both_shards);
  EXPECT_EQ(SizeOf(acquired), 2u);
  absl::StatusOr<std::vector<FencingToken>> refreshed =
      co_await client->Refresh(kRunnerA, shard1);
  EXPECT_EQ(SizeOf(refreshed), 1u);
  if (acquired.ok() && refreshed.ok() && !refreshed->empty()) {
    EXPECT_EQ(refreshed->front(), acquired->front());
  }

  const std::string key = "pk";
  const std::optional<FencingToken> no_token;
  const Request first = MakeRequest(10, key);
  const Request second = MakeRequest(11, key);
  absl::StatusOr<SaveResult> saved = co_await client->SaveRequest(first);
  EXPECT_TRUE(saved.ok() && std::holds_alternative<SaveSuccess>(*saved));
  saved = co_await client->SaveRequest(second);
  EXPECT_TRUE(saved.ok() && std::holds_alternative<SaveDuplicate>(*saved) &&
              std::get<SaveDuplicate>(*saved).original_id == Snowflake(10));
  absl::StatusOr<std::optional<Snowflake>> found =
      co_await client->RequestIdForPrimaryKey(key);
  EXPECT_EQ(found.value_or(std::nullopt), Snowflake(10));

  const std::vector<Snowflake> request = {Snowflake(10)};
  const UnprocessedQuery query{shard1, std::nullopt, std::nullopt};
  absl::StatusOr<std::vector<StoredMessage>> unprocessed =
      co_await client->UnprocessedMessages(query, clock->NowMs());
  EXPECT_EQ(SizeOf(unprocessed), 1u);
  unprocessed =
      co_await client->UnprocessedMessagesById(request, clock->NowMs());
  EXPECT_EQ(SizeOf(unprocessed), 1u);

  const Reply chunk = Chunk{Snowflake(10), Snowflake(100), 0, {"v"}};
  status = co_await client->SaveReply(chunk, no_token);
  EXPECT_TRUE(status.ok()) << status;
  absl::StatusOr<std::vector<Reply>> replies =
      co_await client->RepliesFor(request);
  EXPECT_THAT(ReplyIds(replies), ElementsAre(100));
  const AckChunk ack{Snowflake(200), kAddress, Snowflake(10), Snowflake(100)};
  status = co_await client->SaveEnvelope(ack);
  EXPECT_TRUE(status.ok()) << status;
  replies = co_await client->RepliesFor(request);
  EXPECT_THAT(ReplyIds(replies), IsEmpty());
  replies = co_await client->RepliesForUnfiltered(request);
  EXPECT_THAT(ReplyIds(replies), ElementsAre(100));
  const Interrupt interrupt{Snowflake(201), kAddress, Snowflake(10)};
  status = co_await client->SaveEnvelope(interrupt);
  EXPECT_TRUE(status.ok()) << status;
  const Reply exit =
      WithExit{Snowflake(10), Snowflake(101), Exit::Success("1")};
  status = co_await client->SaveReply(exit, no_token);
  EXPECT_TRUE(status.ok()) << status;
  replies = co_await client->RepliesFor(request);
  EXPECT_THAT(ReplyIds(replies), ElementsAre(101));
  status = co_await client->ClearReplies(Snowflake(10), Snowflake(101));
  EXPECT_TRUE(status.ok()) << status;
  replies = co_await client->RepliesFor(request);
  EXPECT_THAT(ReplyIds(replies), IsEmpty());

  const std::vector<EntityAddress> addresses = {kAddress};
  status = co_await client->ResetShards(shard1);
  EXPECT_TRUE(status.ok()) << status;
  status = co_await client->ResetAddresses(addresses);
  EXPECT_TRUE(status.ok()) << status;
  status = co_await client->ResetRequests(request);
  EXPECT_TRUE(status.ok()) << status;
  status = co_await client->ClearAddress(kAddress);
  EXPECT_TRUE(status.ok()) << status;
  found = co_await client->RequestIdForPrimaryKey(key);
  EXPECT_TRUE(found.ok() && !found->has_value());

  status = co_await client->Release(kRunnerA, kShard2, std::nullopt);
  EXPECT_TRUE(status.ok()) << status;
  status = co_await client->ReleaseAll(kRunnerA, std::nullopt);
  EXPECT_TRUE(status.ok()) << status;
  refreshed = co_await client->Refresh(kRunnerA, both_shards);
  EXPECT_TRUE(refreshed.ok() && refreshed->empty());
  status = co_await client->Unregister(kRunnerA);
  EXPECT_TRUE(status.ok()) << status;
  runners = co_await client->GetRunners();
  EXPECT_TRUE(runners.ok() && runners->empty());
}

TEST(StorageRpcClientTest, EveryOperationWorksOverTheNetwork) {
  StorageTestWorld sim;
  std::unique_ptr<StorageRpcClient> client = sim.MakeClient(kRunnerA);
  sim.Run(EveryOperation(client.get(), sim.client().env().executor));
  // The replies were written by the shard's owner: nothing to report.
  EXPECT_EQ(sim.backend().audit().accepted_replies(), 2u);
  EXPECT_THAT(sim.backend().audit().ownership_violations(), IsEmpty());
  EXPECT_EQ(sim.backend().stats().requests, 30u);
}

struct Outcome {
  absl::Status status;
  int64_t elapsed_ms = 0;
};

Task<void> TimedSave(StorageClient* client, const Clock* clock, int64_t id,
                     Outcome* out) {
  const int64_t start_ms = clock->NowMs();
  const Request request = MakeRequest(id, std::nullopt);
  absl::StatusOr<SaveResult> saved = co_await client->SaveRequest(request);
  *out = Outcome{saved.status(), clock->NowMs() - start_ms};
}

Task<void> TimedAcquire(StorageClient* client, const Clock* clock,
                        Outcome* out) {
  const int64_t start_ms = clock->NowMs();
  const std::vector<ShardId> shards = {kShard1};
  absl::StatusOr<std::vector<FencingToken>> tokens =
      co_await client->Acquire(kRunnerA, shards);
  *out = Outcome{tokens.status(), clock->NowMs() - start_ms};
}

TEST(StorageRpcClientTest, PartitionTimesOutAsPersistenceErrorThenRecovers) {
  StorageTestWorld sim;
  std::unique_ptr<StorageRpcClient> client = sim.MakeClient(kRunnerA);
  const Clock* clock = sim.client().env().executor;
  const NodeId storage[] = {sim.storage_node()};
  const NodeId runner[] = {sim.client_node()};
  sim.network().Partition(storage, runner);

  Outcome save, acquire;
  sim.Run(TimedSave(client.get(), clock, 10, &save));
  EXPECT_TRUE(IsPersistenceError(save.status)) << save.status;
  EXPECT_THAT(std::string(save.status.message()),
              ::testing::HasSubstr("storage save_request: DEADLINE_EXCEEDED"));
  EXPECT_EQ(save.elapsed_ms, StorageTestWorld::kCallTimeoutMs);
  // Lock operations have their own deadline.
  sim.Run(TimedAcquire(client.get(), clock, &acquire));
  EXPECT_TRUE(IsPersistenceError(acquire.status)) << acquire.status;
  EXPECT_EQ(acquire.elapsed_ms, StorageTestWorld::kLockCallTimeoutMs);
  EXPECT_EQ(sim.backend().state().messages().message_count(), 0);

  sim.network().Heal();
  sim.Run(TimedSave(client.get(), clock, 10, &save));
  EXPECT_TRUE(save.status.ok()) << save.status;
  EXPECT_EQ(save.elapsed_ms, 2);  // one round trip
  EXPECT_EQ(sim.backend().state().messages().message_count(), 1);
}

Task<void> ContractErrors(StorageClient* client, absl::Status* duplicate_id,
                          absl::Status* too_many_ids) {
  const Request request = MakeRequest(10, std::nullopt);
  const absl::Status saved = (co_await client->SaveRequest(request)).status();
  EXPECT_TRUE(saved.ok()) << saved;
  *duplicate_id = (co_await client->SaveRequest(request)).status();
  const std::vector<Snowflake> ids(5000, Snowflake(1));
  *too_many_ids = (co_await client->RepliesFor(ids)).status();
}

TEST(StorageRpcClientTest, ServerRefusalsBecomePersistenceErrors) {
  StorageTestWorld sim;
  std::unique_ptr<StorageRpcClient> client = sim.MakeClient(kRunnerA);
  absl::Status duplicate_id, too_many_ids;
  sim.Run(ContractErrors(client.get(), &duplicate_id, &too_many_ids));
  // A constraint violation is the server's own PersistenceError, unchanged.
  EXPECT_TRUE(IsPersistenceError(duplicate_id)) << duplicate_id;
  EXPECT_FALSE(absl::StrContains(duplicate_id.message(), "storage save"));
  // A limit of this server is wrapped, naming the method and the cause.
  EXPECT_TRUE(IsPersistenceError(too_many_ids)) << too_many_ids;
  EXPECT_THAT(std::string(too_many_ids.message()),
              ::testing::HasSubstr(
                  "storage replies_for: INVALID_ARGUMENT: storage limit:"));
}

Task<void> StaleReply(StorageClient* client, absl::Status* out) {
  const Request request = MakeRequest(10, std::nullopt);
  const absl::Status saved = (co_await client->SaveRequest(request)).status();
  EXPECT_TRUE(saved.ok()) << saved;
  const Reply exit = WithExit{Snowflake(10), Snowflake(11), Exit::Success("1")};
  const std::optional<FencingToken> token = FencingToken{kShard1, 7};
  *out = co_await client->SaveReply(exit, token);
}

TEST(StorageRpcClientTest, FencedWritesKeepTheirStatus) {
  StorageTestWorld sim({.mode = StorageMode::kHardened});
  std::unique_ptr<StorageRpcClient> client = sim.MakeClient(kRunnerA);
  absl::Status status;
  sim.Run(StaleReply(client.get(), &status));
  EXPECT_TRUE(IsFenced(status)) << status;
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
}

// A storage node that answers GetRunners with bytes that do not decode.
class GarbageServer : public Process {
 public:
  explicit GarbageServer(const NodeEnv& env) : endpoint_(env) {
    endpoint_.Register(static_cast<RpcMethod>(StorageMethod::kGetRunners),
                       [](NodeId, std::string) { return Garbage(); });
  }
  void OnMessage(NodeId from, std::string_view bytes) override {
    (void)endpoint_.HandleMessage(from, bytes);
  }

 private:
  static Task<absl::StatusOr<std::string>> Garbage() { co_return "\x05"; }
  RpcEndpoint endpoint_;
};

Task<void> GetRunnersInto(StorageClient* client, absl::Status* out) {
  *out = (co_await client->GetRunners()).status();
}

Task<void> MarkDone(Task<void> script, bool* done) {
  co_await script;
  *done = true;
}

TEST(StorageRpcClientTest, UndecodableResponsesArePersistenceErrors) {
  sim::World world(sim::WorldOptions{.seed = 3});
  sim::Network network(world);
  const NodeId storage = world.AddNode("garbage", [](const NodeEnv& env) {
    return std::make_unique<GarbageServer>(env);
  });
  const NodeId runner = world.AddNode("client", [](const NodeEnv& env) {
    return std::make_unique<testing::ClientProcess>(env);
  });
  world.Start(storage);
  world.Start(runner);
  auto& process = *static_cast<testing::ClientProcess*>(world.process(runner));
  StorageRpcClient client(process.endpoint(), {.storage_node = storage,
                                               .runner_address = std::nullopt,
                                               .call_timeout_ms = 1'000,
                                               .lock_call_timeout_ms = 1'000});
  absl::Status status;
  bool done = false;
  process.env().scope->Spawn(MarkDone(GetRunnersInto(&client, &status), &done));
  while (!done && world.Step()) {
  }
  ASSERT_TRUE(done);
  EXPECT_TRUE(IsPersistenceError(status)) << status;
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("storage get_runners: DATA_LOSS: "
                                   "undecodable response: malformed:"));
}

}  // namespace
}  // namespace clustersim::storage
