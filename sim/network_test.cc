#include "sim/network.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "core/codec/frame.h"
#include "core/runtime/process.h"
#include "gtest/gtest.h"
#include "sim/world.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kMs = 1000;

struct Arrival {
  int64_t time_us;
  uint32_t from;
  uint32_t to;
  std::string bytes;
};

// Records every message that reaches it.
class Sink : public Process {
 public:
  Sink(const NodeEnv& env, World* world, std::vector<Arrival>* log)
      : self_(env.self), world_(world), log_(log) {}
  void OnMessage(NodeId from, std::string_view bytes) override {
    log_->push_back(
        Arrival{world_->now_us(), from.value, self_.value, std::string(bytes)});
  }

 private:
  NodeId self_;
  World* world_;
  std::vector<Arrival>* log_;
};

// A world of `nodes` sinks joined by a network.
struct Net {
  explicit Net(uint64_t seed, const LinkConfig& config = {}, int nodes = 3,
               bool keep_trace = false)
      : world(WorldOptions{.seed = seed, .keep_trace_events = keep_trace}),
        network(world, config) {
    for (int i = 1; i <= nodes; ++i) {
      NodeId id =
          world.AddNode("n" + std::to_string(i), [this](const NodeEnv& env) {
            return std::make_unique<Sink>(env, &world, &arrivals);
          });
      world.Start(id);
    }
  }
  void Send(uint32_t from, uint32_t to, std::string bytes) {
    network.Route(NodeId{from}, NodeId{to}, std::move(bytes));
  }
  // Sends `count` numbered messages from -> to, all at the current instant.
  void SendNumbered(uint32_t from, uint32_t to, int count) {
    for (int i = 0; i < count; ++i) Send(from, to, std::to_string(i));
  }
  std::vector<int> Numbers() const {
    std::vector<int> out;
    for (const Arrival& a : arrivals) out.push_back(std::stoi(a.bytes));
    return out;
  }
  void RunFor(int64_t us) { world.RunFor(us); }

  std::vector<Arrival> arrivals;
  World world;
  Network network;
};

LinkConfig FixedLatency(int64_t us) {
  LinkConfig config;
  config.latency = LatencyModel{.min_us = us, .tail_mean_us = 0, .max_us = us};
  return config;
}

int Inversions(const std::vector<int>& v) {
  int n = 0;
  for (size_t i = 1; i < v.size(); ++i) n += v[i] < v[i - 1];
  return n;
}

TEST(NetworkTest, DeliversAfterTheLinkLatency) {
  Net net(1, FixedLatency(2 * kMs));
  net.Send(1, 2, "hello");
  net.RunFor(2 * kMs - 1);
  EXPECT_TRUE(net.arrivals.empty());
  net.RunFor(1);
  ASSERT_EQ(net.arrivals.size(), 1u);
  EXPECT_EQ(net.arrivals[0].from, 1u);
  EXPECT_EQ(net.arrivals[0].to, 2u);
  EXPECT_EQ(net.arrivals[0].bytes, "hello");
  EXPECT_EQ(net.network.stats().delivered, 1u);
  EXPECT_EQ(net.network.in_flight(), 0u);
}

TEST(NetworkTest, LatencyStaysWithinItsBoundsAndHasATail) {
  LinkConfig config;
  config.latency = {.min_us = 1000, .tail_mean_us = 2000, .max_us = 9000};
  Net net(2, config);
  net.SendNumbered(1, 2, 5000);
  net.RunFor(10 * kMs);
  ASSERT_EQ(net.arrivals.size(), 5000u);
  int64_t sum = 0, at_max = 0;
  for (const Arrival& a : net.arrivals) {
    EXPECT_GE(a.time_us, 1000);
    EXPECT_LE(a.time_us, 9000);
    sum += a.time_us;
    at_max += a.time_us == 9000;
  }
  // Mean of min + Exp(2 ms) capped at 8 ms above min: about 2.96 ms.
  EXPECT_NEAR(static_cast<double>(sum) / 5000, 2963, 150);
  EXPECT_GT(at_max, 0);  // P(tail > 8 ms) = e^-4, about 92 of 5000
  // Jitter alone reorders messages sent at the same instant.
  EXPECT_GT(Inversions(net.Numbers()), 1000);
}

