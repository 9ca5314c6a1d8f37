#include "sim/checkers/liveness.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr int64_t kS = 1'000'000;

class LivenessTest : public ::testing::Test {
 protected:
  std::vector<Finding> findings_;
  LivenessChecker checker_{10 * kS,
                           [this](Finding f) { findings_.push_back(f); }};
};

TEST_F(LivenessTest, RepliesWithinTheBoundAfterTheQuietTimeHold) {
  checker_.OnAccepted(1 * kS, "a-1");
  checker_.OnAccepted(2 * kS, "a-2");
  checker_.OnAccepted(50 * kS, "a-3");
  checker_.OnReplied(25 * kS, "a-1");  // faults until 20s: due by 30s
  checker_.OnReplied(29 * kS, "a-2");
  checker_.OnReplied(30 * kS, "a-2");  // a second reply changes nothing
  checker_.Check(20 * kS, 55 * kS);    // a-3 is due only at 60s
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.accepted(), 3);
  EXPECT_EQ(checker_.replied(), 2);
  EXPECT_EQ(checker_.unjudged(), 1);
  EXPECT_EQ(checker_.max_latency_after_quiet_us(), 9 * kS);
}

TEST_F(LivenessTest, AMissingReplyIsReportedOnceDue) {
  checker_.OnAccepted(1 * kS, "a-1");
  checker_.Check(20 * kS, 30 * kS);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kLiveness, 30 * kS,
                     "a-1 (accepted at 1s) got no reply within 10s after "
                     "20s"}));
}

TEST_F(LivenessTest, ALateReplyIsReported) {
  checker_.OnAccepted(40 * kS, "a-1");
  checker_.OnReplied(51 * kS, "a-1");
  checker_.Check(20 * kS, 60 * kS);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "a-1 was replied at 51s, later than 10s after 40s");
}

}  // namespace
}  // namespace clustersim::sim::checkers
