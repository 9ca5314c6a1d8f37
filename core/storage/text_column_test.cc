#include "core/storage/text_column.h"

#include <string>

#include "core/cluster/shard_id.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

// CheckShardIdColumn must say exactly what CheckTextColumn says of the
// formatted shard id, whichever path it takes.
void ExpectSameAsFormatted(const ShardId& shard) {
  const absl::Status fast = CheckShardIdColumn("locks.shard_id", shard);
  const absl::Status formatted =
      CheckTextColumn("locks.shard_id", shard.ToString(), kShardIdColumnChars);
  EXPECT_EQ(fast, formatted) << shard.ToString();
}

TEST(TextColumnTest, ShardIdCheckAgreesWithTheFormattedValue) {
  // 48 + ':' + 1 digit = 50 characters: fits; 10 digits of INT32_MAX don't.
  const std::string at_width(48, 'g');
  ExpectSameAsFormatted(ShardId("default", 1));
  ExpectSameAsFormatted(ShardId("default", 2147483647));
  ExpectSameAsFormatted(ShardId(at_width, 9));
  ExpectSameAsFormatted(ShardId(at_width, 10));
  ExpectSameAsFormatted(ShardId(std::string(60, 'x'), 1));
  ExpectSameAsFormatted(ShardId("", 7));
  // Non-ASCII groups (two-byte and four-byte characters) and invalid UTF-8.
  ExpectSameAsFormatted(ShardId(std::string(40, 'a') + "\xc3\xa9\xc3\xa9", 1));
  ExpectSameAsFormatted(ShardId(std::string(47, 'a') + "\xf0\x9f\x98\x80", 99));
  ExpectSameAsFormatted(ShardId("bad\xc3", 3));
}

TEST(TextColumnTest, ShardIdWidthIsCheckedInCharacters) {
  const std::string at_width(48, 'g');
  EXPECT_TRUE(CheckShardIdColumn("c", ShardId(at_width, 9)).ok());
  const absl::Status wide = CheckShardIdColumn("c", ShardId(at_width, 10));
  EXPECT_FALSE(wide.ok());
  EXPECT_NE(wide.message().find("value too long for c (51 characters, column "
                                "is 50)"),
            std::string::npos)
      << wide;
  // 48 two-byte characters are 96 bytes but 48 characters: they fit.
  std::string wide_bytes;
  for (int i = 0; i < 48; ++i) wide_bytes += "\xc3\xa9";
  EXPECT_TRUE(CheckShardIdColumn("c", ShardId(wide_bytes, 9)).ok());
}

}  // namespace
}  // namespace clustersim::storage
