// MachineId: the integer a runner gets from RunnerStorage.register (memory
// storage counts from 0, SQL from 1). Snowflakes encode it modulo 1024.
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_MACHINE_ID_H_
#define CLUSTERSIM_CORE_CLUSTER_MACHINE_ID_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <utility>

namespace clustersim {

class MachineId {
 public:
  constexpr MachineId() = default;
  constexpr explicit MachineId(int32_t value) : value_(value) {}

  constexpr int32_t value() const { return value_; }

  friend constexpr auto operator<=>(MachineId, MachineId) = default;
  friend constexpr bool operator==(MachineId, MachineId) = default;

  template <typename H>
  friend H AbslHashValue(H h, MachineId id) {
    return H::combine(std::move(h), id.value_);
  }

  // Effect's formatter: MachineId(<n>).
  friend std::ostream& operator<<(std::ostream& os, MachineId id) {
    return os << "MachineId(" << id.value_ << ")";
  }

 private:
  int32_t value_ = 0;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_MACHINE_ID_H_
