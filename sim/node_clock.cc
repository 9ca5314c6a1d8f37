#include "sim/node_clock.h"

#include "core/base/check.h"

namespace clustersim::sim {
namespace {

constexpr int64_t kMillion = 1'000'000;

int64_t FloorDiv(__int128 a, int64_t b) {
  // Nearly every call fits in 64 bits, where one machine division does
  // (a 128-bit one is a library call); the result is the same.
  if (a >= INT64_MIN && a <= INT64_MAX) {
    const int64_t narrow = static_cast<int64_t>(a);
    int64_t q = narrow / b;
    if ((narrow % b != 0) && ((narrow < 0) != (b < 0))) --q;
    return q;
  }
  __int128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return static_cast<int64_t>(q);
}

}  // namespace

NodeClock::NodeClock(const ClockConfig& config, int64_t global_now_us)
    : anchor_global_us_(global_now_us),
      anchor_local_us_(global_now_us),
      drift_ppm_(config.drift_ppm),
      offset_us_(config.offset_ms * 1000) {
  CHECK(config.drift_ppm > -kMaxDriftPpm && config.drift_ppm < kMaxDriftPpm);
}

int64_t NodeClock::LocalUs(int64_t global_us) const {
  __int128 elapsed = global_us - anchor_global_us_;
  return anchor_local_us_ +
         FloorDiv(elapsed * (kMillion + drift_ppm_), kMillion);
}

int64_t NodeClock::WallMs(int64_t global_us) const {
  return kSimEpochMs + FloorDiv(offset_us_ + LocalUs(global_us), 1000);
}

int64_t NodeClock::GlobalDelayUs(int64_t local_delay_us) const {
  CHECK(local_delay_us >= 0);
  __int128 scaled = static_cast<__int128>(local_delay_us) * kMillion;
  int64_t rate = kMillion + drift_ppm_;
  return static_cast<int64_t>((scaled + rate - 1) / rate);
}

void NodeClock::SetDriftPpm(int64_t drift_ppm, int64_t global_now_us) {
  CHECK(drift_ppm > -kMaxDriftPpm && drift_ppm < kMaxDriftPpm);
  anchor_local_us_ = LocalUs(global_now_us);
  anchor_global_us_ = global_now_us;
  drift_ppm_ = drift_ppm;
}

}  // namespace clustersim::sim
