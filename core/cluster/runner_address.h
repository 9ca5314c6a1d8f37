// RunnerAddress: how runners reach each other, host and port (Effect's
// `RunnerAddress`). Its key "<host>:<port>" is the primary key, the hash-ring
// node key and the storage key. Printed as "RunnerAddress(<host>:<port>)".
// Value type; thread-compatible.
#ifndef CLUSTERSIM_CORE_CLUSTER_RUNNER_ADDRESS_H_
#define CLUSTERSIM_CORE_CLUSTER_RUNNER_ADDRESS_H_

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace clustersim {

class RunnerAddress {
 public:
  RunnerAddress(std::string host, int32_t port)
      : host_(std::move(host)), port_(port) {}

  // Parses "<host>:<port>", splitting at the last ':'. The host must be
  // non-empty and the port a decimal integer in 1..65535; InvalidArgument
  // (with the reason) otherwise.
  static absl::StatusOr<RunnerAddress> Parse(std::string_view text);

  const std::string& host() const { return host_; }
  int32_t port() const { return port_; }

  // "<host>:<port>": Effect's PrimaryKey.
  std::string Key() const;
  // "RunnerAddress(<host>:<port>)".
  std::string ToString() const;

  friend auto operator<=>(const RunnerAddress&, const RunnerAddress&) = default;
  friend bool operator==(const RunnerAddress&, const RunnerAddress&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const RunnerAddress& address) {
    return H::combine(std::move(h), address.host_, address.port_);
  }

  friend std::ostream& operator<<(std::ostream& os,
                                  const RunnerAddress& address) {
    return os << address.ToString();
  }

 private:
  std::string host_;
  int32_t port_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_RUNNER_ADDRESS_H_
