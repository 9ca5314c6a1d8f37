#include "tools/run_command.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tools/cli.h"
#include "tools/json.h"
#include "tools/test_cli.h"

namespace clustersim::tools {
namespace {

using testing::Has;
using testing::ReadFile;
using testing::Result;
using testing::RunArgs;
using testing::TempPath;

// The value of "trace_hash" in a JSON summary.
std::string HashOf(const std::string& json) {
  return Json::parse(json).at("trace_hash").get<std::string>();
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
      // Issue 10: every one of these once crashed, hung or passed silently.
      {{"frobnicate", "--seed", "1"}, "unknown command 'frobnicate'"},
      {{"run", "pingpong", "--seed", "1", "--runners", "0"},
       "needs 2..1000 runners, not 0"},
      {{"run", "pingpong", "--seed", "1", "--runners", "1001"},
       "needs 2..1000 runners, not 1001"},
      {{"run", "pingpong", "--seed", "1", "--duration", "25h"}, "at most 24h"},
      {{"run", "pingpong", "--seed", "1", "--duration", "1s", "--faults",
        "crash@1000h=1"},
       "fault 'crash@3600000s=1' ends after the run's duration 1s"},
      {{"run", "pingpong", "--seed", "1", "--duration", "2s", "--faults",
        "pause@1s..3s=1"},
       "ends after the run's duration 2s"},
      {{"run", "pingpong", "--seed", "1", "--swarm", "--duration", "90000s"},
       "at most 24h"},
      {{"sweep", "pingpong", "--seeds", "0..100000000"}, "at most 100000000"},
      {{"sweep", "pingpong", "--seeds", "1..2", "--jobs", "257"}, "bad --jobs"},
      {{"sweep", "pingpong", "--seeds", "1..2", "--runners", "0"}, "not 0"},
      {{"run", "counter", "--seed", "1", "--load", "0"},
       "bad --load 0: expected a percent from 1 to 100"},
      {{"run", "counter", "--seed", "1", "--load", "101"}, "bad --load 101"},
      {{"run", "pingpong", "--seed", "1", "--load", "50"},
       "pingpong has no clients whose load --load could change"},
      {{"shrink", "pingpong", "--seed", "1", "--max-runs", "0"},
       "bad --max-runs"},
      {{"shrink", "pingpong", "--seed", "1", "--check-determinism"},
       "does not take --check-determinism"},
  };
  for (const auto& [args, reason] : cases) {
    Result r = RunArgs(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << "\n" << r.out;
    EXPECT_TRUE(Has(r.err, reason)) << reason << " vs " << r.err;
    EXPECT_TRUE(r.err.starts_with("clustersim: ")) << r.err;
  }
}

// --load scales the clients' pauses: fewer operations from the same seed,
// and the reproduce command keeps it; full load is the default run.
TEST(RunCommandTest, LoadLowersTheRequestRateAndIsReproduced) {
  auto issued = [](const Result& r) {
    return Json::parse(r.out)["stats"]["ops_issued"].get<int64_t>();
  };
  Result full = RunArgs({"run", "counter", "--seed", "5", "--json"});
  Result full_explicit =
      RunArgs({"run", "counter", "--seed", "5", "--load", "100", "--json"});
  Result half =
      RunArgs({"run", "counter", "--seed", "5", "--load", "50", "--json"});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ASSERT_EQ(half.exit_code, 0) << half.err;
  EXPECT_EQ(HashOf(full.out), HashOf(full_explicit.out));
  EXPECT_LT(issued(half), issued(full) * 2 / 3);
  EXPECT_GT(issued(half), 0);
  EXPECT_EQ(Json::parse(half.out)["load_percent"], 50);
  EXPECT_EQ(Json::parse(half.out)["reproduce"],
            "clustersim run counter --seed 5 --load 50");
  EXPECT_TRUE(Has(RunArgs({"list"}).out, "(default 3); --load 1..100\n"));
}

TEST(RunCommandTest, HelpDocumentsTheFaultGrammar) {
  Result r = RunArgs({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Has(r.out, "partition@T1..T2=1|2,3")) << r.out;
  EXPECT_TRUE(Has(r.out, "storage-down@T1..T2")) << r.out;
  EXPECT_TRUE(Has(r.out, "Every fault time must lie within --duration"))
      << r.out;
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

TEST(RunCommandTest, ModeOnAScenarioWithoutModesIsANote) {
  Result hardened = RunArgs({"run", "pingpong", "--seed", "3", "--duration",
                             "1s", "--mode", "hardened", "--json"});
  EXPECT_EQ(hardened.exit_code, 0) << hardened.err;
  EXPECT_EQ(hardened.err,
            "clustersim: note: pingpong has no mode-dependent behaviour: "
            "--mode hardened runs the same as reference\n");
  Result reference =
      RunArgs({"run", "pingpong", "--seed", "3", "--duration", "1s", "--json"});
  EXPECT_EQ(reference.err, "");
  EXPECT_EQ(HashOf(hardened.out), HashOf(reference.out));
  // counter has modes: no note.
  Result counter = RunArgs({"run", "counter", "--seed", "3", "--duration", "1s",
                            "--mode", "hardened"});
  EXPECT_EQ(counter.err, "");
  EXPECT_TRUE(Has(RunArgs({"list"}).out,
                  "runners 2..1000 (default 3); no mode-dependent "
                  "behaviour\n"));
}

TEST(RunCommandTest, OutputThatCannotBeWrittenIsBadInput) {
  // As `run ... --json > /dev/full`.
  std::ofstream full("/dev/full");
  ASSERT_TRUE(full.is_open());
  std::ostringstream err;
  const char* argv[] = {"clustersim", "run",        "pingpong", "--seed",
                        "1",          "--duration", "1s",       "--json"};
  EXPECT_EQ(RunCli(8, argv, full, err), 2);
  EXPECT_EQ(err.str(), "clustersim: could not write the output in full\n");

  Result trace = RunArgs({"run", "pingpong", "--seed", "1", "--duration", "1s",
                          "--trace", "/dev/full"});
  EXPECT_EQ(trace.exit_code, 2);
  EXPECT_TRUE(Has(trace.err, "could not write trace file '/dev/full' in full"))
      << trace.err;
}

// The Perfetto file of a counter run with a crash: valid Trace Event
// Format JSON with per-entity and per-shard tracks, the fault and the
// violations as instants, and every "B" closed by its "E".
TEST(RunCommandTest, PerfettoTraceHasEntityShardFaultAndViolationEvents) {
  const std::string path = TempPath("counter.json");
  Result r = RunArgs({"run", "counter", "--seed", "2", "--duration", "4s",
                      "--faults", "crash@2s=3", "--bug",
                      "counter-redeliver-answered", "--trace", path});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const Json trace = Json::parse(ReadFile(path), nullptr, false);
  ASSERT_TRUE(trace.is_object());
  std::map<std::pair<int, int>, int> open;
  std::map<std::string, int> threads;  // thread-name prefix -> count
  int begins = 0, faults = 0, violations = 0;
  for (const Json& e : trace.at("traceEvents")) {
    const std::string ph = e.at("ph");
    const std::pair<int, int> thread = {e.at("pid"), e.at("tid")};
    if (ph == "M" && e["name"] == "thread_name") {
      const std::string name = e["args"]["name"];
      ++threads[name.substr(0, name.find(' '))];
    }
    if (ph == "B") ++open[thread], ++begins;
    if (ph == "E") {
      ASSERT_GT(open[thread], 0) << "an E without its B: " << e;
      --open[thread];
    }
    if (ph == "i" && e["name"] == "fault") ++faults;
    if (ph == "i" && e["name"].get<std::string>().starts_with("violation: ")) {
      ++violations;
    }
  }
  for (const auto& [thread, depth] : open) EXPECT_EQ(depth, 0);
  EXPECT_GT(begins, 0);
  EXPECT_GT(threads["alive"], 0);
  EXPECT_GT(threads["owns"], 0);
  EXPECT_EQ(faults, 1);
  EXPECT_GT(violations, 0);
}
}  // namespace
}  // namespace clustersim::tools
