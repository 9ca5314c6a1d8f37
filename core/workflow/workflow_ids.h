// The identities of Effect 4.1.0's workflow layer, bit for bit: execution
// ids, activity idempotency keys, durable deferred tokens and the reserved
// deferred and entity names. Persisted state and messages are addressed by
// these strings, so a stored workflow resumes only if they match exactly.
//
// JavaScript strings are UTF-16 and may hold lone surrogates; ours are UTF-8.
// The `std::u16string_view` forms are exact for every JavaScript string (a
// lone surrogate hashes as U+FFFD, as TextEncoder does, and is written as
// `\udxxx` in a token, as JSON.stringify does). The UTF-8 forms reject
// invalid UTF-8 with InvalidArgument, since no JavaScript string equals it.
//
// Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_H_
#define CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/cluster/entity_type.h"
#include "core/cluster/string_id.h"

namespace clustersim {

// A workflow execution's id: 32 lowercase hex characters when made here, any
// string when read from a token (Effect does not check it either).
struct ExecutionIdTag {};
using ExecutionId = StringId<ExecutionIdTag>;

// Effect's makeHashDigest: the first 16 bytes of SHA-256 over the UTF-8 that
// TextEncoder makes of `js_string`, as 32 lowercase hex characters.
std::string HashDigest(std::u16string_view js_string);

// Workflow.executionId: HashDigest("<tag length>:<tag>:<idempotency_key>"),
// the length counted in UTF-16 code units.
absl::StatusOr<ExecutionId> MakeExecutionId(std::string_view tag,
                                            std::string_view idempotency_key);

// Activity.idempotencyKey(name, {includeAttempt}):
// HashDigest("<execution_id>[-<attempt>]-<name>"), with the attempt only
// when given. Not injective (name "1-x" equals name "x" at attempt 1), as in
// Effect.
absl::StatusOr<std::string> ActivityIdempotencyKey(
    const ExecutionId& execution_id, std::string_view name,
    std::optional<int32_t> attempt);

// What a durable deferred token names.
struct DeferredToken {
  std::string workflow_name;
  ExecutionId execution_id;
  std::string deferred_name;

  friend bool operator==(const DeferredToken&, const DeferredToken&) = default;
};

// DurableDeferred's token: unpadded base64url of the UTF-8 of
// JSON.stringify([workflow_name, execution_id, deferred_name]).
std::string EncodeJsToken(std::u16string_view workflow_name,
                          std::u16string_view execution_id,
                          std::u16string_view deferred_name);
absl::StatusOr<std::string> EncodeToken(const DeferredToken& token);

// TokenParsed.fromString: accepts what Effect accepts (CR and LF anywhere,
// optional padding, non-zero trailing bits, invalid UTF-8 read as U+FFFD, a
// leading byte order mark, JSON whitespace) and rejects the rest with
// InvalidArgument saying which layer is wrong: base64url, JSON, or not an
// array of three strings. One deviation: a `\udxxx` escape of a lone
// surrogate, which Effect accepts, is rejected, as UTF-8 cannot hold it.
absl::StatusOr<DeferredToken> ParseToken(std::string_view token);

// Reserved deferred names. Effect does not stop a user deferred from taking
// one of them.
inline constexpr std::string_view kInterruptSignalName =
    "Workflow/InterruptSignal";
// DurableClock.sleep's deferred: "DurableClock/<name>".
std::string ClockDeferredName(std::string_view name);
// DurableDeferred.raceAll's deferred: "raceAll/<name>".
std::string RaceAllDeferredName(std::string_view name);
// Activity.raceAll's deferred: "raceAll/Activity/<name>".
std::string ActivityRaceAllName(std::string_view name);
// A DurableQueue item's deferred: "DurableQueue/<queue>/<item_id>", where
// item_id is the activity idempotency key of "DurableQueue/<queue>/<key>".
std::string QueueDeferredName(std::string_view queue, std::string_view item_id);
// DurableDeferred.withActivityAttempt: "<name>/<attempt>".
std::string WithActivityAttempt(std::string_view name, int32_t attempt);

// The entity type that runs workflow `tag`: "Workflow/<tag>".
EntityType WorkflowEntityType(std::string_view tag);
// The entity type of durable clocks.
inline constexpr std::string_view kClockEntityType = "Workflow/-/DurableClock";

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_WORKFLOW_WORKFLOW_IDS_H_
