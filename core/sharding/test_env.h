// TestEnv: a node environment for unit tests of the sharding code on a
// ManualExecutor — a trace sink that keeps the events, a deterministic
// random source, and a transport that hands bytes to a callback (or drops
// them). Several TestEnvs may share one executor (one virtual clock), each
// with its own root scope, which is closed first on destruction.
// Test-only. Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_TEST_ENV_H_
#define CLUSTERSIM_CORE_SHARDING_TEST_ENV_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/runtime/manual_executor.h"
#include "core/runtime/process.h"

namespace clustersim::sharding {

class RecordingTrace : public TraceSink {
 public:
  struct Event {
    std::string kind;
    std::string detail;
  };
  void Record(std::string_view kind, std::string_view detail) override {
    events_.push_back(Event{std::string(kind), std::string(detail)});
  }
  const std::vector<Event>& events() const { return events_; }
  int64_t Count(std::string_view kind) const {
    int64_t n = 0;
    for (const Event& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }
  void Clear() { events_.clear(); }

 private:
  std::vector<Event> events_;
};

// SplitMix64 over a seed.
class TestRandom : public Random {
 public:
  explicit TestRandom(uint64_t seed) : state_(seed) {}
  uint64_t NextU64() override {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

class CallbackTransport : public Transport {
 public:
  using Handler = std::function<void(NodeId to, std::string bytes)>;
  void set_handler(Handler handler) { handler_ = std::move(handler); }
  void Send(NodeId to, std::string bytes) override {
    if (handler_) handler_(to, std::move(bytes));
  }

 private:
  Handler handler_;
};

class TestEnv {
 public:
  // `stall`, if given, is the node's stall detector (NodeEnv::stall); the
  // test calls its BeforeWork, which ManualExecutor does not.
  TestEnv(ManualExecutor& executor, NodeId self, StallDetector* stall = nullptr)
      : random_(self.value), scope_(executor) {
    env_.stall = stall;
    env_.self = self;
    env_.incarnation = 1;
    env_.executor = &executor;
    env_.random = &random_;
    env_.transport = &transport_;
    env_.trace = &trace_;
    env_.scope = &scope_;
  }
  ~TestEnv() { scope_.Close(); }

  const NodeEnv& env() const { return env_; }
  Scope& scope() { return scope_; }
  RecordingTrace& trace() { return trace_; }
  CallbackTransport& transport() { return transport_; }

 private:
  TestRandom random_;
  RecordingTrace trace_;
  CallbackTransport transport_;
  Scope scope_;
  NodeEnv env_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_TEST_ENV_H_
