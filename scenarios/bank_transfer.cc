#include "scenarios/bank_transfer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/workflow/activity.h"
#include "core/workflow/definitions.h"
#include "core/workflow/durable_clock.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::scenarios::bank {
namespace {

using workflow::ActivityDefinition;
using workflow::Cause;
using workflow::Outcome;
using workflow::WorkflowContext;

absl::StatusOr<Transfer> Read(codec::ByteReader& reader) {
  Transfer t;
  CLUSTERSIM_ASSIGN_OR_RETURN(t.key, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(t.from, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(t.to, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(t.amount, reader.GetSignedVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(t.needs_approval, reader.GetBool());
  CLUSTERSIM_RETURN_IF_ERROR(reader.ExpectEnd());
  return t;
}

ActivityDefinition StepActivity(Accounts* accounts, Step step,
                                Transfer transfer) {
  return ActivityDefinition{std::string(StepName(step)),
                            [accounts, step, transfer](WorkflowContext) {
                              return accounts->Apply(step, transfer);
                            }};
}

Task<void> Refund(Accounts* accounts, Transfer transfer,
                  std::string execution_id) {
  accounts->OnCompensation(execution_id, Step::kDebit);
  // A refund never fails: only credits are refused.
  Outcome<std::string> refunded =
      co_await accounts->Apply(Step::kRefund, std::move(transfer));
  (void)refunded;
}

Task<Outcome<std::string>> TransferBody(WorkflowContext ctx,
                                        std::string payload, Accounts* accounts,
                                        TransferOptions options) {
  absl::StatusOr<Transfer> transfer = DecodeTransfer(payload);
  if (!transfer.ok()) co_return Cause::Die(transfer.status().ToString());
  Task<Outcome<std::string>> debit = workflow::RunActivity(
      ctx, StepActivity(accounts, Step::kDebit, *transfer));
  if (options.compensate) {
    debit = workflow::WithCompensation(
        ctx, std::move(debit),
        [accounts, t = *transfer, id = ctx.instance->execution_id](
            std::string, Cause) { return Refund(accounts, t, id); });
  }
  WF_TRY(std::string debited, co_await std::move(debit));
  (void)debited;
  WF_TRY(std::string slept,
         co_await workflow::Sleep(ctx, "settle", kSettleMs,
                                  kSleepInMemoryThresholdMs));
  (void)slept;
  if (transfer->needs_approval) {
    WF_TRY(std::string approved,
           co_await workflow::Await(ctx, kApprovalDeferred));
    (void)approved;
  }
  co_return co_await workflow::RunActivity(
      ctx, StepActivity(accounts, Step::kCredit, *transfer));
}

}  // namespace

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kDebit:
      return "debit";
    case Step::kCredit:
      return "credit";
    case Step::kRefund:
      return "refund";
  }
  return "?";
}

std::string EncodeTransfer(const Transfer& transfer) {
  codec::ByteWriter writer;
  writer.PutString(transfer.key);
  writer.PutString(transfer.from);
  writer.PutString(transfer.to);
  writer.PutSignedVarint(transfer.amount);
  writer.PutBool(transfer.needs_approval);
  return writer.Release();
}

absl::StatusOr<Transfer> DecodeTransfer(std::string_view bytes) {
  codec::ByteReader reader(bytes);
  absl::StatusOr<Transfer> transfer = Read(reader);
  if (!transfer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a transfer: ", transfer.status().message()));
  }
  return transfer;
}

absl::StatusOr<std::string> TransferExecutionId(const Transfer& transfer) {
  CLUSTERSIM_ASSIGN_OR_RETURN(ExecutionId id,
                              MakeExecutionId(kTransferTag, transfer.key));
  return id.value();
}

std::string StepKey(const Transfer& transfer, Step step) {
  return absl::StrCat(transfer.key, "/", std::string(StepName(step)));
}

absl::Status RegisterTransfer(workflow::WorkflowEngine& engine,
                              Accounts* accounts, TransferOptions options) {
  return engine.Register(
      workflow::WorkflowDefinition{.tag = kTransferTag},
      [accounts, options](WorkflowContext ctx, std::string payload) {
        return TransferBody(std::move(ctx), std::move(payload), accounts,
                            options);
      });
}

}  // namespace clustersim::scenarios::bank
