#include "core/codec/frame.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "core/codec/byte_writer.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace clustersim::codec {
namespace {

// Every kind, straight from the list in frame.h, so new kinds are covered.
const std::vector<FrameKind> kAllKinds = {
#define CLUSTERSIM_FRAME_KIND_ELEMENT_(name, wire) FrameKind::name,
    CLUSTERSIM_FRAME_KINDS(CLUSTERSIM_FRAME_KIND_ELEMENT_)
#undef CLUSTERSIM_FRAME_KIND_ELEMENT_
};

bool IsMalformed(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), "malformed: frame ");
}

// A frame with any header bytes and a correct CRC, to reach the checks that
// come after the checksum.
std::string FrameWithRawHeader(uint8_t version, uint8_t kind,
                               std::string_view body) {
  ByteWriter writer;
  writer.PutBytes("CS");
  writer.PutU8(version);
  writer.PutU8(kind);
  writer.PutVarint(body.size());
  writer.PutBytes(body);
  writer.PutFixed32(FrameChecksum(writer.data()));
  return writer.Release();
}

TEST(FrameTest, EveryKindRoundTrips) {
  for (FrameKind kind : kAllKinds) {
    for (const std::string& body :
         {std::string(), std::string("x"), std::string(200, '\0'),
          std::string(size_t{1} << 20, '\xab')}) {
      absl::StatusOr<Frame> frame = DecodeFrame(EncodeFrame(kind, body));
      ASSERT_TRUE(frame.ok()) << frame.status();
      EXPECT_EQ(*frame, (Frame{.kind = kind, .body = body}));
    }
  }
}

TEST(FrameTest, WireValuesAreStable) {
  EXPECT_EQ(FrameKindFromWire(1), FrameKind::kRpcRequest);
  EXPECT_EQ(FrameKindFromWire(2), FrameKind::kRpcResponse);
  EXPECT_EQ(FrameKindFromWire(3), FrameKind::kPing);
  EXPECT_EQ(FrameKindFromWire(0), std::nullopt);
  EXPECT_EQ(FrameKindFromWire(255), std::nullopt);
}

// Golden bytes: the layout must not change within format version 2.
TEST(FrameTest, EncodingIsPinned) {
  EXPECT_EQ(EncodeFrame(FrameKind::kPing, "hi"),
            "CS\x02\x03\x02hi\x70\xda\x2e\x90");
}

// The check values of CRC-32/ISO-HDLC (the CRC catalogue), so the checksum
// is zlib's CRC-32 and not some other 32-bit CRC.
TEST(FrameTest, ChecksumIsCrc32) {
  EXPECT_EQ(FrameChecksum(""), 0x00000000u);
  EXPECT_EQ(FrameChecksum("123456789"), 0xCBF43926u);
  EXPECT_EQ(FrameChecksum(std::string(32, '\x00')), 0x190A55ADu);
  EXPECT_EQ(FrameChecksum(std::string(32, '\xFF')), 0xFF6CAB0Bu);
}

TEST(FrameTest, ChecksumDetectsEverySingleBitFlip) {
  const std::string data = "a frame header and a body";
  const uint32_t original = FrameChecksum(data);
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    std::string flipped = data;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE(FrameChecksum(flipped), original) << "bit " << bit;
  }
}

TEST(FrameTest, RejectsShortInput) {
  EXPECT_EQ(
      DecodeFrame("").status(),
      absl::InvalidArgumentError("malformed: frame truncated (0 bytes; "
                                 "the smallest frame has 9) at offset 0"));
}

TEST(FrameTest, RejectsForeignMagic) {
  std::string bytes = EncodeFrame(FrameKind::kPing, "");
  bytes[0] = 'X';
  EXPECT_EQ(DecodeFrame(bytes).status(),
            absl::InvalidArgumentError("malformed: frame magic 0x5853 is not a "
                                       "clustersim frame at offset 0"));
}

TEST(FrameTest, RejectsUnknownVersionEvenWithValidChecksum) {
  EXPECT_EQ(DecodeFrame(FrameWithRawHeader(1, 3, "body")).status(),
            absl::InvalidArgumentError(
                "malformed: frame format version 1 is unsupported (this build "
                "reads version 2) at offset 2"));
}

TEST(FrameTest, RejectsUnknownKindWithValidChecksum) {
  EXPECT_EQ(DecodeFrame(FrameWithRawHeader(2, 200, "body")).status(),
            absl::InvalidArgumentError(
                "malformed: frame kind 200 is unknown to this build at offset "
                "3"));
  EXPECT_TRUE(IsMalformed(DecodeFrame(FrameWithRawHeader(2, 0, "")).status()));
}

