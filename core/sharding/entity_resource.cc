#include "core/sharding/entity_resource.h"

#include <optional>
#include <utility>

#include "absl/status/status.h"

namespace clustersim::sharding {

struct EntityResourceBase::State {
  // Null once the resource is gone (the entity stopped): nothing is
  // released after that.
  std::shared_ptr<EntityResourceBase*> owner;
  Latch ready;
  std::optional<absl::Status> failure;
  std::shared_ptr<void> value;
  std::function<void()> on_close;
  int64_t leases = 0;
  // Gets waiting for the acquisition (no idle expiry meanwhile).
  int64_t waiting = 0;
  // Closed while leased: released when the last lease goes.
  bool invalidated = false;
  // Bumped by every Get and Close, so a pending idle expiry is stale.
  uint64_t idle_generation = 0;
};

EntityResourceBase::EntityResourceBase(EntityContext& context, Options options)
    : context_(context),
      options_(std::move(options)),
      self_(std::make_shared<EntityResourceBase*>(this)),
      scope_(context.activation_scope()) {
  if (options_.acquire_eagerly) {
    current_ = std::make_shared<State>();
    current_->owner = self_;
    scope_.Spawn(Acquire(current_), "entity_resource.acquire");
  }
}

EntityResourceBase::~EntityResourceBase() {
  *self_ = nullptr;
  scope_.Close();
}

Task<absl::StatusOr<std::shared_ptr<EntityResourceBase::State>>>
EntityResourceBase::GetState() {
  if (current_ == nullptr) {
    current_ = std::make_shared<State>();
    current_->owner = self_;
    scope_.Spawn(Acquire(current_), "entity_resource.acquire");
  }
  std::shared_ptr<State> state = current_;
  ++state->idle_generation;
  ++state->waiting;
  struct Waiting {
    State* state;
    ~Waiting() { --state->waiting; }
  } waiting{state.get()};
  co_await state->ready.Wait();
  if (state->failure.has_value()) co_return *state->failure;
  co_return state;
}

Task<void> EntityResourceBase::Acquire(std::shared_ptr<State> state) {
  context_.KeepAlive(true);
  absl::StatusOr<Acquired> acquired = co_await options_.acquire();
  if (!acquired.ok()) {
    // Effect closes the acquisition's scope with the failure: its finalizer
    // turns the keep-alive off again.
    state->failure = acquired.status();
    if (current_ == state) current_ = nullptr;
    context_.KeepAlive(false);
    state->ready.Open();
    co_return;
  }
  state->value = std::move(acquired->value);
  state->on_close = std::move(acquired->on_close);
  state->ready.Open();
  // Acquired eagerly, nobody waiting: idle from now on.
  if (state->waiting == 0 && state->leases == 0) {
    scope_.Spawn(ExpireWhenIdle(state), "entity_resource.idle");
  }
}

void EntityResourceBase::Release(State& state) {
  if (state.on_close) std::exchange(state.on_close, nullptr)();
  context_.KeepAlive(false);
}

Task<void> EntityResourceBase::ExpireWhenIdle(std::shared_ptr<State> state) {
  if (options_.idle_time_to_live_ms == kNeverIdle) co_return;
  const uint64_t generation = state->idle_generation;
  co_await SleepMs(options_.idle_time_to_live_ms);
  if (current_ != state || state->leases > 0 || state->waiting > 0 ||
      state->idle_generation != generation) {
    co_return;
  }
  current_ = nullptr;
  Release(*state);
}

void EntityResourceBase::Close() {
  if (current_ == nullptr || !current_->ready.is_open()) return;
  std::shared_ptr<State> state = std::exchange(current_, nullptr);
  state->invalidated = true;
  ++state->idle_generation;
  if (state->leases == 0) Release(*state);
}

EntityResourceBase::LeaseBase::LeaseBase(std::shared_ptr<State> state)
    : state_(std::move(state)) {
  ++state_->leases;
}

EntityResourceBase::LeaseBase::~LeaseBase() {
  if (state_ == nullptr) return;
  EntityResourceBase* owner = *state_->owner;
  if (--state_->leases > 0 || owner == nullptr) return;
  if (state_->invalidated) {
    owner->Release(*state_);
  } else {
    ++state_->idle_generation;
    owner->scope_.Spawn(owner->ExpireWhenIdle(state_), "entity_resource.idle");
  }
}

const std::shared_ptr<void>& EntityResourceBase::LeaseBase::value() const {
  return state_->value;
}

}  // namespace clustersim::sharding
