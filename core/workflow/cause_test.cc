#include "core/workflow/cause.h"

#include "core/workflow/result.h"
#include "gtest/gtest.h"

namespace clustersim::workflow {
namespace {

TEST(CauseTest, InterruptsOnlyNeedsAReasonAndNoOtherKind) {
  EXPECT_FALSE(Cause().HasInterruptsOnly());
  EXPECT_TRUE(Cause::Interrupt().HasInterruptsOnly());
  EXPECT_FALSE(
      Cause::Interrupt().Combine(Cause::Fail("e")).HasInterruptsOnly());
  EXPECT_TRUE(Cause::Interrupt()
                  .Combine(Cause::Interrupt(InterruptKind::kAbandon))
                  .HasInterruptsOnly());
}

TEST(CauseTest, WithoutInterruptsKeepsTheOtherReasonsInOrder) {
  Cause c =
      Cause::Fail("a").Combine(Cause::Interrupt()).Combine(Cause::Die("b"));
  EXPECT_EQ(c.WithoutInterrupts(), Cause::Fail("a").Combine(Cause::Die("b")));
  EXPECT_TRUE(Cause::Interrupt().WithoutInterrupts().empty());
}

TEST(CauseTest, SquashPrefersFailuresThenDefects) {
  EXPECT_EQ(Cause::Die("d").Combine(Cause::Fail("f")).Squash(), "f");
  EXPECT_EQ(Cause::Interrupt().Combine(Cause::Die("d")).Squash(), "d");
  EXPECT_EQ(Cause::Interrupt().Squash(), "interrupted");
}

TEST(CauseTest, InterruptAnnotationsAreKept) {
  Cause c = Cause::Interrupt(InterruptKind::kClientAbort);
  EXPECT_TRUE(c.HasInterrupt(InterruptKind::kClientAbort));
  EXPECT_FALSE(c.HasInterrupt(InterruptKind::kAbandon));
  EXPECT_EQ(c.DebugString(), "Interrupt(client-abort)");
}

TEST(ResultTest, DebugStrings) {
  EXPECT_EQ(DebugString(Result(Complete{Exit::Success("1")})),
            "Complete(Success(1))");
  EXPECT_EQ(DebugString(Result(Suspended{Cause::Die("x"), true})),
            "Suspended(Die(x), failed)");
}

}  // namespace
}  // namespace clustersim::workflow
