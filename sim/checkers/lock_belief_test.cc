#include "sim/checkers/lock_belief.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

// Storage as a set of live (shard, runner) leases the test edits.
class LockBeliefTest : public ::testing::Test {
 protected:
  LockBeliefTest()
      : checker_(
            [this](std::string_view shard, std::string_view runner) {
              queries_.push_back(std::string(shard) + "@" +
                                 std::string(runner));
              if (live_.contains({std::string(shard), std::string(runner)})) {
                return absl::OkStatus();
              }
              return absl::FailedPreconditionError("no lease on " +
                                                   std::string(shard));
            },
            [this](Finding f) { findings_.push_back(std::move(f)); }) {}

  void Event(int64_t time_us, std::string_view kind, std::string_view detail) {
    checker_.OnTraceEvent(time_us, 1, kind, detail);
  }

  absl::btree_set<std::pair<std::string, std::string>> live_;
  std::vector<std::string> queries_;
  std::vector<Finding> findings_;
  LockBeliefChecker checker_;
};

constexpr char kStep[] = "EntityAddress(Counter, c1, default:3) runner=r1:1";

TEST_F(LockBeliefTest, StepsUnderALiveLeaseAreFine) {
  live_.insert({"default:3", "r1:1"});
  Event(10, "entity.start", kStep);
  Event(20, "entity.step", kStep);
  Event(30, "entity.stop", kStep);  // not a belief: unchecked
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.checked(), 2);
  EXPECT_EQ(queries_,
            (std::vector<std::string>{"default:3@r1:1", "default:3@r1:1"}));
}

TEST_F(LockBeliefTest, AStepWithoutALeaseIsOneFindingPerEpisode) {
  Event(1'000'000, "entity.step", kStep);
  Event(1'100'000, "entity.step", kStep);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].invariant, kLockBelief);
  EXPECT_EQ(findings_[0].time_us, 1'000'000);
  EXPECT_NE(findings_[0].message.find("runner r1:1 (node 1) ran a step of "
                                      "EntityAddress(Counter, c1, default:3)"),
            std::string::npos)
      << findings_[0].message;
  EXPECT_NE(findings_[0].message.find("no lease on default:3"),
            std::string::npos);
  // The lease comes back, then lapses again: a new episode.
  live_.insert({"default:3", "r1:1"});
  Event(1'200'000, "entity.step", kStep);
  live_.clear();
  Event(1'300'000, "entity.start", kStep);
  ASSERT_EQ(findings_.size(), 2u);
  EXPECT_NE(findings_[1].message.find("started"), std::string::npos);
}

TEST_F(LockBeliefTest, MalformedDetailsAreCountedNotChecked) {
  Event(1, "entity.step", "no runner here");
  Event(2, "entity.step", "Counter c1 runner=r1:1");
  EXPECT_EQ(checker_.malformed(), 2);
  EXPECT_EQ(checker_.checked(), 0);
  EXPECT_TRUE(findings_.empty());
}

}  // namespace
}  // namespace clustersim::sim::checkers
