#include "core/workflow/typed_workflow.h"

#include <optional>
#include <string>

#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/scope.h"
#include "core/workflow/activity.h"
#include "core/workflow/memory_engine.h"
#include "gtest/gtest.h"

namespace clustersim::workflow {
namespace {

struct Email {
  std::string id;
  std::string to;
};

const sharding::WireCodec<Email> kEmailCodec{
    [](const Email& e, codec::ByteWriter& w) {
      w.PutString(e.id);
      w.PutString(e.to);
    },
    [](codec::ByteReader& r) -> absl::StatusOr<Email> {
      Email e;
      absl::StatusOr<std::string> id = r.GetString();
      if (!id.ok()) return id.status();
      absl::StatusOr<std::string> to = r.GetString();
      if (!to.ok()) return to.status();
      return Email{*std::move(id), *std::move(to)};
    }};

const sharding::WireCodec<int64_t> kIntCodec{
    [](const int64_t& v, codec::ByteWriter& w) { w.PutSignedVarint(v); },
    [](codec::ByteReader& r) { return r.GetSignedVarint(); }};

const sharding::WireCodec<std::string> kStringCodec{
    [](const std::string& s, codec::ByteWriter& w) { w.PutString(s); },
    [](codec::ByteReader& r) { return r.GetString(); }};

const TypedWorkflow<Email, int64_t, std::string> kEmailWorkflow(
    WorkflowDefinition{.tag = "EmailWorkflow"}, kEmailCodec, kIntCodec,
    kStringCodec, [](const Email& e) { return e.id; });

Task<Outcome<int64_t>> SendEmail(WorkflowContext, Email email) {
  if (email.to == "nobody") co_return kEmailWorkflow.Fail("no recipient");
  co_return static_cast<int64_t>(email.to.size());
}

template <typename T>
Task<void> Into(Task<T> task, std::optional<T>* out) {
  *out = co_await std::move(task);
}

class TypedWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kEmailWorkflow.Register(engine_, &SendEmail).ok());
  }
  ManualExecutor executor_;
  Scope root_{executor_};
  MemoryWorkflowEngine engine_{root_};
};

TEST_F(TypedWorkflowTest, ExecutionIdsAreEffects) {
  // effect@4.1.0: EmailWorkflow with idempotency key "test-email-1".
  EXPECT_EQ(*kEmailWorkflow.ExecutionId(Email{"test-email-1", "bob"}),
            "8f86cb6dac9f9bc041a2165d105c1362");
  std::optional<Outcome<std::string>> id;
  root_.Spawn(
      Into(kEmailWorkflow.ExecuteDiscard(engine_, Email{"test-email-1", "bob"}),
           &id));
  executor_.RunUntilIdle();
  ASSERT_TRUE(id.has_value() && id->ok());
  EXPECT_EQ(id->value(), "8f86cb6dac9f9bc041a2165d105c1362");
}

TEST(ActivityIdempotencyKeyTest, IsEffectsForTheRunsExecution) {
  // effect@4.1.0: execution 8f86…1362, name SendEmail.
  WorkflowDefinition email{.tag = "EmailWorkflow"};
  WorkflowContext ctx{
      nullptr,
      WorkflowInstance::Initial(email, "8f86cb6dac9f9bc041a2165d105c1362"), 3};
  EXPECT_EQ(*IdempotencyKey(ctx, "SendEmail"),
            "afa8bdedf8207518a782549621863ed4");
  EXPECT_EQ(*IdempotencyKey(ctx, "SendEmail", /*include_attempt=*/true),
            "e3c458942bfb20abf3d178fe2ea6cbff");
}

TEST_F(TypedWorkflowTest, ExecuteDecodesTheSuccessAndPollSeesIt) {
  std::optional<Outcome<int64_t>> sent;
  root_.Spawn(
      Into(kEmailWorkflow.Execute(engine_, Email{"e1", "alice"}), &sent));
  executor_.RunUntilIdle();
  ASSERT_TRUE(sent.has_value() && sent->ok());
  EXPECT_EQ(sent->value(), 5);
  std::optional<Outcome<std::optional<Result>>> polled;
  root_.Spawn(Into(kEmailWorkflow.Poll(
                       engine_, *kEmailWorkflow.ExecutionId(Email{"e1", ""})),
                   &polled));
  executor_.RunUntilIdle();
  ASSERT_TRUE(polled.has_value() && polled->ok() && polled->value());
  EXPECT_EQ(kEmailWorkflow.ValueOf(*polled->value()), 5);
}

TEST_F(TypedWorkflowTest, TypedFailuresRoundTrip) {
  std::optional<Outcome<int64_t>> sent;
  root_.Spawn(
      Into(kEmailWorkflow.Execute(engine_, Email{"e2", "nobody"}), &sent));
  executor_.RunUntilIdle();
  ASSERT_TRUE(sent.has_value() && !sent->ok());
  EXPECT_EQ(kEmailWorkflow.ErrorOf(sent->cause()), "no recipient");
  EXPECT_EQ(kEmailWorkflow.ErrorOf(Cause::Die("x")), std::nullopt);
}

TEST_F(TypedWorkflowTest, AnUndecodablePayloadIsADefectOfTheRun) {
  std::optional<Outcome<std::string>> out;
  root_.Spawn(Into(Execute(engine_, nullptr, kEmailWorkflow.definition(), "raw",
                           "\x05not", ExecuteOptions{}),
                   &out));
  executor_.RunUntilIdle();
  ASSERT_TRUE(out.has_value() && !out->ok());
  EXPECT_TRUE(out->cause().HasDies());
  EXPECT_NE(out->cause().Squash().find("payload does not decode"),
            std::string::npos);
}

}  // namespace
}  // namespace clustersim::workflow
