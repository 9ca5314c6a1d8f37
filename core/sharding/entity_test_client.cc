#include "core/sharding/entity_test_client.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_exits.h"

namespace clustersim::sharding {

// One request in flight.
struct EntityTestClient::Call {
  explicit Call(EntityRequest request) : request(std::move(request)) {}

  EntityRequest request;
  std::unique_ptr<ChunkWriter> chunks;
  bool stream = false;
  FiberId fiber;
  Latch done;
  std::optional<storage::Exit> exit;
};

// One entity's activation: its EntityContext, handler, concurrency and the
// requests in flight.
class EntityTestClient::Activation final : public EntityContext {
 public:
  Activation(EntityAddress address, Executor& executor, Scope& parent,
             int32_t concurrency)
      : semaphore_(concurrency),
        address_(std::move(address)),
        executor_(executor),
        scope_(parent),
        requests_(scope_) {}
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
  // Never run: the activation ends in the client's destructor, which cannot
  // await a task (see entity_test_client.h).
  void AddAsyncActivationFinalizer(
      std::function<Task<void>(bool abandoned)>) override {}
  Scope& activation_scope() override { return scope_; }
  // The handlers' fibers.
  Scope& requests() { return requests_; }

  // Ends request `key` with `exit` (no-op if it already ended).
  void Finish(int64_t key, storage::Exit exit) {
    auto it = calls.find(key);
    if (it == calls.end()) return;
    std::shared_ptr<Call> call = std::move(it->second);
    calls.erase(it);
    call->exit = std::move(exit);
    call->done.Open();
  }

  std::unique_ptr<EntityHandler> handler_;
  Semaphore semaphore_;
  std::map<int64_t, std::shared_ptr<Call>> calls;

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
  Scope requests_;
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
  retired_.clear();
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
  Activation* entity = *activation;
  auto call = std::make_shared<Call>(
      EntityRequest{Snowflake(next_request_id_++), std::move(tag),
                    std::move(payload), std::nullopt, InterruptReason::kNone});
  call->chunks = std::make_unique<CallbackChunks>(std::move(on_chunk));
  call->stream = rpc->stream;
  entity->calls[call->request.request_id.value()] = call;
  call->fiber = entity->requests().Spawn(Run(entity, call), "test_client.call");
  // A cancelled caller interrupts its handler.
  struct Interrupt {
    Activation* entity;
    Call* call;
    ~Interrupt() {
      if (call->done.is_open()) return;
      entity->calls.erase(call->request.request_id.value());
      entity->requests().Cancel(call->fiber);
    }
  } interrupt{entity, call.get()};
  co_await call->done.Wait();
  co_return *call->exit;
}

Task<void> EntityTestClient::Run(Activation* entity,
                                 std::shared_ptr<Call> call) {
  // Effect's test RpcServer runs requests with the entity's concurrency.
  Semaphore::Permit permit = co_await entity->semaphore_.Acquire();
  storage::Exit exit = co_await entity->handler_->Handle(
      call->request, call->stream ? call->chunks.get() : nullptr);
  const bool fatal = !exit.is_success() &&
                     exit.cause().kind == storage::CauseKind::kDie &&
                     !IsMalformedMessage(exit.cause()) &&
                     !definition_.options().disable_fatal_defects;
  if (fatal) {
    FatalDefect(*entity, *call, exit);
  } else {
    entity->Finish(call->request.request_id.value(), std::move(exit));
  }
}

void EntityTestClient::FatalDefect(Activation& entity, const Call& defecting,
                                   const storage::Exit& exit) {
  // As Effect's test RpcServer: every request in flight on the entity ends
  // with the defect (other entities are untouched).
  std::vector<FiberId> others;
  std::vector<int64_t> keys;
  for (const auto& [key, call] : entity.calls) {
    keys.push_back(key);
    if (call.get() != &defecting) others.push_back(call->fiber);
  }
  for (int64_t key : keys) entity.Finish(key, exit);
  for (FiberId fiber : others) entity.requests().Cancel(fiber);
  // The next request builds a new activation; this one lives on (its
  // finalizers unrun) until the client goes, as the fiber running this
  // still uses it.
  auto it = activations_.find(entity.address().entity_id());
  retired_.push_back(std::move(it->second));
  activations_.erase(it);
}

}  // namespace clustersim::sharding
