#include "sim/checkers/single_activation.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr char kA[] = "EntityAddress(Counter, c1, default:7)";
constexpr char kB[] = "EntityAddress(Counter, c2, default:9)";

class SingleActivationTest : public ::testing::Test {
 protected:
  void Event(int64_t time_us, uint32_t node, const char* kind,
             const std::string& detail) {
    checker_.OnTraceEvent(time_us, node, kind, detail);
  }
  static std::string On(const char* address, int runner) {
    return std::string(address) + " runner=r" + std::to_string(runner) +
           ":3400" + std::to_string(runner);
  }

  std::vector<Finding> findings_;
  SingleActivationChecker checker_{
      [this](Finding f) { findings_.push_back(std::move(f)); }};
};

TEST_F(SingleActivationTest, HandoverAfterStopIsClean) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(2'000'000, 2, "entity.start", On(kB, 2));
  Event(5'000'000, 1, "entity.stop", On(kA, 1));
  Event(5'000'000, 2, "entity.start", On(kA, 2));  // same instant, after
  Event(6'000'000, 1, "net.send", "ignored");
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.activations(), 3);
  EXPECT_EQ(checker_.alive_addresses(), 2);
}

TEST_F(SingleActivationTest, TwoRunnersAliveAtOnceIsReported) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(4'500'000, 2, "entity.start", On(kA, 2));
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kSingleActivation, 4'500'000,
                     "EntityAddress(Counter, c1, default:7) started on runner "
                     "r2:34002 (node 2) at 4500ms while alive on runner "
                     "r1:34001 (node 1) since 1s"}));
}

TEST_F(SingleActivationTest, StartBeforeStopAtTheSameInstantIsReported) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(5'000'000, 2, "entity.start", On(kA, 2));
  Event(5'000'000, 1, "entity.stop", On(kA, 1));
  EXPECT_EQ(findings_.size(), 1u);
}

TEST_F(SingleActivationTest, ACrashEndsEveryActivationOfItsNode) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(1'000'000, 1, "entity.start", On(kB, 1));
  Event(2'000'000, 1, "node.crash", "incarnation=1");
  Event(3'000'000, 2, "entity.start", On(kA, 2));
  Event(3'000'000, 3, "entity.start", On(kB, 3));
  EXPECT_TRUE(findings_.empty());
  // A crash of another node ends nothing of runner 2's.
  Event(4'000'000, 3, "node.crash", "incarnation=1");
  Event(5'000'000, 1, "entity.start", On(kA, 1));
  EXPECT_EQ(findings_.size(), 1u);
}

TEST_F(SingleActivationTest, AHolderThatStopsAtItsResumeInstantIsClean) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(2'000'000, 1, "node.pause", "");
  Event(6'000'000, 2, "entity.start", On(kA, 2));  // 1 is frozen: superseded
  Event(7'000'000, 1, "node.resume", "held=3 inbox=1");
  Event(7'000'000, 1, "entity.stop", On(kA, 1));  // before any other work
  Event(7'000'000, 1, "entity.step", On(kB, 1));  // other entities may run
  Event(8'000'000, 1, "net.send", "ignored");
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.overlaps_with_paused(), 1);
}

TEST_F(SingleActivationTest, AStepOfAStaleOwnerAfterItsPauseIsReported) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(2'000'000, 1, "node.pause", "");
  Event(6'000'000, 2, "entity.start", On(kA, 2));
  Event(6'500'000, 2, "entity.stop", On(kA, 2));  // gone again: still stale
  Event(7'000'000, 1, "node.resume", "held=3 inbox=1");
  Event(7'000'000, 1, "entity.step", On(kA, 1));
  Event(7'000'000, 1, "entity.step", On(kA, 1));  // reported once
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "runner r1:34001 (node 1) ran a step of EntityAddress(Counter, "
            "c1, default:7) at 7s after a pause, though it was started on "
            "runner r2:34002 (node 2) at 6s meanwhile (a stale owner that did "
            "not stop it)");
}

TEST_F(SingleActivationTest, AStaleOwnerAliveAfterItsResumeInstantIsReported) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(2'000'000, 1, "node.pause", "");
  Event(6'000'000, 2, "entity.start", On(kA, 2));
  Event(7'000'000, 1, "node.resume", "held=0 inbox=0");
  EXPECT_TRUE(findings_.empty());
  Event(7'000'001, 3, "net.send", "any later event");
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].time_us, 7'000'001);
  EXPECT_EQ(findings_[0].message,
            "EntityAddress(Counter, c1, default:7) stayed alive on runner "
            "r1:34001 (node 1) after its node resumed at 7s, while alive on "
            "runner r2:34002 (node 2) since 6s");
  // A new start elsewhere while both are active is violation (1).
  Event(7'500'000, 3, "entity.start", On(kA, 3));
  EXPECT_EQ(findings_.size(), 3u);
}

TEST_F(SingleActivationTest, OverlapOnOneRunnerIsCountedNotReported) {
  Event(1'000'000, 1, "entity.start", On(kA, 1));
  Event(2'000'000, 1, "entity.start", On(kA, 1));  // old one still draining
  Event(3'000'000, 1, "entity.stop", On(kA, 1));
  Event(3'500'000, 2, "entity.start", On(kA, 2));  // the new one still lives
  Event(4'000'000, 1, "entity.stop", On(kA, 1));
  Event(4'500'000, 3, "entity.start", On(kA, 3));  // runner 2 still holds it
  EXPECT_EQ(checker_.same_runner_overlaps(), 1);
  ASSERT_EQ(findings_.size(), 2u);
  EXPECT_EQ(findings_[0].time_us, 3'500'000);
  EXPECT_EQ(findings_[1].time_us, 4'500'000);
}

TEST_F(SingleActivationTest, IdsContainingTheRunnerTagParseFromTheRight) {
  const std::string odd = "EntityAddress(Counter, x runner=y, default:1)";
  Event(1'000'000, 1, "entity.start", odd + " runner=r1:1");
  Event(2'000'000, 1, "entity.stop", odd + " runner=r1:1");
  Event(3'000'000, 2, "entity.start", odd + " runner=r2:2");
  EXPECT_TRUE(findings_.empty());
  Event(4'000'000, 2, "entity.start", "no runner here");
  Event(4'000'000, 2, "entity.stop", "X runner=");
  EXPECT_EQ(checker_.malformed(), 2);
}

}  // namespace
}  // namespace clustersim::sim::checkers
