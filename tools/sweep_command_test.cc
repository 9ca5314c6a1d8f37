#include "tools/sweep_command.h"

#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/json.h"
#include "tools/test_cli.h"

namespace clustersim::tools {
namespace {

using testing::Has;
using testing::ReadFile;
using testing::Result;
using testing::RunArgs;
using testing::TempPath;

TEST(SweepCommandTest, CleanSweepExitsZero) {
  Result r = RunArgs(
      {"sweep", "pingpong", "--seeds", "1..5", "--swarm", "--duration", "2s"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "swept 5 seeds of 1..5 with 1 job in "));
  EXPECT_TRUE(Has(r.out, ": 0 failed\n"));
}

TEST(SweepCommandTest, CatchesTheMutantTheSameWayWithAnyJobCount) {
  const std::vector<std::string> base = {
      "sweep", "pingpong", "--seeds",          "1..8", "--swarm", "--duration",
      "2s",    "--bug",    "pingpong-no-dedup"};
  std::vector<std::string> one = base, two = base;
  one.insert(one.end(), {"--jobs", "1"});
  two.insert(two.end(), {"--jobs", "2"});
  Result a = RunArgs(one);
  Result b = RunArgs(two);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_TRUE(Has(a.out, "  reproduce: clustersim run pingpong --seed "));
  // Identical but for the summary line.
  EXPECT_EQ(a.out.substr(0, a.out.find("swept")),
            b.out.substr(0, b.out.find("swept")));
  EXPECT_TRUE(Has(b.out, "with 2 jobs"));
}

TEST(SweepCommandTest, ShardTakesEveryNthSeed) {
  Result r = RunArgs({"sweep", "pingpong", "--seeds", "10..19", "--shard",
                      "1/3", "--duration", "1s", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "\"runs\":3,\"failed\":0")) << r.out;
}

const std::vector<std::string> kMutantSweep = {
    "sweep", "pingpong", "--seeds",          "1..8", "--swarm", "--duration",
    "2s",    "--bug",    "pingpong-no-dedup"};

TEST(SweepCommandTest, GroupsFailuresAndKeepsTheFastestSeed) {
  Result r = RunArgs(kMutantSweep);
  EXPECT_EQ(r.exit_code, 1);
  // Seed 1 holds (its plan has no duplication); seeds 2..8 fail alike,
  // seed 3 soonest.
  EXPECT_TRUE(Has(r.out,
                  "group 1: at-most-once-delivery, 7 seeds (2 3 4 5 6 7 8)\n"
                  "  signature: n# delivered ping seq # from n# to its "
                  "application twice\n"
                  "  fastest:   seed 3 at 0.000752s: "))
      << r.out;
  EXPECT_TRUE(Has(r.out,
                  "  reproduce: clustersim run pingpong --seed 3 --swarm "
                  "--duration 2s --bug pingpong-no-dedup\n"
                  "  shrink:    clustersim shrink pingpong --seed 3 --swarm "
                  "--duration 2s --bug pingpong-no-dedup\n"))
      << r.out;
  EXPECT_TRUE(Has(r.out, ": 7 failed in 1 group\n")) << r.out;
  // No progress line unless stderr is a terminal.
  EXPECT_EQ(r.err, "");
}

TEST(SweepCommandTest, JsonHasTheSameGroups) {
  std::vector<std::string> args = kMutantSweep;
  args.push_back("--json");
  Result r = RunArgs(args);
  EXPECT_EQ(r.exit_code, 1);
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["runs"], 8);
  EXPECT_EQ(j["failed"], 7);
  ASSERT_EQ(j["groups"].size(), 1u);
  const Json& g = j["groups"][0];
  EXPECT_EQ(g["invariant"], "at-most-once-delivery");
  EXPECT_EQ(g["count"], 7);
  EXPECT_EQ(g["seeds"], Json::parse("[2,3,4,5,6,7,8]"));
  EXPECT_EQ(g["fastest"]["seed"], 3);
  EXPECT_EQ(g["fastest"]["time_ms"], 0.752);
  EXPECT_EQ(g["shrink"],
            "clustersim shrink pingpong --seed 3 --swarm --duration 2s --bug "
            "pingpong-no-dedup");
}

TEST(SweepCommandTest, ProgressLineOnlyOnATerminal) {
  for (const char* jobs : {"1", "2"}) {
    std::vector<std::string> args = kMutantSweep;
    args.insert(args.end(), {"--jobs", jobs});
    Result tty = RunArgs(args, /*err_is_terminal=*/true);
    EXPECT_TRUE(Has(tty.err, "\r8/8 seeds, ")) << tty.err;
    EXPECT_TRUE(Has(tty.err, " seeds/s, 7 failed, ETA 0s")) << tty.err;
    EXPECT_TRUE(tty.err.ends_with("\n"));
    EXPECT_EQ(RunArgs(args).err, "");
  }
}

}  // namespace
}  // namespace clustersim::tools
