#include "core/sharding/entity_queue.h"

#include <utility>

#include "core/runtime/scope.h"

namespace clustersim::sharding {
namespace {

class QueueHandler final : public EntityHandler, public Replier {
 public:
  QueueHandler(QueueBehaviour behaviour, EntityContext& context)
      : behaviour_(std::move(behaviour)),
        context_(context),
        scope_(context.activation_scope()) {
    scope_.Spawn(Run(), "entity.queue_behaviour");
  }

  Task<storage::Exit> Handle(const EntityRequest& request,
                             ChunkWriter* chunks) override {
    if (ended_.has_value()) co_return *ended_;
    auto waiter = std::make_shared<Waiter>();
    pending_[request.request_id] = waiter;
    // An interrupted request is forgotten: a later reply to it is a no-op.
    struct Forget {
      QueueHandler* self;
      Snowflake id;
      const Waiter* waiter;
      ~Forget() {
        auto it = self->pending_.find(id);
        if (it != self->pending_.end() && it->second.get() == waiter) {
          self->pending_.erase(it);
        }
      }
    } forget{this, request.request_id, waiter.get()};
    mailbox_.Push(QueuedRequest{request.request_id, request.tag,
                                request.payload, request.last_sent_chunk,
                                chunks});
    co_await waiter->done.Wait();
    co_return *waiter->exit;
  }

  void Complete(Snowflake request_id, storage::Exit exit) override {
    auto it = pending_.find(request_id);
    if (it == pending_.end()) return;
    std::shared_ptr<Waiter> waiter = std::move(it->second);
    pending_.erase(it);
    waiter->exit = std::move(exit);
    waiter->done.Open();
  }

 private:
  struct Waiter {
    Latch done;
    std::optional<storage::Exit> exit;
  };

  Task<void> Run() {
    co_await behaviour_(mailbox_, *this, context_);
    // Effect's behaviour never returns; ending is a defect for every request
    // it left unanswered and every later one.
    ended_ = storage::Exit::Failure(
        storage::Cause{storage::CauseKind::kDie, "the queue behaviour ended"});
    while (!pending_.empty()) Complete(pending_.begin()->first, *ended_);
  }

  QueueBehaviour behaviour_;
  EntityContext& context_;
  Queue<QueuedRequest> mailbox_;
  std::map<Snowflake, std::shared_ptr<Waiter>> pending_;
  std::optional<storage::Exit> ended_;
  // Last: the behaviour is cancelled before the state it uses goes.
  Scope scope_;
};

}  // namespace

QueueEntity ToQueueEntity(EntityDefinition definition,
                          QueueBehaviour behaviour) {
  EntityOptions options = definition.options();
  options.concurrency = kUnboundedConcurrency;
  definition.SetOptions(std::move(options));
  EntityFactory factory = [behaviour =
                               std::move(behaviour)](EntityContext& context)
      -> absl::StatusOr<std::unique_ptr<EntityHandler>> {
    return std::make_unique<QueueHandler>(behaviour, context);
  };
  return {std::move(definition), std::move(factory)};
}

}  // namespace clustersim::sharding
