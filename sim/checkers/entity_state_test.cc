#include "sim/checkers/entity_state.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

class EntityStateCheckerTest : public ::testing::Test {
 protected:
  EntityStateChecker checker_{
      [this](Finding f) { findings_.push_back(std::move(f)); }};
  std::vector<Finding> findings_;
};

TEST_F(EntityStateCheckerTest, ConsistentHistoryPasses) {
  checker_.OnWrite(1, "r1", "c0", "a", 3, 3);
  checker_.OnWrite(2, "r1", "c1", "b", 4, 4);
  checker_.OnWrite(3, "r2", "c0", "c", 2, 5);
  checker_.OnReply(4, "c0", "a", 3);
  checker_.OnReply(5, "c0", "c", 5);
  checker_.OnReply(6, "c1", "b", 4);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.writes(), 3);
  EXPECT_EQ(checker_.replies_checked(), 3);
}

// A second owner that loaded c0 at 0 before the first owner's write.
TEST_F(EntityStateCheckerTest, StaleStateIsCaughtAtTheWrite) {
  checker_.OnWrite(1, "r1", "c0", "a", 3, 3);
  checker_.OnWrite(2, "r2", "c0", "b", 2, 2);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0].invariant, kEntityState);
  EXPECT_NE(findings_[0].message.find("wrote 2, but its history makes it 5"),
            std::string::npos)
      << findings_[0].message;
}

TEST_F(EntityStateCheckerTest, ASecondApplicationIsCaught) {
  checker_.OnWrite(1, "r1", "c0", "a", 3, 3);
  checker_.OnWrite(2, "r2", "c0", "a", 3, 6);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_NE(findings_[0].message.find("again"), std::string::npos);
}

TEST_F(EntityStateCheckerTest, AWrongOrUnknownReplyIsCaught) {
  checker_.OnWrite(1, "r1", "c0", "a", 3, 3);
  checker_.OnReply(2, "c0", "a", 4);
  checker_.OnReply(3, "c0", "zz", 3);
  checker_.OnReply(4, "c1", "a", 3);
  ASSERT_EQ(findings_.size(), 3u);
  EXPECT_NE(findings_[1].message.find("never applied"), std::string::npos);
}

}  // namespace
}  // namespace clustersim::sim::checkers
