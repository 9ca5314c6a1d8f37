#include "core/cluster/runner_address.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/parse_int.h"
#include "fmt/format.h"

namespace clustersim {

absl::StatusOr<RunnerAddress> RunnerAddress::Parse(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        fmt::format("runner address {:?} is not of the form HOST:PORT", text));
  }
  if (colon == 0) {
    return absl::InvalidArgumentError(
        fmt::format("runner address {:?} has an empty host", text));
  }
  absl::StatusOr<int64_t> port =
      ParseDecimal("port", text.substr(colon + 1), 1, 65535);
  if (!port.ok()) return port.status();
  return RunnerAddress(std::string(text.substr(0, colon)),
                       static_cast<int32_t>(*port));
}

std::string RunnerAddress::Key() const {
  return absl::StrCat(host_, ":", port_);
}

std::string RunnerAddress::ToString() const {
  return absl::StrCat("RunnerAddress(", Key(), ")");
}

}  // namespace clustersim