TEST(NetworkTest, LossDropsTheConfiguredFraction) {
  LinkConfig config = FixedLatency(kMs);
  config.loss = 0.2;
  Net net(3, config);
  net.SendNumbered(1, 2, 10000);
  net.RunFor(10 * kMs);
  const auto& stats = net.network.stats();
  EXPECT_EQ(stats.lost + stats.delivered, 10000u);
  EXPECT_EQ(net.arrivals.size(), stats.delivered);
  EXPECT_NEAR(static_cast<double>(stats.lost) / 10000, 0.2, 0.015);
  // Fixed latency and no reordering: survivors arrive in send order.
  EXPECT_EQ(Inversions(net.Numbers()), 0);
}

TEST(NetworkTest, DuplicationCopiesTheConfiguredFraction) {
  LinkConfig config;
  config.duplicate = 0.1;
  Net net(4, config);
  net.SendNumbered(1, 2, 10000);
  net.RunFor(20 * kMs);
  const auto& stats = net.network.stats();
  EXPECT_NEAR(static_cast<double>(stats.duplicated) / 10000, 0.1, 0.01);
  EXPECT_EQ(net.arrivals.size(), 10000 + stats.duplicated);
  std::vector<int> seen(10000, 0);
  for (int n : net.Numbers()) ++seen[n];
  int twice = 0;
  for (int s : seen) {
    EXPECT_TRUE(s == 1 || s == 2);
    twice += s == 2;
  }
  EXPECT_EQ(static_cast<uint64_t>(twice), stats.duplicated);
}

TEST(NetworkTest, ExplicitReorderHoldsMessagesBack) {
  Net in_order(5, FixedLatency(kMs));
  in_order.SendNumbered(1, 2, 1000);
  in_order.RunFor(10 * kMs);
  EXPECT_EQ(Inversions(in_order.Numbers()), 0);

  LinkConfig config = FixedLatency(kMs);
  config.reorder = 0.3;
  Net net(5, config);
  // One message every 100 us: a held-back one (up to +1 ms) is overtaken.
  for (int i = 0; i < 1000; ++i) {
    net.Send(1, 2, std::to_string(i));
    net.RunFor(100);
  }
  net.RunFor(10 * kMs);
  ASSERT_EQ(net.arrivals.size(), 1000u);
  EXPECT_NEAR(static_cast<double>(net.network.stats().reordered) / 1000, 0.3,
              0.05);
  EXPECT_GT(Inversions(net.Numbers()), 100);
}

TEST(NetworkTest, SymmetricPartitionCutsBothWaysUntilHealed) {
  Net net(6, FixedLatency(kMs));
  const NodeId a[] = {NodeId{1}};
  const NodeId b[] = {NodeId{2}, NodeId{3}};
  net.network.Partition(a, b);
  EXPECT_TRUE(net.network.Blocked(NodeId{1}, NodeId{2}));
  EXPECT_TRUE(net.network.Blocked(NodeId{3}, NodeId{1}));
  EXPECT_FALSE(net.network.Blocked(NodeId{2}, NodeId{3}));
  net.Send(1, 2, "x");
  net.Send(2, 1, "x");
  net.Send(3, 1, "x");
  net.Send(2, 3, "y");
  net.RunFor(5 * kMs);
  ASSERT_EQ(net.arrivals.size(), 1u);
  EXPECT_EQ(net.arrivals[0].bytes, "y");
  EXPECT_EQ(net.network.stats().partitioned, 3u);

  net.network.Heal();
  net.Send(1, 2, "z");
  net.Send(2, 1, "z");
  net.RunFor(5 * kMs);
  EXPECT_EQ(net.arrivals.size(), 3u);
}

