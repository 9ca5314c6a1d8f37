// `clustersim bench`: argument errors and the shape of --json. Tiny
// workloads only; nothing here is timed.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/json.h"
#include "tools/test_cli.h"

namespace clustersim::tools {
namespace {

using testing::Has;
using testing::RunArgs;

TEST(BenchCommandTest, BadInputIsExitTwoWithAReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"bench", "nosuch"}, "unknown benchmark 'nosuch'"},
      {{"bench", "workflow", "--executions", "0"}, "bad --executions 0"},
      {{"bench", "cluster", "--executions", "5"},
       "--executions applies to bench workflow"},
      {{"bench", "cluster", "--entities", "0"}, "bad --entities 0"},
      {{"bench", "cluster", "--entities", "100001"}, "bad --entities 100001"},
      {{"bench", "cluster", "--requests", "0"}, "bad --requests 0"},
      {{"bench", "sweep", "--seeds", "0"}, "bad --seeds 0"},
      {{"bench", "sweep", "--jobs", "0"}, "bad --jobs 0"},
      {{"bench", "sweep", "--jobs", "257"}, "bad --jobs 257"},
      {{"bench", "kernel", "--seeds", "5"}, "--seeds applies to bench sweep"},
      {{"bench", "sweep", "--entities", "5"},
       "--entities applies to bench cluster"},
      {{"bench", "sweep", "--scenario", "nosuch", "--seeds", "1"},
       "unknown scenario"},
      {{"bench", "cluster", "--entities", "many"}, "--entities"},
  };
  for (const auto& [args, reason] : cases) {
    const testing::Result r = RunArgs(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << reason;
    EXPECT_TRUE(Has(r.err, reason)) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(RunArgs({"bench"}).exit_code, 2);
}

bool IsPositiveNumber(const Json& value) {
  return value.is_number() && value.get<double>() > 0;
}

TEST(BenchCommandTest, WorkflowJsonHasBothSettings) {
  const testing::Result r =
      RunArgs({"bench", "workflow", "--executions", "5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["benchmark"], "workflow");
  EXPECT_EQ(j["executions"], 5);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["setting"], "in_process");
  EXPECT_EQ(j["runs"][1]["setting"], "simulated");
  for (const Json& run : j["runs"]) {
    // Every execution of the measured phase completed.
    EXPECT_EQ(run["executions"], 5) << run.dump();
    for (const char* key :
         {"wall_s", "executions_per_wall_s", "peak_rss_mib"}) {
      EXPECT_TRUE(IsPositiveNumber(run[key])) << key << " in " << run.dump();
    }
  }
}

TEST(BenchCommandTest, ClusterJsonHasEveryRunWithUnitsInKeys) {
  const testing::Result r = RunArgs(
      {"bench", "cluster", "--entities", "6", "--requests", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["benchmark"], "cluster");
  EXPECT_EQ(j["entities"], 6);
  EXPECT_EQ(j["requests_per_entity"], 3);
  ASSERT_EQ(j["runs"].size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"in_process", "volatile"},
      {"in_process", "persisted"},
      {"simulated", "volatile"},
      {"simulated", "persisted"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const Json& run = j["runs"][i];
    EXPECT_EQ(run["setting"], expected[i].first);
    EXPECT_EQ(run["rpc"], expected[i].second);
    // Every request of the measured phase answered.
    EXPECT_EQ(run["round_trips"], 18) << run.dump();
    for (const char* key :
         {"wall_s", "round_trips_per_wall_s", "peak_rss_mib"}) {
      EXPECT_TRUE(IsPositiveNumber(run[key])) << key << " in " << run.dump();
    }
    EXPECT_TRUE(run["virtual_s"].is_number());
    EXPECT_TRUE(run["sim_s_per_wall_s"].is_number());
  }
  // Over the simulated network every round trip takes virtual time.
  EXPECT_GT(j["runs"][2]["virtual_s"].get<double>(), 0);
}

TEST(BenchCommandTest, SweepJsonHasBothFaultSettings) {
  const testing::Result r =
      RunArgs({"bench", "sweep", "--seeds", "2", "--jobs", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["benchmark"], "sweep");
  EXPECT_EQ(j["scenario"], "counter");
  EXPECT_EQ(j["jobs"], 1);
  EXPECT_TRUE(IsPositiveNumber(j["cores"]));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["faults"], "none");
  EXPECT_EQ(j["runs"][1]["faults"], "swarm");
  for (const Json& run : j["runs"]) {
    EXPECT_EQ(run["seeds"], 2);
    EXPECT_TRUE(run["failed"].is_number_integer());
    for (const char* key : {"wall_s", "seeds_per_hour",
                            "seeds_per_hour_per_core", "peak_rss_mib"}) {
      EXPECT_TRUE(IsPositiveNumber(run[key])) << key << " in " << run.dump();
    }
  }
}

TEST(BenchCommandTest, TextOutputIsOneLinePerFigure) {
  const testing::Result r =
      RunArgs({"bench", "cluster", "--entities", "2", "--requests", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "cluster  entities"));
  EXPECT_TRUE(Has(r.out, "in_process.volatile round_trips_per_wall_s"));
  EXPECT_TRUE(Has(r.out, "simulated.persisted peak_rss_mib"));
}

}  // namespace
}  // namespace clustersim::tools
