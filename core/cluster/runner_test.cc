#include "core/cluster/runner.h"

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(RunnerTest, EqualityIgnoresGroupsAsInEffect) {
  const RunnerAddress address("localhost", 1234);
  const Runner a(address, {"default"}, 1);
  const Runner b(address, {"default", "workflow"}, 1);
  const Runner heavier(address, {"default"}, 2);
  const Runner elsewhere(RunnerAddress("localhost", 1235), {"default"}, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, heavier);
  EXPECT_NE(a, elsewhere);
  EXPECT_EQ(a <=> b, std::weak_ordering::equivalent);
  EXPECT_LT(a, heavier);
  EXPECT_LT(a, elsewhere);
  EXPECT_EQ(b.groups().size(), 2u);
  EXPECT_EQ(b.weight(), 1);
  EXPECT_EQ(b.address(), address);
}

TEST(RunnerTest, UsableAsMapKeys) {
  const RunnerAddress address("h", 1);
  absl::btree_map<Runner, bool> healthy;
  healthy[Runner(address, {"a"}, 1)] = true;
  healthy[Runner(address, {"b"}, 1)] = false;  // the same runner
  healthy[Runner(address, {"a"}, 0.5)] = true;
  EXPECT_EQ(healthy.size(), 2u);
  absl::flat_hash_set<Runner> hashed{Runner(address, {}, 0.0),
                                     Runner(address, {"x"}, -0.0)};
  EXPECT_EQ(hashed.size(), 1u);
}

}  // namespace
}  // namespace clustersim
