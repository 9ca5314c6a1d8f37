#include "core/cluster/utf16.h"

#include <string>

#include "absl/status/status.h"
#include "core/cluster/unicode_testing.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

TEST(Utf8ToUtf16Test, ConvertsEveryEncodingLength) {
  EXPECT_EQ(*Utf8ToUtf16(""), u"");
  EXPECT_EQ(*Utf8ToUtf16("abc"), u"abc");
  EXPECT_EQ(*Utf8ToUtf16(std::string("\0", 1)), std::u16string(1, u'\0'));
  EXPECT_EQ(*Utf8ToUtf16("\xC3\xA9"), u"\u00E9");
  EXPECT_EQ(*Utf8ToUtf16("\xDF\xBF"), u"\u07FF");
  EXPECT_EQ(*Utf8ToUtf16("\xE0\xA0\x80"), u"\u0800");
  EXPECT_EQ(*Utf8ToUtf16("\xEF\xBF\xBF"), u"\uFFFF");
  // Astral characters become surrogate pairs (two code units).
  EXPECT_EQ(*Utf8ToUtf16("\xF0\x9F\x98\x80"), u"\U0001F600");
  EXPECT_EQ(Utf8ToUtf16("\xF0\x9F\x98\x80")->size(), 2u);
  EXPECT_EQ(*Utf8ToUtf16("\xF4\x8F\xBF\xBF"), u"\U0010FFFF");
  EXPECT_EQ(*Utf8ToUtf16("a\xF0\x9D\x84\x9E"
                         "b"),
            u"a\U0001D11Eb");
}

TEST(Utf8ToUtf16Test, RejectsMalformedInputNamingTheOffset) {
  struct Case {
    std::string input;
    std::string message;
  };
  const Case cases[] = {
      {"\x80", "invalid UTF-8 at byte offset 0"},          // stray continuation
      {"ab\xFF", "invalid UTF-8 at byte offset 2"},        // never valid
      {"\xC0\x80", "invalid UTF-8 at byte offset 0"},      // overlong NUL
      {"\xC1\xBF", "invalid UTF-8 at byte offset 0"},      // overlong
      {"\xE0\x80\x80", "invalid UTF-8 at byte offset 0"},  // overlong
      {"\xF0\x80\x80\x80", "invalid UTF-8 at byte offset 0"},  // overlong
      {"\xED\xA0\x80", "invalid UTF-8 at byte offset 0"},      // surrogate D800
      {"x\xED\xBF\xBF", "invalid UTF-8 at byte offset 1"},     // surrogate DFFF
      {"\xF4\x90\x80\x80", "invalid UTF-8 at byte offset 0"},  // > U+10FFFF
      {"\xF5\x80\x80\x80", "invalid UTF-8 at byte offset 0"},
      {"\xC3", "invalid UTF-8 at byte offset 0"},          // truncated
      {"ok\xE6\x97", "invalid UTF-8 at byte offset 2"},    // truncated
      {"\xF0\x9F\x98", "invalid UTF-8 at byte offset 0"},  // truncated
      {"\xC3(", "invalid UTF-8 at byte offset 0"},         // bad continuation
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::u16string> result = Utf8ToUtf16(c.input);
    ASSERT_FALSE(result.ok()) << c.message;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().message(), c.message);
  }
}

RC_GTEST_PROP(Utf8ToUtf16Test, AgreesWithAnIndependentEncoder, ()) {
  const std::vector<char32_t> text = *testing::ScalarValues();
  absl::StatusOr<std::u16string> units = Utf8ToUtf16(testing::EncodeUtf8(text));
  RC_ASSERT(units.ok());
  RC_ASSERT(*units == testing::EncodeUtf16(text));
}

TEST(IsAsciiTest, LooksAtEveryByteInWordsAndTail) {
  EXPECT_TRUE(IsAscii(""));
  EXPECT_TRUE(IsAscii("Counter/entity-17"));
  EXPECT_TRUE(IsAscii(std::string(1, '\x7F')));
  // A high byte in the first word, the last full word and the tail.
  for (size_t at : {0, 7, 8, 15, 16, 18}) {
    std::string text(19, 'a');
    text[at] = '\x80';
    EXPECT_FALSE(IsAscii(text)) << at;
  }
  EXPECT_FALSE(IsAscii("caf\xC3\xA9"));
}

}  // namespace
}  // namespace clustersim
