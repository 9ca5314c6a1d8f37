#include "sim/nemesis.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/runtime/process.h"
#include "gtest/gtest.h"
#include "sim/faults.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kS = 1'000'000;

class Idle : public Process {
 public:
  void OnMessage(NodeId, std::string_view) override {}
};

// Records every storage setting the nemesis hands over, with its time.
class FakeStorageSink : public StorageFaultSink {
 public:
  explicit FakeStorageSink(const World& world) : world_(world) {}
  void SetStorageFaults(const StorageFaultPlan& faults) override {
    calls.emplace_back(world_.now_us(), faults);
  }
  std::vector<std::pair<int64_t, StorageFaultPlan>> calls;

 private:
  const World& world_;
};

// Three idle nodes, a network, and a nemesis running `spec`.
struct Harness {
  explicit Harness(std::string_view spec, bool with_storage = false)
      : world(WorldOptions{.seed = 1, .keep_trace_events = true}),
        network(world) {
    for (int i = 0; i < 3; ++i) {
      world.Start(world.AddNode(
          "n" + std::to_string(i + 1),
          [](const NodeEnv&) { return std::make_unique<Idle>(); }));
    }
    nemesis = std::make_unique<Nemesis>(world, network, *ParseFaultPlan(spec),
                                        with_storage ? &storage : nullptr);
  }
  ~Harness() { nemesis.reset(); }
  bool Cut(uint32_t from, uint32_t to) const {
    return network.Blocked(NodeId{from}, NodeId{to});
  }
  NodeState State(uint32_t node) const { return world.state(NodeId{node}); }

  World world;
  Network network;
  FakeStorageSink storage{world};
  std::unique_ptr<Nemesis> nemesis;
};

