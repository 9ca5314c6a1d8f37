#include "sim/checkers/single_writer.h"

#include <string>
#include <vector>

#include "core/cluster/entity_address.h"
#include "core/cluster/runner.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_id.h"
#include "core/storage/envelope.h"
#include "core/storage/reply.h"
#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

const RunnerAddress kR1("r1", 1);
const RunnerAddress kR2("r2", 2);
const ShardId kShard("default", 3);

// A store with 3 s leases, both runners registered, and request 7 on kShard.
class SingleWriterTest : public ::testing::Test {
 protected:
  SingleWriterTest() : state_(Options()) {
    EXPECT_TRUE(state_.Register(Runner(kR1, {"default"}, 1), true, 0).ok());
    EXPECT_TRUE(state_.Register(Runner(kR2, {"default"}, 1), true, 0).ok());
    storage::Request request{
        Snowflake(7),
        EntityAddress(EntityType("Counter"), EntityId("c1"), kShard),
        "Increment",
        "",
        {},
        std::nullopt,
        std::nullopt};
    EXPECT_TRUE(state_.SaveRequest(request).ok());
  }

  static storage::StorageState::Options Options() {
    storage::StorageState::Options options;
    options.runners.lock_expiration_ms = 3'000;
    return options;
  }

  void Acquire(const RunnerAddress& runner, int64_t now_ms) {
    absl::StatusOr<std::vector<storage::FencingToken>> tokens =
        state_.Acquire(runner, {kShard}, now_ms);
    ASSERT_TRUE(tokens.ok());
    ASSERT_EQ(tokens->size(), 1u);
    audit_.RecordLeases(runner, *tokens);
  }

  // `writer` lands the exit of request 7 at `now_ms`.
  void Write(const RunnerAddress& writer, int64_t now_ms) {
    storage::Reply reply = storage::WithExit{Snowflake(7), Snowflake(8),
                                             storage::Exit::Success("")};
    ASSERT_TRUE(state_.SaveReply(reply, std::nullopt, now_ms).ok());
    audit_.RecordReply(reply, writer, state_, now_ms);
  }

  storage::StorageState state_;
  storage::StorageAudit audit_;
};

TEST_F(SingleWriterTest, TheLeaseHoldersWritesHold) {
  Acquire(kR1, 0);
  Write(kR1, 1'000);
  std::vector<Finding> findings;
  SingleWriterChecker checker(
      storage::StorageMode::kReference,
      [&findings](Finding f) { findings.push_back(f); });
  checker.Poll(1'000'000, audit_);
  EXPECT_TRUE(findings.empty());
  EXPECT_EQ(checker.violations(), 0);
}

TEST_F(SingleWriterTest, AStaleOwnersWriteIsReportedOnceWithTheMode) {
  Acquire(kR1, 0);
  Acquire(kR2, 4'000);  // r1's lease lapsed; r2 takes the shard over
  Write(kR1, 4'500);    // r1, paused past its lease, lands its reply
  for (storage::StorageMode mode :
       {storage::StorageMode::kReference, storage::StorageMode::kHardened}) {
    std::vector<Finding> findings;
    SingleWriterChecker checker(
        mode, [&findings](Finding f) { findings.push_back(f); });
    checker.Poll(4'500'000, audit_);
    checker.Poll(5'000'000, audit_);  // nothing new
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(checker.violations(), 1);
    EXPECT_EQ(findings[0].invariant, kSingleWriter);
    EXPECT_EQ(findings[0].time_us, 4'500'000);
    EXPECT_EQ(findings[0].message,
              std::string("storage accepted the exit reply 8 to request 7 "
                          "(shard default:3) from runner r1:1 while runner "
                          "r2:2 held the lease") +
                  (mode == storage::StorageMode::kReference
                       ? " [reference mode: Effect does not fence writes]"
                       : " [hardened mode]"));
  }
}

TEST_F(SingleWriterTest, AWriteWithNoLeaseHeldIsReported) {
  Acquire(kR1, 0);
  Write(kR1, 3'500);  // the lease lapsed and nobody took it over
  std::vector<Finding> findings;
  SingleWriterChecker checker(
      storage::StorageMode::kHardened,
      [&findings](Finding f) { findings.push_back(f); });
  checker.Poll(3'500'000, audit_);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "storage accepted the exit reply 8 to request 7 (shard default:3) "
            "from runner r1:1 while no runner held the lease [hardened mode]");
}

}  // namespace
}  // namespace clustersim::sim::checkers
