// DurableQueue: work a workflow hands to workers outside it and waits for
// durably (Effect's DurableQueue). Process() offers an item, deduplicated by
// an id derived from the execution and the item's idempotency key, and
// awaits the deferred "DurableQueue/<name>/<id>"; a worker takes the item,
// runs its function, and completes that deferred with the function's exit,
// which wakes the workflow.
//
// The items live in a PersistedQueue (Effect's effect/persistence
// PersistedQueue: at-least-once, deduplicated by id):
//   MemoryPersistedQueue   in process (for MemoryWorkflowEngine);
//   ShardedPersistedQueue  on the cluster: each item is a persisted request
//                          to the entity "DurableQueue/<name>" with the item
//                          id as entity id and primary key, so it is stored
//                          once, delivered to whichever runner holds its
//                          shard, redelivered after a crash until a worker
//                          answers it; the workers are that entity's
//                          handlers, at most `concurrency` at once per
//                          runner.
// Single-threaded.
#ifndef CLUSTERSIM_CORE_WORKFLOW_DURABLE_QUEUE_H_
#define CLUSTERSIM_CORE_WORKFLOW_DURABLE_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/sharding.h"
#include "core/workflow/engine.h"
#include "core/workflow/instance.h"
#include "core/workflow/result.h"

namespace clustersim::workflow {

// A worker's function: the item's payload to its outcome.
using QueueWorker =
    std::function<Task<Outcome<std::string>>(std::string payload)>;

class PersistedQueue {
 public:
  virtual ~PersistedQueue() = default;
  // Stores `item` under `id` in queue `name` unless an item of that id was
  // stored before.
  virtual Task<absl::Status> Offer(std::string name, std::string id,
                                   std::string item) = 0;
  // Runs `handle` for each item of queue `name`, `concurrency` at a time.
  // `handle` completes once the item is done with; an item whose handling
  // fails is handled again.
  virtual absl::Status Serve(
      std::string name,
      std::function<Task<absl::Status>(std::string item)> handle,
      int32_t concurrency) = 0;
};

class MemoryPersistedQueue : public PersistedQueue {
 public:
  explicit MemoryPersistedQueue(Scope& parent) : scope_(parent) {}
  Task<absl::Status> Offer(std::string name, std::string id,
                           std::string item) override;
  absl::Status Serve(std::string name,
                     std::function<Task<absl::Status>(std::string item)> handle,
                     int32_t concurrency) override;

 private:
  struct Queue {
    std::set<std::string> ids;
    std::deque<std::string> items;
    Latch ready;
  };
  static Task<void> Work(Queue* queue,
                         std::function<Task<absl::Status>(std::string)> handle);
  Scope scope_;
  std::map<std::string, std::unique_ptr<Queue>> queues_;
};

class ShardedPersistedQueue : public PersistedQueue {
 public:
  explicit ShardedPersistedQueue(sharding::Sharding& sharding)
      : sharding_(sharding) {}
  Task<absl::Status> Offer(std::string name, std::string id,
                           std::string item) override;
  // Registers the queue's entity on this runner (a no-op on a client).
  absl::Status Serve(std::string name,
                     std::function<Task<absl::Status>(std::string item)> handle,
                     int32_t concurrency) override;

 private:
  void Define(const std::string& name);
  sharding::Sharding& sharding_;
  std::set<std::string> defined_;
  std::map<std::string, std::unique_ptr<Semaphore>> permits_;
};

// Offers `payload` to queue `name` (idempotency key `key`) and waits for a
// worker's outcome; the offer is retried min(500 ms × 1.5ⁿ, 1 min).
Task<Outcome<std::string>> ProcessQueued(WorkflowContext ctx,
                                         PersistedQueue& queue,
                                         std::string name, std::string key,
                                         std::string payload);

// Effect's DurableQueue.worker: serves queue `name` with `work`, completing
// each item's deferred with its outcome (any exit, as Effect).
absl::Status ServeQueue(PersistedQueue& queue, WorkflowEngine& engine,
                        std::string name, QueueWorker work,
                        int32_t concurrency = 1);

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_DURABLE_QUEUE_H_
