// Exit, Result and Outcome: the values workflow code passes around.
//
// Exit is a step's final outcome with its value encoded (Effect's
// Exit<A, E> after the success/error codecs): success bytes, or a Cause.
// Result is what one run of a workflow (or of an activity) yields (Effect's
// Workflow.Result): Complete with the Exit, or Suspended (the run parked on
// a durable wait and will be replayed), optionally with the cause that made
// it park and whether a failure made it park (SuspendOnFailure).
// Outcome<T> is how a step returns inside a body: a value, or the Cause that
// ends the body. Suspension travels as an interrupt-only Cause with the
// instance's `suspended` flag set: Effect suspends by self-interrupt, and we
// return that interrupt by value instead (see workflow.h).
// Value types; thread-compatible.
#ifndef CLUSTERSIM_CORE_WORKFLOW_RESULT_H_
#define CLUSTERSIM_CORE_WORKFLOW_RESULT_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/base/check.h"
#include "core/workflow/cause.h"

namespace clustersim::workflow {

class Exit {
 public:
  static Exit Success(std::string value = "") { return Exit(std::move(value)); }
  static Exit Failure(Cause cause) { return Exit(std::move(cause)); }

  bool is_success() const { return outcome_.index() == 0; }
  // Requires is_success().
  const std::string& value() const {
    CHECK(is_success());
    return std::get<0>(outcome_);
  }
  // Requires !is_success().
  const Cause& cause() const {
    CHECK(!is_success());
    return std::get<1>(outcome_);
  }
  std::string DebugString() const {
    return is_success() ? "Success(" + value() + ")"
                        : "Failure(" + cause().DebugString() + ")";
  }

  friend bool operator==(const Exit&, const Exit&) = default;

 private:
  explicit Exit(std::string value) : outcome_(std::move(value)) {}
  explicit Exit(Cause cause) : outcome_(std::move(cause)) {}

  std::variant<std::string, Cause> outcome_;
};

struct Complete {
  Exit exit;
  friend bool operator==(const Complete&, const Complete&) = default;
};

struct Suspended {
  std::optional<Cause> cause;
  bool failed = false;
  friend bool operator==(const Suspended&, const Suspended&) = default;
};

using Result = std::variant<Complete, Suspended>;

inline bool IsComplete(const Result& r) {
  return std::holds_alternative<Complete>(r);
}
inline bool IsSuspended(const Result& r) {
  return std::holds_alternative<Suspended>(r);
}
std::string DebugString(const Result& r);

// A step's value or the cause that ends the body.
template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Outcome(Cause cause) : state_(std::in_place_index<1>, std::move(cause)) {}

  bool ok() const { return state_.index() == 0; }
  const T& value() const& {
    CHECK(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    CHECK(ok());
    return std::get<0>(std::move(state_));
  }
  const Cause& cause() const& {
    CHECK(!ok());
    return std::get<1>(state_);
  }
  Cause&& cause() && {
    CHECK(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Cause> state_;
};

// The value of a step that yields nothing.
struct Unit {
  friend bool operator==(Unit, Unit) = default;
};

inline Exit ToExit(Outcome<std::string> o) {
  return o.ok() ? Exit::Success(std::move(o).value())
                : Exit::Failure(std::move(o).cause());
}
inline Outcome<std::string> FromExit(const Exit& e) {
  if (e.is_success()) return e.value();
  return e.cause();
}

}  // namespace clustersim::workflow

// Inside a coroutine returning Task<Outcome<U>>: awaits a step's Outcome and
// either binds its value to `lhs` or ends the body with its cause.
//
//   WF_TRY(std::string id, co_await Execute(ctx, child, payload));
#define WF_TRY(lhs, expr) \
  WF_TRY_IMPL_(WF_CONCAT_(wf_outcome_, __LINE__), lhs, expr)
#define WF_TRY_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                  \
  if (!tmp.ok()) [[unlikely]] {       \
    co_return std::move(tmp).cause(); \
  }                                   \
  lhs = std::move(tmp).value()
#define WF_CONCAT_(a, b) WF_CONCAT_INNER_(a, b)
#define WF_CONCAT_INNER_(a, b) a##b

#endif  // CLUSTERSIM_CORE_WORKFLOW_RESULT_H_
