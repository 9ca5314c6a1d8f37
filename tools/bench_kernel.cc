#include "tools/bench_kernel.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/codec/frame.h"
#include "core/runtime/process.h"
#include "scenarios/registry.h"
#include "sim/network.h"
#include "sim/world.h"

namespace clustersim::tools {
namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

template <typename F>
double BestOfThree(F&& run) {
  double best = 0;
  for (int i = 0; i < 3; ++i) best = std::max(best, run());
  return best;
}

// --- bare events ---------------------------------------------------------

struct Ticker {
  sim::World* world;
  int64_t remaining;
  static void Tick(void* p) {
    auto* self = static_cast<Ticker*>(p);
    if (--self->remaining > 0) {
      self->world->ScheduleAfter(1, Action{&Ticker::Tick, self});
    }
  }
};

double BareEventsPerSecond() {
  constexpr int64_t kEvents = 20'000'000;
  sim::World world(sim::WorldOptions{.seed = 1});
  Ticker ticker{&world, kEvents};
  world.ScheduleAfter(1, Action{&Ticker::Tick, &ticker});
  const auto start = std::chrono::steady_clock::now();
  while (world.Step()) {
  }
  const double wall = Seconds(std::chrono::steady_clock::now() - start);
  return static_cast<double>(world.events_run()) / wall;
}

// --- deliveries ----------------------------------------------------------

// Decodes each frame and forwards a new one (hop count + 1) to the next
// node.
class Relay : public Process {
 public:
  Relay(const NodeEnv& env, uint32_t nodes, uint64_t* delivered)
      : env_(env), nodes_(nodes), delivered_(delivered) {}

  void OnMessage(NodeId, std::string_view bytes) override {
    absl::StatusOr<codec::Frame> frame = codec::DecodeFrame(bytes);
    if (!frame.ok()) return;
    codec::ByteReader reader(frame->body);
    absl::StatusOr<uint64_t> hops = reader.GetVarint();
    if (!hops.ok()) return;
    ++*delivered_;
    Forward(*hops + 1);
  }

  void Forward(uint64_t hops) {
    codec::ByteWriter body;
    body.PutVarint(hops);
    body.PutFixed64(0x0123456789abcdefull);  // a payload of some size
    env_.transport->Send(
        NodeId{env_.self.value % nodes_ + 1},
        codec::EncodeFrame(codec::FrameKind::kPing, body.data()));
  }

 private:
  NodeEnv env_;
  uint32_t nodes_;
  uint64_t* delivered_;
};

double DeliveriesPerSecond() {
  static constexpr uint32_t kNodes = 8;
  constexpr int kInFlight = 1000;
  constexpr int64_t kVirtualUs = 10'000'000;
  uint64_t delivered = 0;
  sim::World world(sim::WorldOptions{.seed = 1});
  sim::Network network(world);
  for (uint32_t i = 1; i <= kNodes; ++i) {
    world.Start(world.AddNode(
        "n" + std::to_string(i), [&delivered](const NodeEnv& env) {
          return std::make_unique<Relay>(env, kNodes, &delivered);
        }));
  }
  for (int i = 0; i < kInFlight; ++i) {
    static_cast<Relay*>(world.process(NodeId{1 + i % kNodes}))->Forward(0);
  }
  const auto start = std::chrono::steady_clock::now();
  world.RunUntil(kVirtualUs);
  const double wall = Seconds(std::chrono::steady_clock::now() - start);
  return static_cast<double>(delivered) / wall;
}

// --- pingpong ------------------------------------------------------------

absl::StatusOr<double> PingPongSimSecondsPerSecond() {
  scenarios::RunOptions options;
  options.seed = 1;
  options.duration_us = 600'000'000;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<scenarios::RunResult> result =
      scenarios::RunScenario(*scenarios::FindScenario("pingpong"), options);
  const double wall = Seconds(std::chrono::steady_clock::now() - start);
  if (!result.ok()) return result.status();
  if (result->violation_count != 0) {
    return absl::InternalError("the pingpong run violated an invariant");
  }
  return static_cast<double>(result->virtual_time_us) / 1e6 / wall;
}

}  // namespace

absl::StatusOr<KernelFigures> RunKernelBenchmark() {
  KernelFigures figures;
  figures.bare_events_per_wall_s = BestOfThree(BareEventsPerSecond);
  figures.framed_deliveries_per_wall_s = BestOfThree(DeliveriesPerSecond);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<double> rate = PingPongSimSecondsPerSecond();
    if (!rate.ok()) return rate.status();
    figures.pingpong_sim_s_per_wall_s =
        std::max(figures.pingpong_sim_s_per_wall_s, *rate);
  }
  return figures;
}

}  // namespace clustersim::tools
