// Status macros: early return on error, so decode and RPC code reads as a
// straight line. Header-only; no state.
//
//   CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
//   CLUSTERSIM_ASSIGN_OR_RETURN(uint64_t id, reader.GetVarint());
//
// Both evaluate their argument exactly once and return the error (as an
// absl::Status, which converts to any absl::StatusOr<T>) from the enclosing
// function.
#ifndef CLUSTERSIM_CORE_BASE_STATUS_MACROS_H_
#define CLUSTERSIM_CORE_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CLUSTERSIM_RETURN_IF_ERROR(expr)         \
  do {                                           \
    ::absl::Status clustersim_status_ = (expr);  \
    if (!clustersim_status_.ok()) [[unlikely]] { \
      return clustersim_status_;                 \
    }                                            \
  } while (false)

// `lhs` may declare a variable (`auto x`, `std::string s`) or name an existing
// one. The temporary's name is unique per line, so several uses may share a
// scope.
#define CLUSTERSIM_ASSIGN_OR_RETURN(lhs, expr) \
  CLUSTERSIM_ASSIGN_OR_RETURN_IMPL_(           \
      CLUSTERSIM_STATUS_CONCAT_(clustersim_statusor_, __LINE__), lhs, expr)

#define CLUSTERSIM_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                      \
  if (!statusor.ok()) [[unlikely]] {                           \
    return std::move(statusor).status();                       \
  }                                                            \
  lhs = std::move(statusor).value()

#define CLUSTERSIM_STATUS_CONCAT_(a, b) CLUSTERSIM_STATUS_CONCAT_INNER_(a, b)
#define CLUSTERSIM_STATUS_CONCAT_INNER_(a, b) a##b

#endif  // CLUSTERSIM_CORE_BASE_STATUS_MACROS_H_
