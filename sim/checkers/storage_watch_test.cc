#include "sim/checkers/storage_watch.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cluster/entity_address.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/storage/envelope.h"
#include "core/storage/storage_rpc_client.h"
#include "core/storage/storage_test_world.h"
#include "gtest/gtest.h"
#include "sim/trace.h"

namespace clustersim::sim::checkers {
namespace {

const RunnerAddress kR1("r1", 1);
const RunnerAddress kR2("r2", 2);
const ShardId kShard("default", 3);
const EntityAddress kAddress(EntityType("Counter"), EntityId("c1"), kShard);

storage::Request RequestWithKey(int64_t id) {
  storage::Request request{
      Snowflake(id), kAddress, "Increment", "", {}, "Counter/c1/Increment/a-1",
      std::nullopt};
  return request;
}

storage::Reply Exit(int64_t request, int64_t reply) {
  return storage::WithExit{Snowflake(request), Snowflake(reply),
                           storage::Exit::Success("v")};
}

// r1 takes kShard and answers request 7; a resend under the same key is a
// Duplicate; r1 answers 7 again (refused: one exit per request); r2, with no
// lease, answers request 8.
Task<void> Script(storage::StorageClient* r1, storage::StorageClient* r2) {
  const Runner runner(kR1, std::vector<std::string>{"default"}, 1);
  const std::vector<ShardId> shards(1, kShard);
  const storage::Reply chunk = storage::Chunk{Snowflake(7), Snowflake(70), 0,
                                              std::vector<std::string>(1, "c")};
  const storage::Request other{Snowflake(8), kAddress,     "Increment", "",
                               {},           std::nullopt, std::nullopt};
  EXPECT_TRUE((co_await r1->Register(runner, true)).ok());
  EXPECT_TRUE((co_await r1->Acquire(kR1, shards)).ok());
  EXPECT_TRUE((co_await r1->SaveRequest(RequestWithKey(7))).ok());
  EXPECT_TRUE((co_await r1->SaveRequest(RequestWithKey(9))).ok());
  EXPECT_TRUE((co_await r1->SaveRequest(other)).ok());
  EXPECT_TRUE((co_await r1->SaveReply(chunk, std::nullopt)).ok());
  EXPECT_TRUE((co_await r1->SaveReply(Exit(7, 71), std::nullopt)).ok());
  EXPECT_FALSE((co_await r1->SaveReply(Exit(7, 72), std::nullopt)).ok());
  EXPECT_TRUE((co_await r2->SaveReply(Exit(8, 80), std::nullopt)).ok());
}

class Forward : public TraceListener {
 public:
  explicit Forward(StorageWatch* watch) : watch_(watch) {}
  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override {
    watch_->OnTraceEvent(time_us, node, kind, detail);
  }

 private:
  StorageWatch* watch_;
};

TEST(StorageWatchTest, ReportsSavedRequestsAcceptedExitsAndAuditPolls) {
  storage::testing::StorageTestWorld sim;
  std::vector<std::pair<int64_t, Snowflake>> saved;
  std::vector<std::pair<int64_t, storage::WithExit>> exits;
  std::vector<size_t> violations_seen;
  StorageWatch watch(
      sim.storage_node().value, sim.backend(),
      StorageWatch::Callbacks{
          .request_saved =
              [&saved](int64_t time_us, Snowflake id) {
                saved.emplace_back(time_us, id);
              },
          .exit_accepted =
              [&exits](int64_t time_us, const storage::WithExit& exit) {
                exits.emplace_back(time_us, exit);
              },
          .reply_written =
              [&violations_seen](int64_t, const storage::StorageAudit& audit) {
                violations_seen.push_back(audit.ownership_violations().size());
              }});
  Forward forward(&watch);
  sim.world().trace().set_listener(&forward);
  std::unique_ptr<storage::StorageRpcClient> r1 = sim.MakeClient(kR1);
  std::unique_ptr<storage::StorageRpcClient> r2 = sim.MakeClient(kR2);
  sim.Run(Script(r1.get(), r2.get()));
  sim.world().trace().set_listener(nullptr);

  ASSERT_EQ(saved.size(), 2u);  // 7 and 8; 9 was a Duplicate
  EXPECT_EQ(saved[0].second, Snowflake(7));
  EXPECT_EQ(saved[1].second, Snowflake(8));
  EXPECT_GT(saved[0].first, 0);
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[0].second, std::get<storage::WithExit>(Exit(7, 71)));
  EXPECT_EQ(exits[1].second, std::get<storage::WithExit>(Exit(8, 80)));
  EXPECT_LT(exits[0].first, exits[1].first);
  // One poll per SaveReply (chunk, exit, refused exit, r2's exit); only
  // r2's write broke ownership.
  EXPECT_EQ(violations_seen, (std::vector<size_t>{0, 0, 0, 1}));
  EXPECT_EQ(watch.malformed(), 0);
}

TEST(StorageWatchTest, IgnoresOtherNodesAndCountsUnparsableDetails) {
  storage::testing::StorageTestWorld sim;
  int calls = 0;
  StorageWatch watch(
      sim.storage_node().value, sim.backend(),
      StorageWatch::Callbacks{
          .request_saved = [&calls](int64_t, Snowflake) { ++calls; },
          .exit_accepted = [&calls](int64_t,
                                    const storage::WithExit&) { ++calls; },
          .reply_written = nullptr});
  const uint32_t storage = sim.storage_node().value;
  watch.OnTraceEvent(1, storage + 1, "storage.save_request",
                     "from=2 request=5 shard=default:1 -> saved");
  watch.OnTraceEvent(1, storage, "storage.save_request",
                     "from=2 request=5 shard=default:1 -> duplicate of 4");
  watch.OnTraceEvent(1, storage, "storage.get_runners", "from=2 all -> n=0");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(watch.malformed(), 0);
  watch.OnTraceEvent(1, storage, "storage.save_request",
                     "from=2 request=x shard=default:1 -> saved");
  // An accepted exit that the state does not hold.
  watch.OnTraceEvent(1, storage, "storage.save_reply",
                     "from=2 request=5 reply=6 exit writer=- token=- -> ok");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(watch.malformed(), 2);
}

}  // namespace
}  // namespace clustersim::sim::checkers
