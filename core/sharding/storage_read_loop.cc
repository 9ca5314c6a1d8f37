#include "core/sharding/storage_read_loop.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/message.h"

namespace clustersim::sharding {
namespace {

IncomingMessage ToIncoming(const storage::StoredMessage& message) {
  if (const auto* request = std::get_if<storage::Request>(&message.envelope)) {
    return IncomingRequest{*request, message.last_sent_reply, nullptr};
  }
  if (const auto* ack = std::get_if<storage::AckChunk>(&message.envelope)) {
    return IncomingEnvelope{*ack};
  }
  return IncomingEnvelope{std::get<storage::Interrupt>(message.envelope)};
}

}  // namespace

StorageReadLoop::StorageReadLoop(const ShardingConfig& config,
                                 const NodeEnv& env,
                                 storage::StorageClient& storage,
                                 EntityRegistry& registry, ShardLocks& locks,
                                 const Residency& residency,
                                 SaveDefect save_defect, NextId next_id,
                                 Scope& parent)
    : config_(config),
      env_(env),
      storage_(storage),
      registry_(registry),
      locks_(locks),
      residency_(residency),
      save_defect_(std::move(save_defect)),
      next_id_(std::move(next_id)),
      // Effect clamps programmatic batch sizes below one to one.
      batch_size_(std::max<int64_t>(1, config.unprocessed_message_batch_size)),
      scope_(parent) {}

StorageReadLoop::~StorageReadLoop() { scope_.Close(); }

void StorageReadLoop::Start() {
  scope_.Spawn(Run(), "storage.read");
  scope_.Spawn(Ticker(), "storage.tick");
}

void StorageReadLoop::Stop() { scope_.Close(); }

Task<void> StorageReadLoop::Ticker() {
  for (;;) {
    co_await SleepMs(config_.entity_message_poll_interval_ms);
    latch_.Open();
  }
}

Task<void> StorageReadLoop::Run() {
  for (;;) {
    const absl::Status status = co_await RunPasses();
    env_.trace->Record("storage.read_failed", std::string(status.message()));
  }
}

Task<absl::Status> StorageReadLoop::RunPasses() {
  for (;;) {
    co_await latch_.Wait();
    latch_.Close();
    // Resumption fibers rely on no id being queued for them while they hold
    // the lock.
    Semaphore::Permit permit = co_await read_lock_.Acquire();

    for (EntityRegistry::Entry* entry : registry_.entries()) {
      entry->manager->ClearProcessed();
    }
    Pass pass;
    pass.removable = pending_;

    int64_t read_count = 0;
    bool full_batch = false;
    bool exhaustive = false;
    // At the cap, resident entities first, so they keep making progress.
    if (residency_.AtCapacity()) {
      std::vector<EntityAddress> resident;
      for (EntityRegistry::Entry* entry : registry_.entries()) {
        if (entry->status == EntityStatus::kClosed) continue;
        for (EntityAddress& address : entry->manager->ResidentAddresses()) {
          resident.push_back(std::move(address));
        }
      }
      if (!resident.empty()) {
        std::optional<std::vector<EntityAddress>> addresses =
            std::move(resident);
        absl::StatusOr<int64_t> read =
            co_await ReadAndProcess(pass, batch_size_, std::move(addresses));
        if (!read.ok()) co_return read.status();
        read_count = *read;
        full_batch = read_count >= batch_size_;
      }
    }
    // Then the rest, spawning entities while slots are left.
    if (!residency_.AtCapacity() && read_count < batch_size_) {
      const int64_t limit = batch_size_ - read_count;
      absl::StatusOr<int64_t> read =
          co_await ReadAndProcess(pass, limit, std::nullopt);
      if (!read.ok()) co_return read.status();
      if (*read >= limit) {
        full_batch = true;
      } else if (pass.capped.empty()) {
        exhaustive = true;
      }
    }

    if (!pass.removable.empty()) {
      // An exhaustive read that missed a request: this runner cannot serve
      // it. At the cap it is safely stored: the sender succeeds. Otherwise
      // the read was truncated and the waits carry over.
      const bool capped = !pass.capped.empty() || residency_.AtCapacity();
      if (exhaustive || capped) {
        for (auto& [id, read] : pass.removable) {
          auto it = pending_.find(id);
          if (it != pending_.end() && it->second.done == read.done) {
            pending_.erase(it);
          }
          read.done->Set(exhaustive
                             ? ToStatus(EntityNotAssignedToRunner{read.address})
                             : absl::OkStatus());
        }
      }
    }
    for (const EntityAddress& address : pass.reset_addresses) {
      env_.trace->Record("storage.unregistered_type", address.ToString());
    }
    std::vector<EntityAddress> to_reset(pass.reset_addresses.begin(),
                                        pass.reset_addresses.end());
    for (const EntityAddress& address : pass.capped) {
      if (!pass.reset_addresses.contains(address)) to_reset.push_back(address);
    }
    // Let resuming entities check whether they are done.
    permit.Reset();

    if (!pass.reset_requests.empty()) {
      co_await ResetRequests(std::move(pass.reset_requests));
    }
    if (!to_reset.empty()) {
      (void)co_await storage_.ResetAddresses(std::move(to_reset));
    }
    // More may be waiting: read again at once, unless nothing was delivered
    // (a full batch of skipped messages must not spin).
    if (full_batch && pass.delivered) latch_.Open();
  }
}

Task<absl::StatusOr<int64_t>> StorageReadLoop::ReadAndProcess(
    Pass& pass, int64_t limit,
    std::optional<std::vector<EntityAddress>> addresses) {
  storage::UnprocessedQuery query;
  // The mutant no-lock-check also reads the shards assigned here but not
  // (yet) locked.
  const absl::btree_set<ShardId>& shards =
      config_.mutant == Mutant::kNoLockCheck ? locks_.self_shards()
                                             : locks_.acquired();
  query.shards.assign(shards.begin(), shards.end());
  query.limit = limit;
  query.addresses = std::move(addresses);
  absl::StatusOr<std::vector<storage::StoredMessage>> messages =
      co_await storage_.UnprocessedMessages(std::move(query),
                                            env_.executor->NowMs());
  if (!messages.ok()) co_return messages.status();
  for (storage::StoredMessage& message : *messages) {
    absl::Status status = co_await Process(pass, std::move(message));
    if (!status.ok()) co_return status;
  }
  co_return static_cast<int64_t>(messages->size());
}

Task<absl::Status> StorageReadLoop::Process(Pass& pass,
                                            storage::StoredMessage message) {
  const EntityAddress address = storage::AddressOf(message.envelope);
  const Snowflake request_id = storage::RequestIdOf(message.envelope);
  const auto* request = std::get_if<storage::Request>(&message.envelope);

  // (0) Effect decodes each row it reads; a row that does not decode is not
  // delivered and its request is answered with the error as a defect (the
  // row stays). Our rows are typed, so the one thing that cannot decode is
  // an address without an entity type (a missing field in Effect's row):
  // holding it as an unregistered type would leave its caller waiting.
  if (address.entity_type().value().empty()) {
    // A named local: GCC 12 mishandles temporaries in co_await expressions
    // (here a double free).
    const absl::Status malformed = ToStatus(MalformedMessage{absl::StrCat(
        "stored envelope for request ", request_id.ToString(),
        " has an address without an entity type: ", address.ToString())});
    co_return co_await SaveDefectFor(message, malformed);
  }
  // (a) Released mid-read: skip. Effect leaves the claim; hardened mode
  // releases it (effect-semantics.md §14.5), as at (c) and (e).
  if (!locks_.IsAcquired(address.shard_id()) &&
      config_.mutant != Mutant::kNoLockCheck) {
    ReleaseSkippedClaim(pass, request_id);
    co_return absl::OkStatus();
  }
  // (b) No manager: hold it while the type may still register, then answer
  // with a defect.
  EntityRegistry::Entry* entry = registry_.Find(address.entity_type());
  if (entry == nullptr) {
    if (registry_.RegistrationTimeRemainingMs() > 0) {
      pass.reset_addresses.insert(address);
      co_return absl::OkStatus();
    }
    co_return co_await SaveDefectFor(
        message, EntityNotRegistered(address.entity_type()));
  }
  // (c)
  if (entry->status == EntityStatus::kClosed) {
    ReleaseSkippedClaim(pass, request_id);
    co_return absl::OkStatus();
  }
  EntityManager& manager = *entry->manager;
  const bool processing = manager.IsProcessingFor(request_id);
  // (d) An envelope for a request in progress.
  if (request == nullptr && processing) {
    absl::Status status = manager.Send(ToIncoming(message));
    if (status.ok()) {
      pass.delivered = true;
      co_return status;
    }
    co_return co_await HandleFailure(pass, message, entry, status);
  }
  // (e) In progress, or the type is closing: skip.
  if (processing || entry->status == EntityStatus::kClosing) {
    if (processing) {
      ReleaseCompletedClaim(pass, *entry, request_id);
    } else {
      ReleaseSkippedClaim(pass, request_id);
    }
    co_return absl::OkStatus();
  }
  // (f) Somebody waits until this request is read.
  if (request != nullptr) {
    if (auto it = pending_.find(request_id); it != pending_.end()) {
      it->second.done->Set(absl::OkStatus());
      pass.removable.erase(request_id);
      pending_.erase(it);
    }
  }
  // (g) At the cap, only resident entities take messages.
  if (residency_.AtCapacity() && !manager.IsResident(address)) {
    pass.capped.insert(address);
    co_return absl::OkStatus();
  }
  // (h) The entity is catching up from storage: queue the id for it.
  if (auto it = resumption_.find(address); it != resumption_.end()) {
    it->second.unprocessed.insert(request_id);
    if (const auto* interrupt =
            std::get_if<storage::Interrupt>(&message.envelope)) {
      it->second.interrupts.insert_or_assign(request_id, *interrupt);
    }
    co_return absl::OkStatus();
  }
  // (i)
  absl::Status status = manager.Send(ToIncoming(message));
  if (status.ok()) {
    pass.delivered = true;
    co_return status;
  }
  co_return co_await HandleFailure(pass, message, entry, status);
}

Task<absl::Status> StorageReadLoop::HandleFailure(
    Pass& pass, const storage::StoredMessage& message,
    EntityRegistry::Entry* entry, const absl::Status& status) {
  const EntityAddress& address = storage::AddressOf(message.envelope);
  const Snowflake request_id = storage::RequestIdOf(message.envelope);
  if (IsClusterError<AlreadyProcessingMessage>(status)) {
    // Completion raced with the read.
    ReleaseCompletedClaim(pass, *entry, request_id);
    co_return absl::OkStatus();
  }
  if (IsClusterError<MailboxFull>(status)) {
    const auto* request = std::get_if<storage::Request>(&message.envelope);
    if (request != nullptr && entry->manager->IsResident(address)) {
      // A resident entity's mailbox is full: resume it from storage.
      ResumeFromStorage(*request);
    } else {
      // Out of entity slots meanwhile: leave it in storage.
      pass.capped.insert(address);
    }
    co_return absl::OkStatus();
  }
  // A defect (anything but a typed cluster error, or a malformed message):
  // answer the request with it.
  if (!GetClusterError(status).has_value() ||
      IsClusterError<MalformedMessage>(status)) {
    co_return co_await SaveDefectFor(message, status);
  }
  co_return absl::OkStatus();
}

void StorageReadLoop::ReleaseSkippedClaim(Pass& pass, Snowflake request_id) {
  if (config_.mode == Mode::kHardened)
    pass.reset_requests.push_back(request_id);
}

void StorageReadLoop::ReleaseCompletedClaim(Pass& pass,
                                            EntityRegistry::Entry& entry,
                                            Snowflake request_id) {
  // A completed request may still be deduplicated after storage claimed
  // its reset: release the claim so it is redelivered at once.
  if (!entry.manager->IsProcessingFor(request_id, false, true)) {
    pass.reset_requests.push_back(request_id);
  }
}

Task<void> StorageReadLoop::ResetRequests(std::vector<Snowflake> ids) {
  // Effect ignores a failure (the claims then expire); hardened mode tries a
  // few more times, since its claims are short anyway.
  const int attempts = config_.mode == Mode::kHardened ? kResetAttempts : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) co_await SleepMs(HardenedRetryDelayMs(attempt - 1));
    if ((co_await storage_.ResetRequests(ids)).ok()) co_return;
  }
}

