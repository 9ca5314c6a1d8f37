// bench: throughput of the simulator kernel.
//
//   bazel run //tools:bench -- kernel
//
// prints, each the best of three runs:
//   bare events/s       a world action that reschedules itself (the event
//                       queue, the trace hash of every event, nothing else)
//   deliveries/s        framed messages through the simulated network: the
//                       receiver decodes each frame (CRC checked) and sends
//                       a new one on, 1000 messages in flight over 8 nodes
//                       with the default latency model
//   pingpong sim s/s    simulated seconds per wall second of the pingpong
//                       scenario (3 runners, no faults)
// and the peak RSS of the process. Wall time is the host's steady clock.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
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

double PingPongSimSecondsPerSecond() {
  scenarios::RunOptions options;
  options.seed = 1;
  options.duration_us = 600'000'000;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<scenarios::RunResult> result =
      scenarios::RunScenario(*scenarios::FindScenario("pingpong"), options);
  const double wall = Seconds(std::chrono::steady_clock::now() - start);
  if (!result.ok() || result->violation_count != 0) {
    std::fprintf(stderr, "bench: pingpong run failed\n");
    return 0;
  }
  return static_cast<double>(result->virtual_time_us) / 1e6 / wall;
}

int Kernel() {
  const double events = BestOfThree(BareEventsPerSecond);
  std::printf("bare events/s            %12.0f\n", events);
  const double deliveries = BestOfThree(DeliveriesPerSecond);
  std::printf("deliveries/s (framed)    %12.0f\n", deliveries);
  const double sim_rate = BestOfThree(PingPongSimSecondsPerSecond);
  std::printf("pingpong sim s / wall s  %12.0f\n", sim_rate);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS                 %9.1f MiB\n",
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace
}  // namespace clustersim::tools

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "kernel") {
    return clustersim::tools::Kernel();
  }
  std::fprintf(stderr, "usage: bench kernel\n");
  return 2;
}
