#include "core/cluster/machine_id.h"

#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(MachineIdTest, ValueSemantics) {
  EXPECT_EQ(MachineId().value(), 0);
  EXPECT_EQ(MachineId(5), MachineId(5));
  EXPECT_LT(MachineId(1), MachineId(2));
  absl::flat_hash_set<MachineId> ids{MachineId(1), MachineId(1), MachineId(2)};
  EXPECT_EQ(ids.size(), 2u);
}

TEST(MachineIdTest, PrintsLikeEffect) {
  std::ostringstream os;
  os << MachineId(12);
  EXPECT_EQ(os.str(), "MachineId(12)");
}

}  // namespace
}  // namespace clustersim
