#include "sim/determinism.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "gtest/gtest.h"
#include "sim/world.h"

namespace clustersim::sim {
namespace {

// Survives from one run to the next: the classic determinism bug (a static
// cache, a global id counter).
int leaked_counter = 0;

// Ticks three times; on the third tick it reports the leaked counter when
// `leaky`, so its second run differs from its first at that event.
class Toy : public Process {
 public:
  Toy(const NodeEnv& env, bool leaky) {
    env.scope->Spawn(Loop(env.trace, leaky));
  }
  void OnMessage(NodeId, std::string_view) override {}

 private:
  static Task<void> Loop(TraceSink* trace, bool leaky) {
    for (int tick = 1; tick <= 3; ++tick) {
      co_await SleepMs(10);
      const int value = tick == 3 && leaky ? leaked_counter++ : 0;
      trace->Record("toy.tick", "value=" + std::to_string(value));
    }
  }
};

RepeatableRun ToyRun(bool leaky) {
  return [leaky](bool keep_events) {
    World world(WorldOptions{.seed = 9, .keep_trace_events = keep_events});
    NodeId node = world.AddNode("toy", [leaky](const NodeEnv& env) {
      return std::make_unique<Toy>(env, leaky);
    });
    world.Start(node);
    world.RunUntil(100'000);
    return TraceSnapshot{world.trace().hash(),
                         world.trace().count(),
                         world.trace().events(),
                         {"toy"}};
  };
}

TEST(DeterminismTest, SameRunTwiceIsDeterministic) {
  DeterminismReport report = CheckDeterminism(ToyRun(false));
  EXPECT_TRUE(report.deterministic());
  EXPECT_FALSE(report.divergence.has_value());
  EXPECT_EQ(report.ToString().rfind("deterministic (trace hash 0x", 0), 0u);
}

TEST(DeterminismTest, ReportsTheFirstDifferingEvent) {
  leaked_counter = 0;
  DeterminismReport report = CheckDeterminism(ToyRun(true));
  ASSERT_FALSE(report.deterministic());
  ASSERT_TRUE(report.divergence.has_value());
  const Divergence& d = *report.divergence;
  // node.add, node.start, run (fiber start), then per tick: run + toy.tick.
  EXPECT_EQ(d.index, 8u);
  EXPECT_EQ(d.first, (TraceEvent{30'000, 1, "toy.tick", "value=2"}));
  EXPECT_EQ(d.second, (TraceEvent{30'000, 1, "toy.tick", "value=3"}));
  EXPECT_EQ(report.ToString().substr(report.ToString().find('\n') + 1),
            "first difference at event 8\n"
            "  run A: 8 0.030000s toy toy.tick value=2\n"
            "  run B: 8 0.030000s toy toy.tick value=3");
}

TEST(DeterminismTest, FirstDivergenceHandlesOneRunEndingEarly) {
  std::vector<TraceEvent> a = {{0, 1, "x", ""}, {1, 1, "y", ""}};
  std::vector<TraceEvent> b = {{0, 1, "x", ""}};
  EXPECT_FALSE(FirstDivergence(a, a).has_value());
  std::optional<Divergence> d = FirstDivergence(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->index, 1u);
  EXPECT_EQ(d->first, a[1]);
  EXPECT_FALSE(d->second.has_value());
}

}  // namespace
}  // namespace clustersim::sim
