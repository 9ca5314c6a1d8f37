#include "core/codec/byte_reader.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_writer.h"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace clustersim::codec {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// One value of any wire type, so tests can drive the reader generically.
enum class Type : uint8_t {
  kU8,
  kBool,
  kVarint,
  kSignedVarint,
  kFixed32,
  kFixed64,
  kDouble,
  kString,
};
constexpr int kTypeCount = 8;

struct Item {
  Type type;
  uint64_t bits =
      0;             // The value, or a double's bit pattern; unused by kString.
  std::string text;  // Only for kString.

  friend bool operator==(const Item&, const Item&) = default;
};

// Drops the bits a type cannot carry, so an item equals its decoded form.
Item Normalize(Item item) {
  switch (item.type) {
    case Type::kU8:
      item.bits &= 0xFF;
      break;
    case Type::kBool:
      item.bits &= 1;
      break;
    case Type::kFixed32:
      item.bits &= 0xFFFFFFFF;
      break;
    case Type::kString:
      item.bits = 0;
      break;
    case Type::kVarint:
    case Type::kSignedVarint:
    case Type::kFixed64:
    case Type::kDouble:
      break;
  }
  if (item.type != Type::kString) item.text.clear();
  return item;
}

void Put(ByteWriter& writer, const Item& item) {
  switch (item.type) {
    case Type::kU8:
      writer.PutU8(static_cast<uint8_t>(item.bits));
      return;
    case Type::kBool:
      writer.PutBool((item.bits & 1) != 0);
      return;
    case Type::kVarint:
      writer.PutVarint(item.bits);
      return;
    case Type::kSignedVarint:
      writer.PutSignedVarint(static_cast<int64_t>(item.bits));
      return;
    case Type::kFixed32:
      writer.PutFixed32(static_cast<uint32_t>(item.bits));
      return;
    case Type::kFixed64:
      writer.PutFixed64(item.bits);
      return;
    case Type::kDouble:
      writer.PutDouble(std::bit_cast<double>(item.bits));
      return;
    case Type::kString:
      writer.PutString(item.text);
      return;
  }
}

// Reads one value of `type`; the error is the reader's, unchanged.
absl::StatusOr<Item> Get(ByteReader& reader, Type type) {
  Item item{.type = type, .bits = 0, .text = ""};
  switch (type) {
    case Type::kU8: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.bits, reader.GetU8());
      break;
    }
    case Type::kBool: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.bits, reader.GetBool());
      break;
    }
    case Type::kVarint: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.bits, reader.GetVarint());
      break;
    }
    case Type::kSignedVarint: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const int64_t value,
                                  reader.GetSignedVarint());
      item.bits = static_cast<uint64_t>(value);
      break;
    }
    case Type::kFixed32: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.bits, reader.GetFixed32());
      break;
    }
    case Type::kFixed64: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.bits, reader.GetFixed64());
      break;
    }
    case Type::kDouble: {
      CLUSTERSIM_ASSIGN_OR_RETURN(const double value, reader.GetDouble());
      item.bits = std::bit_cast<uint64_t>(value);
      break;
    }
    case Type::kString: {
      CLUSTERSIM_ASSIGN_OR_RETURN(item.text, reader.GetString());
      break;
    }
  }
  return item;
}

std::string Encode(const std::vector<Item>& items) {
  ByteWriter writer;
  for (const Item& item : items) Put(writer, item);
  return writer.Release();
}

Item Bits(Type type, uint64_t bits) {
  return Item{.type = type, .bits = bits, .text = ""};
}
Item Signed(int64_t value) {
  return Bits(Type::kSignedVarint, static_cast<uint64_t>(value));
}
Item Double(double value) {
  return Bits(Type::kDouble, std::bit_cast<uint64_t>(value));
}
Item String(std::string text) {
  return Item{.type = Type::kString, .bits = 0, .text = std::move(text)};
}

