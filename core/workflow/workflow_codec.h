// Bytes for the workflow values that cross the network or sit in storage:
// causes, exits, results (the replies of the workflow entity's `run` and
// `activity` RPCs and the exits of `deferred`), and the payloads of the
// cluster engine's RPCs. Decoders check every byte and return
// InvalidArgument naming what was malformed; they never crash.
// Pure functions; thread-compatible.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_CODEC_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

std::string EncodeExit(const Exit& exit);
absl::StatusOr<Exit> DecodeExit(std::string_view bytes);
std::string EncodeResult(const Result& result);
absl::StatusOr<Result> DecodeResult(std::string_view bytes);

// The parent a child execution reports to.
struct ParentRef {
  std::string workflow_name;
  std::string execution_id;
  bool detached = false;
  friend bool operator==(const ParentRef&, const ParentRef&) = default;
};

// `run`: the workflow's payload and, for a child, its parent.
struct RunPayload {
  std::string payload;
  std::optional<ParentRef> parent;
  friend bool operator==(const RunPayload&, const RunPayload&) = default;
};
std::string EncodeRunPayload(const RunPayload& run);
absl::StatusOr<RunPayload> DecodeRunPayload(std::string_view bytes);

// `activity`: one attempt of a named activity; primary key "<name>/<attempt>".
struct ActivityPayload {
  std::string name;
  int32_t attempt = 1;
  friend bool operator==(const ActivityPayload&,
                         const ActivityPayload&) = default;
};
std::string EncodeActivityPayload(const ActivityPayload& activity);
absl::StatusOr<ActivityPayload> DecodeActivityPayload(std::string_view bytes);
std::string ActivityPrimaryKey(std::string_view name, int32_t attempt);

// `deferred`: a deferred's completion; primary key = its name.
struct DeferredPayload {
  std::string name;
  Exit exit = Exit::Success("");
  friend bool operator==(const DeferredPayload&,
                         const DeferredPayload&) = default;
};
std::string EncodeDeferredPayload(const DeferredPayload& deferred);
absl::StatusOr<DeferredPayload> DecodeDeferredPayload(std::string_view bytes);

// `resume`: a child's completion wakes its parent; primary key = the child's
// execution id ("" for an operator's resume).
std::string EncodeResumePayload(std::string_view child_execution_id);
absl::StatusOr<std::string> DecodeResumePayload(std::string_view bytes);

// The durable clock entity's `run`: fire DurableClock/<name> at wake_up_ms.
struct ClockPayload {
  std::string name;
  std::string workflow_name;
  int64_t wake_up_ms = 0;
  friend bool operator==(const ClockPayload&, const ClockPayload&) = default;
};
std::string EncodeClockPayload(const ClockPayload& clock);
absl::StatusOr<ClockPayload> DecodeClockPayload(std::string_view bytes);

// 16 hex digits identifying an exit's bytes, for trace events and checkers.
std::string ExitDigest(const Exit& exit);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_CODEC_H_
