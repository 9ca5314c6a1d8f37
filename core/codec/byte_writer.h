// ByteWriter: appends the wire encoding of primitive values to a std::string.
// Everything that crosses the simulated network is built with it and read
// back with ByteReader (byte_reader.h).
//
// Encodings (all stable across builds and platforms):
//   U8, Bool        one byte (bool is 0 or 1)
//   Varint          unsigned LEB128, 1..10 bytes, shortest form
//   SignedVarint    zigzag (0,-1,1,-2,... -> 0,1,2,3,...) then Varint
//   Fixed32/64      little endian
//   Double          IEEE-754 bit pattern as Fixed64 (NaN payloads survive)
//   String          Varint byte length, then the bytes
//   Bytes           the bytes, unframed
//
// Encoding is a pure function of the values written. An encoder that meets
// a value it cannot represent says so with Fail (Effect's encode failing
// with a SchemaError); the first failure sticks, and whoever owns the writer
// checks status() before using the bytes. Not thread-safe; a writer is
// owned by the code building one message.
#ifndef CLUSTERSIM_CORE_CODEC_BYTE_WRITER_H_
#define CLUSTERSIM_CORE_CODEC_BYTE_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace clustersim::codec {

class ByteWriter {
 public:
  ByteWriter() = default;

  // Makes room for `bytes` in all, so a writer that knows its size grows
  // its buffer once.
  void Reserve(size_t bytes) { data_.reserve(bytes); }

  void PutU8(uint8_t value);
  void PutBool(bool value);
  void PutVarint(uint64_t value);
  void PutSignedVarint(int64_t value);
  void PutFixed32(uint32_t value);
  void PutFixed64(uint64_t value);
  void PutDouble(double value);
  void PutString(std::string_view value);
  // The bytes alone, without a length: for a tail whose extent the reader
  // knows from context (a frame body).
  void PutBytes(std::string_view bytes);

  // Marks the encoding as failed (the first failure is kept); `failure`
  // must not be OK.
  void Fail(absl::Status failure);
  // OK unless an encoder failed.
  const absl::Status& status() const { return status_; }

  const std::string& data() const { return data_; }
  size_t size() const { return data_.size(); }

  // Moves the bytes out, leaving the writer empty, OK and reusable.
  std::string Release();

 private:
  std::string data_;
  absl::Status status_;
};

}  // namespace clustersim::codec

#endif  // CLUSTERSIM_CORE_CODEC_BYTE_WRITER_H_