TEST(NetworkTest, OneWayPartitionCutsOneDirection) {
  Net net(7, FixedLatency(kMs));
  const NodeId from[] = {NodeId{1}};
  const NodeId to[] = {NodeId{2}};
  net.network.PartitionOneWay(from, to);
  net.Send(1, 2, "lost");
  net.Send(2, 1, "kept");
  net.Send(1, 3, "kept");
  net.RunFor(5 * kMs);
  ASSERT_EQ(net.arrivals.size(), 2u);
  for (const Arrival& a : net.arrivals) EXPECT_EQ(a.bytes, "kept");
}

TEST(NetworkTest, PartitionAlsoCutsMessagesInFlight) {
  Net net(8, FixedLatency(2 * kMs));
  net.Send(1, 2, "in flight");
  net.RunFor(kMs);
  net.network.Isolate(NodeId{2});
  net.RunFor(5 * kMs);
  EXPECT_TRUE(net.arrivals.empty());
  EXPECT_EQ(net.network.stats().partitioned, 1u);
  EXPECT_TRUE(net.network.Blocked(NodeId{3}, NodeId{2}));
  EXPECT_FALSE(net.network.Blocked(NodeId{3}, NodeId{1}));
}

TEST(NetworkTest, ClogHoldsMessagesAndDrainsThemInSendOrder) {
  LinkConfig config;
  config.latency = {.min_us = 500, .tail_mean_us = 3000, .max_us = 20000};
  Net net(9, config);
  net.Send(1, 2, "0");  // in flight when the clog starts: held on arrival
  net.network.ClogLink(NodeId{1}, NodeId{2});
  for (int i = 1; i < 20; ++i) net.Send(1, 2, std::to_string(i));
  net.Send(1, 3, "other link");
  net.RunFor(1000 * kMs);
  ASSERT_EQ(net.arrivals.size(), 1u);
  EXPECT_EQ(net.arrivals[0].bytes, "other link");
  EXPECT_EQ(net.network.in_flight(), 20u);

  net.arrivals.clear();
  net.network.UnclogLink(NodeId{1}, NodeId{2});
  net.RunFor(499);
  EXPECT_TRUE(net.arrivals.empty());
  net.RunFor(1);
  std::vector<int> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(i);
  EXPECT_EQ(net.Numbers(), expected);
  EXPECT_EQ(net.network.stats().held, 20u);
}

TEST(NetworkTest, NodeClogStallsEveryLinkOfTheNode) {
  Net net(10, FixedLatency(kMs));
  net.network.ClogNode(NodeId{2});
  net.network.ClogNode(NodeId{2});  // nested
  net.Send(1, 2, "to");
  net.Send(2, 3, "from");
  net.Send(1, 3, "free");
  net.RunFor(10 * kMs);
  ASSERT_EQ(net.arrivals.size(), 1u);
  net.network.UnclogNode(NodeId{2});
  net.RunFor(10 * kMs);
  EXPECT_EQ(net.arrivals.size(), 1u);  // still clogged once
  net.network.UnclogNode(NodeId{2});
  net.RunFor(10 * kMs);
  EXPECT_EQ(net.arrivals.size(), 3u);
}

TEST(NetworkTest, CorruptionIsCaughtByTheFrameChecksum) {
  LinkConfig config = FixedLatency(kMs);
  config.corrupt = 0.25;
  Net net(11, config);
  for (int i = 0; i < 2000; ++i) {
    net.Send(1, 2,
             codec::EncodeFrame(codec::FrameKind::kPing,
                                "payload " + std::to_string(i)));
  }
  net.RunFor(10 * kMs);
  ASSERT_EQ(net.arrivals.size(), 2000u);
  uint64_t rejected = 0;
  for (const Arrival& a : net.arrivals) {
    absl::StatusOr<codec::Frame> frame = codec::DecodeFrame(a.bytes);
    if (!frame.ok()) {
      ++rejected;
      EXPECT_TRUE(absl::StartsWith(frame.status().message(), "malformed:"));
    }
  }
  EXPECT_EQ(rejected, net.network.stats().corrupted);
  EXPECT_NEAR(static_cast<double>(rejected) / 2000, 0.25, 0.03);
}

