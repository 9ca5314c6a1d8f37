#include "sim/trace.h"

namespace clustersim::sim {
namespace {

// SplitMix64's finalizer: a fast, well-distributed 64-bit mixer.
uint64_t Avalanche(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

void TraceRecorder::Mix(uint64_t value) {
  hash_ = Avalanche(hash_ ^ (value + 0x9e3779b97f4a7c15ull + (hash_ << 6)));
}

void TraceRecorder::MixBytes(std::string_view bytes) {
  Mix(bytes.size());
  uint64_t word = 0;
  size_t n = 0;
  for (unsigned char c : bytes) {
    word = (word << 8) | c;
    if (++n == 8) {
      Mix(word);
      word = 0;
      n = 0;
    }
  }
  if (n != 0) Mix(word);
}

void TraceRecorder::Record(int64_t time_us, uint32_t node,
                           std::string_view kind, std::string_view detail) {
  ++count_;
  Mix(static_cast<uint64_t>(time_us));
  Mix(node);
  MixBytes(kind);
  MixBytes(detail);
  if (keep_events_) {
    events_.push_back(
        TraceEvent{time_us, node, std::string(kind), std::string(detail)});
  }
}

void TraceRecorder::RecordNumbers(int64_t time_us, uint32_t node,
                                  std::string_view kind,
                                  std::span<const uint64_t> numbers,
                                  std::string_view detail) {
  ++count_;
  Mix(static_cast<uint64_t>(time_us));
  Mix(node);
  MixBytes(kind);
  Mix(numbers.size());
  for (uint64_t n : numbers) Mix(n);
  if (keep_events_) {
    events_.push_back(
        TraceEvent{time_us, node, std::string(kind), std::string(detail)});
  }
}

void TraceRecorder::RecordRun(int64_t time_us, uint32_t node) {
  ++count_;
  Mix(static_cast<uint64_t>(time_us) ^ (static_cast<uint64_t>(node) << 56));
  if (keep_events_) events_.push_back(TraceEvent{time_us, node, "run", ""});
}

}  // namespace clustersim::sim
