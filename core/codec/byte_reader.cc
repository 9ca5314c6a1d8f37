#include "core/codec/byte_reader.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"

namespace clustersim::codec {
namespace {

// Varints carry 7 bits per byte, so 64 bits need at most 10 bytes, and the
// 10th byte may only hold the top bit.
constexpr int kMaxVarintBytes = 10;

absl::Status Malformed(size_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed: ", what, " at offset ", offset));
}

}  // namespace

absl::StatusOr<uint8_t> ByteReader::GetU8() {
  if (remaining() < 1) return Malformed(offset_, "truncated u8");
  return static_cast<uint8_t>(data_[offset_++]);
}

absl::StatusOr<bool> ByteReader::GetBool() {
  if (remaining() < 1) return Malformed(offset_, "truncated bool");
  const auto byte = static_cast<uint8_t>(data_[offset_]);
  if (byte > 1) {
    return Malformed(offset_,
                     absl::StrCat("bool byte ", byte, " (must be 0 or 1)"));
  }
  ++offset_;
  return byte == 1;
}

absl::StatusOr<uint64_t> ByteReader::GetVarint() {
  // Most varints (lengths, counts, small ids) are one byte.
  if (remaining() >= 1 && static_cast<uint8_t>(data_[offset_]) < 0x80) {
    return static_cast<uint8_t>(data_[offset_++]);
  }
  uint64_t value = 0;
  // Every path out of the loop returns: the last allowed byte either ends
  // the varint or is rejected.
  for (int i = 0;; ++i) {
    if (static_cast<size_t>(i) >= remaining()) {
      return Malformed(offset_, "truncated varint");
    }
    const auto byte = static_cast<uint8_t>(data_[offset_ + i]);
    if (i == kMaxVarintBytes - 1) {
      if ((byte & 0x80) != 0) {
        return Malformed(offset_, "varint longer than 10 bytes");
      }
      if (byte > 1) return Malformed(offset_, "varint overflows 64 bits");
    }
    value |= uint64_t{byte & 0x7Fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) {
        return Malformed(offset_, "non-canonical varint (trailing zero byte)");
      }
      offset_ += i + 1;
      return value;
    }
  }
}

absl::StatusOr<int64_t> ByteReader::GetSignedVarint() {
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t zigzag, GetVarint());
  return static_cast<int64_t>((zigzag >> 1) ^ (uint64_t{0} - (zigzag & 1)));
}

absl::StatusOr<uint64_t> ByteReader::GetLittleEndian(size_t width,
                                                     const char* what) {
  if (remaining() < width) {
    return Malformed(offset_,
                     absl::StrCat("truncated ", what, " (", width,
                                  " bytes needed, ", remaining(), " remain)"));
  }
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    value |= uint64_t{static_cast<uint8_t>(data_[offset_ + i])} << (8 * i);
  }
  offset_ += width;
  return value;
}

absl::StatusOr<uint32_t> ByteReader::GetFixed32() {
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t value,
                              GetLittleEndian(4, "fixed32"));
  return static_cast<uint32_t>(value);
}

absl::StatusOr<uint64_t> ByteReader::GetFixed64() {
  return GetLittleEndian(8, "fixed64");
}

absl::StatusOr<double> ByteReader::GetDouble() {
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t bits,
                              GetLittleEndian(8, "double"));
  return std::bit_cast<double>(bits);
}

absl::StatusOr<std::string_view> ByteReader::GetStringView() {
  const size_t start = offset_;
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t length, GetVarint());
  if (length > max_string_bytes_) {
    offset_ = start;
    return Malformed(
        start, absl::StrCat("string length ", length, " exceeds the limit of ",
                            max_string_bytes_, " bytes"));
  }
  if (length > remaining()) {
    const size_t available = remaining();
    offset_ = start;
    return Malformed(
        start, absl::StrCat("string length ", length, " runs past the end (",
                            available, " bytes remain)"));
  }
  const std::string_view value = data_.substr(offset_, length);
  offset_ += length;
  return value;
}

absl::StatusOr<std::string> ByteReader::GetString() {
  CLUSTERSIM_ASSIGN_OR_RETURN(const std::string_view value, GetStringView());
  // Built in place: one string, no move into the StatusOr.
  return absl::StatusOr<std::string>(absl::in_place, value.data(),
                                     value.size());
}

absl::StatusOr<uint64_t> ByteReader::GetCount(size_t min_element_bytes) {
  CHECK(min_element_bytes >= 1, "every list element takes at least one byte");
  const size_t start = offset_;
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint64_t count, GetVarint());
  if (count > remaining() / min_element_bytes) {
    const size_t available = remaining();
    offset_ = start;
    return Malformed(
        start, absl::StrCat("count ", count, " of elements of at least ",
                            min_element_bytes, " bytes runs past the end (",
                            available, " bytes remain)"));
  }
  return count;
}

absl::Status ByteReader::ExpectEnd() const {
  if (remaining() == 0) return absl::OkStatus();
  return Malformed(offset_, absl::StrCat(remaining(), " trailing bytes"));
}

}  // namespace clustersim::codec
