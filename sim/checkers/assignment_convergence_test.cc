#include "sim/checkers/assignment_convergence.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/cluster/hash_ring.h"
#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr int32_t kShards = 4;
constexpr int64_t kBoundUs = 10'000'000;

class AssignmentConvergenceTest : public ::testing::Test {
 protected:
  AssignmentConvergenceTest()
      : checker_({.shards = kShards, .bound_us = kBoundUs},
                 [this](Finding f) { findings_.push_back(f); }) {
    checker_.AddRunner(1, a_);
    checker_.AddRunner(2, b_);
  }

  void Event(int64_t time_us, uint32_t node, std::string_view kind,
             std::string detail = "") {
    checker_.OnTraceEvent(time_us, node, kind, detail);
  }
  void Shard(int64_t time_us, uint32_t node, std::string_view kind,
             int32_t shard, const RunnerAddress& runner) {
    Event(time_us, node, kind,
          absl::StrCat("default:", shard, " runner=", runner.Key()));
  }
  // The ring owners of shards 1..kShards over `members`.
  static std::vector<RunnerAddress> Owners(
      const std::vector<RunnerAddress>& members) {
    HashRing ring;
    for (const RunnerAddress& m : members) EXPECT_TRUE(ring.Add(m).ok());
    return *ring.GetShards(kShards);
  }

  RunnerAddress a_{"a", 1};
  RunnerAddress b_{"b", 2};
  std::vector<Finding> findings_;
  AssignmentConvergenceChecker checker_;
};

TEST_F(AssignmentConvergenceTest, ConvergesWhenEveryShardHasItsRingOwner) {
  Event(0, 1, "runner.register", "a:1 machine=1");
  for (int32_t n = 1; n <= kShards; ++n)
    Shard(1'000'000, 1, "shard.acquire", n, a_);
  Event(2'000'000, 2, "runner.register", "b:2 machine=2");
  const std::vector<RunnerAddress> owners = Owners({a_, b_});
  for (int32_t n = 1; n <= kShards; ++n) {
    if (owners[n - 1] == b_) {
      Shard(3'000'000, 1, "shard.release", n, a_);
      Shard(4'000'000, 2, "shard.acquire", n, b_);
    }
  }
  checker_.Finish(60'000'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.changes(), 2);
  EXPECT_EQ(checker_.converged(), 2);
  EXPECT_EQ(checker_.max_latency_us(), 2'000'000);
}

TEST_F(AssignmentConvergenceTest, AShardNotHandedToItsRingOwnerInTimeFails) {
  Event(0, 1, "runner.register");
  for (int32_t n = 1; n <= kShards; ++n)
    Shard(1'000'000, 1, "shard.acquire", n, a_);
  Event(2'000'000, 2, "runner.register");
  // Nothing moves; the next event after the deadline judges the window.
  Event(2'000'000 + kBoundUs, 1, "entity.step");
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].invariant, kAssignmentConvergence);
  EXPECT_EQ(findings_[0].time_us, 2'000'000 + kBoundUs);
  EXPECT_NE(findings_[0].message.find("its ring owner is b:2"),
            std::string::npos)
      << findings_[0].message;
}

TEST_F(AssignmentConvergenceTest, ACrashDropsTheMemberAndItsShards) {
  Event(0, 1, "runner.register");
  Event(0, 2, "runner.register");
  const std::vector<RunnerAddress> owners = Owners({a_, b_});
  for (int32_t n = 1; n <= kShards; ++n) {
    Shard(1'000'000, owners[n - 1] == a_ ? 1 : 2, "shard.acquire", n,
          owners[n - 1]);
  }
  Event(2'000'000, 2, "node.crash", "incarnation=1");
  // a takes b's shards; two owners of one shard would not converge.
  for (int32_t n = 1; n <= kShards; ++n) {
    if (owners[n - 1] == b_) Shard(3'000'000, 1, "shard.acquire", n, a_);
  }
  checker_.Finish(60'000'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.converged(), 2);
}

TEST_F(AssignmentConvergenceTest, WindowsBeforeJudgeFromAreNotJudged) {
  AssignmentConvergenceChecker late(
      {.shards = kShards, .bound_us = kBoundUs, .judge_from_us = 5'000'000},
      [this](Finding f) { findings_.push_back(f); });
  late.AddRunner(1, a_);
  late.OnTraceEvent(0, 1, "runner.register", "");
  late.Finish(60'000'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(late.judged(), 0);
}

TEST_F(AssignmentConvergenceTest, WindowsWhileStorageIsDownAreNotJudged) {
  AssignmentConvergenceChecker checker(
      {.shards = kShards, .bound_us = kBoundUs, .storage_node = 3},
      [this](Finding f) { findings_.push_back(f); });
  checker.AddRunner(1, a_);
  checker.OnTraceEvent(0, 1, "runner.register", "");
  checker.OnTraceEvent(1'000'000, 3, "node.crash", "incarnation=1");
  checker.OnTraceEvent(2'000'000, 3, "node.start", "incarnation=2");
  checker.Finish(60'000'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker.judged(), 0);
}

TEST(AssignmentConvergenceBoundTest, SumsTheConfiguredTerms) {
  sharding::ShardingConfig config;
  config.shard_lock_expiration_ms = 3'000;
  config.shard_lock_refresh_interval_ms = 1'000;
  config.refresh_assignments_interval_ms = 500;
  config.entity_termination_timeout_ms = 1'000;
  // 3000 + 500 + 2000 + 1000 + 1000 + 2 * 1000 + 1000.
  EXPECT_EQ(AssignmentConvergenceChecker::BoundMs(config, 2'000), 10'500);
}

}  // namespace
}  // namespace clustersim::sim::checkers
