#include "core/codec/frame.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"

namespace clustersim::codec {
namespace {

constexpr uint8_t kMagic0 = 'C';
constexpr uint8_t kMagic1 = 'S';
constexpr size_t kCrcBytes = 4;
// Magic, version, kind, a one-byte length and the CRC.
constexpr size_t kMinFrameBytes = 2 + 1 + 1 + 1 + kCrcBytes;

absl::Status Malformed(size_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed: frame ", what, " at offset ", offset));
}

}  // namespace

std::optional<FrameKind> FrameKindFromWire(uint8_t value) {
  switch (value) {
#define CLUSTERSIM_FRAME_KIND_CASE_(name, wire) \
  case wire:                                    \
    return FrameKind::name;
    CLUSTERSIM_FRAME_KINDS(CLUSTERSIM_FRAME_KIND_CASE_)
#undef CLUSTERSIM_FRAME_KIND_CASE_
  }
  return std::nullopt;
}

uint32_t FrameChecksum(std::string_view bytes) {
  // zlib's initial CRC value is 0 (its pre- and post-conditioning are
  // internal).
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

std::string EncodeFrame(FrameKind kind, std::string_view body) {
  ByteWriter writer;
  // Header (magic, version, kind), the longest length varint, the body and
  // the checksum.
  writer.Reserve(4 + 10 + body.size() + 4);
  writer.PutU8(kMagic0);
  writer.PutU8(kMagic1);
  writer.PutU8(kFrameFormatVersion);
  writer.PutU8(static_cast<uint8_t>(kind));
  writer.PutVarint(body.size());
  writer.PutBytes(body);
  writer.PutFixed32(FrameChecksum(writer.data()));
  return writer.Release();
}

absl::StatusOr<Frame> DecodeFrame(std::string_view bytes) {
  if (bytes.size() < kMinFrameBytes) {
    return Malformed(
        bytes.size(),
        absl::StrCat("truncated (", bytes.size(),
                     " bytes; the smallest frame has ", kMinFrameBytes, ")"));
  }
  ByteReader reader(bytes);
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t magic0, reader.GetU8());
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t magic1, reader.GetU8());
  if (magic0 != kMagic0 || magic1 != kMagic1) {
    return Malformed(
        0, absl::StrCat("magic 0x", absl::Hex(magic0, absl::kZeroPad2),
                        absl::Hex(magic1, absl::kZeroPad2),
                        " is not a clustersim frame"));
  }
  const size_t version_offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t version, reader.GetU8());
  if (version != kFrameFormatVersion) {
    return Malformed(version_offset,
                     absl::StrCat("format version ", version,
                                  " is unsupported (this build reads version ",
                                  kFrameFormatVersion, ")"));
  }
  const size_t kind_offset = reader.offset();
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint8_t kind_byte, reader.GetU8());
  const size_t length_offset = reader.offset();
  const absl::StatusOr<uint64_t> length = reader.GetVarint();
  if (!length.ok()) {
    // A bad length field is a malformed frame, reported as one.
    return Malformed(
        length_offset,
        absl::StrCat("body length (", length.status().message(), ")"));
  }
  const uint64_t body_length = *length;
  if (reader.remaining() < kCrcBytes ||
      body_length != reader.remaining() - kCrcBytes) {
    return Malformed(length_offset,
                     absl::StrCat("body length ", body_length,
                                  " does not match the ", reader.remaining(),
                                  " bytes that follow (body + 4-byte CRC)"));
  }
  const size_t body_offset = reader.offset();
  const size_t crc_offset = bytes.size() - kCrcBytes;
  ByteReader crc_reader(bytes.substr(crc_offset));
  CLUSTERSIM_ASSIGN_OR_RETURN(const uint32_t stored_crc,
                              crc_reader.GetFixed32());
  const uint32_t computed_crc = FrameChecksum(bytes.substr(0, crc_offset));
  if (stored_crc != computed_crc) {
    return Malformed(
        crc_offset,
        absl::StrCat("checksum mismatch (stored 0x",
                     absl::Hex(stored_crc, absl::kZeroPad8), ", computed 0x",
                     absl::Hex(computed_crc, absl::kZeroPad8), ")"));
  }
  // The kind is judged only after the checksum, so a corrupted kind byte is
  // reported as corruption and an unknown kind means a newer sender.
  const std::optional<FrameKind> kind = FrameKindFromWire(kind_byte);
  if (!kind.has_value()) {
    return Malformed(kind_offset, absl::StrCat("kind ", kind_byte,
                                               " is unknown to this build"));
  }
  return Frame{.kind = *kind,
               .body = std::string(bytes.substr(body_offset, body_length))};
}

}  // namespace clustersim::codec
