#include "core/workflow/definitions.h"

#include <algorithm>

#include "core/runtime/portable_math.h"

namespace clustersim::workflow {

std::optional<int64_t> RetrySchedule::DelayMs(int32_t step) const {
  if (max_steps.has_value() && step >= *max_steps) return std::nullopt;
  const double grown = static_cast<double>(base_ms) * PowInt(factor, step);
  if (!(grown < static_cast<double>(cap_ms))) return cap_ms;
  return std::max<int64_t>(0, static_cast<int64_t>(grown));
}

}  // namespace clustersim::workflow
