// Process and NodeEnv: what runs on a node, and what the environment gives it.
//
// The environment (the simulator, or a real host) creates one Process per
// incarnation of a node with a NodeEnv, and destroys it when the node crashes
// or stops: first the root scope is closed (every fiber destroyed, so nothing
// of the incarnation runs again), then the Process object and its volatile
// state. A restart builds a new Process with a fresh root scope. The NodeEnv's
// pointers stay valid for the Process's whole life. Single-threaded.
#ifndef CLUSTERSIM_CORE_RUNTIME_PROCESS_H_
#define CLUSTERSIM_CORE_RUNTIME_PROCESS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/runtime/executor.h"
#include "core/runtime/random.h"
#include "core/runtime/scope.h"
#include "core/runtime/stall_detector.h"
#include "core/runtime/trace_sink.h"
#include "core/runtime/transport.h"

namespace clustersim {

struct NodeEnv {
  NodeId self;
  uint32_t incarnation = 0;      // 1 for the first start, +1 per restart
  Executor* executor = nullptr;  // also the node's Clock
  Random* random = nullptr;
  Transport* transport = nullptr;
  TraceSink* trace = nullptr;
  Scope* scope = nullptr;  // root scope of this incarnation
  // Runs its handlers before any work after the process was stopped; null
  // where the environment has none (unit tests on a ManualExecutor).
  StallDetector* stall = nullptr;
};

class Process {
 public:
  virtual ~Process() = default;
  // Delivers bytes sent to this node. Runs on the node's executor, never
  // while the node is paused, never after it crashed.
  virtual void OnMessage(NodeId from, std::string_view bytes) = 0;
};

// Builds the Process of a new incarnation; it may spawn fibers into
// env.scope from its constructor.
using ProcessFactory = std::function<std::unique_ptr<Process>(const NodeEnv&)>;

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_PROCESS_H_
