#include "core/workflow/workflow_ids.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/unicode_testing.h"
#include "core/workflow/workflow_ids_test_vectors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim {
namespace {

using ::testing::HasSubstr;

std::u16string Ascii16(std::string_view ascii) {
  return std::u16string(ascii.begin(), ascii.end());
}

// Error message of a failed ParseToken, or "" when it parsed.
std::string ParseError(std::string_view token) {
  const absl::StatusOr<DeferredToken> parsed = ParseToken(token);
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(HashDigestTest, MatchesEffect) {
  for (const auto& v : testing::kHashDigestVectors) {
    EXPECT_EQ(HashDigest(v.input), v.digest)
        << "input of " << v.input.size() << " units";
  }
}

TEST(ExecutionIdTest, MatchesEffect) {
  int utf8_checked = 0;
  for (const auto& v : testing::kExecutionIdVectors) {
    // The composition, for every vector (lone surrogates included).
    EXPECT_EQ(HashDigest(Ascii16(absl::StrCat(v.tag_utf16.size())) + u":" +
                         std::u16string(v.tag_utf16) + u":" +
                         std::u16string(v.key_utf16)),
              v.execution_id);
    if (!v.has_tag || !v.has_key) continue;
    const absl::StatusOr<ExecutionId> id = MakeExecutionId(v.tag, v.key);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->value(), v.execution_id) << "tag " << v.tag;
    ++utf8_checked;
  }
  EXPECT_GE(utf8_checked, 10);
}

TEST(ExecutionIdTest, RejectsInvalidUtf8) {
  EXPECT_THAT(MakeExecutionId("Wf\xff", "k").status().message(),
              HasSubstr("workflow tag: invalid UTF-8 at byte offset 2"));
  EXPECT_THAT(MakeExecutionId("Wf", "\xed\xa0\x80").status().message(),
              HasSubstr("workflow idempotency key: invalid UTF-8"));
}

TEST(ActivityIdempotencyKeyTest, MatchesEffect) {
  int checked = 0;
  for (const auto& v : testing::kActivityKeyVectors) {
    if (!v.has_name) continue;
    const std::optional<int32_t> attempt =
        v.attempt < 0 ? std::nullopt : std::optional<int32_t>(v.attempt);
    const absl::StatusOr<std::string> key = ActivityIdempotencyKey(
        ExecutionId(std::string(v.execution_id)), v.name, attempt);
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(*key, v.key) << v.execution_id << " " << v.name << " "
                           << v.attempt;
    ++checked;
  }
  EXPECT_GE(checked, 100);
}

TEST(ActivityIdempotencyKeyTest, RejectsInvalidUtf8) {
  EXPECT_THAT(ActivityIdempotencyKey(ExecutionId("id"), "\xc0\xaf", 1)
                  .status()
                  .message(),
              HasSubstr("activity name: invalid UTF-8"));
  EXPECT_THAT(ActivityIdempotencyKey(ExecutionId("\x80"), "a", std::nullopt)
                  .status()
                  .message(),
              HasSubstr("execution id: invalid UTF-8"));
}

TEST(TokenTest, EncodesAndParsesLikeEffect) {
  int utf8_checked = 0;
  for (const auto& v : testing::kTokenVectors) {
    EXPECT_EQ(EncodeJsToken(v.workflow_name_utf16, v.execution_id_utf16,
                            v.deferred_name_utf16),
              v.token);
    if (!v.well_formed) continue;
    const DeferredToken token{
        .workflow_name = std::string(v.workflow_name),
        .execution_id = ExecutionId(std::string(v.execution_id)),
        .deferred_name = std::string(v.deferred_name),
    };
    const absl::StatusOr<std::string> encoded = EncodeToken(token);
    ASSERT_TRUE(encoded.ok()) << encoded.status();
    EXPECT_EQ(*encoded, v.token);
    const absl::StatusOr<DeferredToken> parsed = ParseToken(v.token);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, token);
    ++utf8_checked;
  }
  EXPECT_GE(utf8_checked, 10);
}

