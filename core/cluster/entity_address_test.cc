#include "core/cluster/entity_address.h"

#include <sstream>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

EntityAddress Address(const char* type, const char* id, const char* group,
                      int32_t shard) {
  return EntityAddress(EntityType(type), EntityId(id), ShardId(group, shard));
}

TEST(EntityAddressTest, PrintsLikeEffect) {
  const EntityAddress address = Address("Counter", "42", "default", 17);
  EXPECT_EQ(address.ToString(), "EntityAddress(Counter, 42, default:17)");
  std::ostringstream os;
  os << address;
  EXPECT_EQ(os.str(), "EntityAddress(Counter, 42, default:17)");
}

TEST(EntityAddressTest, EqualityCoversAllThreeParts) {
  const EntityAddress base = Address("T", "1", "g", 1);
  EXPECT_EQ(base, Address("T", "1", "g", 1));
  EXPECT_NE(base, Address("U", "1", "g", 1));
  EXPECT_NE(base, Address("T", "2", "g", 1));
  EXPECT_NE(base, Address("T", "1", "h", 1));
  EXPECT_NE(base, Address("T", "1", "g", 2));
  absl::flat_hash_set<EntityAddress> hashed{base, Address("T", "1", "g", 1),
                                            Address("U", "1", "g", 1),
                                            Address("T", "1", "g", 2)};
  EXPECT_EQ(hashed.size(), 3u);
}

TEST(EntityAddressTest, OrdersByShardFirst) {
  absl::btree_set<EntityAddress> ordered{Address("A", "z", "g", 2),
                                         Address("Z", "a", "g", 1)};
  EXPECT_EQ(ordered.begin()->shard_id(), ShardId("g", 1));
}

}  // namespace
}  // namespace clustersim
