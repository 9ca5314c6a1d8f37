// The bank scenario's parts (bank.h): the Account entity's contract and
// handler (bank_account.cc), the oracle that checks a run from outside the
// nodes (bank_oracle.cc), and the runner nodes with their clients and the
// run itself (bank.cc). Internal to //scenarios:bank.
//
// Single-threaded, like the simulation. A run owns its BankSetup and its
// Oracle; both outlive the nodes and the entities, which hold them by
// pointer.
#ifndef CLUSTERSIM_SCENARIOS_BANK_INTERNAL_H_
#define CLUSTERSIM_SCENARIOS_BANK_INTERNAL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/reply.h"
#include "core/storage/storage_server.h"
#include "scenarios/bank_transfer.h"
#include "scenarios/harness.h"
#include "scenarios/scenario.h"
#include "sim/checkers/finding.h"
#include "sim/checkers/ledger.h"
#include "sim/checkers/lock_belief.h"
#include "sim/checkers/single_activation.h"
#include "sim/checkers/storage_watch.h"
#include "sim/checkers/workflow_checker.h"
#include "sim/trace.h"

namespace clustersim::scenarios::bank_internal {

using bank::Step;
using bank::Transfer;

inline constexpr char kAccountType[] = "Account";
inline constexpr char kShardGroup[] = "default";
inline constexpr int kAccounts = 6;

// Liveness: every started execution completes within this bound after the
// later of its start and the last fault's end; clients stop starting
// transfers this long before the end, and a run with timed faults lasts
// until kSettleUs (bank.cc) after the last one.
inline constexpr int64_t kLivenessBoundUs = 25'000'000;

// "a0".."a5".
std::string AccountName(int i);

// --- The Account entity (bank_account.cc) ----------------------------------

struct StepRequest {
  std::string transfer;
  std::string account;
  int64_t amount = 0;
  std::string primary_key;
};

// What an account step applied: the ledger entry.
struct Applied {
  std::string transfer;
  std::string step;
  std::string account;
  int64_t delta = 0;
};

using StepRpc = sharding::TypedRpc<StepRequest, Applied>;

// Debit, Credit and Refund, by step.
const StepRpc& RpcFor(Step step);

// The run's fixed facts, shared by every node.
struct BankSetup {
  std::string closed_account;
  bool step_new_key = false;
  bool compensate = true;
  Mode mode = Mode::kReference;
  int load_percent = kFullLoadPercent;
};

class AccountEntity : public sharding::EntityHandler {
 public:
  explicit AccountEntity(const BankSetup* setup) : setup_(setup) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override;

 private:
  static Task<absl::StatusOr<Applied>> Apply(Step step, StepRequest in,
                                             bool refused);
  static Task<storage::Exit> UnknownTag(std::string tag);

  const BankSetup* setup_;
};

sharding::EntityDefinition AccountDefinition();

// --- The client's book: transfers that outlive the client's incarnations --

struct Intent {
  Transfer transfer;
  std::string execution_id;
  bool approve = true;
  // The model: whether the transfer must end credited (else refunded).
  bool applies = true;
  std::optional<bool> observed_success;
  // When its client first started it (world time), whether some client has
  // given its approval, and whether another node started it for a client
  // that died (CaretakerLoop).
  int64_t started_us = 0;
  bool approval_given = false;
  bool adopted = false;
};

// --- The oracle (bank_oracle.cc) -------------------------------------------

// Sees the trace (entities, workflows, storage) and the clients' books from
// outside the nodes, so it survives their crashes; feeds every checker.
class Oracle : public sim::TraceListener {
 public:
  Oracle(SimHarness& harness, const storage::StorageBackend& backend,
         uint32_t storage_node, int64_t stop_issuing_us);

  void OnTraceEvent(int64_t time_us, uint32_t node, std::string_view kind,
                    std::string_view detail) override;

  bool Issuing() const { return h_.world().now_us() < stop_issuing_us_; }
  // The book of the client of `node`.
  std::vector<Intent>& Book(uint32_t node) { return books_[node]; }
  std::map<uint32_t, std::vector<Intent>>& Books() { return books_; }
  int64_t NowUs() const { return h_.world().now_us(); }
  void StartResent() { ++resent_starts_; }
  void Redriven() { ++redriven_; }

  void Finish();

 private:
  struct StepCounts {
    int debit = 0;
    int credit = 0;
    int refund = 0;
  };

  sim::checkers::FindingSink Sink();
  void ExitAccepted(const storage::WithExit& exit);
  // Expects the model's effects of `intent`: all of them once it is judged
  // final, else those of its steps recorded so far that the model allows.
  void Judge(const Intent& intent, bool final);

  SimHarness& h_;
  uint32_t storage_node_;
  int64_t stop_issuing_us_;
  sim::checkers::SingleActivationChecker activation_;
  sim::checkers::LockBeliefChecker lock_belief_;
  sim::checkers::WorkflowChecker workflow_;
  sim::checkers::LedgerChecker ledger_;
  sim::checkers::StorageWatch watch_;
  // std::map: clients hold references across other clients' inserts.
  std::map<uint32_t, std::vector<Intent>> books_;
  // Transfer key -> its account steps recorded in storage.
  absl::btree_map<std::string, StepCounts> steps_;
  // "<tag>/<execution id>" -> compensations started.
  absl::btree_map<std::string, int64_t> compensations_;
  int64_t resent_starts_ = 0;
  int64_t redriven_ = 0;
};

}  // namespace clustersim::scenarios::bank_internal

#endif  // CLUSTERSIM_SCENARIOS_BANK_INTERNAL_H_
