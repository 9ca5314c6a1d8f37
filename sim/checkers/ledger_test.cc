#include "sim/checkers/ledger.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

class LedgerTest : public ::testing::Test {
 protected:
  std::vector<Finding> findings_;
  LedgerChecker checker_{[this](Finding f) { findings_.push_back(f); }};
};

TEST_F(LedgerTest, EachAcceptedOperationOnceHolds) {
  checker_.Expect("a-1", "c1", 5);
  checker_.Expect("a-2", "c1", 3);
  checker_.Expect("a-3", "c2", 7);
  checker_.Expect("a-3", "c2", 7);  // a repeat is one operation
  checker_.Record("a-3", "c2", 7);
  checker_.Record("a-1", "c1", 5);
  checker_.Record("a-2", "c1", 3);
  checker_.Check(1'000);
  EXPECT_TRUE(findings_.empty());
  EXPECT_EQ(checker_.expected_ops(), 3);
  EXPECT_EQ(checker_.recorded_effects(), 3);
  EXPECT_EQ(checker_.Balances(),
            (absl::btree_map<std::string, int64_t>{{"c1", 8}, {"c2", 7}}));
}

TEST_F(LedgerTest, ADoubleEffectIsReportedAndExplained) {
  checker_.Expect("a-1", "c1", 5);
  checker_.Expect("a-2", "c1", 3);
  checker_.Record("a-1", "c1", 5);
  checker_.Record("a-1", "c1", 5);
  checker_.Record("a-2", "c1", 3);
  checker_.Check(9'000'000);
  ASSERT_EQ(findings_.size(), 1u);
  EXPECT_EQ(findings_[0], (Finding{kEffectivelyOnce, 9'000'000,
                                   "c1 is 13, the model says 8: a-1 took "
                                   "effect 2 times"}));
}

TEST_F(LedgerTest, MissingWrongAndPhantomEffectsAreExplained) {
  checker_.Expect("a-1", "c1", 5);
  checker_.Expect("a-2", "c1", 3);
  checker_.Expect("a-3", "c2", 1);
  checker_.Record("a-2", "c1", 4);
  checker_.Record("a-3", "c1", 1);
  checker_.Record("zz", "c1", 2);
  checker_.Check(0);
  ASSERT_EQ(findings_.size(), 2u);
  EXPECT_EQ(findings_[0].message,
            "c1 is 7, the model says 8: a-1 (+5) never took effect; a-2 "
            "changed c1 by 4, not by 3; a-3 belongs to c2; zz took effect "
            "but was never accepted");
  EXPECT_EQ(findings_[1].message,
            "c2 is 0, the model says 1: a-3 (+1) changed c1 instead");
}

}  // namespace
}  // namespace clustersim::sim::checkers
