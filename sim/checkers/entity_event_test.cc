#include "sim/checkers/entity_event.h"

#include <optional>
#include <string_view>

#include "gtest/gtest.h"

namespace clustersim::sim::checkers {
namespace {

TEST(EntityEventTest, SplitsAtTheLastRunnerTag) {
  const std::optional<EntityEvent> event = ParseEntityEvent(
      "EntityAddress(Counter, a runner=b, default:3) runner=r1:34431");
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->address, "EntityAddress(Counter, a runner=b, default:3)");
  EXPECT_EQ(event->runner, "r1:34431");
  EXPECT_EQ(ShardOfAddress(event->address), "default:3");
}

TEST(EntityEventTest, RejectsDetailsWithoutBothSides) {
  EXPECT_FALSE(ParseEntityEvent("EntityAddress(C, a, default:3)").has_value());
  EXPECT_FALSE(ParseEntityEvent(" runner=r1:1").has_value());
  EXPECT_FALSE(
      ParseEntityEvent("EntityAddress(C, a, g:1) runner=").has_value());
}

TEST(EntityEventTest, ShardNeedsTheAddressShape) {
  EXPECT_EQ(ShardOfAddress("EntityAddress(C, a, b, g:1)"), "g:1");
  EXPECT_EQ(ShardOfAddress("EntityAddress(C, a, g:1"), std::nullopt);
  EXPECT_EQ(ShardOfAddress("EntityAddress(C)"), std::nullopt);
  EXPECT_EQ(ShardOfAddress("EntityAddress(C, )"), std::nullopt);
  EXPECT_EQ(ShardOfAddress(""), std::nullopt);
}

}  // namespace
}  // namespace clustersim::sim::checkers
