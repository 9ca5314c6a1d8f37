// Frame: the envelope of every message that crosses the simulated network.
//
// Layout (version 2; version 1 carried a CRC-32C):
//   magic      2 bytes  'C' 'S'
//   version    1 byte   kFrameFormatVersion
//   kind       1 byte   a FrameKind
//   length     varint   body length in bytes (shortest form)
//   body       length bytes, encoded by the sender with ByteWriter
//   crc        fixed32  FrameChecksum (little endian) of everything before it
//
// DecodeFrame accepts exactly one whole frame: wrong magic, an unknown
// version or kind, a length that does not match the bytes present, or a
// checksum mismatch (e.g. a bit flipped by the simulator's fault injection)
// is an absl::InvalidArgumentError starting with "malformed:". Pure
// functions; thread-compatible.
#ifndef CLUSTERSIM_CORE_CODEC_FRAME_H_
#define CLUSTERSIM_CORE_CODEC_FRAME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clustersim::codec {

inline constexpr uint8_t kFrameFormatVersion = 2;

// X(name, wire value) for every kind of frame. Wire values are forever:
// add a kind with one line here; never renumber or reuse one.
#define CLUSTERSIM_FRAME_KINDS(X) \
  X(kRpcRequest, 1)               \
  X(kRpcResponse, 2)              \
  X(kPing, 3)                     \
  X(kPong, 4)

enum class FrameKind : uint8_t {
#define CLUSTERSIM_FRAME_KIND_ENUMERATOR_(name, value) name = value,
  CLUSTERSIM_FRAME_KINDS(CLUSTERSIM_FRAME_KIND_ENUMERATOR_)
#undef CLUSTERSIM_FRAME_KIND_ENUMERATOR_
};

// The kind with this wire value, or nullopt if this build does not know it.
std::optional<FrameKind> FrameKindFromWire(uint8_t value);

struct Frame {
  FrameKind kind;
  std::string body;

  friend bool operator==(const Frame&, const Frame&) = default;
};

// The checksum a frame carries: zlib's CRC-32 (the ISO-HDLC CRC of gzip and
// PNG; FrameChecksum("123456789") == 0xCBF43926). Like any 32-bit CRC it
// detects every single-bit error and every burst of up to 32 bits, which
// covers the simulator's bit flips; zlib computes it several bytes at a time
// rather than one.
uint32_t FrameChecksum(std::string_view bytes);

std::string EncodeFrame(FrameKind kind, std::string_view body);

absl::StatusOr<Frame> DecodeFrame(std::string_view bytes);

}  // namespace clustersim::codec

#endif  // CLUSTERSIM_CORE_CODEC_FRAME_H_