// Values at every boundary of every type.
std::vector<Item> BoundaryItems() {
  std::vector<Item> items;
  for (uint64_t v : {0, 1, 127, 128, 255}) items.push_back(Bits(Type::kU8, v));
  items.push_back(Bits(Type::kBool, 0));
  items.push_back(Bits(Type::kBool, 1));
  for (int shift = 0; shift < 64; ++shift) {
    const uint64_t power = uint64_t{1} << shift;
    items.push_back(Bits(Type::kVarint, power - 1));
    items.push_back(Bits(Type::kVarint, power));
  }
  items.push_back(Bits(Type::kVarint, kU64Max));
  for (int64_t v :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64},
        int64_t{64}, int64_t{-65}, kI64Max, kI64Min, kI64Min + 1}) {
    items.push_back(Signed(v));
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0xFFFFFFFF}}) {
    items.push_back(Bits(Type::kFixed32, v));
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, kU64Max}) {
    items.push_back(Bits(Type::kFixed64, v));
  }
  for (double v : {0.0, -0.0, 1.5, -1e300, std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::lowest(),
                   std::numeric_limits<double>::denorm_min(),
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::signaling_NaN()}) {
    items.push_back(Double(v));
  }
  // A NaN with an unusual payload and sign must survive bit for bit.
  items.push_back(Bits(Type::kDouble, 0xFFF0000000000123));
  items.push_back(String(""));
  items.push_back(String("a"));
  items.push_back(String(std::string("\0nul\0", 5)));
  items.push_back(String(std::string(127, 'x')));
  items.push_back(String(std::string(128, 'y')));
  items.push_back(String(std::string(size_t{1} << 20, 'z')));
  return items;
}

TEST(ByteReaderTest, EveryBoundaryValueRoundTrips) {
  const std::vector<Item> items = BoundaryItems();
  const std::string bytes = Encode(items);
  ByteReader reader(bytes);
  for (const Item& expected : items) {
    absl::StatusOr<Item> got = Get(reader, expected.type);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, expected);
  }
  EXPECT_EQ(reader.remaining(), 0u);
  EXPECT_EQ(reader.offset(), bytes.size());
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

TEST(ByteReaderTest, DecodesNaNAndInfinity) {
  ByteWriter writer;
  writer.PutDouble(std::numeric_limits<double>::quiet_NaN());
  writer.PutDouble(-std::numeric_limits<double>::infinity());
  ByteReader reader(writer.data());
  EXPECT_TRUE(std::isnan(*reader.GetDouble()));
  EXPECT_EQ(*reader.GetDouble(), -std::numeric_limits<double>::infinity());
}

// Every strict prefix of a valid encoding is an error, never a crash or a
// wrong value.
TEST(ByteReaderTest, EveryTruncationIsAnError) {
  for (const Item& item : BoundaryItems()) {
    const std::string bytes = Encode({item});
    for (size_t length = 0; length < bytes.size(); ++length) {
      ByteReader reader(std::string_view(bytes).substr(0, length));
      absl::StatusOr<Item> got = Get(reader, item.type);
      ASSERT_FALSE(got.ok())
          << "type " << static_cast<int>(item.type) << " prefix " << length;
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(absl::StartsWith(got.status().message(), "malformed: "))
          << got.status();
      EXPECT_EQ(reader.offset(), 0u);
    }
  }
}

void ExpectMalformed(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status, absl::InvalidArgumentError(message));
}

