#include "core/codec/byte_writer.h"

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace clustersim::codec {

void ByteWriter::PutU8(uint8_t value) {
  data_.push_back(static_cast<char>(value));
}

void ByteWriter::PutBool(bool value) { PutU8(value ? 1 : 0); }

void ByteWriter::PutVarint(uint64_t value) {
  while (value >= 0x80) {
    PutU8(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  PutU8(static_cast<uint8_t>(value));
}

void ByteWriter::PutSignedVarint(int64_t value) {
  // Zigzag in unsigned arithmetic, so small magnitudes of either sign stay
  // short and no shift overflows.
  const uint64_t bits = static_cast<uint64_t>(value);
  PutVarint((bits << 1) ^ (value < 0 ? ~uint64_t{0} : 0));
}

void ByteWriter::PutFixed32(uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    PutU8(static_cast<uint8_t>(value >> shift));
  }
}

void ByteWriter::PutFixed64(uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) {
    PutU8(static_cast<uint8_t>(value >> shift));
  }
}

void ByteWriter::PutDouble(double value) {
  PutFixed64(std::bit_cast<uint64_t>(value));
}

void ByteWriter::PutString(std::string_view value) {
  PutVarint(value.size());
  PutBytes(value);
}

void ByteWriter::PutBytes(std::string_view bytes) { data_.append(bytes); }

std::string ByteWriter::Release() {
  std::string out = std::move(data_);
  data_.clear();
  return out;
}

}  // namespace clustersim::codec
