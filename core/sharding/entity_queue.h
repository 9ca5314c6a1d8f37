// Queue-style entities: Effect's `entity.toLayerQueue(behaviour)`. Instead
// of one handler per RPC, the entity's behaviour receives every request in a
// mailbox queue and answers each, whenever it likes, through a Replier.
//
// The behaviour is a long-running fiber started when the entity's handler
// is built (in Effect, forked into the layer's scope) and cancelled when
// that handler goes (the entity stops, or is rebuilt after a defect; the
// new behaviour then receives the replayed requests). Each request waits,
// holding no concurrency permit (Effect forces "unbounded" concurrency),
// until the Replier completes it; completing a request twice, or one that
// was interrupted meanwhile, does nothing. If the behaviour returns (in
// Effect it cannot: its type is `never`) or fails, every request it has not
// answered fails with its exit, as in Effect where a failed behaviour
// resumes all pending requests with its cause. Interrupted requests stay in
// the queue, as in Effect.
//
// A streaming RPC's request carries its ChunkWriter: the behaviour emits the
// chunks, then completes the request (Effect's replier takes a Stream or a
// Queue).
// Single-threaded, like handlers.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_QUEUE_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_QUEUE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/cluster/snowflake.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/entity.h"
#include "core/storage/reply.h"

namespace clustersim::sharding {

// One request in the behaviour's mailbox (Effect's Envelope.Request).
struct QueuedRequest {
  Snowflake request_id;
  std::string tag;
  std::string payload;
  // The last chunk stored for a resumed stream.
  std::optional<storage::Chunk> last_sent_chunk;
  // Non-null exactly for streaming RPCs; valid until the request completes.
  ChunkWriter* chunks = nullptr;
};

// Answers the behaviour's requests (Effect's Replier).
class Replier {
 public:
  virtual ~Replier() = default;
  virtual void Complete(Snowflake request_id, storage::Exit exit) = 0;
  void Succeed(Snowflake request_id, std::string value) {
    Complete(request_id, storage::Exit::Success(std::move(value)));
  }
  // A typed failure (Effect's replier.fail).
  void Fail(Snowflake request_id, std::string error) {
    Complete(request_id, storage::Exit::Failure(storage::Cause{
                             storage::CauseKind::kFail, std::move(error)}));
  }
};

// The behaviour: runs for the handler's lifetime. `context` is the
// entity's (its address, clock, keep-alive...).
using QueueBehaviour = std::function<Task<void>(
    Queue<QueuedRequest>& mailbox, Replier& replier, EntityContext& context)>;

// Effect's toLayerQueue: `definition` with "unbounded" concurrency, and a
// factory whose handlers hand every request to `behaviour`.
struct QueueEntity {
  EntityDefinition definition;
  EntityFactory factory;
};
QueueEntity ToQueueEntity(EntityDefinition definition,
                          QueueBehaviour behaviour);

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_QUEUE_H_
