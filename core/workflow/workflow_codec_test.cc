#include "core/workflow/workflow_codec.h"

#include <string>

#include "core/storage/sha256.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace clustersim::workflow {
namespace {

Cause MixedCause() {
  return Cause::Fail("e")
      .Combine(Cause::Interrupt(InterruptKind::kClientAbort))
      .Combine(Cause::Die("d"));
}

TEST(WorkflowCodecTest, ResultsRoundTrip) {
  for (const Result& r :
       {Result(Complete{Exit::Success("v")}),
        Result(Complete{Exit::Failure(MixedCause())}), Result(Suspended{}),
        Result(Suspended{Cause::Die("boom"), true})}) {
    absl::StatusOr<Result> back = DecodeResult(EncodeResult(r));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, r);
  }
}

TEST(WorkflowCodecTest, PayloadsRoundTrip) {
  RunPayload run{"p", ParentRef{"Parent", "abc", true}};
  EXPECT_EQ(*DecodeRunPayload(EncodeRunPayload(run)), run);
  ActivityPayload activity{"SendEmail", 3};
  EXPECT_EQ(*DecodeActivityPayload(EncodeActivityPayload(activity)), activity);
  DeferredPayload deferred{"Gate", Exit::Failure(MixedCause())};
  EXPECT_EQ(*DecodeDeferredPayload(EncodeDeferredPayload(deferred)), deferred);
  EXPECT_EQ(*DecodeResumePayload(EncodeResumePayload("child")), "child");
  ClockPayload clock{"sleep", "W", 10'001};
  EXPECT_EQ(*DecodeClockPayload(EncodeClockPayload(clock)), clock);
  EXPECT_EQ(ActivityPrimaryKey("SendEmail", 3), "SendEmail/3");
}

TEST(WorkflowCodecTest, MalformedBytesAreClearErrors) {
  EXPECT_EQ(DecodeResult("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_NE(DecodeResult("\x09").status().message().find("unknown result tag"),
            std::string::npos);
  EXPECT_NE(DecodeExit(EncodeExit(Exit::Success("x")) + "!")
                .status()
                .message()
                .find("workflow exit does not decode"),
            std::string::npos);
  // A reason kind outside 1..3.
  EXPECT_FALSE(DecodeExit(std::string("\x02\x01\x07\x00\x00", 5)).ok());
  EXPECT_FALSE(
      DecodeActivityPayload(EncodeActivityPayload({"a", 1}).substr(0, 2)).ok());
}

RC_GTEST_PROP(WorkflowCodecTest, ArbitraryBytesNeverCrash,
              (const std::string& bytes)) {
  (void)DecodeResult(bytes);
  (void)DecodeExit(bytes);
  (void)DecodeRunPayload(bytes);
  (void)DecodeDeferredPayload(bytes);
  (void)DecodeClockPayload(bytes);
}

TEST(WorkflowCodecTest, ExitDigestTellsExitsApart) {
  EXPECT_EQ(ExitDigest(Exit::Success("a")).size(), 16u);
  EXPECT_NE(ExitDigest(Exit::Success("a")), ExitDigest(Exit::Success("b")));
}

// Trace hashes fold the digest: it must stay the first 16 hex digits of the
// SHA-256 of the encoded exit.
TEST(WorkflowCodecTest, ExitDigestIsTheSha256PrefixOfTheEncodedExit) {
  for (const Exit& exit :
       {Exit::Success("step 1"), Exit::Failure(MixedCause())}) {
    EXPECT_EQ(ExitDigest(exit), Sha256Hex(EncodeExit(exit)).substr(0, 16));
  }
}

}  // namespace
}  // namespace clustersim::workflow
