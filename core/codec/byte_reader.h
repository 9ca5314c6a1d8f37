// ByteReader: decodes the encodings written by ByteWriter (byte_writer.h) from
// a byte string that came off the simulated network and may be anything.
//
// Every Get* returns the value and advances, or returns an
// absl::InvalidArgumentError whose message starts with "malformed:" and names
// the problem and its byte offset; on error the reader does not advance.
// Bad bytes never cause undefined behaviour, a crash, or an allocation larger
// than the input: lengths and counts are checked against the bytes remaining
// before anything is allocated. Varints must be in shortest form, so every
// value has exactly one encoding and decode(encode(x)) re-encodes to the same
// bytes.
//
// The reader borrows `data`, which must outlive it. Not thread-safe.
#ifndef CLUSTERSIM_CORE_CODEC_BYTE_READER_H_
#define CLUSTERSIM_CORE_CODEC_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clustersim::codec {

class ByteReader {
 public:
  static constexpr size_t kDefaultMaxStringBytes = size_t{16} << 20;

  explicit ByteReader(std::string_view data,
                      size_t max_string_bytes = kDefaultMaxStringBytes)
      : data_(data), max_string_bytes_(max_string_bytes) {}

  absl::StatusOr<uint8_t> GetU8();
  absl::StatusOr<bool> GetBool();
  absl::StatusOr<uint64_t> GetVarint();
  absl::StatusOr<int64_t> GetSignedVarint();
  absl::StatusOr<uint32_t> GetFixed32();
  absl::StatusOr<uint64_t> GetFixed64();
  absl::StatusOr<double> GetDouble();
  // Fails if the length exceeds the bytes remaining or max_string_bytes.
  absl::StatusOr<std::string> GetString();
  // Like GetString, but a view into the reader's bytes (valid as long as
  // they are): for callers that build their own string from it.
  absl::StatusOr<std::string_view> GetStringView();

  // A varint element count for a list that follows, each element taking at
  // least `min_element_bytes` (>= 1) bytes. Fails if the elements cannot fit
  // in the bytes remaining, so callers may reserve() the count safely.
  absl::StatusOr<uint64_t> GetCount(size_t min_element_bytes);

  // OK if every byte has been read; otherwise an error naming the leftover.
  absl::Status ExpectEnd() const;

  size_t offset() const { return offset_; }
  size_t remaining() const { return data_.size() - offset_; }

 private:
  // Reads `width` bytes as a little-endian integer; `what` names the type.
  absl::StatusOr<uint64_t> GetLittleEndian(size_t width, const char* what);

  std::string_view data_;
  size_t offset_ = 0;
  size_t max_string_bytes_;
};

}  // namespace clustersim::codec

#endif  // CLUSTERSIM_CORE_CODEC_BYTE_READER_H_
