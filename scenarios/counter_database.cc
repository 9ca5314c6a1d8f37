#include "scenarios/counter_database.h"

#include <utility>

#include "core/base/check.h"

namespace clustersim::scenarios {

CounterDatabase::CounterDatabase(WriteListener on_write)
    : on_write_(std::move(on_write)) {}

int64_t CounterDatabase::Load(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? 0 : it->second;
}

std::optional<int64_t> CounterDatabase::AppliedValue(
    std::string_view op) const {
  auto it = applied_.find(op);
  if (it == applied_.end()) return std::nullopt;
  return it->second;
}

void CounterDatabase::Write(std::string_view where, std::string_view key,
                            std::string_view op, int64_t amount,
                            int64_t value) {
  CHECK(!applied_.contains(op),
        "an applied operation is answered, not written");
  values_.insert_or_assign(std::string(key), value);
  applied_.emplace(std::string(op), value);
  on_write_(where, key, op, amount, value);
}

}  // namespace clustersim::scenarios
