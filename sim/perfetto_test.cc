#include "sim/perfetto.h"

#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/trace.h"

namespace clustersim::sim {
namespace {

const std::vector<std::string> kNames = {"n1", "n2"};

std::vector<TraceEvent> Sample() {
  return {
      {0, 1, "node.start", "incarnation=1"},
      {0, 2, "node.start", "incarnation=1"},
      {10, 0, "fault.begin", "pause@10us..50us=2"},
      {10, 2, "node.pause", ""},
      {12, 1, "net.send", "#1 1->2 3B digest=364b3fb7"},
      {13, 1, "run", ""},
      {20, 2, "net.queue", "#1 1->2 3B digest=364b3fb7"},
      {50, 0, "fault.end", "pause@10us..50us=2"},
      {50, 2, "node.resume", "held=0 inbox=1"},
      {60, 1, "pp.note", "a \"quoted\"\tdetail\\"},
      {70, 2, "node.crash", "incarnation=1"},
  };
}

using Json = nlohmann::json;

// The trace file parsed; a JSON syntax error fails the test.
Json Parse(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(json.is_discarded()) << text;
  return json;
}

// The Trace Event Format's shape: every event has a known phase, a pid and
// a tid; timed events a ts; complete events a dur >= 0; and on each thread
// every "B" is closed by an "E" at or after it.
void ExpectTraceEventFormat(const Json& trace) {
  ASSERT_TRUE(trace.is_object());
  ASSERT_TRUE(trace.contains("traceEvents"));
  std::map<std::pair<int, int>, std::vector<int64_t>> open;  // begin times
  for (const Json& e : trace["traceEvents"]) {
    const std::string ph = e.at("ph").get<std::string>();
    ASSERT_TRUE(std::string("MiXBEsf").find(ph) != std::string::npos) << e;
    ASSERT_TRUE(e.at("pid").is_number_integer()) << e;
    ASSERT_TRUE(e.at("tid").is_number_integer()) << e;
    if (ph == "M") continue;
    const int64_t ts = e.at("ts").get<int64_t>();
    std::vector<int64_t>& stack = open[{e["pid"], e["tid"]}];
    if (ph == "X") EXPECT_GE(e.at("dur").get<int64_t>(), 0) << e;
    if (ph == "B") stack.push_back(ts);
    if (ph == "E") {
      ASSERT_FALSE(stack.empty()) << "an E without its B: " << e;
      EXPECT_GE(ts, stack.back()) << e;
      stack.pop_back();
    }
  }
  for (const auto& [thread, stack] : open) {
    EXPECT_TRUE(stack.empty()) << "a B without its E on pid " << thread.first
                               << " tid " << thread.second;
  }
}

TEST(PerfettoTest, WritesProcessesSpansInstantsAndFlows) {
  std::ostringstream out;
  std::vector<TraceEvent> events = Sample();
  WritePerfettoJson(events, kNames, {}, out);
  const std::string json = out.str();
  ExpectTraceEventFormat(Parse(json));
  auto has = [&](const std::string& fragment) {
    return json.find(fragment) != std::string::npos;
  };
  EXPECT_TRUE(has("{\"displayTimeUnit\":\"ms\",\"traceEvents\":["));
  // One named process per node plus the world.
  EXPECT_TRUE(
      has("\"name\":\"process_name\",\"pid\":1,\"tid\":0,"
          "\"args\":{\"name\":\"world\"}"));
  EXPECT_TRUE(has("\"pid\":2,\"tid\":0,\"args\":{\"name\":\"n1\"}"));
  EXPECT_TRUE(has("\"pid\":3,\"tid\":0,\"args\":{\"name\":\"n2\"}"));
  // Incarnation, pause and fault window spans.
  EXPECT_TRUE(
      has("{\"ph\":\"X\",\"name\":\"incarnation=1\",\"cat\":\"sim\","
          "\"ts\":0,\"pid\":3,\"tid\":1,\"dur\":70}"));
  EXPECT_TRUE(
      has("{\"ph\":\"X\",\"name\":\"paused\",\"cat\":\"sim\","
          "\"ts\":10,\"pid\":3,\"tid\":2,\"dur\":40}"));
  EXPECT_TRUE(
      has("{\"ph\":\"X\",\"name\":\"pause@10us..50us=2\","
          "\"cat\":\"sim\",\"ts\":10,\"pid\":1,\"tid\":10,\"dur\":40}"));
  // n1's incarnation is still open at the end: closed at the last event.
  EXPECT_TRUE(has("\"ts\":0,\"pid\":2,\"tid\":1,\"dur\":70}"));
  // The message: two slices joined by a flow.
  EXPECT_TRUE(
      has("{\"ph\":\"s\",\"name\":\"message\",\"id\":1,"
          "\"cat\":\"sim\",\"ts\":12,\"pid\":2,\"tid\":3}"));
  EXPECT_TRUE(
      has("{\"ph\":\"f\",\"name\":\"message\",\"id\":1,"
          "\"cat\":\"sim\",\"ts\":20,\"pid\":3,\"tid\":3,"
          "\"bp\":\"e\"}"));
  // Instants keep their detail, escaped; "run" events are left out.
  EXPECT_TRUE(
      has("{\"ph\":\"i\",\"s\":\"t\",\"name\":\"pp.note\",\"cat\":"
          "\"sim\",\"ts\":60,\"pid\":2,\"tid\":3,\"args\":{\"detail\":"
          "\"a \\\"quoted\\\"\\tdetail\\\\\"}}"));
  EXPECT_FALSE(has("\"name\":\"run\""));
}

TEST(PerfettoTest, EmptyTraceIsStillValidJson) {
  std::ostringstream out;
  WritePerfettoJson({}, {}, {}, out);
  ExpectTraceEventFormat(Parse(out.str()));
}

TEST(PerfettoTest, EntityShardRunAndActivityTracksAndViolations) {
  const std::vector<TraceEvent> events = {
      {0, 1, "node.start", "incarnation=1"},
      {0, 2, "node.start", "incarnation=1"},
      {5, 1, "shard.acquire", "default:1 runner=r1:1"},
      {6, 1, "shard.acquire", "default:2 runner=r1:1"},
      {10, 1, "entity.start", "Counter/c1 runner=r1:1"},
      {12, 1, "entity.start", "Counter/c2 runner=r1:1"},
      {15, 0, "fault", "crash@15us=1"},
      {15, 1, "node.crash", "incarnation=1"},
      {20, 2, "shard.acquire", "default:1 runner=r2:1"},
      {30, 2, "entity.start", "Counter/c1 runner=r2:1"},
      {40, 2, "entity.stop", "Counter/c1 runner=r2:1"},
      {45, 2, "shard.release", "default:1 runner=r2:1"},
      {50, 2, "entity.start", "Counter/c1 runner=r2:1"},
      {51, 2, "workflow.run.start", "Transfer/x runner=r2:1"},
      {52, 2, "workflow.activity.start",
       "Transfer/x name=debit attempt=1 runner=r2:1"},
      {53, 2, "workflow.activity.cut",
       "Transfer/x name=debit attempt=1 runner=r2:1"},
      {55, 2, "workflow.run.end",
       "Transfer/x runner=r2:1 result=suspended exit=-"},
      {56, 2, "workflow.activity.start",
       "Transfer/x name=debit attempt=2 runner=r2:1"},
      {57, 2, "workflow.activity",
       "Transfer/x name=debit attempt=2 runner=r2:1 result=complete exit=1"},
      {58, 2, "workflow.run.start", "Transfer/x runner=r2:1"},
      {58, 2, "workflow.activity.start",
       "Transfer/x name=credit attempt=1 runner=r2:1"},
  };
  const std::vector<TraceMark> marks = {
      {31, "violation: single-activation", "c1 on r1 and r2"}};
  std::ostringstream out;
  WritePerfettoJson(events, kNames, marks, out);
  const Json trace = Parse(out.str());
  ExpectTraceEventFormat(trace);
  // Spans by (pid, thread name), as [begin, end] pairs.
  std::map<std::pair<int, std::string>, int> tids;
  std::map<std::pair<int, int>, std::string> names;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") {
      names[{e["pid"], e["tid"]}] = e["args"]["name"];
    }
  }
  std::map<std::string, std::vector<int64_t>> spans;  // "pid name" -> ts
  bool violation = false, fault = false;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] == "B" || e["ph"] == "E") {
      const int pid = e["pid"];
      spans[std::to_string(pid) + " " + names[{pid, e["tid"]}]].push_back(
          e["ts"]);
    }
    if (e["ph"] == "i" && e["name"] == "violation: single-activation") {
      violation = e["s"] == "g" && e["ts"] == 31 &&
                  e["args"]["detail"] == "c1 on r1 and r2";
    }
    if (e["ph"] == "i" && e["name"] == "fault") fault = true;
  }
  using V = std::vector<int64_t>;
  // Runner 1 (pid 2): its spans end at its crash.
  EXPECT_EQ(spans["2 alive Counter/c1"], (V{10, 15}));
  EXPECT_EQ(spans["2 alive Counter/c2"], (V{12, 15}));
  EXPECT_EQ(spans["2 owns default:1"], (V{5, 15}));
  EXPECT_EQ(spans["2 owns default:2"], (V{6, 15}));
  // Runner 2 (pid 3): a stop ends a span; the open one ends with the trace.
  EXPECT_EQ(spans["3 alive Counter/c1"], (V{30, 40, 50, 58}));
  EXPECT_EQ(spans["3 owns default:1"], (V{20, 45}));
  // A workflow execution's runs: one ended, one open at the end.
  EXPECT_EQ(spans["3 run Transfer/x"], (V{51, 55, 58, 58}));
  // An activity's attempts share a track: one cut short, one finished, and
  // another activity's attempt open at the end.
  EXPECT_EQ(spans["3 activity Transfer/x name=debit"], (V{52, 53, 56, 57}));
  EXPECT_EQ(spans["3 activity Transfer/x name=credit"], (V{58, 58}));
  EXPECT_TRUE(violation);
  EXPECT_TRUE(fault);
}

TEST(TextTraceTest, OneNumberedLinePerEvent) {
  std::ostringstream out;
  std::vector<TraceEvent> events = Sample();
  WriteTextTrace(events, kNames, out);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), events.size());
  EXPECT_EQ(lines[0], "0 0.000000s n1 node.start incarnation=1");
  EXPECT_EQ(lines[2], "2 0.000010s world fault.begin pause@10us..50us=2");
  EXPECT_EQ(lines[5], "5 0.000013s n1 run");
  EXPECT_EQ(FormatTraceEvent(7, TraceEvent{61'000'250, 3, "x", ""}, kNames),
            "7 61.000250s node3 x");
}

}  // namespace
}  // namespace clustersim::sim
