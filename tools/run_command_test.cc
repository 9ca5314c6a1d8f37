#include "tools/run_command.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"

namespace clustersim::tools {
namespace {

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

Result RunArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "clustersim");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  const int exit_code =
      RunCli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {exit_code, out.str(), err.str()};
}

bool Has(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

// The value of "trace_hash" in a JSON summary.
std::string HashOf(const std::string& json) {
  const std::string key = "\"trace_hash\":\"";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  return json.substr(at + key.size(), 18);
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ListCommandTest, ListsScenariosAndBugs) {
  Result r = RunArgs({"list"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "pingpong\n"));
  EXPECT_TRUE(Has(r.out, "--bug pingpong-no-dedup: "));
}

TEST(RunCommandTest, PrintsTheSummary) {
  Result r = RunArgs({"run", "pingpong", "--seed", "5", "--duration", "2s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* line :
       {"scenario      pingpong\n", "seed          5\n",
        "mode          reference\n", "faults        none\n",
        "runners       3\n", "virtual time  2.000000s\n", "wall time     ",
        "trace hash    0x", "counters      pings_sent=", "violations    none\n",
        "reproduce     clustersim run pingpong --seed 5 --duration 2s\n"}) {
    EXPECT_TRUE(Has(r.out, line)) << line << "\n" << r.out;
  }
}

TEST(RunCommandTest, JsonIsOneObjectWithTheContractKeys) {
  Result r =
      RunArgs({"run", "pingpong", "--seed", "5", "--duration", "2s", "--faults",
               "loss=0.1,partition@1s..1500ms=1|2,3", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);  // one line
  EXPECT_TRUE(
      r.out.starts_with("{\"scenario\":\"pingpong\",\"seed\":5,"
                        "\"mode\":\"reference\",\"faults\":\"loss=0.1,"
                        "partition@1s..1500ms=1|2,3\","))
      << r.out;
  for (const char* key :
       {"\"events\":", "\"virtual_time_ms\":6500,",
        "\"wall_time_ms\":", "\"trace_hash\":\"0x", "\"violations\":[]",
        "\"reproduce\":\"clustersim run pingpong --seed 5 --faults "
        "'loss=0.1,partition@1s..1500ms=1|2,3' --duration 2s\"}"}) {
    EXPECT_TRUE(Has(r.out, key)) << key << "\n" << r.out;
  }
}

TEST(RunCommandTest, SameSeedSameHashDifferentSeedDifferentHash) {
  auto hash = [](const char* seed) {
    return HashOf(RunArgs({"run", "pingpong", "--seed", seed, "--swarm",
                           "--duration", "3s", "--json"})
                      .out);
  };
  EXPECT_EQ(hash("11").size(), 18u);
  EXPECT_EQ(hash("11"), hash("11"));
  EXPECT_NE(hash("11"), hash("12"));
}

TEST(RunCommandTest, ViolationExitsOneWithInvariantTimeAndReproducer) {
  Result r = RunArgs({"run", "pingpong", "--seed", "1", "--faults", "dup=0.2",
                      "--duration", "2s", "--bug", "pingpong-no-dedup"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.out, "  VIOLATION at-most-once-delivery at 0."));
  EXPECT_TRUE(Has(r.out,
                  "reproduce     clustersim run pingpong --seed 1 --faults "
                  "'dup=0.2' --duration 2s --bug pingpong-no-dedup\n"));
  Result json =
      RunArgs({"run", "pingpong", "--seed", "1", "--faults", "dup=0.2",
               "--duration", "2s", "--bug", "pingpong-no-dedup", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_TRUE(Has(json.out,
                  "\"violations\":[{\"invariant\":\"at-most-once-delivery\","
                  "\"time_ms\":"));
}

TEST(RunCommandTest, SwarmPrintsTheDrawnPlan) {
  Result r = RunArgs(
      {"run", "pingpong", "--seed", "42", "--swarm", "--duration", "2s"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "faults        swarm: ")) << r.out;
  EXPECT_TRUE(Has(r.out, "--seed 42 --swarm --duration 2s\n"));
}

TEST(RunCommandTest, BadInputExitsTwoWithAReason) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "nope", "--seed", "1"}, "unknown scenario 'nope'"},
      {{"run", "pingpong"}, "--seed is required"},
      {{"run", "pingpong", "--seed", "-1"}, "bad seed '-1'"},
      {{"run", "pingpong", "--seed", "1", "--duration", "ten"},
       "bad duration 'ten'"},
      {{"run", "pingpong", "--seed", "1", "--duration", "0s"}, "positive"},
      {{"run", "pingpong", "--seed", "1", "--faults", "loss=2"},
       "bad item 'loss=2'"},
      {{"run", "pingpong", "--seed", "1", "--faults", "crash@1s=9"},
       "names node 9"},
      {{"run", "pingpong", "--seed", "1", "--faults", "loss=0.1", "--swarm"},
       "excludes"},
      {{"run", "pingpong", "--seed", "1", "--faults", "storage-down@1s..2s"},
       "pingpong has no storage"},
      {{"run", "pingpong", "--seed", "1", "--runners", "1"}, "2..1000"},
      {{"run", "pingpong", "--seed", "1", "--bug", "x"}, "unknown bug 'x'"},
      {{"run", "pingpong", "--seed", "1", "--mode", "x"}, "bad mode 'x'"},
      {{"run", "pingpong", "--seed", "1", "--trace", "/nonexistent/dir/t"},
       "cannot write trace file"},
      {{"sweep", "pingpong", "--seeds", "5..1"}, "the range is empty"},
      {{"sweep", "pingpong", "--seeds", "1"}, "expected A..B"},
      {{"sweep", "pingpong", "--seeds", "1..2", "--shard", "2/2"},
       "bad --shard"},
      {{"sweep", "pingpong", "--seeds", "1..2", "--jobs", "0"}, "bad --jobs"},
      {{"replay", "pingpong"}, "needs --seed"},
      {{"replay", "/nonexistent/file"}, "neither a scenario nor"},
  };
  for (const auto& [args, reason] : cases) {
    Result r = RunArgs(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << "\n" << r.out;
    EXPECT_TRUE(Has(r.err, reason)) << reason << " vs " << r.err;
    EXPECT_TRUE(r.err.starts_with("clustersim: ")) << r.err;
  }
}

TEST(RunCommandTest, HelpDocumentsTheFaultGrammar) {
  Result r = RunArgs({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "partition@T1..T2=1|2,3")) << r.out;
  EXPECT_TRUE(Has(r.out, "storage-down@T1..T2")) << r.out;
  EXPECT_TRUE(Has(r.out, "--swarm"));
}

TEST(RunCommandTest, WritesPerfettoJsonOrTextTraces) {
  const std::string json_path = TempPath("trace.json");
  const std::string text_path = TempPath("trace.txt");
  Result a =
      RunArgs({"run", "pingpong", "--seed", "2", "--duration", "1s", "--faults",
               "pause@100ms..200ms=2", "--trace", json_path});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  const std::string json = ReadFile(json_path);
  EXPECT_TRUE(
      json.starts_with("{\"displayTimeUnit\":\"ms\",\"traceEvents\":["));
  EXPECT_TRUE(Has(json, "\"name\":\"paused\""));
  Result b = RunArgs({"run", "pingpong", "--seed", "2", "--duration", "1s",
                      "--trace", text_path});
  EXPECT_EQ(b.exit_code, 0) << b.err;
  const std::string text = ReadFile(text_path);
  EXPECT_TRUE(text.starts_with("0 0.000000s n1 node.add n1\n")) << text;
}

TEST(RunCommandTest, CheckDeterminismReportsIt) {
  Result r = RunArgs({"run", "pingpong", "--seed", "3", "--duration", "1s",
                      "--check-determinism"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "determinism   deterministic (trace hash 0x"));
}

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

}  // namespace
}  // namespace clustersim::tools
