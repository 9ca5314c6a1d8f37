// RetryWhenHardened: a storage call that Effect makes once (a reply save, a
// reset, a lock confirmation) and hardened mode repeats until it succeeds,
// HardenedRetryDelayMs apart (sharding/config.h). Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_HARDENED_RETRY_H_
#define CLUSTERSIM_CORE_SHARDING_HARDENED_RETRY_H_

#include "absl/status/status.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/config.h"

namespace clustersim::sharding {

// Calls `call` (returning a Task<absl::Status>) once in reference mode, as
// Effect does; in hardened mode until it succeeds, HardenedRetryDelayMs
// apart. Returns the last status.
template <typename Call>
Task<absl::Status> RetryWhenHardened(Mode mode, Call call) {
  for (int attempt = 0;; ++attempt) {
    const absl::Status status = co_await call();
    if (status.ok() || mode == Mode::kReference) co_return status;
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_HARDENED_RETRY_H_
