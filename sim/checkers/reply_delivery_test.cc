#include "sim/checkers/reply_delivery.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr int64_t kBoundUs = 1'000'000;
constexpr uint32_t kStorageNode = 9;

class ReplyDeliveryTest : public ::testing::Test {
 protected:
  explicit ReplyDeliveryTest(int64_t judge_from_us = 0)
      : checker_(kBoundUs, judge_from_us, kStorageNode,
                 [this](Finding f) { findings_.push_back(std::move(f)); }) {}

  std::vector<Finding> findings_;
  ReplyDeliveryChecker checker_;
};

TEST_F(ReplyDeliveryTest, ADeliveryWithinTheBoundIsFine) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitEnded(1'500'000, 1, "op1", true, 600'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.judged(), 1);
  EXPECT_EQ(checker_.max_delivery_us(), 900'000);
}

TEST_F(ReplyDeliveryTest, ALateDeliveryIsAViolation) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitEnded(2'000'000, 1, "op1", true, 500'000);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].invariant, kReplyDelivery);
  EXPECT_NE(findings_[0].message.find("node 1 waiting on op1 received its "
                                      "reply only 1500ms after it was ready"),
            std::string::npos)
      << findings_[0].message;
}

// The client's timeout ends the wait; its resend reads the stored reply at
// once, but the first wait never got it: still a violation.
TEST_F(ReplyDeliveryTest, ATimeoutPastTheBoundIsNotHiddenByTheResend) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitEnded(5'000'000, 1, "op1", false, 1'000'000);
  checker_.WaitStarted(5'200'000, 1, "op1");
  checker_.WaitEnded(5'210'000, 1, "op1", true, 1'000'000);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_NE(findings_[0].message.find("still lacked its reply 4s after"),
            std::string::npos)
      << findings_[0].message;
}

TEST_F(ReplyDeliveryTest, WaitsWithoutAStoredExitOrNotYetDueAreNotJudged) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitEnded(5'000'000, 1, "op1", false, std::nullopt);
  checker_.WaitStarted(0, 2, "op2");
  checker_.WaitEnded(5'000'000, 2, "op2", false, 4'500'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.judged(), 0);
}

TEST_F(ReplyDeliveryTest, OpenWaitsAreJudgedAtTheEnd) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitStarted(0, 2, "op2");
  checker_.Finish(10'000'000, [](const std::string& what) {
    return what == "op1" ? std::optional<int64_t>(1'000'000) : std::nullopt;
  });
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_NE(findings_[0].message.find("op1"), std::string::npos);
}

TEST_F(ReplyDeliveryTest, ACrashPauseOrShutdownOfTheCallerExcusesItsWaits) {
  for (const char* kind : {"node.crash", "node.pause", "sharding.shutdown"}) {
    checker_.WaitStarted(0, 1, "op1");
    checker_.WaitStarted(0, 2, "op2");
    checker_.OnTraceEvent(100, 1, kind, "");
    checker_.WaitEnded(9'000'000, 1, "op1", false, 1'000);
    checker_.WaitEnded(9'000'000, 2, "op2", false, 1'000);
  }
  // A crash of node 1 excuses every wait (see below); of the pause and the
  // shutdown, only node 2's waits, never disturbed, are violations.
  ASSERT_EQ(findings_.size(), 2u);
  for (const Finding& f : findings_) {
    EXPECT_NE(f.message.find("node 2"), std::string::npos) << f.message;
  }
}

// The core's sharding.shutdown comes at the end of a shutdown; the waits of
// the whole shutdown, and those begun during it, are excused from its
// beginning until the node's crash.
TEST_F(ReplyDeliveryTest, AShutdownExcusesTheCallersWaitsFromItsBeginning) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.ShutdownBegan(1);
  checker_.WaitEnded(2'000'000, 1, "op1", true, 100);
  checker_.WaitStarted(2'000'000, 1, "op2");
  checker_.WaitEnded(4'000'000, 1, "op2", true, 100);
  checker_.OnTraceEvent(4'000'000, 1, "sharding.shutdown", "");
  checker_.WaitStarted(4'000'000, 1, "op3");
  checker_.OnTraceEvent(4'100'000, 1, "node.crash", "");
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.excused(), 2);
  // The next incarnation's waits are judged again.
  checker_.WaitStarted(9'000'000, 1, "op4");
  checker_.WaitEnded(12'000'000, 1, "op4", true, 9'000'000);
  EXPECT_EQ(findings_.size(), 1u);
}

// A runner that crashes with shards (no completed shutdown) makes every
// caller of those shards wait out the leases; one that completed its
// graceful shutdown held none when it stopped.
TEST_F(ReplyDeliveryTest, OnlyAnAbruptCrashExcusesOtherNodesWaits) {
  checker_.WaitStarted(0, 2, "op1");
  checker_.OnTraceEvent(100, 1, "sharding.shutdown", "");
  checker_.OnTraceEvent(200, 1, "node.crash", "");
  checker_.WaitEnded(5'000'000, 2, "op1", false, 1'000);
  EXPECT_EQ(findings_.size(), 1u);
  checker_.WaitStarted(6'000'000, 2, "op2");
  checker_.OnTraceEvent(6'100'000, 3, "node.crash", "");
  checker_.WaitEnded(11'000'000, 2, "op2", false, 6'000'000);
  EXPECT_EQ(findings_.size(), 1u);
}

TEST_F(ReplyDeliveryTest, WaitsWhileTheStorageNodeIsDownAreExcused) {
  checker_.OnTraceEvent(0, kStorageNode, "node.crash", "");
  checker_.WaitStarted(1'000'000, 1, "op1");
  checker_.WaitEnded(5'000'000, 1, "op1", false, 500'000);
  EXPECT_TRUE(findings_.empty());
  checker_.OnTraceEvent(6'000'000, kStorageNode, "node.start", "");
  checker_.WaitStarted(7'000'000, 1, "op2");
  checker_.WaitEnded(10'000'000, 1, "op2", false, 6'500'000);
  EXPECT_EQ(findings_.size(), 1u);
}

class ReplyDeliveryAfterFaultsTest : public ReplyDeliveryTest {
 protected:
  ReplyDeliveryAfterFaultsTest() : ReplyDeliveryTest(3'000'000) {}
};

TEST_F(ReplyDeliveryAfterFaultsTest, WaitsReadyBeforeTheQuietTimeAreExcused) {
  checker_.WaitStarted(0, 1, "op1");
  checker_.WaitEnded(9'000'000, 1, "op1", false, 2'000'000);
  EXPECT_TRUE(findings_.empty());
  checker_.WaitStarted(0, 1, "op2");
  checker_.WaitEnded(9'000'000, 1, "op2", false, 3'000'000);
  EXPECT_EQ(findings_.size(), 1u);
}

}  // namespace
}  // namespace clustersim::sim::checkers