Task<absl::Status> StorageReadLoop::SaveDefectFor(
    const storage::StoredMessage& message, const absl::Status& cause) {
  storage::WithExit reply{
      storage::RequestIdOf(message.envelope), next_id_(),
      storage::Exit::Failure(storage::Cause{storage::CauseKind::kDie,
                                            std::string(cause.message())})};
  co_return co_await save_defect_(storage::AddressOf(message.envelope),
                                  std::move(reply));
}

Task<absl::Status> StorageReadLoop::WaitUntilRead(Snowflake request_id,
                                                  EntityAddress address) {
  Pending done;
  if (auto it = pending_.find(request_id); it != pending_.end()) {
    done = it->second.done;
  } else {
    done = std::make_shared<Deferred<absl::Status>>();
    pending_.emplace(request_id, PendingRead{address, done});
  }
  latch_.Open();
  std::optional<absl::Status> status = co_await done->Wait();
  // The error is built only when needed (value_or would format the address
  // for every read).
  if (status.has_value()) co_return *std::move(status);
  co_return ToStatus(EntityNotAssignedToRunner{address});
}

// --- Resumption
// ------------------------------------------------------------------

void StorageReadLoop::ResumeFromStorage(const storage::Request& request) {
  if (auto it = resumption_.find(request.address); it != resumption_.end()) {
    it->second.unprocessed.insert(request.request_id);
    return;
  }
  resumption_[request.address].unprocessed.insert(request.request_id);
  if (!scope_.Spawn(ResumeFiber(request.address), "storage.resume")) {
    resumption_.erase(request.address);
  }
}

