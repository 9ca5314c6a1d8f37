#include "core/cluster/string_hash.h"

#include <string>

#include "core/cluster/utf16.h"

namespace clustersim {

int32_t OptimizeHash(int32_t hash) {
  const uint32_t bits = static_cast<uint32_t>(hash);
  return static_cast<int32_t>((bits & 0xBFFFFFFFu) |
                              ((bits >> 1) & 0x40000000u));
}

namespace {

// `Units` is a sequence of UTF-16 code units: a u16string_view, or an ASCII
// string whose bytes are its code units.
template <typename Units>
int32_t HashUnits(Units units) {
  // JavaScript computes h * 33 exactly in a double and then truncates it to
  // int32 for the XOR; unsigned 32-bit arithmetic gives the same bits.
  uint32_t hash = 5381;
  for (size_t i = units.size(); i > 0; --i) {
    hash = (hash * 33u) ^ static_cast<uint16_t>(units[i - 1]);
  }
  return OptimizeHash(static_cast<int32_t>(hash));
}

}  // namespace

int32_t HashUtf16(std::u16string_view units) { return HashUnits(units); }

absl::StatusOr<int32_t> HashString(std::string_view utf8) {
  if (IsAscii(utf8)) return HashUnits(utf8);
  absl::StatusOr<std::u16string> units = Utf8ToUtf16(utf8);
  if (!units.ok()) return units.status();
  return HashUtf16(*units);
}

}  // namespace clustersim
