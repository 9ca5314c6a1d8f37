#include "sim/checkers/unique_ids.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

TEST(UniqueIdCheckerTest, DistinctIdsHoldAndARepeatIsReported) {
  std::vector<Finding> findings;
  UniqueIdChecker checker([&findings](Finding f) { findings.push_back(f); });
  checker.Observe(1, Snowflake(7), "request a-1");
  checker.Observe(2, Snowflake(8), "reply to 7");
  EXPECT_TRUE(findings.empty());
  checker.Observe(3, Snowflake(7), "reply to 9");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0],
            (Finding{kUniqueIds, 3,
                     "snowflake 7 was issued for request a-1 and again for "
                     "reply to 9"}));
  EXPECT_EQ(checker.observed(), 2);
}

}  // namespace
}  // namespace clustersim::sim::checkers
