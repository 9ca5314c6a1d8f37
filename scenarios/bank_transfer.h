// The bank scenario's transfer: a workflow that moves `amount` from one
// account to another (scenarios/bank.h runs it on the cluster).
//
//   1. debit `from` (an activity), with a compensation that refunds it;
//   2. a durable sleep of kSettleMs (above the in-memory threshold, so it is
//      the engine's clock, not a timer of the run);
//   3. if the transfer needs approval, await the DurableDeferred "approval"
//      that a client completes later (a rejection fails the transfer);
//   4. credit `to` (an activity; a closed account refuses it).
// A failure after the debit fails the execution, and the compensation
// refunds `from`. Every account step goes through Accounts::Apply with the
// transfer's idempotency key and the step, so a step asked twice applies
// once.
//
// What can run twice after a crash (Effect's activities are at-least-once):
// a debit or credit activity whose runner died before its result was
// journaled runs again on the next run (its Apply is then answered from the
// first request's stored reply: the same primary key); the refund of a
// compensation cut short by a crash runs again when the failed run is
// replayed (the same primary key again). The sleep and the approval are
// durable and are not repeated; the trace event of a compensation
// (Accounts::OnCompensation) can appear once per attempt.
//
// Pure functions and a body; single-threaded like every workflow body.
#ifndef CLUSTERSIM_SCENARIOS_BANK_TRANSFER_H_
#define CLUSTERSIM_SCENARIOS_BANK_TRANSFER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/runtime/task.h"
#include "core/workflow/engine.h"
#include "core/workflow/result.h"

namespace clustersim::scenarios::bank {

inline constexpr char kTransferTag[] = "Transfer";
inline constexpr char kApprovalDeferred[] = "approval";
// The durable sleep between the debit and the credit, and the in-memory
// threshold below it, so the sleep is a durable clock.
inline constexpr int64_t kSettleMs = 2'000;
inline constexpr int64_t kSleepInMemoryThresholdMs = 1'000;
// What a rejected approval and a closed account fail with.
inline constexpr char kRejected[] = "approval rejected";
inline constexpr char kAccountClosed[] = "account closed";

enum class Step { kDebit, kCredit, kRefund };
// "debit", "credit", "refund".
std::string_view StepName(Step step);

struct Transfer {
  // The idempotency key: the execution id and every step's key derive from
  // it.
  std::string key;
  std::string from;
  std::string to;
  int64_t amount = 0;
  bool needs_approval = false;

  friend bool operator==(const Transfer&, const Transfer&) = default;
};

std::string EncodeTransfer(const Transfer& transfer);
// InvalidArgument for bytes that are not a transfer.
absl::StatusOr<Transfer> DecodeTransfer(std::string_view bytes);

// The transfer's execution id (workflow_ids.h MakeExecutionId).
absl::StatusOr<std::string> TransferExecutionId(const Transfer& transfer);
// The primary key of one step of a transfer: "<key>/<step>".
std::string StepKey(const Transfer& transfer, Step step);

// Where account steps happen. Apply changes the step's account once per
// StepKey, however often it is called, and returns the encoded effect, or
// fails with Cause::Fail(kAccountClosed) for a credit of a closed account.
class Accounts {
 public:
  virtual ~Accounts() = default;
  virtual Task<workflow::Outcome<std::string>> Apply(Step step,
                                                     Transfer transfer) = 0;
  // A compensation of `step` of `execution_id` starts.
  virtual void OnCompensation(const std::string& execution_id, Step step) = 0;
};

struct TransferOptions {
  // Whether the debit registers its refund (off only for a mutant).
  bool compensate = true;
};

// Registers the Transfer workflow with `engine`; `accounts` outlives it.
absl::Status RegisterTransfer(workflow::WorkflowEngine& engine,
                              Accounts* accounts, TransferOptions options = {});

}  // namespace clustersim::scenarios::bank

#endif  // CLUSTERSIM_SCENARIOS_BANK_TRANSFER_H_
