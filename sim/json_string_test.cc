#include "sim/json_string.h"

#include "gtest/gtest.h"

namespace clustersim::sim {
namespace {

TEST(JsonStringTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("\n\r\t"), "\"\\n\\r\\t\"");
  // JSON.stringify's short forms for backspace and form feed.
  EXPECT_EQ(JsonString("\b\f"), "\"\\b\\f\"");
  EXPECT_EQ(JsonString(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  std::string out = "x:";
  AppendJsonString(out, "y");
  EXPECT_EQ(out, "x:\"y\"");
}

}  // namespace
}  // namespace clustersim::sim
