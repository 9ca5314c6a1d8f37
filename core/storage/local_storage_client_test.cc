#include "core/storage/local_storage_client.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/storage/storage_errors.h"

namespace clustersim::storage {
namespace {

const RunnerAddress kRunner("localhost", 1234);
const ShardId kShard("default", 1);

Request MakeRequest(int64_t id) {
  return Request{Snowflake(id),
                 EntityAddress(EntityType("T"), EntityId("e"), kShard),
                 "tag",
                 "payload",
                 {},
                 std::nullopt,
                 std::nullopt};
}

struct Results {
  std::optional<absl::StatusOr<std::vector<FencingToken>>> acquired;
  std::optional<absl::StatusOr<SaveResult>> saved;
  std::optional<absl::StatusOr<SaveResult>> saved_again;
  std::optional<absl::Status> reply;
  std::optional<absl::Status> fenced_reply;
  std::optional<absl::StatusOr<std::vector<StoredMessage>>> unprocessed;
};

Task<void> Exercise(StorageClient* client, Results* out) {
  // (GCC 12 miscompiles braced lists inside co_await expressions.)
  std::vector<ShardId> shards = {kShard};
  out->acquired = co_await client->Acquire(kRunner, shards);
  out->saved = co_await client->SaveRequest(MakeRequest(1));
  out->saved_again = co_await client->SaveRequest(MakeRequest(1));
  UnprocessedQuery query;
  query.shards = shards;
  out->unprocessed = co_await client->UnprocessedMessages(query, 0);
  const Reply reply = WithExit{Snowflake(1), Snowflake(10), Exit::Success("v")};
  const FencingToken stale{kShard, 999};
  out->fenced_reply = co_await client->SaveReply(reply, stale);
  out->reply = co_await client->SaveReply(reply, (*out->acquired)->front());
}

TEST(LocalStorageClientTest, CallsTheStateAndMapsErrors) {
  ManualExecutor ex(1'000'000);
  Scope scope(ex);
  StorageState::Options options;
  options.mode = StorageMode::kHardened;
  StorageState state(options);
  LocalStorageClient client(state, ex);
  Results out;
  scope.Spawn(Exercise(&client, &out));
  ex.RunUntilIdle();

  ASSERT_TRUE(out.acquired.has_value() && out.acquired->ok());
  ASSERT_EQ((*out.acquired)->size(), 1u);
  EXPECT_EQ((*out.acquired)->front().shard, kShard);
  ASSERT_TRUE(out.saved.has_value() && out.saved->ok());
  EXPECT_TRUE(std::holds_alternative<SaveSuccess>(**out.saved));
  // A repeated request id without a primary key is a SQL key violation:
  // the client sees a PersistenceError.
  ASSERT_TRUE(out.saved_again.has_value());
  EXPECT_TRUE(IsClusterError<PersistenceError>(out.saved_again->status()));
  ASSERT_TRUE(out.unprocessed.has_value() && out.unprocessed->ok());
  EXPECT_EQ((*out.unprocessed)->size(), 1u);
  // A fenced write keeps its own status.
  ASSERT_TRUE(out.fenced_reply.has_value());
  EXPECT_TRUE(IsFenced(*out.fenced_reply)) << *out.fenced_reply;
  ASSERT_TRUE(out.reply.has_value());
  EXPECT_TRUE(out.reply->ok()) << *out.reply;
}

}  // namespace
}  // namespace clustersim::storage