TEST(ByteReaderTest, TruncatedValuesNameTypeAndOffset) {
  ByteReader reader(std::string_view("\x07\x80", 2));
  ASSERT_TRUE(reader.GetU8().ok());
  ExpectMalformed(reader.GetVarint().status(),
                  "malformed: truncated varint at offset 1");
  ExpectMalformed(reader.GetFixed32().status(),
                  "malformed: truncated fixed32 (4 bytes needed, 1 remain) at "
                  "offset 1");
  ExpectMalformed(reader.GetFixed64().status(),
                  "malformed: truncated fixed64 (8 bytes needed, 1 remain) at "
                  "offset 1");
  ExpectMalformed(reader.GetDouble().status(),
                  "malformed: truncated double (8 bytes needed, 1 remain) at "
                  "offset 1");
  ByteReader empty("");
  ExpectMalformed(empty.GetU8().status(),
                  "malformed: truncated u8 at offset 0");
  ExpectMalformed(empty.GetBool().status(),
                  "malformed: truncated bool at offset 0");
}

TEST(ByteReaderTest, BoolMustBeZeroOrOne) {
  ByteReader reader("\x02");
  ExpectMalformed(reader.GetBool().status(),
                  "malformed: bool byte 2 (must be 0 or 1) at offset 0");
  EXPECT_EQ(reader.offset(), 0u);
}

TEST(ByteReaderTest, RejectsOverlongAndOverflowingVarints) {
  const std::string eleven_bytes = std::string(10, '\xff') + "\x01";
  ExpectMalformed(ByteReader(eleven_bytes).GetVarint().status(),
                  "malformed: varint longer than 10 bytes at offset 0");
  const std::string overflow = std::string(9, '\xff') + "\x02";
  ExpectMalformed(ByteReader(overflow).GetVarint().status(),
                  "malformed: varint overflows 64 bits at offset 0");
  ExpectMalformed(ByteReader(overflow).GetSignedVarint().status(),
                  "malformed: varint overflows 64 bits at offset 0");
}

TEST(ByteReaderTest, RejectsNonCanonicalVarints) {
  for (const std::string& bytes :
       {std::string("\x80\x00", 2), std::string("\x81\x80\x00", 3),
        std::string(9, '\x80') + std::string(1, '\x00')}) {
    ByteReader reader(bytes);
    ExpectMalformed(reader.GetVarint().status(),
                    "malformed: non-canonical varint (trailing zero byte) at "
                    "offset 0");
    EXPECT_EQ(reader.offset(), 0u);
  }
}

TEST(ByteReaderTest, StringLengthPastTheEnd) {
  ByteReader reader(
      "\x05"
      "ab");
  ExpectMalformed(reader.GetString().status(),
                  "malformed: string length 5 runs past the end (2 bytes "
                  "remain) at offset 0");
  EXPECT_EQ(reader.offset(), 0u);
}

TEST(ByteReaderTest, StringLongerThanTheLimit) {
  ByteReader small("\x05hello", /*max_string_bytes=*/4);
  ExpectMalformed(small.GetString().status(),
                  "malformed: string length 5 exceeds the limit of 4 bytes at "
                  "offset 0");
  ByteReader at_limit("\x04hell", /*max_string_bytes=*/4);
  EXPECT_EQ(*at_limit.GetString(), "hell");

  // The default limit is checked before the bytes are looked for, so a huge
  // claimed length allocates nothing.
  ByteWriter writer;
  writer.PutVarint(ByteReader::kDefaultMaxStringBytes + 1);
  ExpectMalformed(ByteReader(writer.data()).GetString().status(),
                  "malformed: string length 16777217 exceeds the limit of "
                  "16777216 bytes at offset 0");
  writer.Release();
  writer.PutVarint(kU64Max);
  EXPECT_FALSE(ByteReader(writer.data()).GetString().ok());
}

TEST(ByteReaderTest, StringViewPointsIntoTheBytesAndFailsAsGetString) {
  const std::string bytes(
      "\x03"
      "abc"
      "\x05"
      "xy",
      7);
  ByteReader reader(bytes);
  absl::StatusOr<std::string_view> view = reader.GetStringView();
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(*view, "abc");
  EXPECT_EQ(view->data(), bytes.data() + 1);
  EXPECT_EQ(reader.offset(), 4u);
  ExpectMalformed(reader.GetStringView().status(),
                  "malformed: string length 5 runs past the end (2 bytes "
                  "remain) at offset 4");
  EXPECT_EQ(reader.offset(), 4u);
  ByteReader small("\x05hello", /*max_string_bytes=*/4);
  ExpectMalformed(small.GetStringView().status(),
                  "malformed: string length 5 exceeds the limit of 4 bytes at "
                  "offset 0");
}

