// EntityStateChecker: the state an entity computes is the state its history
// implies (SPEC.md §4, effectively-once effects, judged on values rather
// than sums). The ledger checker compares totals at the end; this one
// compares every value an entity writes and every value a reply carries,
// so stale in-memory state (a second owner, or an owner that kept running
// after its shard moved, computing from a value loaded before the other's
// writes) shows at the write that uses it, even when the totals balance.
//
// The model: per key, the operations in the order the application's
// database saw their first application, each adding its amount once. A
// write is judged against the model's value after its operation; a reply
// against the value recorded for its operation. A repeated application of
// an operation must not write (the entity answers it from the database).
//
// Single-threaded.
#ifndef CLUSTERSIM_SIM_CHECKERS_ENTITY_STATE_H_
#define CLUSTERSIM_SIM_CHECKERS_ENTITY_STATE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "sim/checkers/finding.h"

namespace clustersim::sim::checkers {

inline constexpr char kEntityState[] = "entity-state";

class EntityStateChecker {
 public:
  explicit EntityStateChecker(FindingSink sink);

  // An entity on `where` applied `op` to `key`, adding `amount`, and wrote
  // `value` as the key's new value.
  void OnWrite(int64_t time_us, std::string_view where, std::string_view key,
               std::string_view op, int64_t amount, int64_t value);
  // A caller received a reply saying `op` left `key` at `value`.
  void OnReply(int64_t time_us, std::string_view key, std::string_view op,
               int64_t value);

  int64_t writes() const { return writes_; }
  int64_t replies_checked() const { return replies_checked_; }

 private:
  struct Applied {
    std::string key;
    int64_t value = 0;  // the model's value after the operation
  };

  FindingSink sink_;
  absl::btree_map<std::string, int64_t, std::less<>> model_;
  absl::btree_map<std::string, Applied, std::less<>> applied_;
  int64_t writes_ = 0;
  int64_t replies_checked_ = 0;
};

}  // namespace clustersim::sim::checkers

#endif  // CLUSTERSIM_SIM_CHECKERS_ENTITY_STATE_H_
