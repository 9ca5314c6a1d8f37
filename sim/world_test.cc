#include "sim/world.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime/process.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kMs = 1000;

// What the test observes of its nodes; owned by the test, so it outlives
// every incarnation.
struct Probe {
  World* world = nullptr;
  std::vector<std::string> log;
  std::vector<uint64_t> first_draws;
  int stale_actions = 0;
};

// A node that ticks every 100 ms of local time, logs what it receives, and
// leaves a raw executor action behind to show that a dead incarnation's
// actions never run.
class Ticker : public Process {
 public:
  Ticker(const NodeEnv& env, Probe* probe) : env_(env), probe_(probe) {
    probe->first_draws.push_back(env.random->NextU64());
    env.executor->Schedule(500 * kMs, Action{&StaleAction, probe});
    env.scope->Spawn(Loop(this), "tick");
  }

  void OnMessage(NodeId from, std::string_view bytes) override {
    probe_->log.push_back(Name() + " got " + std::string(bytes) + " from " +
                          std::to_string(from.value));
  }

  int ticks() const { return ticks_; }

 private:
  // Touches the Process after every sleep: if a crash left this timer
  // behind, ASan reports the use after free.
  static Task<void> Loop(Ticker* self) {
    for (;;) {
      co_await SleepMs(100);
      ++self->ticks_;
      self->probe_->log.push_back(self->Name() + " tick " +
                                  std::to_string(self->ticks_));
    }
  }
  static void StaleAction(void* probe) {
    ++static_cast<Probe*>(probe)->stale_actions;
  }
  std::string Name() const {
    return "n" + std::to_string(env_.self.value) + "." +
           std::to_string(env_.incarnation);
  }

  NodeEnv env_;
  Probe* probe_;
  int ticks_ = 0;
};

ProcessFactory TickerFactory(Probe* probe) {
  return [probe](const NodeEnv& env) {
    return std::make_unique<Ticker>(env, probe);
  };
}

std::vector<int> order;
void Note(void* n) {
  order.push_back(static_cast<int>(reinterpret_cast<intptr_t>(n)));
}
Action NoteAction(int n) {
  return Action{&Note, reinterpret_cast<void*>(intptr_t{n})};
}

TEST(WorldTest, EventsRunByTimeThenSchedulingOrder) {
  World world(WorldOptions{.seed = 1});
  order.clear();
  world.ScheduleAt(30, NoteAction(1));
  world.ScheduleAt(10, NoteAction(2));
  world.ScheduleAt(30, NoteAction(3));
  TimerId cancelled = world.ScheduleAt(20, NoteAction(4));
  world.ScheduleAt(10, NoteAction(5));
  world.Cancel(cancelled);
  world.RunUntil(25);
  EXPECT_EQ(order, (std::vector<int>{2, 5}));
  EXPECT_EQ(world.now_us(), 25);
  world.ScheduleAfter(5, NoteAction(6));  // at 30, after 1 and 3
  while (world.Step()) {
  }
  EXPECT_EQ(order, (std::vector<int>{2, 5, 1, 3, 6}));
  EXPECT_EQ(world.now_us(), 30);
  EXPECT_EQ(world.events_run(), 5u);
}

TEST(WorldTest, RunUntilCanStopAtATraceEventCount) {
  World world(WorldOptions{.seed = 1});
  order.clear();
  for (int i = 1; i <= 5; ++i) world.ScheduleAt(i * 10, NoteAction(i));
  EXPECT_FALSE(world.RunUntil(100, 3));  // each action is one "run" event
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(world.now_us(), 30);
  EXPECT_TRUE(world.RunUntil(100));
  EXPECT_EQ(world.now_us(), 100);
}

