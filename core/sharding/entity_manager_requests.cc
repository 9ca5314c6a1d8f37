// The entity manager's requests: handing them to a server, running the
// handler, interrupts, and Effect's exit and reply rules.
#include "core/base/check.h"
#include "core/cluster/cluster_error.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/entity_manager_impl.h"

namespace clustersim::sharding {

using entity_manager_internal::IsUninterruptibleForServer;

// --- Requests ----------------------------------------------------------------

void EntityManager::Impl::Deliver(Entity& entity, ActiveRequest& request) {
  Trace("entity.step", Describe(entity));
  request.delivered = true;
  const bool interrupt = std::exchange(request.interrupt_requested, false);
  SpawnOnServer(entity, request, interrupt);
}

// Starts a fiber on the entity's server: the handler, or (for an interrupt
// that came before the handler could start) Effect's Exit(interrupt) reply.
void EntityManager::Impl::SpawnOnServer(Entity& entity, ActiveRequest& request,
                                        bool interrupt) {
  Server& server = *entity.server;
  const Snowflake id = request.envelope.request_id;
  const uint64_t token = ++next_token_;
  server.fibers.emplace(token, Server::Running{id, FiberId{}});
  request.fiber_token = token;
  FiberTicket ticket(this, &entity, &server, id, token);
  Task<void> task =
      interrupt ? ReplyInterrupt(&entity, &server, id, std::move(ticket))
                : RunRequest(&entity, &server, id, std::move(ticket));
  const FiberId fiber = server.scope.Spawn(std::move(task), "entity-request");
  // A closed scope drops the task, whose ticket has then deregistered it.
  if (auto it = server.fibers.find(token); it != server.fibers.end()) {
    it->second.fiber = fiber;
  }
}

Task<void> EntityManager::Impl::RunRequest(Entity* entity, Server* server,
                                           Snowflake id, FiberTicket ticket) {
  // The permit covers the handler and its reply, as in Effect's RpcServer;
  // a forked request takes none.
  Semaphore::Permit permit;
  if (const ActiveRequest* request = entity->Find(id);
      request != nullptr && !request->annotations.fork) {
    permit = co_await server->semaphore.Acquire();
  }
  const ActiveRequest* request = entity->Find(id);
  if (request == nullptr) co_return;
  EntityRequest call{id, request->envelope.tag, request->envelope.payload,
                     request->last_sent_chunk};
  // Lets a cancellation tell the handler why (see CancelFiber).
  server->fibers.at(ticket.token()).call = &call;
  RequestChunks chunks(this, entity, id);
  Exit exit = co_await server->handler->Handle(
      call, request->rpc->stream ? &chunks : nullptr);
  Trace("entity.step", Describe(*entity));
  co_await FinishRequest(entity, server, id, std::move(exit));
}

Task<void> EntityManager::Impl::ReplyInterrupt(
    Entity* entity, Server* server, Snowflake id,
    [[maybe_unused]] FiberTicket ticket) {
  co_await FinishRequest(entity, server, id, InterruptExit());
}

void EntityManager::Impl::OnFiberEnded(Entity& entity, Server& server,
                                       Snowflake id, uint64_t token) {
  server.fibers.erase(token);
  if (ActiveRequest* request = entity.Find(id);
      request != nullptr && request->fiber_token == token) {
    request->fiber_token = 0;
  }
  if (server.fibers.empty()) entity.drain_wake.Open();
}

// An Interrupt envelope: cancel the handler, then answer Exit(interrupt)
// through the usual exit rules (Effect's RpcServer interrupts the fiber, or
// emits Exit(interrupt) when it has none).
void EntityManager::Impl::InterruptRequest(Entity& entity,
                                           ActiveRequest& request) {
  Server* server = entity.server.get();
  if (server == nullptr || entity.restarting) {
    // Effect holds the interrupt until the new server is ready; it then
    // hits the replayed (or first) run of the request.
    request.interrupt_requested = true;
    return;
  }
  if (request.fiber_token != 0) {
    if (IsUninterruptibleForServer(request.annotations) || request.replying) {
      return;
    }
    CancelFiber(*server, request.fiber_token, InterruptReason::kClientAbort);
  }
  SpawnOnServer(entity, request, /*interrupt=*/true);
}

// Effect's onFromServer "Exit" (4.1.0 rules).
Task<void> EntityManager::Impl::FinishRequest(Entity* entity, Server* server,
                                              Snowflake id, Exit exit) {
  ActiveRequest* request = entity->Find(id);
  if (request == nullptr || request->reply_failed) co_return;
  if (!exit.is_success() && exit.cause().kind == storage::CauseKind::kDie &&
      !definition_.options().disable_fatal_defects &&
      !IsMalformedMessage(exit.cause())) {
    OnDefect(*entity, *server, id, exit.cause());
    co_return;
  }
  request->sent_reply = true;
  request->sent_exit = true;
  const bool interrupt = IsInterrupt(exit);
  // Interrupts from a restart are not replies: the new server replays.
  if (interrupt && server->shutting_down && entity->phase == Phase::kLive) {
    co_return;
  }
  if (interrupt && request->rpc->persisted) {
    // A durable request interrupted by shutdown, or by a termination it
    // asked to be interrupted at, stays in storage for the next owner.
    if (server->shutting_down || request->terminating) {
      RemoveRequest(*entity, id);
      co_return;
    }
    // An uninterruptible one runs again in place.
    if (IsUninterruptibleForServer(request->annotations)) {
      request->sent_exit = false;
      SpawnOnServer(*entity, *request, /*interrupt=*/false);
      co_return;
    }
  }
  if (!request->rpc->persisted) {
    RespondVolatile(*entity, id, std::move(exit));
    co_return;
  }
  storage::WithExit reply{id, host_.NextSnowflake(), std::move(exit)};
  const Exit reply_exit = reply.exit;
  // WithTransaction only changes what a failed save of a success means.
  const bool transactional =
      request->annotations.with_transaction && reply_exit.is_success();
  request->replying = true;
  const absl::Status saved =
      co_await host_.SaveReply(entity->address_, std::move(reply));
  bool stored = saved.ok();
  if (!stored && !absl::IsFailedPrecondition(saved) && transactional) {
    // WithTransaction's settle rule for a commit that failed: the reply may
    // have landed anyway (a write applied whose answer was lost).
    stored = co_await host_.HasStoredExit(id);
    if (!stored) {
      // Rolled back: restart as after a defect, replaying the request.
      Trace("entity.reply_rolled_back",
            absl::StrCat("request=", id.ToString(), " ", saved.ToString()));
      request = entity->Find(id);
      CHECK(request != nullptr, "a replying request left the mailbox");
      request->replying = false;
      OnDefect(*entity, *server, id,
               storage::Cause{storage::CauseKind::kDie, saved.ToString()});
      co_return;
    }
  }
  request = entity->Find(id);
  CHECK(request != nullptr, "a replying request left the mailbox");
  request->replying = false;
  if (stored) {
    TraceExit(id, reply_exit);
    processed_.insert(id);
    RemoveRequest(*entity, id);
  } else if (absl::IsFailedPrecondition(saved)) {
    // 4.1.0's confirmShardLock said no (or the write was fenced): leave the
    // request to the shard's owner, without a reply.
    Trace("entity.reply_abandoned",
          absl::StrCat("request=", id.ToString(), " ", saved.ToString()));
    RemoveRequest(*entity, id);
  } else {
    // Effect dies after its retries and never removes the request (the
    // wedge of effect-semantics.md §14.1): it keeps its mailbox slot until
    // the entity stops or restarts.
    Trace("entity.reply_lost",
          absl::StrCat("request=", id.ToString(), " ", saved.ToString()));
  }
}

void EntityManager::Impl::CancelFiber(Server& server, uint64_t token,
                                      InterruptReason reason) {
  const Server::Running& running = server.fibers.at(token);
  if (running.call != nullptr) running.call->interrupted_by = reason;
  server.scope.Cancel(running.fiber);
}

// Effect's onFromServer "Chunk". Persisted streams then wait for the
// client's AckChunk, one chunk per storage round trip.
Task<absl::Status> EntityManager::Impl::EmitChunk(
    Entity* entity, Snowflake id, std::vector<std::string> values) {
  ActiveRequest* request = entity->Find(id);
  if (request == nullptr || request->reply_failed) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("request ", id.ToString(), " can no longer be answered"));
  }
  if (values.empty()) co_return absl::OkStatus();  // chunks are never empty
  storage::Chunk chunk{id, host_.NextSnowflake(), request->sequence++,
                       std::move(values)};
  request->sent_reply = true;
  request->last_sent_chunk = chunk;
  const std::string traced =
      absl::StrCat("request=", id.ToString(), " chunk seq=", chunk.sequence);
  if (!request->rpc->persisted) {
    Trace("entity.reply", traced);
    if (request->respond) request->respond(std::move(chunk));
    co_return absl::OkStatus();
  }
  request->ack.Close();
  const absl::Status saved =
      co_await host_.SaveReply(entity->address_, std::move(chunk));
  request = entity->Find(id);
  CHECK(request != nullptr, "a streaming request left the mailbox");
  if (!saved.ok()) {
    if (absl::IsFailedPrecondition(saved)) {
      RemoveRequest(*entity, id);
    } else {
      request->reply_failed = true;
      Trace("entity.reply_lost", absl::StrCat(traced, " ", saved.ToString()));
    }
    co_return saved;
  }
  Trace("entity.reply", traced);
  co_await request->ack.Wait();
  co_return absl::OkStatus();
}

void EntityManager::Impl::RespondVolatile(Entity& entity, Snowflake id,
                                          Exit exit) {
  ActiveRequest* request = entity.Find(id);
  CHECK(request != nullptr && !request->rpc->persisted);
  TraceExit(id, exit);
  ReplySink respond = std::move(request->respond);
  RemoveRequest(entity, id);
  if (respond) {
    respond(storage::WithExit{id, host_.NextSnowflake(), std::move(exit)});
  }
}

void EntityManager::Impl::RemoveRequest(Entity& entity, Snowflake id) {
  if (entity.active.erase(id) == 0) return;
  for (auto [it, end] = index_.equal_range(id); it != end; ++it) {
    if (it->second == &entity) {
      index_.erase(it);
      break;
    }
  }
  if (entity.active.empty()) entity.last_active_check_ms = NowMs();
}

}  // namespace clustersim::sharding
