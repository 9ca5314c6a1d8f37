#include "sim/faults.h"

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kS = 1'000'000;
constexpr int64_t kMs = 1'000;

std::vector<NodeId> Nodes(std::initializer_list<uint32_t> ids) {
  std::vector<NodeId> out;
  for (uint32_t id : ids) out.push_back(NodeId{id});
  return out;
}

TEST(FaultPlanTest, ParsesTheFullExample) {
  absl::StatusOr<FaultPlan> plan = ParseFaultPlan(
      "loss=0.05,dup=0.01,delay=1ms..50ms,reorder=0.1,"
      "partition@10s..20s=1|2,3,clog@5s..6s=2,crash@15s=3,restart@17s=3,"
      "pause@20s..45s=2,skew=2:+500ms,drift=3:+200ppm,step@30s=1:-2s");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->loss, 0.05);
  EXPECT_EQ(plan->duplicate, 0.01);
  EXPECT_EQ(plan->reorder, 0.1);
  EXPECT_EQ(plan->corrupt, 0);
  EXPECT_EQ(plan->latency,
            (LatencyModel{
                .min_us = kMs, .tail_mean_us = 12'250, .max_us = 50 * kMs}));
  EXPECT_EQ(plan->clocks.at(2), (ClockConfig{.offset_ms = 500}));
  EXPECT_EQ(plan->clocks.at(3), (ClockConfig{.drift_ppm = 200}));
  ASSERT_EQ(plan->timed.size(), 6u);
  EXPECT_EQ(plan->timed[0],
            (TimedFault{.kind = FaultKind::kPartition,
                        .start_us = 10 * kS,
                        .end_us = 20 * kS,
                        .groups = {Nodes({1}), Nodes({2, 3})}}));
  EXPECT_EQ(plan->timed[1], (TimedFault{.kind = FaultKind::kClogNode,
                                        .start_us = 5 * kS,
                                        .end_us = 6 * kS,
                                        .groups = {Nodes({2})}}));
  EXPECT_EQ(plan->timed[2].kind, FaultKind::kCrash);
  EXPECT_EQ(plan->timed[2].start_us, 15 * kS);
  EXPECT_EQ(plan->timed[2].end_us, 15 * kS);
  EXPECT_EQ(plan->timed[3].kind, FaultKind::kRestart);
  EXPECT_EQ(plan->timed[4].kind, FaultKind::kPause);
  EXPECT_EQ(plan->timed[5], (TimedFault{.kind = FaultKind::kStep,
                                        .start_us = 30 * kS,
                                        .end_us = 30 * kS,
                                        .groups = {Nodes({1})},
                                        .step_us = -2 * kS}));
  EXPECT_EQ(plan->QuietTimeUs(), 45 * kS);
  EXPECT_EQ(plan->ToString(),
            "delay=1ms..50ms,loss=0.05,dup=0.01,reorder=0.1,skew=2:+500ms,"
            "drift=3:+200ppm,partition@10s..20s=1|2,3,clog@5s..6s=2,"
            "crash@15s=3,restart@17s=3,pause@20s..45s=2,step@30s=1:-2s");
  EXPECT_EQ(*ParseFaultPlan(plan->ToString()), *plan);
}

TEST(FaultPlanTest, ParsesTheOtherForms) {
  absl::StatusOr<FaultPlan> plan = ParseFaultPlan(
      "partition@1s..2s=1,2>3,partition@0s..1.5s=1|2|3,isolate@3s..4s=2,"
      "clog@1s..2s=1>2,delay=5ms,corrupt=0.001,drift=1:-300ppm");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->timed[0].kind, FaultKind::kPartitionOneWay);
  EXPECT_EQ(plan->timed[0].groups,
            (std::vector<std::vector<NodeId>>{Nodes({1, 2}), Nodes({3})}));
  EXPECT_EQ(plan->timed[1].groups.size(), 3u);
  EXPECT_EQ(plan->timed[1].end_us, 1'500'000);
  EXPECT_EQ(plan->timed[2].kind, FaultKind::kIsolate);
  EXPECT_EQ(plan->timed[3].kind, FaultKind::kClogLink);
  EXPECT_EQ(
      plan->latency,
      (LatencyModel{.min_us = 5 * kMs, .tail_mean_us = 0, .max_us = 5 * kMs}));
  EXPECT_EQ(plan->clocks.at(1).drift_ppm, -300);
  EXPECT_EQ(*ParseFaultPlan(plan->ToString()), *plan);
}

TEST(FaultPlanTest, EmptySpecsAreTheEmptyPlan) {
  EXPECT_TRUE(ParseFaultPlan("")->empty());
  EXPECT_TRUE(ParseFaultPlan("none")->empty());
  EXPECT_EQ(FaultPlan{}.ToString(), "none");
  EXPECT_FALSE(ParseFaultPlan("loss=0.1")->empty());
}

struct BadSpec {
  const char* spec;
  const char* item;  // the item the error must name
  const char* why;   // and a fragment of the reason
};

TEST(FaultPlanTest, MalformedSpecsNameTheBadItem) {
  const BadSpec cases[] = {
      {"loss=2", "loss=2", "probability"},
      {"loss=abc", "loss=abc", "probability"},
      {"loss=nan", "loss=nan", "probability"},
      {"loss=", "loss=", "nothing after '='"},
      {"bogus=1", "bogus=1", "unknown fault 'bogus'"},
      {"3,loss=0.1", "3", "expected NAME=VALUE"},
      {"loss=0.1,,dup=0.1", "", "expected NAME=VALUE"},
      {"loss=0.1,loss=0.2", "loss=0.2", "given twice"},
      {"loss@1s=0.1", "loss@1s=0.1", "whole run"},
      {"partition@10s=1|2", "partition@10s=1|2", "window T1..T2"},
      {"partition=1|2", "partition=1|2", "needs a time"},
      {"partition@2s..1s=1|2", "partition@2s..1s=1|2", "end after"},
      {"partition@1s..2s=1|1", "partition@1s..2s=1|1", "both sides"},
      {"partition@1s..2s=1", "partition@1s..2s=1", "expected groups"},
      {"partition@1s..2s=1|2>3", "partition@1s..2s=1|2>3", "not both"},
      {"partition@1s..2s=1|x", "partition@1s..2s=1|x", "'x' is not a node"},
      {"partition@1s..2s=1|2,2", "partition@1s..2s=1|2,2", "listed twice"},
      {"crash@1s..2s=3", "crash@1s..2s=3", "instant"},
      {"crash@1x=3", "crash@1x=3", "bad duration '1x'"},
      {"crash@1s=0", "crash@1s=0", "'0' is not a node"},
      {"clog@1s..2s=2>2", "clog@1s..2s=2>2", "two different nodes"},
      {"skew=2:500", "skew=2:500", "bad duration"},
      {"skew=2", "skew=2", "N:+DURATION"},
      {"skew=2:+1us", "skew=2:+1us", "whole milliseconds"},
      {"drift=3:+200", "drift=3:+200", "N:+Kppm"},
      {"drift=3:+10001ppm", "drift=3:+10001ppm", "within"},
      {"step@1s=1:0s", "step@1s=1:0s", "non-zero"},
      {"delay=5ms..1ms", "delay=5ms..1ms", "must not end before"},
      {"storage-errors=1.5", "storage-errors=1.5", "probability"},
      {"storage-errors@1s=0.1", "storage-errors@1s=0.1", "whole run"},
      {"storage-drop=0.1,storage-drop=0.2", "storage-drop=0.2", "twice"},
      {"storage-spike=0.1", "storage-spike=0.1", "expected P:A..B"},
      {"storage-spike=0.1:1s", "storage-spike=0.1:1s", "expected P:A..B"},
      {"storage-spike=2:1ms..2ms", "storage-spike=2:1ms..2ms", "probability"},
      {"storage-spike=0.1:5ms..1ms", "storage-spike=0.1:5ms..1ms",
       "must not end before"},
      {"storage-spike=0.1:1ms..1500us", "storage-spike=0.1:1ms..1500us",
       "whole milliseconds"},
      {"storage-down", "storage-down", "needs a window"},
      {"storage-down@1s", "storage-down@1s", "window T1..T2"},
      {"storage-down@2s..1s", "storage-down@2s..1s", "end after"},
      {"storage-down@1s..2s=3", "storage-down@1s..2s=3", "no value"},
      {"storage-bogus=1", "storage-bogus=1", "unknown fault"},
  };
  for (const BadSpec& c : cases) {
    absl::StatusOr<FaultPlan> plan = ParseFaultPlan(c.spec);
    ASSERT_FALSE(plan.ok()) << c.spec;
    const std::string message(plan.status().message());
    EXPECT_NE(message.find(std::string("bad item '") + c.item + "'"),
              std::string::npos)
        << c.spec << " -> " << message;
    EXPECT_NE(message.find(c.why), std::string::npos)
        << c.spec << " -> " << message;
  }
}

TEST(FaultPlanTest, StorageFaultsParseAndPrintCanonically) {
  const std::string spec =
      "loss=0.1,storage-spike=0.05:20ms..1500ms,storage-errors=0.2,"
      "storage-down@10s..12s,storage-drop=0.05,crash@1s=2";
  absl::StatusOr<FaultPlan> plan = ParseFaultPlan(spec);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->storage, (StorageFaultPlan{.error_rate = 0.2,
                                             .drop_rate = 0.05,
                                             .spike_rate = 0.05,
                                             .spike_min_ms = 20,
                                             .spike_max_ms = 1500}));
  ASSERT_EQ(plan->timed.size(), 2u);
  EXPECT_EQ(plan->timed[0], (TimedFault{.kind = FaultKind::kStorageDown,
                                        .start_us = 10 * kS,
                                        .end_us = 12 * kS,
                                        .groups = {}}));
  EXPECT_EQ(plan->QuietTimeUs(), 12 * kS);
  EXPECT_TRUE(plan->UsesStorage());
  EXPECT_TRUE(plan->ValidateNodes(2).ok());
  const std::string canonical =
      "loss=0.1,storage-errors=0.2,storage-drop=0.05,"
      "storage-spike=0.05:20ms..1500ms,storage-down@10s..12s,crash@1s=2";
  EXPECT_EQ(plan->ToString(), canonical);
  EXPECT_EQ(*ParseFaultPlan(canonical), *plan);

  EXPECT_TRUE(ParseFaultPlan("storage-down@1s..2s")->UsesStorage());
  EXPECT_TRUE(ParseFaultPlan("storage-drop=0.1")->UsesStorage());
  EXPECT_FALSE(ParseFaultPlan("loss=0.1,crash@1s=1")->UsesStorage());
  // A node list may still follow a storage-down window.
  plan = ParseFaultPlan("storage-down@1s..2s,partition@1s..2s=1|2,3");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->timed[1].groups[1], Nodes({2, 3}));
}

