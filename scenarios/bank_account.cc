// The bank's Account entity: its Debit, Credit and Refund RPCs (persisted,
// keyed by "<transfer key>/<step>") and its handler, which refuses credits
// to the run's closed account.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/sharding/typed_rpc.h"
#include "core/storage/reply.h"
#include "scenarios/bank_internal.h"
#include "scenarios/bank_transfer.h"

namespace clustersim::scenarios::bank_internal {
namespace {

// An Account works this long on a step.
constexpr int64_t kStepWorkMs = 3;

void EncodeStep(const StepRequest& in, codec::ByteWriter& writer) {
  writer.PutString(in.transfer);
  writer.PutString(in.account);
  writer.PutSignedVarint(in.amount);
  writer.PutString(in.primary_key);
}

absl::StatusOr<StepRequest> DecodeStep(codec::ByteReader& reader) {
  StepRequest in;
  CLUSTERSIM_ASSIGN_OR_RETURN(in.transfer, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.account, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.amount, reader.GetSignedVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(in.primary_key, reader.GetString());
  return in;
}

void EncodeApplied(const Applied& out, codec::ByteWriter& writer) {
  writer.PutString(out.transfer);
  writer.PutString(out.step);
  writer.PutString(out.account);
  writer.PutSignedVarint(out.delta);
}

absl::StatusOr<Applied> DecodeApplied(codec::ByteReader& reader) {
  Applied out;
  CLUSTERSIM_ASSIGN_OR_RETURN(out.transfer, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.step, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.account, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.delta, reader.GetSignedVarint());
  return out;
}

}  // namespace

std::string AccountName(int i) { return absl::StrCat("a", i); }

const StepRpc& RpcFor(Step step) {
  static const auto* const rpcs = [] {
    auto* all = new std::vector<StepRpc>();
    for (const char* tag : {"Debit", "Credit", "Refund"}) {
      StepRpc::Options options;
      options.persisted = true;
      // The activity asks again under the same key instead of interrupting.
      options.uninterruptible = sharding::Uninterruptible::kClient;
      options.primary_key = [](const StepRequest& in) {
        return std::optional<std::string>(in.primary_key);
      };
      all->emplace_back(
          tag, sharding::WireCodec<StepRequest>{&EncodeStep, &DecodeStep},
          sharding::WireCodec<Applied>{&EncodeApplied, &DecodeApplied},
          std::move(options));
    }
    return all;
  }();
  return (*rpcs)[static_cast<size_t>(step)];
}

Task<storage::Exit> AccountEntity::Handle(
    const sharding::EntityRequest& request, sharding::ChunkWriter*) {
  for (Step step : {Step::kDebit, Step::kCredit, Step::kRefund}) {
    if (request.tag != RpcFor(step).tag()) continue;
    return RpcFor(step).Serve(request, [this, step](StepRequest in) {
      const bool refused =
          step == Step::kCredit && in.account == setup_->closed_account;
      return Apply(step, std::move(in), refused);
    });
  }
  return UnknownTag(request.tag);
}

Task<absl::StatusOr<Applied>> AccountEntity::Apply(Step step, StepRequest in,
                                                   bool refused) {
  co_await SleepMs(kStepWorkMs);
  if (refused) co_return absl::FailedPreconditionError(bank::kAccountClosed);
  co_return Applied{std::move(in.transfer), std::string(bank::StepName(step)),
                    std::move(in.account),
                    step == Step::kDebit ? -in.amount : in.amount};
}

Task<storage::Exit> AccountEntity::UnknownTag(std::string tag) {
  co_return storage::Exit::Failure(
      storage::Cause{storage::CauseKind::kDie, "unknown tag " + tag});
}

sharding::EntityDefinition AccountDefinition() {
  sharding::EntityDefinition definition{EntityType(kAccountType)};
  for (Step step : {Step::kDebit, Step::kCredit, Step::kRefund}) {
    definition.Add(RpcFor(step).Spec());
  }
  return definition;
}

}  // namespace clustersim::scenarios::bank_internal
