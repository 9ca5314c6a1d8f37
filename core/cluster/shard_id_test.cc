#include "core/cluster/shard_id.h"

#include <compare>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(ShardIdTest, PrintsGroupColonNumber) {
  EXPECT_EQ(ShardId("default", 17).ToString(), "default:17");
  EXPECT_EQ(ShardId("", 1).ToString(), ":1");
  EXPECT_EQ(ShardId("a:b", 3).ToString(), "a:b:3");
}

TEST(ShardIdTest, EqualityAndOrder) {
  EXPECT_EQ(ShardId("default", 1), ShardId("default", 1));
  EXPECT_NE(ShardId("default", 1), ShardId("default", 2));
  EXPECT_NE(ShardId("default", 1), ShardId("other", 1));
  // Numbers compare numerically, not as text.
  EXPECT_LT(ShardId("default", 9), ShardId("default", 10));
  absl::btree_set<ShardId> ordered{ShardId("b", 1), ShardId("a", 10),
                                   ShardId("a", 2)};
  EXPECT_EQ(*ordered.begin(), ShardId("a", 2));
  absl::flat_hash_set<ShardId> hashed{ShardId("a", 1), ShardId("a", 1)};
  EXPECT_EQ(hashed.size(), 1u);
  std::map<ShardId, int> map{{ShardId("a", 1), 1}};
  EXPECT_EQ(map.count(ShardId("a", 1)), 1u);
}

// The order is observable (shard sets are iterated in traces): it must be
// exactly (group as std::string, number), whatever shortcut compares them.
TEST(ShardIdTest, OrderIsThatOfGroupStringThenNumber) {
  const std::vector<std::string> groups = {
      "",           std::string("\0", 1),
      "a",          std::string("a\0", 2),
      "ab",         "b",
      "\x7f",       "\x80",
      "\xff",       "\xff\xff",
      "default",    "defaulu",
      "abcdefgh",   std::string("abcdefgh\0", 9),
      "abcdefghi",  "abcdefgi",
      "abcdefghij", "abcdefgha",
      "zzzzzzzzz"};
  for (const std::string& ga : groups) {
    for (const std::string& gb : groups) {
      for (int32_t na : {1, 2, 300}) {
        for (int32_t nb : {1, 2, 300}) {
          const ShardId a(ga, na);
          const ShardId b(gb, nb);
          const std::strong_ordering want =
              std::pair(ga, na) <=> std::pair(gb, nb);
          EXPECT_TRUE((a <=> b) == want) << a << " vs " << b;
          EXPECT_EQ(a == b, want == 0) << a << " vs " << b;
        }
      }
    }
  }
}

TEST(ShardIdTest, ParseSplitsAtTheLastColon) {
  EXPECT_EQ(*ShardId::Parse("default:17"), ShardId("default", 17));
  EXPECT_EQ(*ShardId::Parse("a:b:3"), ShardId("a:b", 3));
  EXPECT_EQ(*ShardId::Parse(":1"), ShardId("", 1));
  EXPECT_EQ(*ShardId::Parse("g:2147483647"), ShardId("g", 2147483647));
}

TEST(ShardIdTest, ParseRoundTripsToString) {
  for (const ShardId& id :
       {ShardId("default", 1), ShardId("x:y", 300), ShardId("\xC3\xA9", 5)}) {
    EXPECT_EQ(*ShardId::Parse(id.ToString()), id);
  }
}

TEST(ShardIdTest, ParseRejectsMalformedText) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"default", "shard id \"default\" has no ':' separator"},
      {"", "shard id \"\" has no ':' separator"},
      {"default:", "shard number \"\" is not a decimal integer"},
      {"default:x", "shard number \"x\" is not a decimal integer"},
      {"default:1.5", "shard number \"1.5\" is not a decimal integer"},
      {"default:0", "shard number \"0\" is out of range [1, 2147483647]"},
      {"default:-3", "shard number \"-3\" is out of range [1, 2147483647]"},
      {"default:2147483648",
       "shard number \"2147483648\" is out of range [1, 2147483647]"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ShardId> id = ShardId::Parse(c.text);
    ASSERT_FALSE(id.ok()) << c.text;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(id.status().message(), c.message);
  }
}

}  // namespace
}  // namespace clustersim