TEST(NetworkTest, DownNodesDropAndPausedNodesQueue) {
  Net net(12, FixedLatency(kMs));
  net.world.Crash(NodeId{2});
  net.world.Pause(NodeId{3});
  net.Send(1, 2, "dropped");
  net.Send(1, 3, "queued");
  net.RunFor(5 * kMs);
  EXPECT_TRUE(net.arrivals.empty());
  EXPECT_EQ(net.network.stats().node_down, 1u);
  EXPECT_EQ(net.network.stats().queued, 1u);
  net.world.Resume(NodeId{3});
  net.RunFor(0);
  ASSERT_EQ(net.arrivals.size(), 1u);
  EXPECT_EQ(net.arrivals[0].bytes, "queued");
}

std::string Hex8(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%08x", value);
  return buffer;
}

TEST(NetworkTest, TracesEveryMessageEventWithADigest) {
  LinkConfig config = FixedLatency(kMs);
  Net net(13, config, 3, /*keep_trace=*/true);
  const size_t start = net.world.trace().events().size();
  net.Send(1, 2, "abc");
  const NodeId two[] = {NodeId{2}};
  const NodeId three[] = {NodeId{3}};
  net.network.Partition(two, three);
  net.Send(2, 3, "cut");
  net.RunFor(5 * kMs);
  std::vector<std::string> lines;
  const auto& events = net.world.trace().events();
  for (size_t i = start; i < events.size(); ++i) {
    if (events[i].kind == "run") continue;
    lines.push_back(std::to_string(events[i].time_us) + " " +
                    std::to_string(events[i].node) + " " + events[i].kind +
                    " " + events[i].detail);
  }
  const std::string abc = Hex8(PayloadDigest("abc"));
  const std::string cut = Hex8(PayloadDigest("cut"));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "0 1 net.send #1 1->2 3B digest=" + abc,
                       "0 0 net.partition 2 | 3",
                       "0 2 net.send #2 2->3 3B digest=" + cut,
                       "0 2 net.drop #2 2->3 3B digest=" + cut + " partition",
                       "1000 2 net.deliver #1 1->2 3B digest=" + abc,
                   }));
}

uint64_t TraceHashOfLossyRun(uint64_t seed) {
  LinkConfig config;
  config.loss = 0.1;
  config.duplicate = 0.1;
  config.reorder = 0.1;
  config.corrupt = 0.1;
  Net net(seed, config);
  for (int i = 0; i < 500; ++i) net.Send(1 + i % 3, 1 + (i + 1) % 3, "m");
  net.RunFor(100 * kMs);
  return net.world.trace().hash();
}

TEST(NetworkTest, SameSeedSameFateDifferentSeedDifferentFate) {
  EXPECT_EQ(TraceHashOfLossyRun(42), TraceHashOfLossyRun(42));
  EXPECT_NE(TraceHashOfLossyRun(42), TraceHashOfLossyRun(43));
}

TEST(NetworkTest, DestroyingTheNetworkCancelsArrivals) {
  World world(WorldOptions{.seed = 1});
  std::vector<Arrival> log;
  NodeId a = world.AddNode("a", [&](const NodeEnv& env) {
    return std::make_unique<Sink>(env, &world, &log);
  });
  world.Start(a);
  {
    Network network(world);
    network.Route(a, a, "never");
  }
  world.RunFor(100 * kMs);
  EXPECT_TRUE(log.empty());
}

}  // namespace
}  // namespace clustersim::sim