TEST(ByteReaderTest, CountMustFitInTheRemainingBytes) {
  ByteWriter writer;
  writer.PutVarint(3);
  writer.PutBytes("abcdef");
  {
    ByteReader reader(writer.data());
    EXPECT_EQ(*reader.GetCount(/*min_element_bytes=*/2), 3u);
    EXPECT_EQ(reader.offset(), 1u);
  }
  {
    ByteReader reader(writer.data());
    ExpectMalformed(reader.GetCount(/*min_element_bytes=*/3).status(),
                    "malformed: count 3 of elements of at least 3 bytes runs "
                    "past the end (6 bytes remain) at offset 0");
    EXPECT_EQ(reader.offset(), 0u);
  }
  writer.Release();
  writer.PutVarint(kU64Max);
  EXPECT_FALSE(ByteReader(writer.data()).GetCount(1).ok());
}

TEST(ByteReaderTest, ExpectEndReportsTrailingBytes) {
  ByteReader reader("\x01\x02\x03");
  ASSERT_TRUE(reader.GetU8().ok());
  ExpectMalformed(reader.ExpectEnd(),
                  "malformed: 2 trailing bytes at offset 1");
  EXPECT_EQ(reader.remaining(), 2u);
}

rc::Gen<Item> ArbitraryItem() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, kTypeCount),
                     rc::gen::arbitrary<uint64_t>(),
                     rc::gen::arbitrary<std::string>()),
      [](const std::tuple<int, uint64_t, std::string>& t) {
        return Normalize(Item{.type = static_cast<Type>(std::get<0>(t)),
                              .bits = std::get<1>(t),
                              .text = std::get<2>(t)});
      });
}

RC_GTEST_PROP(ByteReaderProperty, ArbitrarySequencesRoundTrip, ()) {
  const auto items = *rc::gen::container<std::vector<Item>>(ArbitraryItem());
  const std::string bytes = Encode(items);
  // Encoding is a pure function of the values.
  RC_ASSERT(Encode(items) == bytes);
  ByteReader reader(bytes);
  std::vector<Item> decoded;
  for (const Item& item : items) {
    absl::StatusOr<Item> got = Get(reader, item.type);
    RC_ASSERT(got.ok());
    decoded.push_back(*got);
  }
  RC_ASSERT(reader.ExpectEnd().ok());
  RC_ASSERT(decoded == items);
  // Canonical form: what was decoded re-encodes to the same bytes.
  RC_ASSERT(Encode(decoded) == bytes);
}

// Arbitrary bytes read as arbitrary types: every read either succeeds and
// advances, or fails with "malformed:" and leaves the offset where it was.
RC_GTEST_PROP(ByteReaderProperty, ArbitraryBytesNeverCrash, ()) {
  const auto bytes =
      *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  const auto types =
      *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, kTypeCount));
  const auto max_string_bytes = *rc::gen::inRange<size_t>(0, 64);
  ByteReader reader(bytes, max_string_bytes);
  for (int type : types) {
    const size_t before = reader.offset();
    absl::StatusOr<Item> got = Get(reader, static_cast<Type>(type));
    if (got.ok()) {
      RC_ASSERT(reader.offset() > before);
    } else {
      RC_ASSERT(got.status().code() == absl::StatusCode::kInvalidArgument);
      RC_ASSERT(absl::StartsWith(got.status().message(), "malformed: "));
      RC_ASSERT(reader.offset() == before);
    }
    RC_ASSERT(reader.offset() + reader.remaining() == bytes.size());
  }
}

}  // namespace
}  // namespace clustersim::codec