TEST(FrameTest, RejectsLengthMismatch) {
  const std::string frame = EncodeFrame(FrameKind::kRpcRequest, "body");
  EXPECT_EQ(DecodeFrame(frame + "!").status(),
            absl::InvalidArgumentError(
                "malformed: frame body length 4 does not match the 9 bytes "
                "that follow (body + 4-byte CRC) at offset 4"));
  std::string longer = frame;
  longer[4] = 5;
  EXPECT_EQ(DecodeFrame(longer).status(),
            absl::InvalidArgumentError(
                "malformed: frame body length 5 does not match the 8 bytes "
                "that follow (body + 4-byte CRC) at offset 4"));
}

TEST(FrameTest, RejectsCorruptedBody) {
  std::string bytes = EncodeFrame(FrameKind::kRpcResponse, "payload");
  bytes[6] ^= 0x10;
  const absl::Status status = DecodeFrame(bytes).status();
  EXPECT_TRUE(IsMalformed(status));
  EXPECT_TRUE(absl::StartsWith(status.message(),
                               "malformed: frame checksum mismatch (stored 0x"))
      << status;
  EXPECT_TRUE(absl::EndsWith(status.message(), ") at offset 12")) << status;
}

TEST(FrameTest, EveryTruncationAndExtensionIsRejected) {
  for (FrameKind kind : kAllKinds) {
    const std::string frame = EncodeFrame(kind, std::string(300, 'b'));
    for (size_t length = 0; length < frame.size(); ++length) {
      EXPECT_TRUE(IsMalformed(DecodeFrame(frame.substr(0, length)).status()))
          << "prefix " << length;
    }
    EXPECT_TRUE(IsMalformed(DecodeFrame(frame + '\0').status()));
  }
}

// Found by the property below: an inserted 0xFF makes the length field a
// non-canonical varint, which is still a malformed *frame*.
TEST(FrameTest, BadLengthVarintIsAMalformedFrame) {
  std::string frame = EncodeFrame(FrameKind::kPing, "");
  frame.insert(4, 1, '\xff');
  const absl::Status status = DecodeFrame(frame).status();
  EXPECT_TRUE(IsMalformed(status)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "non-canonical varint"))
      << status;
}

rc::Gen<FrameKind> ArbitraryKind() { return rc::gen::elementOf(kAllKinds); }

RC_GTEST_PROP(FrameProperty, RoundTripsAndEncodesDeterministically, ()) {
  const FrameKind kind = *ArbitraryKind();
  const auto body = *rc::gen::arbitrary<std::string>();
  const std::string bytes = EncodeFrame(kind, body);
  RC_ASSERT(EncodeFrame(kind, body) == bytes);
  absl::StatusOr<Frame> frame = DecodeFrame(bytes);
  RC_ASSERT(frame.ok());
  RC_ASSERT(*frame == (Frame{.kind = kind, .body = body}));
}

RC_GTEST_PROP(FrameProperty, AnySingleBitFlipIsRejected, ()) {
  const std::string frame =
      EncodeFrame(*ArbitraryKind(), *rc::gen::arbitrary<std::string>());
  const size_t bit = *rc::gen::inRange<size_t>(0, frame.size() * 8);
  std::string flipped = frame;
  flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
  RC_ASSERT(IsMalformed(DecodeFrame(flipped).status()));
}

// Whatever DecodeFrame accepts is exactly the encoding of what it returned,
// so no two byte strings decode to the same frame.
void CheckDecodeIsSafe(const std::string& bytes) {
  absl::StatusOr<Frame> frame = DecodeFrame(bytes);
  if (frame.ok()) {
    RC_ASSERT(EncodeFrame(frame->kind, frame->body) == bytes);
  } else {
    RC_ASSERT(IsMalformed(frame.status()));
  }
}

RC_GTEST_PROP(FrameProperty, ArbitraryBytesNeverCrash, ()) {
  CheckDecodeIsSafe(*rc::gen::arbitrary<std::string>());
}

// Random bytes rarely get past the magic; edits of a valid frame reach the
// length, checksum and kind checks.
RC_GTEST_PROP(FrameProperty, EditedFramesNeverCrash, ()) {
  std::string bytes =
      EncodeFrame(*ArbitraryKind(), *rc::gen::arbitrary<std::string>());
  const int edits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = *rc::gen::inRange<size_t>(0, bytes.size() + 1);
    const char byte = *rc::gen::arbitrary<char>();
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        if (at < bytes.size()) bytes[at] = byte;
        break;
      case 1:
        bytes.insert(at, 1, byte);
        break;
      case 2:
        bytes.resize(at);
        break;
    }
  }
  CheckDecodeIsSafe(bytes);
}

}  // namespace
}  // namespace clustersim::codec
