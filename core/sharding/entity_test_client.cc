#include "core/sharding/entity_test_client.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/sync.h"

namespace clustersim::sharding {

// One entity's activation: its EntityContext, handler and concurrency.
class EntityTestClient::Activation final : public EntityContext {
 public:
  Activation(EntityAddress address, Executor& executor, Scope& parent,
             int32_t concurrency)
      : address_(std::move(address)),
        executor_(executor),
        semaphore_(concurrency),
        scope_(parent) {}
  ~Activation() override {
    scope_.Close();
    handler_.reset();
    for (auto it = finalizers_.rbegin(); it != finalizers_.rend(); ++it) {
      (*it)(/*abandoned=*/false);
    }
    while (!state_.empty()) state_.pop_back();
  }

  const EntityAddress& address() const override { return address_; }
  const RunnerAddress& runner_address() const override {
    static const RunnerAddress* const kTestRunner =
        new RunnerAddress("localhost", 3000);
    return *kTestRunner;
  }
  int64_t NowMs() const override { return executor_.NowMs(); }
  // Nothing reaps a test client's entities.
  void KeepAlive(bool) override {}
  void AddActivationFinalizer(
      std::function<void(bool abandoned)> finalizer) override {
    finalizers_.push_back(std::move(finalizer));
  }
  Scope& activation_scope() override { return scope_; }

  std::unique_ptr<EntityHandler> handler_;
  Semaphore semaphore_;

 protected:
  std::shared_ptr<void>& ActivationSlot(const void* key) override {
    for (auto& [slot_key, value] : state_) {
      if (slot_key == key) return value;
    }
    return state_.emplace_back(key, nullptr).second;
  }

 private:
  EntityAddress address_;
  Executor& executor_;
  std::vector<std::pair<const void*, std::shared_ptr<void>>> state_;
  std::vector<std::function<void(bool)>> finalizers_;
  Scope scope_;
};

namespace {

// Hands a stream's chunks to the caller at once.
class CallbackChunks final : public ChunkWriter {
 public:
  explicit CallbackChunks(
      std::function<void(const std::vector<std::string>&)> on_chunk)
      : on_chunk_(std::move(on_chunk)) {}
  Task<absl::Status> Emit(std::vector<std::string> values) override {
    if (on_chunk_) on_chunk_(values);
    co_return absl::OkStatus();
  }

 private:
  std::function<void(const std::vector<std::string>&)> on_chunk_;
};

}  // namespace

EntityTestClient::EntityTestClient(EntityDefinition definition,
                                   EntityFactory factory,
                                   int32_t shards_per_group, Executor& executor)
    : definition_(std::move(definition)),
      factory_(std::move(factory)),
      shards_per_group_(shards_per_group),
      executor_(executor),
      scope_(executor) {}

EntityTestClient::~EntityTestClient() {
  // Fibers first, while the activations they use are alive.
  scope_.Close();
  activations_.clear();
}

absl::StatusOr<EntityAddress> EntityTestClient::AddressOf(
    const EntityId& id) const {
  absl::StatusOr<ShardId> shard =
      ShardIdFor(id, definition_.ShardGroupOf(id), shards_per_group_);
  if (!shard.ok()) return shard.status();
  return EntityAddress(definition_.type(), id, *std::move(shard));
}

absl::StatusOr<EntityTestClient::Activation*> EntityTestClient::ActivationFor(
    const EntityId& id) {
  if (auto it = activations_.find(id); it != activations_.end()) {
    return it->second.get();
  }
  absl::StatusOr<EntityAddress> address = AddressOf(id);
  if (!address.ok()) return address.status();
  auto activation =
      std::make_unique<Activation>(*std::move(address), executor_, scope_,
                                   definition_.options().concurrency);
  absl::StatusOr<std::unique_ptr<EntityHandler>> handler =
      factory_(*activation);
  if (!handler.ok()) return handler.status();
  activation->handler_ = *std::move(handler);
  return activations_.emplace(id, std::move(activation)).first->second.get();
}

Task<absl::StatusOr<storage::Exit>> EntityTestClient::Send(
    EntityId id, std::string tag, std::string payload,
    std::function<void(const std::vector<std::string>&)> on_chunk) {
  const RpcSpec* rpc = definition_.Find(tag);
  if (rpc == nullptr) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "entity type ", definition_.type().value(), " has no RPC ", tag));
  }
  absl::StatusOr<Activation*> activation = ActivationFor(id);
  if (!activation.ok()) co_return activation.status();
  Activation& entity = **activation;
  // Effect's test RpcServer runs requests with the entity's concurrency.
  Semaphore::Permit permit = co_await entity.semaphore_.Acquire();
  EntityRequest request{Snowflake(next_request_id_++), std::move(tag),
                        std::move(payload), std::nullopt,
                        InterruptReason::kNone};
  CallbackChunks chunks(std::move(on_chunk));
  co_return co_await entity.handler_->Handle(request,
                                             rpc->stream ? &chunks : nullptr);
}

}  // namespace clustersim::sharding
