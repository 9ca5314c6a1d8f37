#include "sim/checkers/exactly_once_reply.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

constexpr Snowflake kR1{101};
constexpr Snowflake kR2{102};

class ExactlyOnceReplyTest : public ::testing::Test {
 protected:
  std::vector<Finding> findings_;
  ExactlyOnceReplyChecker checker_{
      [this](Finding f) { findings_.push_back(std::move(f)); }};
};

TEST_F(ExactlyOnceReplyTest, OneExitPerRequestAndMatchingCallersHold) {
  checker_.OnRequestSaved(1'000, kR1);
  checker_.OnRequestSaved(2'000, kR2);
  checker_.OnHandlerStarted(3'000, kR1, "r1:1");
  checker_.OnHandlerStarted(3'500, kR1, "r2:1");  // re-run before the reply
  checker_.OnExitSaved(4'000, kR1, "ok 5");
  checker_.OnCallerReply(5'000, "a-1", kR1, "ok 5");
  checker_.OnCallerReply(6'000, "a-1", kR1, "ok 5");  // a resend's answer
  checker_.OnHandlerStarted(7'000, kR2, "r1:1");
  checker_.OnExitSaved(8'000, kR2, "ok 3");
  checker_.CheckAllReplied(9'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.requests_saved(), 2);
  EXPECT_EQ(checker_.exits_saved(), 2);
  EXPECT_EQ(checker_.handler_starts(), 3);
  EXPECT_EQ(checker_.caller_replies(), 2);
}

TEST_F(ExactlyOnceReplyTest, ASecondTerminalReplyIsReported) {
  checker_.OnRequestSaved(1'000, kR1);
  checker_.OnExitSaved(2'000'000, kR1, "ok 5");
  checker_.OnExitSaved(3'000'000, kR1, "ok 10");
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kExactlyOnceReply, 3'000'000,
                     "a second terminal reply was accepted for request 101 "
                     "at 3s (the first at 2s), with a different exit"}));
}

TEST_F(ExactlyOnceReplyTest, AHandlerRunAfterTheReplyIsRecordedIsReported) {
  checker_.OnRequestSaved(1'000, kR1);
  checker_.OnExitSaved(2'000'000, kR1, "ok 5");
  checker_.OnHandlerStarted(2'500'000, kR1, "r3:1");
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].message,
            "the handler of request 101 ran again on runner r3:1 at 2500ms, "
            "after its reply was recorded at 2s");
}

TEST_F(ExactlyOnceReplyTest, CallersMustGetTheRecordedReply) {
  checker_.OnRequestSaved(1'000, kR1);
  checker_.OnCallerReply(1'500, "a-1", kR1, "ok 5");  // nothing recorded yet
  checker_.OnExitSaved(2'000, kR1, "ok 5");
  checker_.OnCallerReply(3'000, "a-1", kR1, "ok 10");  // not the recorded one
  checker_.OnCallerReply(4'000, "a-9", std::nullopt, "ok 1");  // never saved
  ASSERT_EQ(findings_.size(), 3u);
  EXPECT_EQ(findings_[0].message,
            "caller a-1 was answered while no terminal reply is recorded for "
            "request 101");
  EXPECT_EQ(findings_[1].message,
            "caller a-1 was given an exit other than the one recorded for "
            "request 101");
  EXPECT_EQ(findings_[2],
            (Finding{kExactlyOnceReply, 4'000,
                     "caller a-9 was answered while storage holds no request "
                     "for it"}));
}

TEST_F(ExactlyOnceReplyTest, ASavedRequestWithoutAReplyIsReportedAtTheEnd) {
  checker_.OnRequestSaved(1'000, kR1);
  checker_.OnRequestSaved(1'000, kR2);
  checker_.OnExitSaved(2'000, kR2, "ok");
  EXPECT_TRUE(findings_.empty());
  checker_.CheckAllReplied(60'000'000);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0],
            (Finding{kExactlyOnceReply, 60'000'000,
                     "request 101 was saved but never got a terminal reply"}));
}

}  // namespace
}  // namespace clustersim::sim::checkers
