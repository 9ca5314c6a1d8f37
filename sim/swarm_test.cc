#include "sim/swarm.h"

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "sim/prng.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kMs = 1'000;

TEST(SwarmTest, PlansAreReproducibleValidAndVaried) {
  std::set<std::string> distinct;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Prng rng = Prng::ForStream(seed, "swarm");
    FaultPlan plan = SwarmFaultPlan(rng, 3, 60 * kS);
    Prng again = Prng::ForStream(seed, "swarm");
    EXPECT_EQ(SwarmFaultPlan(again, 3, 60 * kS), plan);
    EXPECT_TRUE(plan.ValidateNodes(3).ok()) << plan.ToString();
    EXPECT_LE(plan.QuietTimeUs(), 48 * kS) << plan.ToString();
    absl::StatusOr<FaultPlan> parsed = ParseFaultPlan(plan.ToString());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, plan) << plan.ToString();
    distinct.insert(plan.ToString());
  }
  EXPECT_GE(distinct.size(), 48u);
}

TEST(SwarmTest, StorageFaultsOnlyWithStorage) {
  int with_storage_faults = 0;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Prng rng = Prng::ForStream(seed, "swarm");
    EXPECT_FALSE(SwarmFaultPlan(rng, 4, 60 * kS).UsesStorage());
    Prng again = Prng::ForStream(seed, "swarm");
    FaultPlan plan = SwarmFaultPlan(again, 4, 60 * kS, /*has_storage=*/true);
    EXPECT_LE(plan.QuietTimeUs(), 48 * kS) << plan.ToString();
    EXPECT_FALSE(plan.storage.unavailable);
    EXPECT_EQ(*ParseFaultPlan(plan.ToString()), plan) << plan.ToString();
    with_storage_faults += plan.UsesStorage() ? 1 : 0;
  }
  EXPECT_GE(with_storage_faults, 10);
  EXPECT_LE(with_storage_faults, 45);
}

TEST(SwarmTest, SingleNodeAndTinyRunsStillGetAPlan) {
  Prng rng = Prng::ForStream(1, "swarm");
  FaultPlan single = SwarmFaultPlan(rng, 1, 60 * kS);
  EXPECT_TRUE(single.ValidateNodes(1).ok());
  FaultPlan tiny = SwarmFaultPlan(rng, 3, 5 * kMs);
  EXPECT_TRUE(tiny.timed.empty());
}

}  // namespace
}  // namespace clustersim::sim
