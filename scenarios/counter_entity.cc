#include "scenarios/counter_entity.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/base/status_macros.h"
#include "core/cluster/shard_routing.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/runtime/sync.h"

namespace clustersim::scenarios::counter {
namespace {

using ledger::Increment;

void EncodeCounterApplied(const CounterApplied& out,
                          codec::ByteWriter& writer) {
  writer.PutString(out.key);
  writer.PutString(out.op);
  writer.PutSignedVarint(out.amount);
  writer.PutSignedVarint(out.value);
}

absl::StatusOr<CounterApplied> DecodeCounterApplied(codec::ByteReader& reader) {
  CounterApplied out;
  CLUSTERSIM_ASSIGN_OR_RETURN(out.key, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.op, reader.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.amount, reader.GetSignedVarint());
  CLUSTERSIM_ASSIGN_OR_RETURN(out.value, reader.GetSignedVarint());
  return out;
}

class CounterEntity : public sharding::EntityHandler {
 public:
  CounterEntity(sharding::EntityContext& context, CounterDatabase* database,
                const HandlerStartedFn* handler_started)
      : context_(context),
        database_(database),
        handler_started_(handler_started),
        value_(database->Load(context.address().entity_id().value())) {}

  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    (*handler_started_)(request.request_id, context_.runner_address());
    return CounterIncrementRpc().Serve(
        request, [this](Increment in) { return Apply(this, std::move(in)); });
  }

 private:
  static Task<absl::StatusOr<CounterApplied>> Apply(CounterEntity* self,
                                                    Increment in) {
    co_await SleepMs(kWorkMsPerUnit * std::max<int64_t>(in.amount, 0));
    if (std::optional<int64_t> value = self->database_->AppliedValue(in.op)) {
      co_return CounterApplied{std::move(in.key), std::move(in.op), in.amount,
                               *value};
    }
    self->value_ += in.amount;
    self->database_->Write(
        absl::StrCat("runner ", self->context_.runner_address().Key()), in.key,
        in.op, in.amount, self->value_);
    co_return CounterApplied{std::move(in.key), std::move(in.op), in.amount,
                             self->value_};
  }

  sharding::EntityContext& context_;
  CounterDatabase* const database_;
  const HandlerStartedFn* const handler_started_;
  // The cache: loaded at activation, written through.
  int64_t value_;
};

}  // namespace

const CounterRpcType& CounterIncrementRpc() {
  static const CounterRpcType* const rpc = new CounterRpcType(
      ledger::kIncrementTag, ledger::IncrementCodec(),
      sharding::WireCodec<CounterApplied>{&EncodeCounterApplied,
                                          &DecodeCounterApplied},
      ledger::IncrementOptions<CounterApplied>(/*persisted=*/true));
  return *rpc;
}

EntityAddress CounterAddress(const std::string& key) {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(EntityId(key), ledger::kShardGroup, kShards);
  CHECK(shard.ok(), "counter keys route");
  return EntityAddress(EntityType(kCounterType), EntityId(key), *shard);
}

sharding::EntityDefinition CounterDefinition() {
  sharding::EntityDefinition definition{EntityType(kCounterType)};
  definition.Add(CounterIncrementRpc().Spec());
  return definition;
}

sharding::EntityFactory CounterFactory(CounterDatabase* database,
                                       HandlerStartedFn handler_started) {
  auto started =
      std::make_shared<const HandlerStartedFn>(std::move(handler_started));
  return [database, started](sharding::EntityContext& context)
             -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
    return std::make_unique<CounterEntity>(context, database, started.get());
  };
}

}  // namespace clustersim::scenarios::counter
