#include "core/codec/byte_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace clustersim::codec {
namespace {

// Golden encodings: the wire format must not change between builds.
TEST(ByteWriterTest, TheFirstFailureSticksUntilRelease) {
  ByteWriter writer;
  EXPECT_TRUE(writer.status().ok());
  writer.PutU8(1);
  writer.Fail(absl::InvalidArgumentError("first"));
  writer.Fail(absl::InvalidArgumentError("second"));
  EXPECT_EQ(writer.status().message(), "first");
  writer.Release();
  EXPECT_TRUE(writer.status().ok());
}

TEST(ByteWriterTest, VarintIsShortestLeb128) {
  const auto encode = [](uint64_t value) {
    ByteWriter writer;
    writer.PutVarint(value);
    return writer.Release();
  };
  EXPECT_EQ(encode(0), std::string("\x00", 1));
  EXPECT_EQ(encode(1), "\x01");
  EXPECT_EQ(encode(127), "\x7f");
  EXPECT_EQ(encode(128), "\x80\x01");
  EXPECT_EQ(encode(300), "\xac\x02");
  EXPECT_EQ(encode(16383), "\xff\x7f");
  EXPECT_EQ(encode(16384), "\x80\x80\x01");
  EXPECT_EQ(encode(std::numeric_limits<uint64_t>::max()),
            "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
}

TEST(ByteWriterTest, SignedVarintIsZigzag) {
  const auto encode = [](int64_t value) {
    ByteWriter writer;
    writer.PutSignedVarint(value);
    return writer.Release();
  };
  EXPECT_EQ(encode(0), std::string("\x00", 1));
  EXPECT_EQ(encode(-1), "\x01");
  EXPECT_EQ(encode(1), "\x02");
  EXPECT_EQ(encode(-64), "\x7f");
  EXPECT_EQ(encode(64), "\x80\x01");
  EXPECT_EQ(encode(std::numeric_limits<int64_t>::max()),
            "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01");
  EXPECT_EQ(encode(std::numeric_limits<int64_t>::min()),
            "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
}

TEST(ByteWriterTest, FixedWidthIsLittleEndian) {
  ByteWriter writer;
  writer.PutFixed32(0x04030201);
  writer.PutFixed64(0x0807060504030201);
  EXPECT_EQ(writer.data(), "\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08");
}

TEST(ByteWriterTest, DoubleIsItsBitPattern) {
  ByteWriter writer;
  writer.PutDouble(1.0);
  writer.PutDouble(-2.5);
  EXPECT_EQ(writer.data(), std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f"
                                       "\x00\x00\x00\x00\x00\x00\x04\xc0",
                                       16));
}

TEST(ByteWriterTest, ByteBoolStringAndRawBytes) {
  ByteWriter writer;
  writer.PutU8(0xab);
  writer.PutBool(true);
  writer.PutBool(false);
  writer.PutString("hi");
  writer.PutString("");
  writer.PutBytes("raw");
  EXPECT_EQ(writer.data(), std::string("\xab\x01\x00\x02hi\x00raw", 10));
  EXPECT_EQ(writer.size(), 10u);
}

TEST(ByteWriterTest, LongStringHasMultiByteLength) {
  ByteWriter writer;
  writer.PutString(std::string(200, 'x'));
  EXPECT_EQ(writer.data().substr(0, 2), "\xc8\x01");
  EXPECT_EQ(writer.size(), 202u);
}

TEST(ByteWriterTest, ReleaseEmptiesTheWriterForReuse) {
  ByteWriter writer;
  writer.PutU8(1);
  EXPECT_EQ(writer.Release(), "\x01");
  EXPECT_EQ(writer.size(), 0u);
  writer.PutU8(2);
  EXPECT_EQ(writer.Release(), "\x02");
}

}  // namespace
}  // namespace clustersim::codec
