#include "sim/perfetto.h"

#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
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

// Braces and brackets balance outside strings, and strings close.
bool Balanced(const std::string& json) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (depth < 0) return false;
  }
  return depth == 0 && !in_string;
}

TEST(PerfettoTest, WritesProcessesSpansInstantsAndFlows) {
  std::ostringstream out;
  std::vector<TraceEvent> events = Sample();
  WritePerfettoJson(events, kNames, out);
  const std::string json = out.str();
  EXPECT_TRUE(Balanced(json)) << json;
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
  WritePerfettoJson({}, {}, out);
  EXPECT_TRUE(Balanced(out.str()));
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
