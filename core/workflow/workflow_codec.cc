#include "core/workflow/workflow_codec.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/storage/sha256.h"

namespace clustersim::workflow {
namespace {

// Upper bound on reasons per cause, so a corrupt count cannot allocate.
constexpr uint64_t kMaxReasons = 1024;

enum : uint8_t { kExitSuccess = 1, kExitFailure = 2 };
enum : uint8_t { kResultComplete = 1, kResultSuspended = 2 };

void PutCause(const Cause& cause, codec::ByteWriter& w) {
  w.PutVarint(cause.reasons().size());
  for (const Reason& r : cause.reasons()) {
    w.PutU8(static_cast<uint8_t>(r.kind));
    w.PutString(r.value);
    w.PutU8(static_cast<uint8_t>(r.interrupt));
  }
}

absl::StatusOr<Cause> GetCause(codec::ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t n, r.GetCount(3));
  if (n > kMaxReasons) {
    return absl::InvalidArgumentError("workflow cause has too many reasons");
  }
  std::vector<Reason> reasons;
  for (uint64_t i = 0; i < n; ++i) {
    Reason reason;
    CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t kind, r.GetU8());
    if (kind < 1 || kind > 3) {
      return absl::InvalidArgumentError("workflow cause: unknown reason kind " +
                                        std::to_string(kind));
    }
    reason.kind = static_cast<ReasonKind>(kind);
    CLUSTERSIM_ASSIGN_OR_RETURN(reason.value, r.GetString());
    CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t interrupt, r.GetU8());
    if (interrupt > 2) {
      return absl::InvalidArgumentError(
          "workflow cause: unknown interrupt kind " +
          std::to_string(interrupt));
    }
    reason.interrupt = static_cast<InterruptKind>(interrupt);
    reasons.push_back(std::move(reason));
  }
  return Cause::FromReasons(std::move(reasons));
}

void PutExit(const Exit& exit, codec::ByteWriter& w) {
  if (exit.is_success()) {
    w.PutU8(kExitSuccess);
    w.PutString(exit.value());
  } else {
    w.PutU8(kExitFailure);
    PutCause(exit.cause(), w);
  }
}

absl::StatusOr<Exit> GetExit(codec::ByteReader& r) {
  CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t tag, r.GetU8());
  if (tag == kExitSuccess) {
    CLUSTERSIM_ASSIGN_OR_RETURN(std::string value, r.GetString());
    return Exit::Success(std::move(value));
  }
  if (tag == kExitFailure) {
    CLUSTERSIM_ASSIGN_OR_RETURN(Cause cause, GetCause(r));
    return Exit::Failure(std::move(cause));
  }
  return absl::InvalidArgumentError("workflow exit: unknown tag " +
                                    std::to_string(tag));
}

template <typename T, typename Get>
absl::StatusOr<T> DecodeAll(std::string_view bytes, std::string_view what,
                            Get get) {
  codec::ByteReader r(bytes);
  absl::StatusOr<T> value = get(r);
  if (value.ok()) {
    absl::Status end = r.ExpectEnd();
    if (!end.ok()) value = end;
  }
  if (!value.ok()) {
    return absl::InvalidArgumentError(std::string(what) + " does not decode: " +
                                      std::string(value.status().message()));
  }
  return value;
}

}  // namespace

std::string EncodeExit(const Exit& exit) {
  codec::ByteWriter w;
  PutExit(exit, w);
  return w.Release();
}

absl::StatusOr<Exit> DecodeExit(std::string_view bytes) {
  return DecodeAll<Exit>(bytes, "workflow exit", GetExit);
}

std::string EncodeResult(const Result& result) {
  codec::ByteWriter w;
  if (const auto* complete = std::get_if<Complete>(&result)) {
    w.PutU8(kResultComplete);
    PutExit(complete->exit, w);
  } else {
    const auto& suspended = std::get<Suspended>(result);
    w.PutU8(kResultSuspended);
    w.PutBool(suspended.cause.has_value());
    if (suspended.cause) PutCause(*suspended.cause, w);
    w.PutBool(suspended.failed);
  }
  return w.Release();
}

absl::StatusOr<Result> DecodeResult(std::string_view bytes) {
  return DecodeAll<Result>(
      bytes, "workflow result",
      [](codec::ByteReader& r) -> absl::StatusOr<Result> {
        CLUSTERSIM_ASSIGN_OR_RETURN(uint8_t tag, r.GetU8());
        if (tag == kResultComplete) {
          CLUSTERSIM_ASSIGN_OR_RETURN(Exit exit, GetExit(r));
          return Result(Complete{std::move(exit)});
        }
        if (tag != kResultSuspended) {
          return absl::InvalidArgumentError("unknown result tag " +
                                            std::to_string(tag));
        }
        Suspended suspended;
        CLUSTERSIM_ASSIGN_OR_RETURN(bool has_cause, r.GetBool());
        if (has_cause) {
          CLUSTERSIM_ASSIGN_OR_RETURN(Cause cause, GetCause(r));
          suspended.cause = std::move(cause);
        }
        CLUSTERSIM_ASSIGN_OR_RETURN(suspended.failed, r.GetBool());
        return Result(std::move(suspended));
      });
}