TEST(FaultPlanTest, ValidateNodesNamesTheFaultAndTheNode) {
  FaultPlan plan = *ParseFaultPlan("crash@1s=7");
  EXPECT_TRUE(plan.ValidateNodes(7).ok());
  absl::Status status = plan.ValidateNodes(3);
  EXPECT_EQ(status.message(),
            "fault 'crash@1s=7' names node 7 but the run has nodes 1..3");
  EXPECT_FALSE(ParseFaultPlan("skew=4:+1s")->ValidateNodes(3).ok());
}

TEST(FaultPlanTest, ValidateTimesRejectsFaultsPastTheDuration) {
  FaultPlan plan = *ParseFaultPlan("loss=0.1,crash@1000h=1");
  EXPECT_TRUE(plan.ValidateTimes(1000LL * 3600 * 1'000'000).ok());
  EXPECT_EQ(plan.ValidateTimes(1'000'000).message(),
            "fault 'crash@3600000s=1' ends after the run's duration 1s "
            "(raise --duration)");
  // A window must end by the duration too, not just start.
  EXPECT_FALSE(ParseFaultPlan("pause@1s..3s=1")->ValidateTimes(2'000'000).ok());
  EXPECT_TRUE(ParseFaultPlan("pause@1s..2s=1")->ValidateTimes(2'000'000).ok());
}

TEST(FaultPlanTest, LinkForOverridesOnlyWhatThePlanSays) {
  LinkConfig base;
  base.latency = {.min_us = 7, .tail_mean_us = 8, .max_us = 9};
  LinkConfig config = ParseFaultPlan("loss=0.5")->LinkFor(base);
  EXPECT_EQ(config.latency, base.latency);
  EXPECT_EQ(config.loss, 0.5);
  config = ParseFaultPlan("delay=1ms")->LinkFor(base);
  EXPECT_EQ(config.latency.min_us, 1000);
}

}  // namespace
}  // namespace clustersim::sim
