// CHECK: cheap always-on assertions for invariants of the core (TigerBeetle
// style). A failed check prints the condition, location and message, then
// aborts, so a simulator seed that reaches it reproduces the corruption.
#ifndef CLUSTERSIM_CORE_BASE_CHECK_H_
#define CLUSTERSIM_CORE_BASE_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace clustersim::internal {

[[noreturn]] inline void CheckFailed(const char* condition, const char* file,
                                     int line, const char* message) {
  std::fprintf(stderr, "%s:%d: CHECK failed: %s%s%s\n", file, line, condition,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace clustersim::internal

// CHECK(cond) or CHECK(cond, "message").
#define CHECK(cond, ...)                                             \
  do {                                                               \
    if (!(cond)) [[unlikely]] {                                      \
      ::clustersim::internal::CheckFailed(#cond, __FILE__, __LINE__, \
                                          "" __VA_ARGS__);           \
    }                                                                \
  } while (false)

#endif  // CLUSTERSIM_CORE_BASE_CHECK_H_
