#include "core/cluster/string_hash.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

// Golden values of Effect 4.1.0's Hash.string (dist/Hash.js run with node).
// The first block is effect-semantics.md §2.1.
struct Golden {
  std::string input;
  int32_t hash;
};

const Golden kGolden[] = {
    {"", 5381},
    {"1", 177556},
    {"2", 177559},
    {"hello", 181380007},
    {"world", 164394279},
    {"test", 1014191347},
    {"abc", 193415941},
    {"\xC3\xA9", 177484},           // é
    {"\xF0\x9F\x98\x80", 5191800},  // 😀
    {"shard-0", -146079948},
    {"localhost:1234:128", -1021391721},
    // Our own, one per UTF-8 encoding length and boundary.
    {"a", 177604},
    {"Z", 177663},
    {std::string("\x00", 1), 177573},
    {"\x7F", 177626},
    {"\xC2\x80", 177445},           // U+0080
    {"\xDF\xBF", 176730},           // U+07FF
    {"\xE0\xA0\x80", 179621},       // U+0800
    {"\xED\x9F\xBF", 156250},       // U+D7FF
    {"\xEE\x80\x80", 152997},       // U+E000
    {"\xEF\xBF\xBF", 150106},       // U+FFFF
    {"\xF0\x9D\x84\x9E", 5199919},  // 𝄞 U+1D11E
    {"\xF4\x8F\xBF\xBF", 5205605},  // U+10FFFF
    {"\xC3\xB1"
     "and\xC3\xBA",
     52169061},                                           // ñandú
    {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 160570738},  // 日本語
    {"a\xF0\x9F\x98\x80"
     "b",
     1030935707},
    {"user-42", 322868671},
    {"order:9f8e7d", 354128384},
    {"\xC3\x9Cn\xC3\xAF"
     "c\xC3\xB8"
     "d\xC3\xA9 \xE2\x89\xA0 ASCII",
     42077375},
    {"\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA",
     481712890},  // two flag emoji: four surrogate pairs
    {"shard-1", 996025333},
    {"shard-2", -779917514},
    {"shard-3", -711554057},
    {"shard-7", -205121037},
};

TEST(HashStringTest, MatchesEffectGoldenValues) {
  for (const Golden& g : kGolden) {
    absl::StatusOr<int32_t> hash = HashString(g.input);
    ASSERT_TRUE(hash.ok()) << hash.status();
    EXPECT_EQ(*hash, g.hash) << "input: " << g.input;
  }
}

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(HashStringTest, MatchesEffectOnLongStrings) {
  // "x".repeat(1000) and "ab😀é".repeat(500) in node.
  EXPECT_EQ(*HashString(std::string(1000, 'x')), 422167813);
  EXPECT_EQ(*HashString(Repeat("ab\xF0\x9F\x98\x80\xC3\xA9", 500)), 1000819525);
}

TEST(HashStringTest, HashUtf16AgreesWithHashString) {
  EXPECT_EQ(HashUtf16(u""), 5381);
  EXPECT_EQ(HashUtf16(u"hello"), 181380007);
  EXPECT_EQ(HashUtf16(u"\U0001F600"), 5191800);
}

TEST(HashStringTest, RejectsInvalidUtf8) {
  absl::StatusOr<int32_t> hash = HashString("bad\xC0\xAF");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(hash.status().message(), "invalid UTF-8 at byte offset 3");
}

TEST(OptimizeHashTest, MatchesEffect) {
  // Hash.optimize in node; 1234567890 -> 160826066 is in Effect's docs.
  const int32_t cases[][2] = {
      {0, 0},
      {1, 1},
      {-1, -1},
      {1234567890, 160826066},
      {-1234567890, -160826066},
      {INT32_MIN, -1073741824},
      {INT32_MAX, 1073741823},
      {1073741824, 0},
      {-1073741824, -1073741824},
      {1073741823, 1073741823},
  };
  for (const auto& [input, expected] : cases) {
    EXPECT_EQ(OptimizeHash(input), expected) << input;
  }
}

}  // namespace
}  // namespace clustersim
