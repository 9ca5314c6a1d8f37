#include "tools/triage.h"

#include <vector>

#include "gtest/gtest.h"

namespace clustersim::tools {
namespace {

TEST(SignatureTest, AbstractsNumbersIdsAndTimes) {
  EXPECT_EQ(Signature("EntityAddress(Counter, c3, default:6) started on "
                      "runner r2:34432 (node 2) at 7200220us"),
            "EntityAddress(Counter, c#, default:#) started on runner r#:# "
            "(node #) at #");
  EXPECT_EQ(Signature("n3.1 got ping 0x1f2e at 1.5s, hash 0xdeadbeef"),
            "n# got ping # at #, hash #");
  // Times in any unit are the same kind of value; words are not units.
  EXPECT_EQ(Signature("no reply within 15s after 4061ms"),
            Signature("no reply within 15s after 250us"));
  EXPECT_EQ(Signature("2 seeds, 3m, 4h"), "# seeds, #, #");
  EXPECT_EQ(Signature("no numbers."), "no numbers.");
  EXPECT_EQ(Signature("v1."), "v#.");
}

SeedOutcome Failing(uint64_t seed, std::string invariant, int64_t time_us,
                    std::string message) {
  SeedOutcome s;
  s.seed = seed;
  s.violation_count = 1;
  s.invariant = std::move(invariant);
  s.time_us = time_us;
  s.message = std::move(message);
  s.reproduce = "clustersim run x --seed " + std::to_string(seed);
  return s;
}

TEST(GroupFailuresTest, GroupsByInvariantAndSignatureKeepingTheFastest) {
  SeedOutcome clean;
  clean.seed = 1;
  const std::vector<SeedOutcome> outcomes = {
      clean,
      Failing(2, "liveness", 900, "c1 unanswered for 15s"),
      Failing(3, "liveness", 500, "c7 unanswered for 16s"),
      Failing(4, "liveness", 500, "c2 unanswered for 15s"),
      Failing(5, "single-writer", 100, "c1 unanswered for 15s"),
      Failing(6, "liveness", 50, "runner r1 never answered"),
  };
  const std::vector<FailureGroup> groups = GroupFailures(outcomes);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].invariant, "liveness");
  EXPECT_EQ(groups[0].signature, "c# unanswered for #");
  EXPECT_EQ(groups[0].seeds, (std::vector<uint64_t>{2, 3, 4}));
  // Least time to the first violation; the lower seed on a tie.
  EXPECT_EQ(groups[0].fastest.seed, 3u);
  // Same message, another invariant: another group.
  EXPECT_EQ(groups[1].invariant, "liveness");
  EXPECT_EQ(groups[1].seeds, (std::vector<uint64_t>{6}));
  EXPECT_EQ(groups[2].invariant, "single-writer");
  EXPECT_EQ(groups[2].seeds, (std::vector<uint64_t>{5}));
}

TEST(SeedOutcomeTest, JsonLineRoundTrips) {
  SeedOutcome s = Failing(UINT64_MAX, "a\tb", -1, "line\nbreak \"q\"");
  s.trace_hash = 0xfedcba9876543210;
  s.deterministic = false;
  const std::string line = s.ToJsonLine();
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  std::optional<SeedOutcome> back = SeedOutcome::FromJsonLine(line);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->ToJsonLine(), line);
  EXPECT_FALSE(SeedOutcome::FromJsonLine("{\"seed\":1}").has_value());
  EXPECT_FALSE(SeedOutcome::FromJsonLine("not json").has_value());
}

TEST(ShrinkCommandTest, FromAReproduceCommand) {
  EXPECT_EQ(ShrinkCommand("clustersim run counter --seed 4 --swarm"),
            "clustersim shrink counter --seed 4 --swarm");
}

}  // namespace
}  // namespace clustersim::tools