TEST(NemesisTest, AppliesLinkBehaviourAndClocksAtOnce) {
  Harness run("loss=0.25,delay=2ms,skew=2:+500ms,drift=3:-100ppm");
  EXPECT_EQ(run.network.default_link().loss, 0.25);
  EXPECT_EQ(run.network.default_link().latency.min_us, 2 * kMs);
  EXPECT_EQ(run.world.NodeNowMs(NodeId{2}), kSimEpochMs + 500);
  EXPECT_EQ(run.world.clock(NodeId{3}).drift_ppm(), -100);
  run.world.RunUntil(10 * kS);
  EXPECT_EQ(run.world.NodeNowMs(NodeId{1}), kSimEpochMs + 10'000);
  EXPECT_EQ(run.world.NodeNowMs(NodeId{3}), kSimEpochMs + 9'999);
}

TEST(NemesisTest, OverlappingPartitionsComposeAndHeal) {
  Harness run("partition@1s..3s=1|2,3,partition@2s..4s=2>3");
  run.world.RunUntil(kS - 1);
  EXPECT_FALSE(run.Cut(1, 2));
  run.world.RunUntil(kS);
  EXPECT_TRUE(run.Cut(1, 2));
  EXPECT_TRUE(run.Cut(3, 1));
  EXPECT_FALSE(run.Cut(2, 3));
  run.world.RunUntil(2 * kS);
  EXPECT_TRUE(run.Cut(2, 3));
  EXPECT_FALSE(run.Cut(3, 2));
  run.world.RunUntil(3 * kS);  // the first ends; the second stays
  EXPECT_FALSE(run.Cut(1, 2));
  EXPECT_TRUE(run.Cut(2, 3));
  run.world.RunUntil(4 * kS);
  EXPECT_FALSE(run.Cut(2, 3));
}

TEST(NemesisTest, IsolateAndClogWindows) {
  Harness run("isolate@1s..2s=3,clog@1s..2s=1>2,clog@1s..2s=3");
  run.world.RunUntil(1500 * kMs);
  EXPECT_TRUE(run.Cut(1, 3));
  EXPECT_TRUE(run.Cut(3, 2));
  EXPECT_FALSE(run.Cut(1, 2));
  EXPECT_TRUE(run.network.Clogged(NodeId{1}, NodeId{2}));
  EXPECT_FALSE(run.network.Clogged(NodeId{2}, NodeId{1}));
  EXPECT_TRUE(run.network.Clogged(NodeId{2}, NodeId{3}));
  run.world.RunUntil(2 * kS);
  EXPECT_FALSE(run.Cut(1, 3));
  EXPECT_FALSE(run.network.Clogged(NodeId{1}, NodeId{2}));
  EXPECT_FALSE(run.network.Clogged(NodeId{2}, NodeId{3}));
}

TEST(NemesisTest, CrashRestartPauseAndStep) {
  Harness run("crash@1s=3,restart@2s=3,pause@1s..3s=2,step@4s=1:-2s");
  run.world.RunUntil(kS);
  EXPECT_EQ(run.State(3), NodeState::kDown);
  EXPECT_EQ(run.State(2), NodeState::kPaused);
  run.world.RunUntil(2 * kS);
  EXPECT_EQ(run.State(3), NodeState::kUp);
  EXPECT_EQ(run.world.incarnation(NodeId{3}), 2u);
  run.world.RunUntil(3 * kS);
  EXPECT_EQ(run.State(2), NodeState::kUp);
  run.world.RunUntil(4 * kS);
  EXPECT_EQ(run.world.NodeNowMs(NodeId{1}), kSimEpochMs + 2000);
}

TEST(NemesisTest, SkipsFaultsThatNoLongerApplyAndTracesTheRest) {
  // The crash takes node 2 down inside its pause window; the resume is
  // skipped, as is a pause of a down node.
  Harness run("pause@1s..3s=2,crash@2s=2,pause@4s..5s=2");
  run.world.RunUntil(10 * kS);
  EXPECT_EQ(run.State(2), NodeState::kDown);
  std::vector<std::string> faults;
  for (const TraceEvent& e : run.world.trace().events()) {
    if (e.kind.starts_with("fault")) {
      faults.push_back(std::to_string(e.time_us / kMs) + " " + e.kind + " " +
                       e.detail);
    }
  }
  EXPECT_EQ(faults, (std::vector<std::string>{
                        "1000 fault.begin pause@1s..3s=2",
                        "2000 fault crash@2s=2",
                        "3000 fault.skip fault.end pause@1s..3s=2",
                        "4000 fault.skip fault.begin pause@4s..5s=2",
                        "5000 fault.skip fault.end pause@4s..5s=2",
                    }));
}

TEST(NemesisTest, StorageSettingsAtOnceAndDownWindowsThatCompose) {
  Harness run(
      "storage-errors=0.2,storage-drop=0.05,storage-down@10s..12s,"
      "storage-down@11s..15s",
      /*with_storage=*/true);
  run.world.RunUntil(20 * kS);
  const StorageFaultPlan up{.error_rate = 0.2, .drop_rate = 0.05};
  StorageFaultPlan down = up;
  down.unavailable = true;
  using Call = std::pair<int64_t, StorageFaultPlan>;
  EXPECT_EQ(run.storage.calls, (std::vector<Call>{{0, up},
                                                  {10 * kS, down},
                                                  {11 * kS, down},
                                                  {12 * kS, down},
                                                  {15 * kS, up}}));
}

TEST(NemesisTest, StorageDownAloneLeavesTheOtherSettingsOff) {
  Harness run("storage-down@1s..2s", /*with_storage=*/true);
  EXPECT_TRUE(run.storage.calls.empty());
  run.world.RunUntil(3 * kS);
  using Call = std::pair<int64_t, StorageFaultPlan>;
  EXPECT_EQ(run.storage.calls,
            (std::vector<Call>{{1 * kS, StorageFaultPlan{.unavailable = true}},
                               {2 * kS, StorageFaultPlan{}}}));
}

TEST(NemesisTest, DestroyingItCancelsFaultsNotYetApplied) {
  Harness run("crash@1s=1");
  run.nemesis.reset();
  run.world.RunUntil(2 * kS);
  EXPECT_EQ(run.State(1), NodeState::kUp);
}

}  // namespace
}  // namespace clustersim::sim