Task<void> StorageReadLoop::ResumeFiber(EntityAddress address) {
  struct Leave {
    StorageReadLoop* self;
    EntityAddress address;
    ~Leave() { self->resumption_.erase(address); }
  } leave{this, address};
  EntityRegistry::Entry* entry = registry_.Find(address.entity_type());
  if (entry == nullptr) co_return;
  for (;;) {
    const absl::Status status =
        co_await ResumeUntilCaughtUp(address, *entry->manager);
    if (!IsClusterError<PersistenceError>(status)) co_return;
    co_await SleepMs(config_.entity_message_poll_interval_ms);
  }
}

Task<absl::Status> StorageReadLoop::ResumeUntilCaughtUp(
    EntityAddress address, EntityManager& manager) {
  Resumption& state = resumption_.at(address);
  for (;;) {
    if (!locks_.IsAcquired(address.shard_id())) co_return absl::OkStatus();
    std::vector<Snowflake> ids;
    for (Snowflake id : state.unprocessed) {
      if (static_cast<int64_t>(ids.size()) == kResumptionBatch) break;
      ids.push_back(id);
    }
    absl::StatusOr<std::vector<storage::StoredMessage>> messages =
        co_await storage_.UnprocessedMessagesById(ids, env_.executor->NowMs());
    if (!messages.ok()) co_return messages.status();
    if (messages->empty()) {
      // Should not happen; look again later.
      co_await SleepMs(config_.entity_message_poll_interval_ms);
      continue;
    }
    for (const storage::StoredMessage& message : *messages) {
      for (;;) {
        if (!locks_.IsAcquired(address.shard_id())) {
          co_return ToStatus(EntityNotAssignedToRunner{address});
        }
        absl::Status status = manager.Send(ToIncoming(message));
        // An interrupt that came for this request while it waited.
        const Snowflake request_id = storage::RequestIdOf(message.envelope);
        auto interrupt = state.interrupts.find(request_id);
        if (status.ok() &&
            std::holds_alternative<storage::Request>(message.envelope) &&
            interrupt != state.interrupts.end()) {
          storage::Interrupt pending = interrupt->second;
          state.interrupts.erase(interrupt);
          status = manager.Send(IncomingEnvelope{std::move(pending)});
        }
        if (IsClusterError<MailboxFull>(status)) {
          co_await SleepMs(config_.send_retry_interval_ms);
          continue;
        }
        if (!status.ok() && !IsClusterError<AlreadyProcessingMessage>(status)) {
          co_return status;
        }
        break;
      }
    }
    for (Snowflake id : ids) state.unprocessed.erase(id);
    if (!state.unprocessed.empty()) continue;
    // Caught up with the read loop: hand over to it.
    Semaphore::Permit permit = co_await read_lock_.Acquire();
    if (state.unprocessed.empty()) co_return absl::OkStatus();
  }
}

}  // namespace clustersim::sharding
