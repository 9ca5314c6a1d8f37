#include "core/mutants/mutant.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(MutantTest, EveryMutantParsesBackFromItsUniqueName) {
  std::set<std::string> names;
  for (const MutantInfo& info : CoreMutants()) {
    EXPECT_NE(info.mutant, Mutant::kNone);
    EXPECT_FALSE(info.description.empty());
    EXPECT_TRUE(names.insert(std::string(info.name)).second) << info.name;
    EXPECT_EQ(ParseMutant(info.name), info.mutant);
    EXPECT_EQ(MutantName(info.mutant), info.name);
  }
  EXPECT_EQ(ParseMutant("no-such-bug"), std::nullopt);
  EXPECT_EQ(ParseMutant(""), std::nullopt);
  EXPECT_EQ(MutantName(Mutant::kNone), "none");
}

}  // namespace
}  // namespace clustersim
