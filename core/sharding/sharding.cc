#include "core/sharding/sharding.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/cluster/shard_routing.h"
#include "core/sharding/async.h"
#include "core/storage/storage_errors.h"

namespace clustersim::sharding {
namespace {

// Calls `call` (returning a Task<absl::Status>) once in reference mode, as
// Effect does; in hardened mode until it succeeds, HardenedRetryDelayMs
// apart. Returns the last status.
template <typename Call>
Task<absl::Status> RetryWhenHardened(Mode mode, Call call) {
  for (int attempt = 0;; ++attempt) {
    const absl::Status status = co_await call();
    if (status.ok() || mode == Mode::kReference) co_return status;
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

// Effect's RunnerHealth.layerPing: 5 retries, 500 ms apart.
constexpr int kPingRetries = 5;
constexpr int64_t kPingRetryDelayMs = 500;
// Effect's health check runs 10 checks at a time.
constexpr size_t kHealthCheckConcurrency = 10;
// The entities gauge is refreshed every second.
constexpr int64_t kEntityGaugeIntervalMs = 1'000;

absl::Status Defect(const absl::Status& cause) {
  return absl::InternalError(
      absl::StrCat("defect: ", std::string(cause.message())));
}

bool IsUninterruptibleForClient(const RpcSpec& rpc) {
  return rpc.uninterruptible == Uninterruptible::kClient ||
         rpc.uninterruptible == Uninterruptible::kBoth;
}

RpcSpec KeepAliveSpec() {
  RpcSpec spec;
  spec.tag = kKeepAliveTag;
  spec.persisted = true;
  spec.uninterruptible = Uninterruptible::kBoth;
  return spec;
}

}  // namespace

Sharding::Sharding(ShardingConfig config, const NodeEnv& env,
                   storage::StorageClient& storage, RpcEndpoint& rpc,
                   const RunnerResolver& resolver, ClusterMetrics& metrics,
                   Options options)
    : config_(std::move(config)),
      env_(env),
      storage_(storage),
      metrics_(metrics),
      options_(options),
      step_free_clock_(*env.executor),
      snowflakes_(config_.mode == Mode::kHardened
                      ? static_cast<const Clock&>(step_free_clock_)
                      : *env.executor,
                  RandomMachineId(*env.random),
                  /*strict=*/config_.mode == Mode::kHardened, config_.mutant),
      keep_alive_spec_(KeepAliveSpec()),
      scope_(*env.scope),
      calls_scope_(scope_),
      misc_scope_(scope_),
      residency_(config_.max_resident_entities,
                 [this] {
                   if (read_loop_ != nullptr) read_loop_->Wake();
                 }),
      poller_(config_, env_, storage, scope_),
      runner_client_(rpc, resolver, snowflakes_, scope_),
      runners_(config_, storage, reply_handlers_, poller_, runner_client_,
               snowflakes_),
      entities_scope_(scope_),
      registry_(config_, *env.executor) {
  CHECK(config_.Validate().ok(), "Sharding needs a valid config");
  if (config_.runner_address.has_value()) {
    locks_ = std::make_unique<ShardLocks>(config_, env_, storage, scope_,
                                          static_cast<ShardLockHooks&>(*this),
                                          metrics_);
  }
  membership_ = std::make_unique<RunnerMembership>(
      config_, env_, storage, locks_.get(), snowflakes_, scope_, metrics_,
      [this] { return shutdown_; },
      [this](const RunnerAddress& address) {
        runner_client_.OnRunnerUnavailable(address);
      });
  singletons_ = std::make_unique<Singletons>(
      config_, env_,
      [this](const ShardId& shard) {
        return locks_ != nullptr && locks_->IsAcquired(shard);
      },
      metrics_, scope_);
  if (locks_ != nullptr) {
    read_loop_ = std::make_unique<StorageReadLoop>(
        config_, env_, storage, registry_, *locks_, residency_,
        // A coroutine, so that the address StoreReply refers to lives in its
        // frame (a plain lambda's parameter would be gone before StoreReply,
        // which starts when awaited, reads it for the fencing token).
        [this](EntityAddress address,
               storage::WithExit reply) -> Task<absl::Status> {
          co_return co_await StoreReply(address, std::move(reply));
        },
        [this] { return snowflakes_.Next(); }, scope_);
    // Effect's runner health checker is a singleton of every runner.
    CHECK(singletons_
              ->Register(kRunnerHealthSingleton, "default",
                         [this] { return RunHealthChecks(); })
              .ok());
  }
}

Sharding::~Sharding() {
  // Every fiber of ours refers to our members: end them first.
  scope_.Close();
}

void Sharding::Start() {
  membership_->Start();
  if (locks_ != nullptr) locks_->Start();
  if (read_loop_ != nullptr) read_loop_->Start();
  poller_.Start();
  misc_scope_.Spawn(EntityGauges(), "sharding.gauges");
}

const RunnerAddress& Sharding::runner_address() const {
  CHECK(config_.runner_address.has_value(),
        "a client-only node has no "
        "runner address");
  return *config_.runner_address;
}

bool Sharding::HasShardId(const ShardId& shard) const {
  // The mutant no-lock-check takes messages for shards it does not hold.
  return !shutdown_ &&
         (IsLocalShard(shard) || config_.mutant == Mutant::kNoLockCheck);
}

bool Sharding::IsLocalShard(const ShardId& shard) const {
  return locks_ != nullptr && locks_->IsAcquired(shard);
}

const absl::btree_set<ShardId>& Sharding::acquired_shards() const {
  static const absl::btree_set<ShardId> kNone;
  return locks_ != nullptr ? locks_->acquired() : kNone;
}

int64_t Sharding::ActiveEntityCount() const {
  int64_t count = 0;
  for (const EntityRegistry::Entry* entry : registry_.entries()) {
    count += entry->manager->ActiveEntityCount();
  }
  return count;
}

absl::StatusOr<ShardId> Sharding::ShardFor(const EntityId& id,
                                           const std::string& group) const {
  return ShardIdFor(id, group, config_.shards_per_group);
}

void Sharding::PollStorage() {
  if (read_loop_ != nullptr) read_loop_->Wake();
}

// --- Registration -----------------------------------------------------------

void Sharding::DefineEntity(EntityDefinition definition) {
  const EntityType type = definition.type();
  if (definitions_.contains(type)) return;
  definitions_.emplace(
      type, std::make_unique<EntityDefinition>(std::move(definition)));
}

absl::Status Sharding::RegisterEntity(EntityDefinition definition,
                                      EntityFactory factory) {
  if (!config_.runner_address.has_value() ||
      registry_.Find(definition.type()) != nullptr) {
    return absl::OkStatus();
  }
  DefineEntity(definition);
  env_.trace->Record("entity.register", definition.type().value());
  auto manager = std::make_unique<EntityManager>(
      std::move(definition), std::move(factory), *this, env_, entities_scope_);
  // Registered while storage is idle, so message order is preserved.
  if (std::optional<Semaphore::Permit> idle =
          read_loop_->read_lock().TryAcquire()) {
    AddEntity(std::move(manager));
    return absl::OkStatus();
  }
  misc_scope_.Spawn(AddEntityWhenIdle(std::move(manager)), "sharding.register");
  return absl::OkStatus();
}

Task<void> Sharding::AddEntityWhenIdle(std::unique_ptr<EntityManager> manager) {
  Semaphore::Permit idle = co_await read_loop_->read_lock().Acquire();
  AddEntity(std::move(manager));
}

void Sharding::AddEntity(std::unique_ptr<EntityManager> manager) {
  const EntityType type = manager->definition().type();
  registry_.Add(std::move(manager));
  // Messages held back for the type are read now.
  read_loop_->Wake();
  registration_events_.Publish(EntityRegistered{type});
}

absl::Status Sharding::RegisterSingleton(std::string name,
                                         const std::string& shard_group,
                                         SingletonRun run) {
  absl::StatusOr<SingletonAddress> address =
      singletons_->Register(std::move(name), shard_group, std::move(run));
  if (!address.ok()) return address.status();
  registration_events_.Publish(SingletonRegistered{*std::move(address)});
  return absl::OkStatus();
}

// --- ShardLockHooks
// -------------------------------------------------------------

Task<void> Sharding::InterruptShards(std::vector<ShardId> shards, bool force) {
  std::vector<FiberHandle> stops;
  for (const ShardId& shard : shards) {
    for (EntityRegistry::Entry* entry : registry_.entries()) {
      if (entry->status == EntityStatus::kClosed) continue;
      stops.push_back(SpawnJoinable(
          locks_->release_scope(), entry->manager->InterruptShard(shard, force),
          "shard.interrupt"));
    }
  }
  for (const FiberHandle& stop : stops) co_await stop.Join();
}

Task<void> Sharding::StopSingletons(std::vector<ShardId>) {
  // Cancellation is synchronous: once synced, the shards' singletons are
  // gone.
  singletons_->Sync();
  co_return;
}

void Sharding::SyncSingletons() { singletons_->Sync(); }

void Sharding::StopShardsNow(const std::vector<ShardId>& shards) {
  for (const ShardId& shard : shards) {
    for (EntityRegistry::Entry* entry : registry_.entries()) {
      entry->manager->StopShardNow(shard);
    }
  }
  // The shards are no longer acquired: syncing stops their singletons.
  singletons_->Sync();
}

void Sharding::OnShardsAcquired() { read_loop_->Wake(); }

void Sharding::OnShardReleased(const ShardId& shard) {
  // During shutdown the waiters will never see their reply here: interrupt
  // them; during a rebalance they fall back to storage polling.
  reply_handlers_.UnregisterShard(shard, shutdown_);
}

// --- Client
// ---------------------------------------------------------------------

absl::StatusOr<OutgoingRequest> Sharding::PrepareRequest(const EntityType& type,
                                                         const EntityId& id,
                                                         std::string tag,
                                                         std::string payload) {
  auto it = definitions_.find(type);
  if (it == definitions_.end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown entity type '", type.value(), "'"));
  }
  const EntityDefinition& definition = *it->second;
  const RpcSpec* rpc = definition.Find(tag);
  if (rpc == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entity type '", type.value(), "' has no rpc '", tag, "'"));
  }
  absl::StatusOr<ShardId> shard = ShardFor(id, definition.ShardGroupOf(id));
  if (!shard.ok()) return shard.status();
  EntityAddress address(type, id, *std::move(shard));
  std::optional<std::string> primary_key;
  if (rpc->primary_key) {
    if (std::optional<std::string> key = rpc->primary_key(payload)) {
      primary_key = storage::ComposePrimaryKey(address, tag, *key);
    }
  }
  std::optional<int64_t> deliver_at_ms;
  if (rpc->deliver_at_ms) deliver_at_ms = rpc->deliver_at_ms(payload);
  return OutgoingRequest{storage::Request{snowflakes_.Next(),
                                          std::move(address),
                                          std::move(tag),
                                          std::move(payload),
                                          {},
                                          std::move(primary_key),
                                          deliver_at_ms},
                         rpc, std::nullopt, nullptr};
}

Task<absl::StatusOr<storage::Exit>> Sharding::Send(EntityType type, EntityId id,
                                                   std::string tag,
                                                   std::string payload,
                                                   CallOptions options) {
  absl::StatusOr<OutgoingRequest> prepared =
      PrepareRequest(type, id, std::move(tag), std::move(payload));
  if (!prepared.ok()) co_return prepared.status();
  OutgoingRequest request = *std::move(prepared);
  // The clients are closed (shut down): nothing would send it.
  if (calls_scope_.closed()) {
    co_return ToStatus(EntityNotAssignedToRunner{request.envelope.address});
  }
  const Snowflake request_id = request.envelope.request_id;
  auto call =
      std::make_shared<ClientCall>(request.envelope.address, request.rpc);
  request.respond = [call](storage::Reply reply) {
    call->replies.Push(std::move(reply));
  };
  client_calls_.emplace(request_id, call);
  std::string detail = call->address.ToString();
  absl::StrAppend(&detail, " ", request_id.value());
  env_.trace->Record("sharding.send", detail);
  // The send runs beside the caller, which consumes (and acks) replies.
  FiberHandle sender = SpawnJoinable(
      calls_scope_, RunClientSend(call, std::move(request)), "client.send");
  call->sender = sender;

  // Cancelling the caller stops the send and forwards the interrupt.
  struct Interrupted {
    Sharding* self;
    std::weak_ptr<int> alive;
    Snowflake request_id;
    std::shared_ptr<ClientCall> call;
    FiberHandle sender;
    const CallOptions* options;
    bool finished = false;
    ~Interrupted() {
      if (finished || alive.expired()) return;
      sender.Cancel();
      self->OnClientInterrupted(request_id, call, *options);
    }
  } guard{this, lifetime_, request_id, call, sender, &options};

  for (;;) {
    std::optional<std::variant<storage::Reply, absl::Status>> item =
        co_await call->replies.Receive();
    if (!item.has_value()) {
      guard.finished = true;
      co_return AbandonedError(call->address);
    }
    if (auto* status = std::get_if<absl::Status>(&*item)) {
      guard.finished = true;
      client_calls_.erase(request_id);
      co_return *status;
    }
    storage::Reply& reply = std::get<storage::Reply>(*item);
    if (auto* exit = std::get_if<storage::WithExit>(&reply)) {
      guard.finished = true;
      client_calls_.erase(request_id);
      co_return exit->exit;
    }
    const storage::Chunk& chunk = std::get<storage::Chunk>(reply);
    if (options.on_chunk) options.on_chunk(chunk.values);
    // Effect's client acknowledges every chunk, to the runner serving it.
    OutgoingEnvelope ack{storage::AckChunk{snowflakes_.Next(), call->address,
                                           request_id, chunk.id},
                         call->rpc->persisted};
    absl::Status acked = co_await SendOutgoing(std::move(ack), false,
                                               std::nullopt, call->runner);
    if (!acked.ok()) {
      guard.finished = true;
      sender.Cancel();
      client_calls_.erase(request_id);
      co_return acked;
    }
  }
}

Task<void> Sharding::RunClientSend(std::shared_ptr<ClientCall> call,
                                   OutgoingMessage message) {
  absl::Status status = co_await SendOutgoing(std::move(message), false,
                                              std::nullopt, std::nullopt);
  if (!status.ok()) call->replies.Push(std::move(status));
}

Task<absl::Status> Sharding::SendDiscard(EntityType type, EntityId id,
                                         std::string tag, std::string payload) {
  absl::StatusOr<OutgoingRequest> prepared =
      PrepareRequest(type, id, std::move(tag), std::move(payload));
  if (!prepared.ok()) co_return prepared.status();
  OutgoingRequest request = *std::move(prepared);
  request.respond = [](storage::Reply) {};
  co_return co_await SendOutgoing(std::move(request), true, std::nullopt,
                                  std::nullopt);
}

void Sharding::OnClientInterrupted(Snowflake request_id,
                                   const std::shared_ptr<ClientCall>& call,
                                   const CallOptions& options) {
  client_calls_.erase(request_id);
  if (IsUninterruptibleForClient(*call->rpc)) return;
  // Durable requests ignore interrupts caused by shutdown or by the
  // caller's own teardown: the request is served by the next owner.
  const bool transient =
      shutdown_ ||
      (options.caller.has_value() && IsInTeardown(*options.caller)) ||
      (options.singleton_shard.has_value() && locks_ != nullptr &&
       locks_->IsReleasing(*options.singleton_shard));
  if (transient && call->rpc->persisted) return;
  OutgoingEnvelope interrupt{
      storage::Interrupt{snowflakes_.Next(), call->address, request_id},
      call->rpc->persisted};
  calls_scope_.Spawn(SendInterrupt(std::move(interrupt), call->runner),
                     "client.interrupt");
}

Task<void> Sharding::SendInterrupt(OutgoingMessage message,
                                   std::optional<RunnerAddress> runner) {
  (void)co_await SendOutgoing(std::move(message), false, kInterruptSendRetries,
                              std::move(runner));
}

bool Sharding::IsInTeardown(const EntityAddress& caller) const {
  if (locks_ != nullptr && locks_->IsReleasing(caller.shard_id())) return true;
  const EntityRegistry::Entry* entry = registry_.Find(caller.entity_type());
  return entry != nullptr && entry->status != EntityStatus::kAlive;
}

Task<void> Sharding::CloseClients() {
  // Effect's client scope interrupts its outstanding requests: volatile
  // ones have their Interrupt forwarded (durable ones not: the runner is
  // shutting down, so it is transient), and the callers are interrupted.
  const auto calls = std::exchange(client_calls_, {});
  std::vector<FiberHandle> interrupts;
  for (const auto& [id, call] : calls) {
    call->sender.Cancel();
    if (IsUninterruptibleForClient(*call->rpc) || call->rpc->persisted) {
      continue;
    }
    OutgoingEnvelope interrupt{
        storage::Interrupt{snowflakes_.Next(), call->address, id}, false};
    interrupts.push_back(SpawnJoinable(
        calls_scope_, SendInterrupt(std::move(interrupt), call->runner),
        "client.interrupt"));
  }
  for (const FiberHandle& interrupt : interrupts) co_await interrupt.Join();
  calls_scope_.Close();
  for (const auto& [id, call] : calls) call->replies.Close();
}

void Sharding::SendKeepAlive(const EntityAddress& address) {
  misc_scope_.Spawn(SendKeepAliveTask(address), "entity.keep_alive");
}

Task<void> Sharding::SendKeepAliveTask(EntityAddress address) {
  OutgoingMessage request =
      OutgoingRequest{storage::Request{snowflakes_.Next(),
                                       std::move(address),
                                       kKeepAliveTag,
                                       "",
                                       {},
                                       std::nullopt,
                                       std::nullopt},
                      &keep_alive_spec_, std::nullopt, [](storage::Reply) {}};
  (void)co_await SendOutgoing(std::move(request), true, std::nullopt,
                              std::nullopt);
}

Task<absl::StatusOr<storage::WithExit>> Sharding::AwaitReply(
    Snowflake request_id, EntityAddress address) {
  std::optional<storage::WithExit> exit;
  co_await runners_.AwaitStoredReply(
      request_id, address, [&exit](storage::Reply reply) {
        if (auto* with_exit = std::get_if<storage::WithExit>(&reply)) {
          exit = std::move(*with_exit);
        }
      });
  if (!exit.has_value()) {
    co_return absl::UnavailableError(absl::StrCat(
        "stopped waiting for the reply of request ", request_id.ToString()));
  }
  co_return *std::move(exit);
}

Task<bool> Sharding::Reset(Snowflake request_id,
                           std::optional<Snowflake> expected_reply_id) {
  // Effect returns false on a failure, and its callers (workflow resumes)
  // ignore it, losing the wake-up (effect-semantics.md §14.4). Hardened
  // mode retries until storage answers: the compare-and-reset is
  // idempotent.
  const absl::Status status = co_await RetryWhenHardened(config_.mode, [&] {
    return storage_.ClearReplies(request_id, expected_reply_id);
  });
  co_return status.ok();
}

// --- Routing
// ----------------------------------------------------------------------

Task<absl::Status> Sharding::SendOutgoing(OutgoingMessage message, bool discard,
                                          std::optional<int> retries,
                                          std::optional<RunnerAddress> runner) {
  const bool is_request = std::holds_alternative<OutgoingRequest>(message);
  const bool should_fail =
      !discard &&
      (is_request || std::holds_alternative<storage::AckChunk>(
                         std::get<OutgoingEnvelope>(message).envelope));
  for (;;) {
    // Only the first attempt goes to the given runner; retries follow the
    // current assignment.
    std::optional<RunnerAddress> target = std::move(runner);
    runner.reset();
    absl::Status status = co_await SendOutgoingOnce(message, discard, target);
    const bool unassigned = IsClusterError<EntityNotAssignedToRunner>(status);
    if (!unassigned && !IsClusterError<RunnerUnavailable>(status)) {
      co_return status;
    }
    // Hardened mode (effect-semantics.md §14.6): a volatile request that may
    // have reached its runner is not sent again. Effect's resend can run it
    // twice (the shard moved, or the runner forgot it) or be refused
    // (AlreadyProcessingMessage, MailboxFull) though the first send went
    // through; the caller gets RunnerUnavailable, an unknown outcome.
    if (!unassigned && is_request && !IsPersisted(message) &&
        config_.mode == Mode::kHardened) {
      co_return status;
    }
    if (unassigned) {
      // In teardown a retry would loop forever: abandon the message.
      const EntityRegistry::Entry* entry =
          registry_.Find(AddressOf(message).entity_type());
      if (shutdown_ ||
          (entry != nullptr && entry->status != EntityStatus::kAlive)) {
        co_return co_await Abandon(std::move(message), should_fail,
                                   std::move(status));
      }
    }
    if (retries.has_value() && *retries == 0) co_return Defect(status);
    if (retries.has_value()) --*retries;
    co_await SleepMs(config_.send_retry_interval_ms);
  }
}

Task<absl::Status> Sharding::Abandon(OutgoingMessage message, bool should_fail,
                                     absl::Status error) {
  const EntityAddress address = AddressOf(message);
  env_.trace->Record("sharding.abandon", address.ToString());
  if (!IsPersisted(message)) {
    co_return should_fail ? error : absl::OkStatus();
  }
  const absl::Status persisted = co_await runners_.Persist(message);
  if (!persisted.ok()) co_return persisted;
  if (!should_fail) co_return absl::OkStatus();
  // Durable: the caller is interrupted (Abandon) and the next owner serves
  // the request. Acks that cannot be routed still fail.
  if (std::holds_alternative<OutgoingRequest>(message)) {
    co_return AbandonedError(address);
  }
  co_return error;
}

Task<absl::Status> Sharding::SendOutgoingOnce(
    const OutgoingMessage& message, bool discard,
    std::optional<RunnerAddress> runner) {
  const EntityAddress& address = AddressOf(message);
  const bool is_request = std::holds_alternative<OutgoingRequest>(message);
  const bool should_fail =
      !discard &&
      (is_request || std::holds_alternative<storage::AckChunk>(
                         std::get<OutgoingEnvelope>(message).envelope));
  if (should_fail && shutdown_) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  const std::optional<RunnerAddress> owner =
      runner.has_value() ? runner : membership_->OwnerOf(address.shard_id());
  const bool local = owner.has_value() && owner == config_.runner_address;
  if (IsPersisted(message)) {
    if (local) co_return co_await NotifyLocal(message, discard);
    co_return co_await runners_.Notify(owner, message, discard);
  }
  if (!owner.has_value()) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (is_request) {
    auto it = client_calls_.find(
        std::get<OutgoingRequest>(message).envelope.request_id);
    if (it != client_calls_.end()) it->second->runner = owner;
  }
  if (local) co_return co_await SendLocal(message);
  if (discard) {
    co_return co_await runners_.Notify(owner, message, true);
  }
  co_return co_await runners_.Send(*owner, message);
}

Task<absl::StatusOr<EntityRegistry::Entry*>> Sharding::LocalManagerFor(
    const EntityAddress& address, bool is_request, bool is_incoming_request) {
  // A request for a shard assigned here waits for its lock instead of
  // bouncing while the previous owner drains (4.1.0).
  if (is_request && locks_ != nullptr) {
    co_await locks_->AwaitShardLock(address.shard_id());
  }
  for (;;) {
    // Entities draining from a released shard still take acks and
    // interrupts.
    if (!IsLocalShard(address.shard_id()) &&
        (is_request || locks_ == nullptr ||
         !locks_->IsReleasing(address.shard_id()))) {
      co_return ToStatus(EntityNotAssignedToRunner{address});
    }
    EntityRegistry::Entry* entry = registry_.Find(address.entity_type());
    if (entry == nullptr) {
      absl::Status registered =
          co_await registry_.WaitFor(address.entity_type());
      if (!registered.ok()) co_return Defect(registered);
      continue;
    }
    if (entry->status == EntityStatus::kClosed ||
        (entry->status == EntityStatus::kClosing && is_incoming_request)) {
      co_return ToStatus(EntityNotAssignedToRunner{address});
    }
    co_return entry;
  }
}

Task<absl::Status> Sharding::SendLocal(const OutgoingMessage& message) {
  absl::StatusOr<EntityRegistry::Entry*> entry = co_await LocalManagerFor(
      AddressOf(message), std::holds_alternative<OutgoingRequest>(message),
      false);
  if (!entry.ok()) co_return entry.status();
  EntityManager* manager = (*entry)->manager.get();
  co_return runners_.SendLocal(message, [manager](IncomingMessage incoming) {
    return manager->Send(std::move(incoming));
  });
}

Task<absl::Status> Sharding::SendIncoming(IncomingMessage message) {
  const bool is_request = std::holds_alternative<IncomingRequest>(message);
  const EntityAddress address =
      is_request ? std::get<IncomingRequest>(message).envelope.address
                 : AddressOf(std::get<IncomingEnvelope>(message).envelope);
  absl::StatusOr<EntityRegistry::Entry*> entry =
      co_await LocalManagerFor(address, is_request, is_request);
  if (!entry.ok()) co_return entry.status();
  co_return (*entry)->manager->Send(std::move(message));
}

Task<absl::Status> Sharding::NotifyIncoming(IncomingMessage message,
                                            bool wait_until_read) {
  const auto* request = std::get_if<IncomingRequest>(&message);
  const EntityAddress address =
      request != nullptr
          ? request->envelope.address
          : AddressOf(std::get<IncomingEnvelope>(message).envelope);
  EntityRegistry::Entry* entry = nullptr;
  while ((entry = registry_.Find(address.entity_type())) == nullptr) {
    absl::Status registered = co_await registry_.WaitFor(address.entity_type());
    if (!registered.ok()) co_return Defect(registered);
  }
  if (entry->status == EntityStatus::kClosed ||
      !IsLocalShard(address.shard_id())) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  if (request != nullptr &&
      entry->manager->IsProcessingFor(request->envelope.request_id, true)) {
    co_return ToStatus(
        AlreadyProcessingMessage{request->envelope.request_id, address});
  }
  if (request != nullptr && wait_until_read) {
    co_return co_await read_loop_->WaitUntilRead(request->envelope.request_id,
                                                 address);
  }
  read_loop_->Wake();
  co_return absl::OkStatus();
}

Task<absl::Status> Sharding::NotifyLocal(const OutgoingMessage& message,
                                         bool discard) {
  const EntityAddress& address = AddressOf(message);
  EntityRegistry::Entry* entry = nullptr;
  while ((entry = registry_.Find(address.entity_type())) == nullptr) {
    absl::Status registered = co_await registry_.WaitFor(address.entity_type());
    if (!registered.ok()) co_return Defect(registered);
  }
  if (entry->status == EntityStatus::kClosed) {
    co_return ToStatus(EntityNotAssignedToRunner{address});
  }
  // Assigned here but not yet locked: store it and poll storage (4.1.0).
  const bool storage_only = !IsLocalShard(address.shard_id());
  co_return co_await runners_.NotifyLocal(message, discard, storage_only,
                                          [this] { read_loop_->Wake(); });
}

// --- Replies
// ----------------------------------------------------------------------

Task<absl::Status> Sharding::StoreReply(const EntityAddress& address,
                                        storage::Reply reply) {
  std::optional<storage::FencingToken> token;
  if (config_.mode == Mode::kHardened && locks_ != nullptr) {
    token = locks_->TokenFor(address.shard_id());
  }
  absl::Status status = co_await storage_.SaveReply(reply, std::move(token));
  // Hardened mode: an earlier attempt whose response was lost stored it,
  // and a reset has since cleared it: the request runs again and its next
  // reply is the one to deliver; this one is stale.
  if (storage::IsReplyCleared(status)) co_return absl::OkStatus();
  // Hardened mode: an earlier attempt whose response was lost stored it.
  if (storage::IsAlreadyStored(status)) status = absl::OkStatus();
  if (status.ok()) reply_handlers_.Deliver(reply);
  co_return status;
}

Task<absl::Status> Sharding::LeaveToOwner(const EntityAddress& address,
                                          Snowflake request_id) {
  env_.trace->Record(
      "sharding.reply_fenced",
      absl::StrCat(address.ToString(), " ", request_id.ToString()));
  reply_handlers_.Unregister(request_id, false);
  std::vector<Snowflake> ids = {request_id};
  // Effect ignores a failed reset: the request's read claim then hides it
  // from its owner for 10 minutes (effect-semantics.md §14.5). Hardened
  // mode retries it.
  (void)co_await RetryWhenHardened(config_.mode,
                                   [&] { return storage_.ResetRequests(ids); });
  co_return absl::FailedPreconditionError(absl::StrCat(
      "shard ", address.shard_id().ToString(), " is not owned by this runner"));
}

Task<bool> Sharding::ConfirmOwnership(const ShardId& shard) {
  if (locks_ == nullptr) co_return false;
  if (config_.mode == Mode::kReference) {
    co_return co_await locks_->ConfirmShardLock(shard);
  }
  // Hardened mode: a check that failed says nothing about the lock; only a
  // storage answer without it (or losing it here) is a loss. The lease
  // self-stop ends this wait if the lock lapses meanwhile.
  for (int attempt = 0;; ++attempt) {
    switch (co_await locks_->CheckShardLock(shard)) {
      case ShardLocks::LockCheck::kHeld:
        co_return true;
      case ShardLocks::LockCheck::kLost:
        co_return false;
      case ShardLocks::LockCheck::kUnknown:
        break;
    }
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

Task<bool> Sharding::HasStoredExit(Snowflake request_id) {
  // Built before the co_await: GCC mishandles an initializer list that
  // lives across a suspension point.
  std::vector<Snowflake> ids(1, request_id);
  absl::StatusOr<std::vector<storage::Reply>> replies =
      co_await storage_.RepliesForUnfiltered(std::move(ids));
  if (!replies.ok()) co_return false;
  co_return std::any_of(
      replies->begin(), replies->end(), [](const storage::Reply& reply) {
        return std::holds_alternative<storage::WithExit>(reply);
      });
}

Task<absl::Status> Sharding::SaveReply(const EntityAddress& address,
                                       storage::Reply reply) {
  const Snowflake request_id = storage::RequestIdOf(reply);
  const ShardId& shard = address.shard_id();
  // 4.1.0: the final reply is stored only once a refresh confirms the lock.
  if (std::holds_alternative<storage::WithExit>(reply) &&
      !co_await ConfirmOwnership(shard)) {
    co_return co_await LeaveToOwner(address, request_id);
  }
  // Effect retries 4 times 200 ms apart, then gives up and leaves the
  // request wedged (effect-semantics.md §14.1). Hardened mode retries until
  // the write lands or the shard is no longer held here.
  absl::Status status;
  for (int attempt = 0;; ++attempt) {
    status = co_await StoreReply(address, reply);
    if (storage::IsFenced(status)) {
      co_return co_await LeaveToOwner(address, request_id);
    }
    if (storage::IsAlreadyReplied(status)) {
      // Hardened mode: another run of the handler answered first; local
      // waiters read that reply from storage.
      reply_handlers_.Unregister(request_id, false);
      co_return absl::FailedPreconditionError(status.message());
    }
    if (status.ok()) co_return status;
    if (config_.mode == Mode::kReference ||
        config_.mutant == Mutant::kReplyWedge) {
      if (attempt == kReplyRetries) co_return status;
      co_await SleepMs(kReplyRetryDelayMs);
      continue;
    }
    if (locks_ == nullptr || !locks_->IsHeld(shard)) {
      co_return co_await LeaveToOwner(address, request_id);
    }
    co_await SleepMs(HardenedRetryDelayMs(attempt));
  }
}

// --- Background
// ---------------------------------------------------------------------

Task<void> Sharding::EntityGauges() {
  for (;;) {
    for (const EntityRegistry::Entry* entry : registry_.entries()) {
      metrics_.Set(GaugeSeries::Entities(entry->manager->definition().type()),
                   entry->manager->ActiveEntityCount());
    }
    co_await SleepMs(kEntityGaugeIntervalMs);
  }
}

Task<void> Sharding::RunHealthChecks() {
  // The checks of one round run in this singleton's scope, so stopping the
  // singleton stops them.
  Scope checks(CurrentFiber()->scope());
  for (;;) {
    const std::vector<storage::RunnerEntry> runners = membership_->runners();
    // Skipped while this is the only runner.
    if (runners.size() > 1) {
      for (size_t i = 0; i < runners.size(); i += kHealthCheckConcurrency) {
        std::vector<FiberHandle> batch;
        for (size_t j = i;
             j < std::min(runners.size(), i + kHealthCheckConcurrency); ++j) {
          batch.push_back(
              SpawnJoinable(checks, CheckRunner(runners[j]), "runner.health"));
        }
        for (const FiberHandle& check : batch) co_await check.Join();
      }
    }
    co_await SleepMs(config_.runner_health_check_interval_ms);
  }
}

Task<void> Sharding::CheckRunner(storage::RunnerEntry entry) {
  const RunnerAddress& address = entry.runner.address();
  const bool alive = co_await IsAlive(address);
  if (alive == entry.healthy) co_return;
  if (!alive) {
    // Never mark the last healthy runner unhealthy (deadlock guard).
    if (membership_->healthy_runner_count() <= 1) co_return;
    membership_->AdjustHealthyRunnerCount(-1);
  } else {
    membership_->AdjustHealthyRunnerCount(1);
  }
  env_.trace->Record(
      "runner.health",
      absl::StrCat(address.Key(), " ", alive ? "healthy" : "unhealthy"));
  (void)co_await storage_.SetRunnerHealth(address, alive);
}

Task<bool> Sharding::IsAlive(RunnerAddress address) {
  if (options_.health_check == HealthCheck::kNoop) co_return true;
  for (int attempt = 0; attempt <= kPingRetries; ++attempt) {
    if (attempt > 0) co_await SleepMs(kPingRetryDelayMs);
    if ((co_await runner_client_.Ping(address)).ok()) co_return true;
  }
  co_return false;
}

// --- Shutdown
// -------------------------------------------------------------------------

Task<void> Sharding::BeginShutdown() {
  if (shutdown_) co_return;
  shutdown_ = true;
  if (locks_ != nullptr) locks_->NotifyLockWaiters();
  co_await membership_->Unregister();
}

Task<void> Sharding::Shutdown() {
  if (shutdown_started_) {
    co_await shutdown_done_.Wait();
    co_return;
  }
  shutdown_started_ = true;
  // Entity types first, the last registered first.
  std::vector<EntityRegistry::Entry*> entries = registry_.entries();
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    EntityRegistry::Entry* entry = *it;
    entry->status = EntityStatus::kClosing;
    if (config_.preemptive_shutdown) co_await BeginShutdown();
    co_await entry->manager->Close();
    entry->status = EntityStatus::kClosed;
  }
  // Sharding's own finalizers: shutdown and handoff, then the rest.
  co_await BeginShutdown();
  if (locks_ != nullptr) co_await locks_->Handoff();
  singletons_->StopAll();
  co_await CloseClients();
  membership_->Stop();
  if (read_loop_ != nullptr) read_loop_->Stop();
  poller_.Stop();
  misc_scope_.Close();
  if (locks_ != nullptr) {
    locks_->StopLoops();
    locks_->StopReleases();
    co_await locks_->ReleaseAll();
  }
  env_.trace->Record("sharding.shutdown", config_.runner_address.has_value()
                                              ? config_.runner_address->Key()
                                              : std::string("client"));
  shutdown_done_.Open();
}

}  // namespace clustersim::sharding
