// TraceSink: where the core reports observable events (entity started,
// storage operation, lock acquired, ...). The simulator stamps each record
// with virtual time and node and folds it into the run's trace hash, so the
// core's behaviour is part of what the determinism check compares.
// Not thread-safe; owned by the node's environment.
#ifndef CLUSTERSIM_CORE_RUNTIME_TRACE_SINK_H_
#define CLUSTERSIM_CORE_RUNTIME_TRACE_SINK_H_

#include <string_view>

namespace clustersim {

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // `kind` is a short dotted category ("entity.start"); `detail` a short,
  // deterministic summary (no pointers, no host data).
  virtual void Record(std::string_view kind, std::string_view detail) = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_RUNTIME_TRACE_SINK_H_
