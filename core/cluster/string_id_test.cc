#include "core/cluster/string_id.h"

#include <map>
#include <sstream>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "core/cluster/entity_id.h"
#include "core/cluster/entity_type.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(StringIdTest, ComparesByValue) {
  EXPECT_EQ(EntityId("a"), EntityId("a"));
  EXPECT_NE(EntityId("a"), EntityId("b"));
  EXPECT_LT(EntityId("a"), EntityId("b"));
  EXPECT_EQ(EntityId().value(), "");
  // No normalisation, as in Effect: these differ.
  EXPECT_NE(EntityId("A"), EntityId("a"));
  EXPECT_NE(EntityId("\xC3\xA9"), EntityId("e\xCC\x81"));
}

TEST(StringIdTest, UsableAsMapKeys) {
  absl::btree_map<EntityId, int> btree{{EntityId("b"), 2}, {EntityId("a"), 1}};
  EXPECT_EQ(btree.begin()->first, EntityId("a"));
  std::map<EntityType, int> ordered{{EntityType("User"), 1}};
  EXPECT_EQ(ordered.count(EntityType("User")), 1u);
  absl::flat_hash_map<EntityId, int> hashed{{EntityId("x"), 7}};
  EXPECT_EQ(hashed.at(EntityId("x")), 7);
}

TEST(StringIdTest, PrintsTheBareValue) {
  std::ostringstream os;
  os << EntityType("Counter") << "/" << EntityId("42");
  EXPECT_EQ(os.str(), "Counter/42");
}

}  // namespace
}  // namespace clustersim
