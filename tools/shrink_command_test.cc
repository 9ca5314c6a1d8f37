#include "tools/shrink_command.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/json.h"
#include "tools/simulation.h"
#include "tools/test_cli.h"

namespace clustersim::tools {
namespace {

using testing::Has;
using testing::Result;
using testing::RunArgs;

// The words of a printed command ('...' groups), without "clustersim".
std::vector<std::string> ArgsOf(const std::string& command) {
  std::vector<std::string> words = CommandWords(command);
  words.erase(words.begin());
  return words;
}

// Every mutant of `clustersim list`, from a failing swarm seed: the shrunk
// command still fails with the same invariant and is smaller.
TEST(ShrinkCommandTest, ShrunkMutantRunsStillFailTheSameWayAndAreSmaller) {
  const std::vector<std::vector<std::string>> cases = {
      {"pingpong", "--seed", "3", "--swarm", "--duration", "5s", "--bug",
       "pingpong-no-dedup"},
      {"counter", "--seed", "2", "--swarm", "--bug",
       "counter-redeliver-answered"},
      {"counter", "--seed", "3", "--swarm", "--bug",
       "counter-acquire-takes-held-shards"},
      {"counter", "--seed", "1", "--swarm", "--bug", "counter-resend-new-key"},
  };
  for (const std::vector<std::string>& run : cases) {
    std::vector<std::string> args = {"shrink"};
    args.insert(args.end(), run.begin(), run.end());
    args.push_back("--json");
    Result r = RunArgs(args);
    ASSERT_EQ(r.exit_code, 1) << run.back() << r.out << r.err;
    const Json j = Json::parse(r.out);
    const std::string invariant = j["invariant"];
    const Json& before = j["before"];
    const Json& after = j["after"];
    EXPECT_LE(j["runs"].get<int>(), 500);
    EXPECT_FALSE(j["steps"].empty());
    for (const char* measure : {"fault_items", "fault_window_ms", "duration_ms",
                                "runners", "load_percent"}) {
      EXPECT_LE(after[measure], before[measure]) << measure << " " << j;
    }
    EXPECT_LT(after["fault_items"], before["fault_items"]) << j;
    EXPECT_LT(after["duration_ms"], before["duration_ms"]) << j;

    const std::string smallest = j["smallest"];
    ASSERT_TRUE(smallest.starts_with("clustersim run ")) << smallest;
    EXPECT_FALSE(Has(smallest, "--swarm")) << smallest;
    std::vector<std::string> again = ArgsOf(smallest);
    again.push_back("--json");
    Result rerun = RunArgs(again);
    ASSERT_EQ(rerun.exit_code, 1) << smallest << rerun.err;
    const Json summary = Json::parse(rerun.out);
    bool same = false;
    for (const Json& v : summary["violations"]) {
      same = same || v["invariant"] == invariant;
    }
    EXPECT_TRUE(same) << smallest << " no longer fails " << invariant;
    EXPECT_EQ(summary["events"], after["events"]);
  }
}

TEST(ShrinkCommandTest, PrintsEachStepTheSizesAndTheSmallestCommand) {
  Result r = RunArgs({"shrink", "pingpong", "--seed", "3", "--swarm",
                      "--duration", "5s", "--bug", "pingpong-no-dedup"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(r.out.starts_with(
      "shrinking clustersim run pingpong --seed 3 --swarm --duration 5s "
      "--bug pingpong-no-dedup\n"
      "invariant: at-most-once-delivery (first at 0.000752s)\n"
      "step 1: expand the swarm plan to --faults: still fails "
      "(at-most-once-delivery at 0.000752s, "))
      << r.out;
  EXPECT_TRUE(Has(r.out, "\nstep 2: drop '")) << r.out;
  EXPECT_TRUE(
      Has(r.out, "load: pingpong has no clients (--load); load not shrunk\n"));
  EXPECT_TRUE(Has(r.out,
                  "\nbefore: 4 fault items, 57ms of fault windows, "
                  "duration 5s, 3 runners, "))
      << r.out;
  EXPECT_TRUE(Has(r.out, "\nafter:  ")) << r.out;
  EXPECT_TRUE(Has(r.out, "\nsmallest: clustersim run pingpong --seed 3 "))
      << r.out;
}

// Rates are halved while the failure stays (the reply-save wedge of
// reference mode needs only some storage errors).
TEST(ShrinkCommandTest, LowersWholeRunRates) {
  Result r = RunArgs(
      {"shrink", "counter", "--seed", "1", "--faults", "storage-errors=0.2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Has(r.out, ": lower storage-errors to 0.1: still fails"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "rates summing to 0.2, ")) << r.out;
  EXPECT_TRUE(Has(r.out,
                  "\nsmallest: clustersim run counter --seed 1 "
                  "--faults 'storage-errors=0.1'"))
      << r.out;
}

// The clients' load is halved while the failure stays (a second owner's
// duplicate needs a pause, not many requests).
TEST(ShrinkCommandTest, LowersTheLoad) {
  Result r = RunArgs({"shrink", "counter", "--seed", "1", "--swarm", "--bug",
                      "counter-resend-new-key", "--json"});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["before"]["load_percent"], 100) << j;
  EXPECT_LT(j["after"]["load_percent"], 50) << j;
  bool halved = false;
  for (const Json& step : j["steps"])
    halved = halved || step["step"] == "load 50%";
  EXPECT_TRUE(halved) << j["steps"];
  const std::string smallest = j["smallest"];
  EXPECT_TRUE(Has(smallest, " --load ")) << smallest;
  std::vector<std::string> again = ArgsOf(smallest);
  again.push_back("--json");
  Result rerun = RunArgs(again);
  ASSERT_EQ(rerun.exit_code, 1) << smallest << rerun.err;
  EXPECT_EQ(Json::parse(rerun.out)["load_percent"], j["after"]["load_percent"]);
}

TEST(ShrinkCommandTest, StopsAtTheRunBudget) {
  Result r = RunArgs({"shrink", "counter", "--seed", "1", "--swarm", "--bug",
                      "counter-resend-new-key", "--max-runs", "3"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Has(r.out, "stopped at the budget of 3 runs (--max-runs)\n"))
      << r.out;
  EXPECT_TRUE(Has(r.out, "runs:   3\n")) << r.out;
}

TEST(ShrinkCommandTest, AHoldingRunHasNothingToShrink) {
  Result r = RunArgs({"shrink", "pingpong", "--seed", "3", "--duration", "1s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "the run holds (no violation): nothing to shrink\n");
}

}  // namespace
}  // namespace clustersim::tools
