#include "core/workflow/durable_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/codec/byte_reader.h"
#include "core/codec/byte_writer.h"
#include "core/sharding/entity.h"
#include "core/workflow/durable_deferred.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {
namespace {

constexpr char kItemTag[] = "item";

std::string QueueName(std::string_view name) {
  return "DurableQueue/" + std::string(name);
}

// An item: the token of the deferred to complete, and the payload.
std::string EncodeItem(std::string_view token, std::string_view payload) {
  codec::ByteWriter w;
  w.PutString(token);
  w.PutString(payload);
  return w.Release();
}

struct Item {
  std::string token;
  std::string payload;
};

absl::StatusOr<Item> DecodeItem(std::string_view bytes) {
  codec::ByteReader r(bytes);
  Item item;
  CLUSTERSIM_ASSIGN_OR_RETURN(item.token, r.GetString());
  CLUSTERSIM_ASSIGN_OR_RETURN(item.payload, r.GetString());
  CLUSTERSIM_RETURN_IF_ERROR(r.ExpectEnd());
  return item;
}

std::optional<std::string> ItemKey(std::string_view) { return ""; }

sharding::EntityDefinition QueueEntity(const std::string& name) {
  sharding::EntityDefinition entity((EntityType(QueueName(name))));
  entity.Add(sharding::RpcSpec{
      .tag = kItemTag, .persisted = true, .primary_key = &ItemKey});
  return entity;
}

class QueueHandler : public sharding::EntityHandler {
 public:
  QueueHandler(std::function<Task<absl::Status>(std::string)> handle,
               Semaphore* permits)
      : handle_(std::move(handle)), permits_(permits) {}
  Task<storage::Exit> Handle(const sharding::EntityRequest& request,
                             sharding::ChunkWriter*) override {
    Semaphore::Permit permit = co_await permits_->Acquire();
    const absl::Status handled = co_await handle_(request.payload);
    // A defect: the entity restarts and the item is delivered again.
    if (!handled.ok()) {
      co_return storage::Exit::Failure(
          storage::Cause{storage::CauseKind::kDie, handled.ToString()});
    }
    co_return storage::Exit::Success("");
  }

 private:
  std::function<Task<absl::Status>(std::string)> handle_;
  Semaphore* permits_;
};

// Runs the worker on one item and completes its deferred with the outcome.
Task<absl::Status> WorkItem(WorkflowEngine* engine, QueueWorker work,
                            std::string bytes) {
  absl::StatusOr<Item> item = DecodeItem(bytes);
  // Not an item of ours: nothing to complete.
  if (!item.ok()) co_return absl::OkStatus();
  absl::StatusOr<DeferredToken> token = ParseToken(item->token);
  if (!token.ok()) co_return absl::OkStatus();
  Outcome<std::string> out = co_await work(std::move(item->payload));
  DeferredAddress address{token->workflow_name,
                          std::string(token->execution_id.value()),
                          token->deferred_name};
  co_return co_await Done(*engine, std::move(address), ToExit(std::move(out)));
}

}  // namespace

Task<absl::Status> MemoryPersistedQueue::Offer(std::string name, std::string id,
                                               std::string item) {
  std::unique_ptr<Queue>& queue = queues_[name];
  if (queue == nullptr) queue = std::make_unique<Queue>();
  if (queue->ids.insert(std::move(id)).second) {
    queue->items.push_back(std::move(item));
    queue->ready.Open();
  }
  co_return absl::OkStatus();
}

absl::Status MemoryPersistedQueue::Serve(
    std::string name,
    std::function<Task<absl::Status>(std::string item)> handle,
    int32_t concurrency) {
  std::unique_ptr<Queue>& queue = queues_[name];
  if (queue == nullptr) queue = std::make_unique<Queue>();
  for (int32_t i = 0; i < concurrency; ++i) {
    scope_.Spawn(Work(queue.get(), handle), "durable_queue.worker");
  }
  return absl::OkStatus();
}

Task<void> MemoryPersistedQueue::Work(
    Queue* queue, std::function<Task<absl::Status>(std::string)> handle) {
  for (;;) {
    while (queue->items.empty()) {
      queue->ready.Close();
      co_await queue->ready.Wait();
    }
    std::string item = queue->items.front();
    queue->items.pop_front();
    const absl::Status handled = co_await handle(item);
    if (!handled.ok()) queue->items.push_back(std::move(item));
  }
}

void ShardedPersistedQueue::Define(const std::string& name) {
  if (defined_.insert(name).second) sharding_.DefineEntity(QueueEntity(name));
}

Task<absl::Status> ShardedPersistedQueue::Offer(std::string name,
                                                std::string id,
                                                std::string item) {
  Define(name);
  co_return co_await sharding_.SendDiscard(EntityType(QueueName(name)),
                                           EntityId(std::move(id)), kItemTag,
                                           std::move(item));
}

absl::Status ShardedPersistedQueue::Serve(
    std::string name,
    std::function<Task<absl::Status>(std::string item)> handle,
    int32_t concurrency) {
  std::unique_ptr<Semaphore>& permits = permits_[name];
  if (permits == nullptr) permits = std::make_unique<Semaphore>(concurrency);
  Semaphore* semaphore = permits.get();
  return sharding_.RegisterEntity(
      QueueEntity(name),
      [handle, semaphore](sharding::EntityContext&)
          -> absl::StatusOr<std::unique_ptr<sharding::EntityHandler>> {
        return std::make_unique<QueueHandler>(handle, semaphore);
      });
}

Task<Outcome<std::string>> ProcessQueued(WorkflowContext ctx,
                                         PersistedQueue& queue,
                                         std::string name, std::string key,
                                         std::string payload) {
  const WorkflowInstance& instance = *ctx.instance;
  absl::StatusOr<std::string> id = ActivityIdempotencyKey(
      ExecutionId(instance.execution_id),
      absl::StrCat(QueueName(name), "/", key), std::nullopt);
  if (!id.ok()) co_return Cause::Die(std::string(id.status().message()));
  std::string deferred = QueueDeferredName(name, *id);
  absl::StatusOr<std::string> token = EncodeToken(DeferredToken{
      instance.workflow->tag, ExecutionId(instance.execution_id), deferred});
  if (!token.ok()) co_return Cause::Die(std::string(token.status().message()));
  std::string item = EncodeItem(*token, payload);
  for (int32_t step = 0;; ++step) {
    absl::Status offered = co_await queue.Offer(name, *id, item);
    if (offered.ok()) break;
    // Effect's default retry: min(500 ms × 1.5ⁿ, 1 min), forever.
    std::optional<int64_t> delay_ms =
        RetrySchedule{500, 1.5, 60'000, {}}.DelayMs(step);
    co_await SleepMs(*delay_ms);
  }
  co_return co_await Await(std::move(ctx), std::move(deferred));
}

absl::Status ServeQueue(PersistedQueue& queue, WorkflowEngine& engine,
                        std::string name, QueueWorker work,
                        int32_t concurrency) {
  WorkflowEngine* e = &engine;
  return queue.Serve(
      std::move(name),
      [e, work](std::string item) {
        return WorkItem(e, work, std::move(item));
      },
      concurrency);
}

}  // namespace clustersim::workflow