TEST(WorldTest, NodeTimersFollowTheNodesDriftButNotItsSteps) {
  Probe probe;
  World world(WorldOptions{.seed = 1});
  NodeId fast = world.AddNode("fast", TickerFactory(&probe),
                              ClockConfig{.drift_ppm = 100'000});
  world.Start(fast);
  // 100 ms of local time is 90.910 ms of global time on a +10% clock.
  world.RunUntil(90'909);
  EXPECT_EQ(static_cast<Ticker*>(world.process(fast))->ticks(), 0);
  world.RunUntil(90'910);
  EXPECT_EQ(static_cast<Ticker*>(world.process(fast))->ticks(), 1);
  // Ten ticks (1000 ms local) take about 909 ms of global time.
  world.RunUntil(909'100);
  EXPECT_EQ(static_cast<Ticker*>(world.process(fast))->ticks(), 10);

  const int64_t before = world.NodeNowMs(fast);
  world.clock(fast).Step(-2000);
  EXPECT_EQ(world.NodeNowMs(fast), before - 2000);
  // The step does not move the timers: the 11th tick is still due at
  // 11 * 90.910 ms of global time.
  world.RunUntil(1'000'009);
  EXPECT_EQ(static_cast<Ticker*>(world.process(fast))->ticks(), 10);
  world.RunUntil(1'000'010);
  EXPECT_EQ(static_cast<Ticker*>(world.process(fast))->ticks(), 11);
}

// Sleeps once for `sleep_ms` of local time and records when it woke.
class OneSleep : public Process {
 public:
  OneSleep(const NodeEnv& env, World* world, int64_t* woke_us) {
    env.scope->Spawn(Sleep(world, woke_us));
  }
  void OnMessage(NodeId, std::string_view) override {}

 private:
  static Task<void> Sleep(World* world, int64_t* woke_us) {
    co_await SleepMs(1000);
    *woke_us = world->now_us();
  }
};

TEST(WorldTest, ASecondOfSleepOnATenPercentFastClockIs909MsOfGlobalTime) {
  World world(WorldOptions{.seed = 1});
  int64_t woke_us = -1;
  NodeId fast = world.AddNode(
      "fast",
      [&](const NodeEnv& env) {
        return std::make_unique<OneSleep>(env, &world, &woke_us);
      },
      ClockConfig{.drift_ppm = 100'000});
  world.Start(fast);
  world.RunUntil(2'000'000);
  EXPECT_EQ(woke_us, 909'091);
}

TEST(WorldTest, CrashDestroysEveryTaskAndLeftoverActionAtOnce) {
  Probe probe;
  World world(WorldOptions{.seed = 1});
  NodeId a = world.AddNode("a", TickerFactory(&probe));
  world.Start(a);
  world.RunUntil(250 * kMs);
  EXPECT_EQ(probe.log.size(), 2u);
  world.Crash(a);
  EXPECT_EQ(world.state(a), NodeState::kDown);
  EXPECT_EQ(world.process(a), nullptr);
  world.Crash(a);  // already down: no-op
  world.RunUntil(10'000 * kMs);
  EXPECT_EQ(probe.log.size(), 2u);  // no tick after the crash
  EXPECT_EQ(probe.stale_actions, 0);
  EXPECT_EQ(world.pending_events(), 0u);
}

TEST(WorldTest, RestartIsANewIncarnationWithAFreshPrngStream) {
  Probe probe;
  World world(WorldOptions{.seed = 7});
  NodeId a = world.AddNode("a", TickerFactory(&probe));
  world.Start(a);
  EXPECT_EQ(world.incarnation(a), 1u);
  world.RunUntil(150 * kMs);
  world.Restart(a);
  EXPECT_EQ(world.incarnation(a), 2u);
  EXPECT_EQ(world.state(a), NodeState::kUp);
  // The first incarnation's action (due at 500 ms) and its timers are gone;
  // the second's is due at 650 ms.
  world.RunUntil(600 * kMs);
  EXPECT_EQ(probe.stale_actions, 0);
  world.RunUntil(650 * kMs);
  EXPECT_EQ(probe.stale_actions, 1);
  ASSERT_GE(probe.log.size(), 2u);
  EXPECT_EQ(probe.log[0], "n1.1 tick 1");
  EXPECT_EQ(probe.log[1], "n1.2 tick 1");

  ASSERT_EQ(probe.first_draws.size(), 2u);
  EXPECT_NE(probe.first_draws[0], probe.first_draws[1]);
  // Streams are a function of (seed, node, incarnation): a second world with
  // the same seed draws the same values.
  Probe again;
  World twin(WorldOptions{.seed = 7});
  NodeId b = twin.AddNode("a", TickerFactory(&again));
  twin.Start(b);
  twin.Restart(b);
  EXPECT_EQ(again.first_draws, probe.first_draws);
}

TEST(WorldTest, PausedNodeRunsNothingQueuesMessagesAndKeepsItsClock) {
  Probe probe;
  World world(WorldOptions{.seed = 1});
  NodeId a = world.AddNode("a", TickerFactory(&probe));
  NodeId b = world.AddNode("b", TickerFactory(&probe));
  world.Start(a);
  world.Start(b);
  world.RunUntil(50 * kMs);
  world.Pause(a);
  EXPECT_EQ(world.state(a), NodeState::kPaused);
  const int64_t paused_at_ms = world.NodeNowMs(a);
  world.RunUntil(120 * kMs);
  EXPECT_EQ(world.Deliver(b, a, "m1"), DeliveryResult::kQueued);
  EXPECT_EQ(world.Deliver(b, a, "m2"), DeliveryResult::kQueued);
  world.RunUntil(350 * kMs);
  EXPECT_EQ(world.NodeNowMs(a), paused_at_ms + 300);
  // Only b ticked while a was paused.
  EXPECT_EQ(probe.log, (std::vector<std::string>{"n2.1 tick 1", "n2.1 tick 2",
                                                 "n2.1 tick 3"}));
  probe.log.clear();
  world.Resume(a);
  world.RunUntil(350 * kMs);
  // The held tick runs first, then the queued messages in arrival order.
  EXPECT_EQ(probe.log,
            (std::vector<std::string>{"n1.1 tick 1", "n1.1 got m1 from 2",
                                      "n1.1 got m2 from 2"}));
  probe.log.clear();
  // The next tick is 100 ms of local time after the held one ran.
  world.RunUntil(449 * kMs);
  EXPECT_EQ(probe.log, (std::vector<std::string>{"n2.1 tick 4"}));
  world.RunUntil(450 * kMs);
  EXPECT_EQ(probe.log.back(), "n1.1 tick 2");
}

TEST(WorldTest, CrashWhilePausedDropsHeldActionsAndQueuedMessages) {
  Probe probe;
  World world(WorldOptions{.seed = 1});
  NodeId a = world.AddNode("a", TickerFactory(&probe));
  world.Start(a);
  world.Pause(a);
  world.RunUntil(200 * kMs);
  world.Deliver(a, a, "lost");
  world.Crash(a);
  EXPECT_EQ(world.Deliver(a, a, "late"), DeliveryResult::kNodeDown);
  world.RunUntil(1000 * kMs);
  EXPECT_TRUE(probe.log.empty());
  EXPECT_EQ(probe.stale_actions, 0);
  world.Start(a);
  world.RunUntil(1100 * kMs);
  EXPECT_EQ(probe.log, (std::vector<std::string>{"n1.2 tick 1"}));
}

TEST(WorldTest, DeliverReachesAnUpNodeAtOnce) {
  Probe probe;
  World world(WorldOptions{.seed = 1});
  NodeId a = world.AddNode("a", TickerFactory(&probe));
  world.Start(a);
  EXPECT_EQ(world.Deliver(NodeId{9}, a, "hi"), DeliveryResult::kDelivered);
  EXPECT_EQ(probe.log, (std::vector<std::string>{"n1.1 got hi from 9"}));
}

// Sends one message at start; with no network installed it is dropped.
class Sender : public Process {
 public:
  explicit Sender(const NodeEnv& env) {
    env.transport->Send(NodeId{env.self.value}, "x");
  }
  void OnMessage(NodeId, std::string_view) override {}
};

TEST(WorldTest, TraceRecordsLifecycleAndIsReproducible) {
  auto run = [](bool keep) {
    World world(WorldOptions{.seed = 3, .keep_trace_events = keep});
    NodeId a = world.AddNode(
        "a", [](const NodeEnv& env) { return std::make_unique<Sender>(env); });
    world.Start(a);
    world.Pause(a);
    world.Resume(a);
    world.Crash(a);
    return std::make_pair(world.trace().hash(), world.trace().events());
  };
  auto [hash, events] = run(true);
  EXPECT_EQ(run(false).first, hash);
  std::vector<std::string> kinds;
  for (const TraceEvent& e : events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"node.add", "node.start",
                                             "net.drop", "node.pause",
                                             "node.resume", "node.crash"}));
  EXPECT_EQ(events[2].detail, "no network");
}

}  // namespace
}  // namespace clustersim::sim
