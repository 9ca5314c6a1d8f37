#include "core/storage/storage_errors.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"

namespace clustersim::storage {

absl::Status ConstraintViolation(std::string_view message) {
  return ToStatus(PersistenceError{std::string(message)});
}

absl::Status LimitExceeded(std::string_view what, int64_t value,
                           int64_t limit) {
  return absl::InvalidArgumentError(
      absl::StrCat("storage limit: ", std::string(what), " is ", value,
                   ", above the maximum ", limit));
}

absl::Status StorageFull(std::string_view table, int64_t capacity) {
  return absl::ResourceExhaustedError(
      absl::StrCat("storage full: ", std::string(table),
                   " holds its maximum of ", capacity, " rows"));
}

absl::Status Fenced(std::string_view message) {
  return absl::FailedPreconditionError(
      absl::StrCat("fenced: ", std::string(message)));
}

bool IsFenced(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StartsWith(status.message(), "fenced: ");
}

absl::Status AlreadyStored(std::string_view message) {
  return absl::AlreadyExistsError(
      absl::StrCat("already stored: ", std::string(message)));
}

bool IsAlreadyStored(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         absl::StartsWith(status.message(), "already stored: ");
}

absl::Status AlreadyReplied(std::string_view message) {
  return absl::AlreadyExistsError(
      absl::StrCat("already replied: ", std::string(message)));
}

bool IsAlreadyReplied(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         absl::StartsWith(status.message(), "already replied: ");
}

absl::Status ReplyCleared(std::string_view message) {
  return absl::AlreadyExistsError(
      absl::StrCat("reply cleared: ", std::string(message)));
}

bool IsReplyCleared(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists &&
         absl::StartsWith(status.message(), "reply cleared: ");
}

}  // namespace clustersim::storage
