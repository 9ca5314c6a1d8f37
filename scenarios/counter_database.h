// CounterDatabase: the Counter entities' own database, as a user of the
// cluster keeps one beside it (Effect's entities hold no durable state of
// their own). It sits outside the simulated nodes: it survives their crashes
// and has no faults, because what the counter scenario tests is the
// cluster, not this database.
//
// The contract a Counter entity follows (write-through cache): load the
// value when it is activated, answer an operation already applied from the
// value recorded for it, and otherwise write cached value + amount and keep
// that as the cache. Every write is reported to `on_write`, so a checker
// sees an entity compute from stale state (sim/checkers/entity_state.h).
//
// Owned by the scenario run; single-threaded.
#ifndef CLUSTERSIM_SCENARIOS_COUNTER_DATABASE_H_
#define CLUSTERSIM_SCENARIOS_COUNTER_DATABASE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"

namespace clustersim::scenarios {

class CounterDatabase {
 public:
  // (who wrote, key, op, amount, the value written)
  using WriteListener =
      std::function<void(std::string_view where, std::string_view key,
                         std::string_view op, int64_t amount, int64_t value)>;

  explicit CounterDatabase(WriteListener on_write);

  // The key's current value (0 if never written).
  int64_t Load(std::string_view key) const;
  // The value `op` left its key at, if it was applied.
  std::optional<int64_t> AppliedValue(std::string_view op) const;
  // Records `op` (not applied before) as having set `key` to `value`.
  void Write(std::string_view where, std::string_view key, std::string_view op,
             int64_t amount, int64_t value);

 private:
  WriteListener on_write_;
  absl::btree_map<std::string, int64_t, std::less<>> values_;
  absl::btree_map<std::string, int64_t, std::less<>> applied_;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_COUNTER_DATABASE_H_
