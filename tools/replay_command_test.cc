#include "tools/replay_command.h"

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

TEST(ReplayCommandTest, ReplaysASummaryFileAndChecksTheHash) {
  const std::string path = TempPath("summary.json");
  Result run = RunArgs({"run", "pingpong", "--seed", "8", "--swarm",
                        "--duration", "2s", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  std::ofstream(path) << run.out;
  Result replay = RunArgs({"replay", path});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_TRUE(Has(replay.out,
                  "replay        same trace hash as the recorded "
                  "run\n"))
      << replay.out;

  Result until = RunArgs({"replay", path, "--until", "100", "--tail", "3"});
  EXPECT_EQ(until.exit_code, 0) << until.err;
  EXPECT_TRUE(Has(until.out, "events 98..100:\n98 ")) << until.out;
  EXPECT_TRUE(Has(until.out, "\n100 "));
}

TEST(ReplayCommandTest, ReplaysFromFlagsUntilAnEvent) {
  Result r = RunArgs(
      {"replay", "pingpong", "--seed", "4", "--until", "5", "--tail", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out,
                  "events 4..5:\n4 0.000000s n2 node.start "
                  "incarnation=1\n5 0.000000s n3 node.start "
                  "incarnation=1\n"))
      << r.out;
}

TEST(ReplayCommandTest, MalformedRecordedHashIsBadInput) {
  Result run =
      RunArgs({"run", "pingpong", "--seed", "8", "--duration", "1s", "--json"});
  ASSERT_EQ(run.exit_code, 0);
  Json summary = Json::parse(run.out);
  for (const Json& bad : {Json("zz"), Json(""), Json(7), Json("0x12")}) {
    summary["trace_hash"] = bad;
    const std::string path = TempPath("bad_hash.json");
    std::ofstream(path) << summary.dump();
    Result r = RunArgs({"replay", path});
    EXPECT_EQ(r.exit_code, 2) << bad << r.out;
    EXPECT_TRUE(Has(r.err, "has a malformed \"trace_hash\"")) << r.err;
  }
  const std::string path = TempPath("not_json.json");
  std::ofstream(path) << "{\"reproduce\":";
  Result r = RunArgs({"replay", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err, "is not a JSON object")) << r.err;
}

TEST(ReplayCommandTest, JsonSaysWhyAReplayDiffers) {
  Result run =
      RunArgs({"run", "pingpong", "--seed", "8", "--duration", "1s", "--json"});
  Json summary = Json::parse(run.out);
  summary["trace_hash"] = "0x0000000000000001";
  const std::string path = TempPath("other_hash.json");
  std::ofstream(path) << summary.dump();
  Result r = RunArgs({"replay", path, "--json"});
  EXPECT_EQ(r.exit_code, 1);
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["recorded_trace_hash"], "0x0000000000000001");
  EXPECT_EQ(j["replay"],
            "NOT deterministic: the recorded run had trace hash "
            "0x0000000000000001, this one " +
                j["trace_hash"].get<std::string>());
  Result text = RunArgs({"replay", path});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_TRUE(Has(text.out,
                  "replay        NOT deterministic: the recorded "
                  "run had trace hash 0x0000000000000001, this one "));
}

TEST(ReplayCommandTest, FileWithRunFlagsIsBadInput) {
  Result run =
      RunArgs({"run", "pingpong", "--seed", "8", "--duration", "1s", "--json"});
  const std::string path = TempPath("flags.json");
  std::ofstream(path) << run.out;
  for (const std::vector<std::string>& extra :
       std::vector<std::vector<std::string>>{{"--seed", "9"},
                                             {"--duration", "2s"},
                                             {"--faults", "loss=0.1"},
                                             {"--swarm"},
                                             {"--mode", "hardened"},
                                             {"--runners", "4"},
                                             {"--bug", "pingpong-no-dedup"}}) {
    std::vector<std::string> args = {"replay", path};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = RunArgs(args);
    EXPECT_EQ(r.exit_code, 2) << extra[0];
    EXPECT_TRUE(Has(r.err, "replay FILE takes the run from the file")) << r.err;
  }
  EXPECT_EQ(RunArgs({"replay", path, "--json"}).exit_code, 0);
}

TEST(ReplayCommandTest, UntilIsBounded) {
  Result r = RunArgs(
      {"replay", "counter", "--seed", "1", "--until", "18446744073709551615"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Has(r.err,
                  "bad --until event '18446744073709551615': expected "
                  "an integer from 0 to 1000000000000"))
      << r.err;
  Result last = RunArgs({"replay", "pingpong", "--seed", "1", "--duration",
                         "1s", "--until", "1000000000000"});
  EXPECT_EQ(last.exit_code, 0) << last.err;
  EXPECT_TRUE(Has(last.out, "the run ended at event ")) << last.out;
}

}  // namespace
}  // namespace clustersim::tools
