// The ways a storage operation is refused, in one place so that every store
// reports the same condition the same way (and callers can tell them apart):
//
//   ConstraintViolation  the statement SQL would reject (duplicate key, value
//                        too wide for its column, invalid UTF-8): a
//                        PersistenceError (core/cluster/cluster_error.h), as
//                        Effect reports it.
//   LimitExceeded        input beyond a configured bound of this server
//                        (payload size, ids per call, rows per read).
//                        InvalidArgument, message "storage limit: ...".
//   StorageFull          the table capacity is used up. ResourceExhausted,
//                        message "storage full: ...".
//   Fenced               hardened mode only: a write whose fencing token is not
//                        the shard's current lease. FailedPrecondition,
//                        message "fenced: ...".
//   AlreadyStored        hardened mode only: a retried reply write whose
//                        first attempt landed (the same reply, same id, is
//                        stored): the write is done. AlreadyExists, message
//                        "already stored: ...".
//   AlreadyReplied       hardened mode only: a final reply to a request that
//                        already has another one (its handler ran twice, as
//                        Effect's at-least-once allows): the first stands.
//                        AlreadyExists, message "already replied: ...".
//   ReplyCleared         hardened mode only: a retried final reply write
//                        whose first attempt landed and was since cleared by
//                        a reset (the request is deliverable again, and its
//                        next run answers it): the write is done and stale.
//                        AlreadyExists, message "reply cleared: ...".
//
// A refused operation changes nothing. Pure functions; thread-safe.
#ifndef CLUSTERSIM_CORE_STORAGE_STORAGE_ERRORS_H_
#define CLUSTERSIM_CORE_STORAGE_STORAGE_ERRORS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace clustersim::storage {

absl::Status ConstraintViolation(std::string_view message);

// "storage limit: <what> is <value>, above the maximum <limit>".
absl::Status LimitExceeded(std::string_view what, int64_t value, int64_t limit);

// "storage full: <table> holds its maximum of <capacity> rows".
absl::Status StorageFull(std::string_view table, int64_t capacity);

absl::Status Fenced(std::string_view message);

// True for errors made by Fenced().
bool IsFenced(const absl::Status& status);

absl::Status AlreadyStored(std::string_view message);

// True for errors made by AlreadyStored().
bool IsAlreadyStored(const absl::Status& status);

absl::Status AlreadyReplied(std::string_view message);

// True for errors made by AlreadyReplied().
bool IsAlreadyReplied(const absl::Status& status);

absl::Status ReplyCleared(std::string_view message);

// True for errors made by ReplyCleared().
bool IsReplyCleared(const absl::Status& status);

}  // namespace clustersim::storage

#endif  // CLUSTERSIM_CORE_STORAGE_STORAGE_ERRORS_H_