TEST(TokenTest, AcceptsAndRejectsWhatEffectDoes) {
  for (const auto& v : testing::kTokenParseVectors) {
    const absl::StatusOr<DeferredToken> parsed = ParseToken(v.token);
    if (!v.accepted) {
      EXPECT_FALSE(parsed.ok()) << "Effect rejects " << v.token;
    } else if (v.lone_surrogate) {
      // The one deviation: UTF-8 cannot hold what Effect returns.
      EXPECT_THAT(ParseError(v.token), HasSubstr("surrogate")) << v.token;
    } else {
      ASSERT_TRUE(parsed.ok()) << v.token << ": " << parsed.status();
      EXPECT_EQ(parsed->workflow_name, v.workflow_name) << v.token;
      EXPECT_EQ(parsed->execution_id.value(), v.execution_id) << v.token;
      EXPECT_EQ(parsed->deferred_name, v.deferred_name) << v.token;
    }
  }
}

TEST(TokenTest, ParseErrorsSayWhatIsWrong) {
  EXPECT_THAT(ParseError("A"),
              HasSubstr("base64url length 1 is one more than a multiple of 4"));
  EXPECT_THAT(ParseError("AA="),
              HasSubstr("base64url length 3 is not a multiple of 4"));
  EXPECT_THAT(ParseError("WyJhIiwiYiIsImMiXQ+/"),
              HasSubstr("byte 43 at offset 18 is not base64url"));
  EXPECT_THAT(ParseError("AA=A"), HasSubstr("byte 61 at offset 2"));
  EXPECT_THAT(ParseError("bm90IGpzb24"), HasSubstr("not JSON"));  // not json
  EXPECT_THAT(ParseError(""), HasSubstr("not JSON"));
  EXPECT_THAT(ParseError("eyIwIjoiYSJ9"),  // {"0":"a"}
              HasSubstr("not an array of three strings but a object"));
  EXPECT_THAT(ParseError("WyJhIiwiYiJd"),  // ["a","b"]
              HasSubstr("not an array of three strings but of 2 elements"));
  EXPECT_THAT(ParseError("WyJhIiwiYiIsImMiLCJkIl0"),  // ["a","b","c","d"]
              HasSubstr("but of 4 elements"));
  EXPECT_THAT(ParseError("WyJhIixudWxsLCJjIl0"),  // ["a",null,"c"]
              HasSubstr("an element is a null"));
  EXPECT_THAT(ParseError("WzFlOTk5LCJiIiwiYyJd"),  // [1e999,"b","c"]
              HasSubstr("malformed durable deferred token"));
}

TEST(TokenTest, EncodeRejectsInvalidUtf8) {
  const std::string bad = "\xff";
  EXPECT_THAT(EncodeToken({bad, ExecutionId("e"), "d"}).status().message(),
              HasSubstr("workflow name: invalid UTF-8"));
  EXPECT_THAT(EncodeToken({"w", ExecutionId(bad), "d"}).status().message(),
              HasSubstr("execution id: invalid UTF-8"));
  EXPECT_THAT(EncodeToken({"w", ExecutionId("e"), bad}).status().message(),
              HasSubstr("deferred name: invalid UTF-8"));
}

RC_GTEST_PROP(TokenProperty, RoundTrips, ()) {
  const DeferredToken token{
      .workflow_name = *testing::Utf8Text(),
      .execution_id = ExecutionId(*testing::Utf8Text()),
      .deferred_name = *testing::Utf8Text(),
  };
  const absl::StatusOr<std::string> encoded = EncodeToken(token);
  RC_ASSERT(encoded.ok());
  const absl::StatusOr<DeferredToken> parsed = ParseToken(*encoded);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == token);
}

RC_GTEST_PROP(TokenProperty, ArbitraryTextNeverCrashesTheParser,
              (const std::string& text)) {
  const absl::StatusOr<DeferredToken> parsed = ParseToken(text);
  RC_ASSERT(parsed.ok() ||
            parsed.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST(ReservedNamesTest, MatchEffect) {
  EXPECT_EQ(kInterruptSignalName, "Workflow/InterruptSignal");
  EXPECT_EQ(ClockDeferredName("wait"), "DurableClock/wait");
  EXPECT_EQ(RaceAllDeferredName("race"), "raceAll/race");
  EXPECT_EQ(ActivityRaceAllName("race"), "raceAll/Activity/race");
  EXPECT_EQ(QueueDeferredName("q", "0123abcd"), "DurableQueue/q/0123abcd");
  EXPECT_EQ(WithActivityAttempt("EmailTrigger", 3), "EmailTrigger/3");
  EXPECT_EQ(WorkflowEntityType("EmailWorkflow"),
            EntityType("Workflow/EmailWorkflow"));
  EXPECT_EQ(kClockEntityType, "Workflow/-/DurableClock");
}

}  // namespace
}  // namespace clustersim