std::string EncodeRunPayload(const RunPayload& run) {
  codec::ByteWriter w;
  w.PutString(run.payload);
  w.PutBool(run.parent.has_value());
  if (run.parent) {
    w.PutString(run.parent->workflow_name);
    w.PutString(run.parent->execution_id);
    w.PutBool(run.parent->detached);
  }
  return w.Release();
}

absl::StatusOr<RunPayload> DecodeRunPayload(std::string_view bytes) {
  return DecodeAll<RunPayload>(
      bytes, "workflow run payload",
      [](codec::ByteReader& r) -> absl::StatusOr<RunPayload> {
        RunPayload run;
        CLUSTERSIM_ASSIGN_OR_RETURN(run.payload, r.GetString());
        CLUSTERSIM_ASSIGN_OR_RETURN(bool has_parent, r.GetBool());
        if (has_parent) {
          ParentRef parent;
          CLUSTERSIM_ASSIGN_OR_RETURN(parent.workflow_name, r.GetString());
          CLUSTERSIM_ASSIGN_OR_RETURN(parent.execution_id, r.GetString());
          CLUSTERSIM_ASSIGN_OR_RETURN(parent.detached, r.GetBool());
          run.parent = std::move(parent);
        }
        return run;
      });
}

std::string EncodeActivityPayload(const ActivityPayload& activity) {
  codec::ByteWriter w;
  w.PutString(activity.name);
  w.PutSignedVarint(activity.attempt);
  return w.Release();
}

absl::StatusOr<ActivityPayload> DecodeActivityPayload(std::string_view bytes) {
  return DecodeAll<ActivityPayload>(
      bytes, "workflow activity payload",
      [](codec::ByteReader& r) -> absl::StatusOr<ActivityPayload> {
        ActivityPayload activity;
        CLUSTERSIM_ASSIGN_OR_RETURN(activity.name, r.GetString());
        CLUSTERSIM_ASSIGN_OR_RETURN(int64_t attempt, r.GetSignedVarint());
        if (attempt < 1 || attempt > INT32_MAX) {
          return absl::InvalidArgumentError("attempt out of range");
        }
        activity.attempt = static_cast<int32_t>(attempt);
        return activity;
      });
}

std::string ActivityPrimaryKey(std::string_view name, int32_t attempt) {
  return std::string(name) + "/" + std::to_string(attempt);
}

std::string EncodeDeferredPayload(const DeferredPayload& deferred) {
  codec::ByteWriter w;
  w.PutString(deferred.name);
  PutExit(deferred.exit, w);
  return w.Release();
}

absl::StatusOr<DeferredPayload> DecodeDeferredPayload(std::string_view bytes) {
  return DecodeAll<DeferredPayload>(
      bytes, "workflow deferred payload",
      [](codec::ByteReader& r) -> absl::StatusOr<DeferredPayload> {
        DeferredPayload deferred;
        CLUSTERSIM_ASSIGN_OR_RETURN(deferred.name, r.GetString());
        CLUSTERSIM_ASSIGN_OR_RETURN(deferred.exit, GetExit(r));
        return deferred;
      });
}

std::string EncodeResumePayload(std::string_view child_execution_id) {
  codec::ByteWriter w;
  w.PutString(child_execution_id);
  return w.Release();
}

absl::StatusOr<std::string> DecodeResumePayload(std::string_view bytes) {
  return DecodeAll<std::string>(
      bytes, "workflow resume payload",
      [](codec::ByteReader& r) { return r.GetString(); });
}

std::string EncodeClockPayload(const ClockPayload& clock) {
  codec::ByteWriter w;
  w.PutString(clock.name);
  w.PutString(clock.workflow_name);
  w.PutSignedVarint(clock.wake_up_ms);
  return w.Release();
}

absl::StatusOr<ClockPayload> DecodeClockPayload(std::string_view bytes) {
  return DecodeAll<ClockPayload>(
      bytes, "durable clock payload",
      [](codec::ByteReader& r) -> absl::StatusOr<ClockPayload> {
        ClockPayload clock;
        CLUSTERSIM_ASSIGN_OR_RETURN(clock.name, r.GetString());
        CLUSTERSIM_ASSIGN_OR_RETURN(clock.workflow_name, r.GetString());
        CLUSTERSIM_ASSIGN_OR_RETURN(clock.wake_up_ms, r.GetSignedVarint());
        return clock;
      });
}

std::string ExitDigest(const Exit& exit) {
  // The first 8 bytes of the SHA-256: only they are formatted.
  const Sha256Digest digest = Sha256(EncodeExit(exit));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

}  // namespace clustersim::workflow
