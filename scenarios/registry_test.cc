#include "scenarios/registry.h"

#include <string>

#include "gtest/gtest.h"
#include "sim/faults.h"

namespace clustersim::scenarios {
namespace {

TEST(RegistryTest, ListsScenariosSortedAndFindsThemByName) {
  ASSERT_FALSE(AllScenarios().empty());
  for (size_t i = 1; i < AllScenarios().size(); ++i) {
    EXPECT_LT(AllScenarios()[i - 1].name, AllScenarios()[i].name);
  }
  const Scenario* pingpong = FindScenario("pingpong");
  ASSERT_NE(pingpong, nullptr);
  EXPECT_FALSE(pingpong->description.empty());
  EXPECT_TRUE(pingpong->HasMutant("pingpong-no-dedup"));
  EXPECT_EQ(FindScenario("nope"), nullptr);
}

TEST(RegistryTest, RejectsBadOptionsAsBadInput) {
  const Scenario& pingpong = *FindScenario("pingpong");
  RunOptions options;
  options.duration_us = 1'000'000;
  options.runners = 1;
  EXPECT_EQ(RunScenario(pingpong, options).status().message(),
            "pingpong needs 2..1000 runners, not 1");
  options.runners = 3;
  options.bug = "nope";
  EXPECT_EQ(RunScenario(pingpong, options).status().message(),
            "unknown bug 'nope' for pingpong (known: pingpong-no-dedup)");
  options.bug = "";
  options.faults = *sim::ParseFaultPlan("crash@1s=4");
  EXPECT_EQ(RunScenario(pingpong, options).status().message(),
            "fault 'crash@1s=4' names node 4 but the run has nodes 1..3");
  options.faults = {};
  options.duration_us = 0;
  EXPECT_FALSE(RunScenario(pingpong, options).ok());
}

TEST(RegistryTest, ModesParseAndPrint) {
  EXPECT_EQ(ParseMode("reference"), Mode::kReference);
  EXPECT_EQ(ParseMode("hardened"), Mode::kHardened);
  EXPECT_EQ(ParseMode("Hardened"), std::nullopt);
  EXPECT_EQ(ModeName(Mode::kHardened), "hardened");
}

}  // namespace
}  // namespace clustersim::scenarios
