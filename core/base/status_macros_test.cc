#include "core/base/status_macros.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace clustersim {
namespace {

absl::StatusOr<int> Parse(bool ok, int value, int* evaluations) {
  ++*evaluations;
  if (!ok) return absl::InvalidArgumentError("bad");
  return value;
}

absl::Status Validate(bool ok, int* evaluations) {
  ++*evaluations;
  return ok ? absl::OkStatus() : absl::NotFoundError("missing");
}

absl::StatusOr<int> SumTwo(bool first_ok, bool second_ok, int* evaluations) {
  CLUSTERSIM_ASSIGN_OR_RETURN(int a, Parse(first_ok, 1, evaluations));
  CLUSTERSIM_ASSIGN_OR_RETURN(int b, Parse(second_ok, 2, evaluations));
  return a + b;
}

absl::StatusOr<std::string> AssignExisting(bool ok) {
  int value = 0;
  int evaluations = 0;
  CLUSTERSIM_ASSIGN_OR_RETURN(value, Parse(ok, 7, &evaluations));
  return std::to_string(value);
}

absl::Status Steps(bool first_ok, bool second_ok, int* evaluations) {
  CLUSTERSIM_RETURN_IF_ERROR(Validate(first_ok, evaluations));
  CLUSTERSIM_RETURN_IF_ERROR(Validate(second_ok, evaluations));
  return absl::OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnPassesValuesThrough) {
  int evaluations = 0;
  absl::StatusOr<int> sum = SumTwo(true, true, &evaluations);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 3);
  EXPECT_EQ(evaluations, 2);
  EXPECT_EQ(*AssignExisting(true), "7");
}

TEST(StatusMacrosTest, AssignOrReturnStopsAtFirstError) {
  int evaluations = 0;
  absl::StatusOr<int> sum = SumTwo(false, true, &evaluations);
  EXPECT_EQ(sum.status(), absl::InvalidArgumentError("bad"));
  EXPECT_EQ(evaluations, 1);
  EXPECT_EQ(AssignExisting(false).status(), absl::InvalidArgumentError("bad"));
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtFirstError) {
  int evaluations = 0;
  EXPECT_TRUE(Steps(true, true, &evaluations).ok());
  EXPECT_EQ(evaluations, 2);
  evaluations = 0;
  EXPECT_EQ(Steps(false, true, &evaluations), absl::NotFoundError("missing"));
  EXPECT_EQ(evaluations, 1);
}

}  // namespace
}  // namespace clustersim
