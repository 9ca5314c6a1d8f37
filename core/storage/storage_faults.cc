#include "core/storage/storage_faults.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/check.h"
#include "core/runtime/distributions.h"

namespace clustersim::storage {
namespace {

bool IsProbability(double p) { return p >= 0.0 && p <= 1.0; }

// A draw that consumes no randomness when the fault is off.
bool Happens(Random& rng, double rate) {
  return rate > 0 && Bernoulli(rng, rate);
}

}  // namespace

absl::Status StorageFaults::Validate() const {
  if (!IsProbability(error_rate)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "storage faults: error rate ", error_rate, " is not a probability"));
  }
  if (!IsProbability(latency_spike_rate)) {
    return absl::InvalidArgumentError(
        absl::StrCat("storage faults: latency spike rate ", latency_spike_rate,
                     " is not a probability"));
  }
  if (!IsProbability(apply_then_drop_rate)) {
    return absl::InvalidArgumentError(
        absl::StrCat("storage faults: apply-then-drop rate ",
                     apply_then_drop_rate, " is not a probability"));
  }
  if (latency_spike_min_ms < 0 || latency_spike_max_ms < latency_spike_min_ms) {
    return absl::InvalidArgumentError(absl::StrCat(
        "storage faults: latency spike range ", latency_spike_min_ms, "..",
        latency_spike_max_ms, " ms is not 0 <= min <= max"));
  }
  return absl::OkStatus();
}

std::string StorageFaults::ToString() const {
  std::vector<std::string> items;
  if (error_rate > 0) items.push_back(absl::StrCat("error=", error_rate));
  if (latency_spike_rate > 0) {
    items.push_back(absl::StrCat("spike=", latency_spike_rate, ":",
                                 latency_spike_min_ms, "ms..",
                                 latency_spike_max_ms, "ms"));
  }
  if (unavailable) items.push_back("unavailable");
  if (apply_then_drop_rate > 0) {
    items.push_back(absl::StrCat("drop=", apply_then_drop_rate));
  }
  return items.empty() ? "none" : absl::StrJoin(items, ",");
}

StorageFaultDraw DrawStorageFaults(const StorageFaults& faults, Random& rng) {
  CHECK(faults.Validate().ok(), "invalid storage fault settings");
  StorageFaultDraw draw;
  if (Happens(rng, faults.latency_spike_rate)) {
    const int64_t spike_ms = UniformInt(rng, faults.latency_spike_min_ms,
                                        faults.latency_spike_max_ms);
    (Bernoulli(rng, 0.5) ? draw.delay_before_ms : draw.delay_after_ms) =
        spike_ms;
  }
  draw.fail = Happens(rng, faults.error_rate);
  draw.drop_response = !draw.fail && Happens(rng, faults.apply_then_drop_rate);
  return draw;
}

}  // namespace clustersim::storage
