#include "sim/trace.h"

#include <bit>
#include <cstring>

#include "core/base/mix64.h"

namespace clustersim::sim {
namespace {

// Reads 8 bytes as a little-endian word, on any host. Every trace event
// folds its strings through here, so a little-endian host does one load.
uint64_t LoadWord(const char* p) {
  uint64_t word = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&word, p, sizeof(word));
  } else {
    for (size_t i = 0; i < sizeof(word); ++i) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(p[i]))
              << (8 * i);
    }
  }
  return word;
}

// The last 0..7 bytes of `bytes` (those after its whole words) as a
// little-endian word, zero-extended.
uint64_t LoadTail(std::string_view bytes) {
  const size_t n = bytes.size() % 8;
  if (n == 0) return 0;
  if (bytes.size() >= 8) {
    // The word ending at the last byte holds the tail in its top n bytes.
    return LoadWord(bytes.data() + bytes.size() - 8) >> (8 * (8 - n));
  }
  uint64_t word = 0;
  for (size_t i = 0; i < n; ++i) {
    word |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i]))
            << (8 * i);
  }
  return word;
}

}  // namespace

uint32_t PayloadDigest(std::string_view bytes) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    h = (h ^ LoadWord(bytes.data() + i)) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  h ^= LoadTail(bytes);
  return static_cast<uint32_t>(Mix64(h));
}

uint64_t TraceRecorder::Fold(uint64_t state, uint64_t value) {
  state = (state ^ value) * 0xbf58476d1ce4e5b9ull;
  return state ^ (state >> 31);
}

uint64_t TraceRecorder::FoldBytes(uint64_t state, std::string_view bytes) {
  state = Fold(state, bytes.size());
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    state = Fold(state, LoadWord(bytes.data() + i));
  }
  if (i < bytes.size()) state = Fold(state, LoadTail(bytes));
  return state;
}

void TraceRecorder::Finish(uint64_t state) {
  ++count_;
  hash_ = Mix64(state);
}

void TraceRecorder::Record(int64_t time_us, uint32_t node,
                           std::string_view kind, std::string_view detail) {
  uint64_t h = Fold(hash_, static_cast<uint64_t>(time_us));
  h = Fold(h, node);
  h = FoldBytes(h, kind);
  h = FoldBytes(h, detail);
  Finish(h);
  if (keep_events_) {
    events_.push_back(
        TraceEvent{time_us, node, std::string(kind), std::string(detail)});
  }
  if (listener_ != nullptr) {
    listener_->OnTraceEvent(time_us, node, kind, detail);
  }
}

void TraceRecorder::RecordNumbers(int64_t time_us, uint32_t node,
                                  std::string_view kind,
                                  std::span<const uint64_t> numbers,
                                  std::string_view detail) {
  uint64_t h = Fold(hash_, static_cast<uint64_t>(time_us));
  h = Fold(h, node);
  h = FoldBytes(h, kind);
  h = Fold(h, numbers.size() | (uint64_t{1} << 63));  // never a byte length
  for (uint64_t n : numbers) h = Fold(h, n);
  Finish(h);
  if (keep_events_) {
    events_.push_back(
        TraceEvent{time_us, node, std::string(kind), std::string(detail)});
  }
}

void TraceRecorder::RecordRun(int64_t time_us, uint32_t node) {
  Finish(Fold(hash_, static_cast<uint64_t>(time_us) ^
                         (static_cast<uint64_t>(node) << 56)));
  if (keep_events_) events_.push_back(TraceEvent{time_us, node, "run", ""});
}

}  // namespace clustersim::sim
