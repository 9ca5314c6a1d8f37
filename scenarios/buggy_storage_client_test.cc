#include "scenarios/buggy_storage_client.h"

#include <memory>
#include <optional>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/storage_state.h"
#include "gtest/gtest.h"

namespace clustersim::scenarios {
namespace {

const RunnerAddress kR1("r1", 1);
const RunnerAddress kR2("r2", 2);
const ShardId kShard1("default", 1);
const ShardId kShard2("default", 2);

storage::Request MakeRequest(int64_t id, const ShardId& shard) {
  return storage::Request{Snowflake(id),
                          EntityAddress(EntityType("T"), EntityId("e"), shard),
                          "tag",
                          "payload",
                          {},
                          std::nullopt,
                          std::nullopt};
}

size_t SizeOf(const absl::StatusOr<std::vector<storage::StoredMessage>>& r) {
  return r.ok() ? r->size() : 0;
}

class BuggyStorageClientTest : public ::testing::Test {
 protected:
  BuggyStorageClientTest() : ex_(1'000'000), scope_(ex_), state_(Options()) {}

  static storage::StorageState::Options Options() {
    storage::StorageState::Options options;
    options.runners.lock_expiration_ms = 3'000;
    return options;
  }

  std::unique_ptr<storage::StorageClient> Client(StorageBug bug) {
    return std::make_unique<BuggyStorageClient>(
        std::make_unique<storage::LocalStorageClient>(state_, ex_), bug);
  }

  void Run(Task<void> script) {
    scope_.Spawn(std::move(script));
    ex_.RunUntilIdle();
  }

  ManualExecutor ex_;
  Scope scope_;
  storage::StorageState state_;
};

// Saves request 1, reads it (claimed), answers it, saves request 2 and
// reads twice more; records the sizes of the three reads.
Task<void> ReadAnswerRead(storage::StorageClient* client,
                          std::vector<size_t>* reads) {
  storage::UnprocessedQuery query;
  query.shards = std::vector<ShardId>(1, kShard1);
  (void)co_await client->SaveRequest(MakeRequest(1, kShard1));
  reads->push_back(SizeOf(co_await client->UnprocessedMessages(query, 0)));
  const storage::Reply exit = storage::WithExit{Snowflake(1), Snowflake(10),
                                                storage::Exit::Success("v")};
  (void)co_await client->SaveReply(exit, std::nullopt);
  (void)co_await client->SaveRequest(MakeRequest(2, kShard1));
  reads->push_back(SizeOf(co_await client->UnprocessedMessages(query, 0)));
  reads->push_back(SizeOf(co_await client->UnprocessedMessages(query, 0)));
}

TEST_F(BuggyStorageClientTest, WithoutABugReadsAreStorageReads) {
  std::unique_ptr<storage::StorageClient> client = Client(StorageBug::kNone);
  std::vector<size_t> reads;
  Run(ReadAnswerRead(client.get(), &reads));
  EXPECT_EQ(reads, (std::vector<size_t>{1, 1, 0}));
}

TEST_F(BuggyStorageClientTest, RedeliverAnsweredReturnsEveryRequestReadBefore) {
  std::unique_ptr<storage::StorageClient> client =
      Client(StorageBug::kRedeliverAnswered);
  std::vector<size_t> reads;
  Run(ReadAnswerRead(client.get(), &reads));
  // Request 1 comes back although it is answered, and request 2 although
  // its claim hides it from storage's own reads.
  EXPECT_EQ(reads, (std::vector<size_t>{1, 2, 2}));
}

// r2 holds shard 2; r1 asks for shards 1 and 2.
Task<void> Contend(storage::StorageClient* r1, storage::StorageClient* r2,
                   absl::StatusOr<std::vector<storage::FencingToken>>* got) {
  const std::vector<ShardId> two(1, kShard2);
  std::vector<ShardId> both = {kShard1, kShard2};
  (void)co_await r2->Acquire(kR2, two);
  *got = co_await r1->Acquire(kR1, both);
}

TEST_F(BuggyStorageClientTest, AcquireTakesHeldShardsReportsThemWithEpochZero) {
  std::unique_ptr<storage::StorageClient> honest = Client(StorageBug::kNone);
  std::unique_ptr<storage::StorageClient> taker =
      Client(StorageBug::kAcquireTakesHeldShards);
  absl::StatusOr<std::vector<storage::FencingToken>> got;
  Run(Contend(taker.get(), honest.get(), &got));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].shard, kShard1);
  EXPECT_GT((*got)[0].epoch, 0u);
  EXPECT_EQ((*got)[1], (storage::FencingToken{kShard2, 0}));
}

}  // namespace
}  // namespace clustersim::scenarios
