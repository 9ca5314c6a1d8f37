#include "core/workflow/cluster_engine_internal.h"

#include <algorithm>
#include <string>

#include "core/runtime/portable_math.h"
#include "core/runtime/sync.h"
#include "core/sharding/config.h"
#include "core/sharding/reply_handlers.h"
#include "core/workflow/workflow_codec.h"

namespace clustersim::workflow::internal {

storage::Exit ToStorageExit(const Outcome<Result>& out) {
  if (out.ok()) return storage::Exit::Success(EncodeResult(out.value()));
  const Cause& cause = out.cause();
  if (cause.HasInterruptsOnly()) {
    return storage::Exit::Failure(
        storage::Cause{storage::CauseKind::kInterrupt, cause.DebugString()});
  }
  // A defect restarts the entity (as Effect's RpcServer Defect does); the
  // whole cause travels encoded.
  const storage::CauseKind kind =
      cause.HasDies() ? storage::CauseKind::kDie : storage::CauseKind::kFail;
  return storage::Exit::Failure(
      storage::Cause{kind, EncodeExit(Exit::Failure(cause))});
}

Outcome<Result> FromStorageExit(const storage::Exit& exit) {
  if (exit.is_success()) {
    absl::StatusOr<Result> result = DecodeResult(exit.value());
    if (!result.ok()) return Cause::Die(std::string(result.status().message()));
    return *result;
  }
  const storage::Cause& cause = exit.cause();
  if (cause.kind == storage::CauseKind::kInterrupt) return Cause::Interrupt();
  absl::StatusOr<Exit> encoded = DecodeExit(cause.message);
  if (encoded.ok() && !encoded->is_success()) return encoded->cause();
  // A failure from the cluster itself (malformed message, a defect text).
  return cause.kind == storage::CauseKind::kFail ? Cause::Fail(cause.message)
                                                 : Cause::Die(cause.message);
}

Exit DeferredReplyExit(const storage::Exit& exit) {
  if (!exit.is_success()) {
    Outcome<Result> failed = FromStorageExit(exit);
    return Exit::Failure(failed.ok() ? Cause::Die("deferred reply")
                                     : failed.cause());
  }
  absl::StatusOr<Exit> decoded = DecodeExit(exit.value());
  if (!decoded.ok()) {
    return Exit::Failure(Cause::Die(std::string(decoded.status().message())));
  }
  return *decoded;
}

Cause CauseOf(const absl::Status& status) {
  if (sharding::IsAbandoned(status)) {
    return Cause::Interrupt(InterruptKind::kAbandon);
  }
  return Cause::Die(status.ToString());
}

int64_t BackoffMs(int32_t step, bool hardened) {
  if (hardened) return sharding::HardenedRetryDelayMs(step);
  const double grown = 200.0 * PowInt(1.5, std::min(step, 40));
  return static_cast<int64_t>(std::min(grown, 60'000.0));
}

Task<absl::Status> EnsureSuccess(std::function<Task<absl::Status>()> op,
                                 bool hardened) {
  for (int32_t step = 0;; ++step) {
    absl::Status status = co_await op();
    if (status.ok() || sharding::IsAbandoned(status)) co_return status;
    co_await SleepMs(BackoffMs(step, hardened));
  }
}

Task<absl::Status> RetryTimes(int32_t times, int64_t base_ms,
                              std::function<Task<absl::Status>()> op) {
  int64_t delay_ms = base_ms;
  for (int32_t retry = 0;; ++retry) {
    absl::Status status = co_await op();
    if (status.ok() || retry >= times) co_return status;
    co_await SleepMs(delay_ms);
    delay_ms *= 2;
  }
}

}  // namespace clustersim::workflow::internal
