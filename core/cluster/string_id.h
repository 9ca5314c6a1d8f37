// StringId<Tag>: a strong type over a string, for Effect's branded string
// identifiers (EntityId, EntityType). Effect applies no validation or
// normalisation, and neither do we. Ordering is bytewise on the UTF-8 form
// (a stable order for our containers; Effect never sorts these).
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_STRING_ID_H_
#define CLUSTERSIM_CORE_CLUSTER_STRING_ID_H_

#include <compare>
#include <ostream>
#include <string>
#include <utility>

namespace clustersim {

template <typename Tag>
class StringId {
 public:
  StringId() = default;
  explicit StringId(std::string value) : value_(std::move(value)) {}

  const std::string& value() const { return value_; }

  friend auto operator<=>(const StringId&, const StringId&) = default;
  friend bool operator==(const StringId&, const StringId&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const StringId& id) {
    return H::combine(std::move(h), id.value_);
  }

  friend std::ostream& operator<<(std::ostream& os, const StringId& id) {
    return os << id.value_;
  }

 private:
  std::string value_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_STRING_ID_H_
