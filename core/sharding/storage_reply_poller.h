// StorageReplyPoller: reading replies back from storage for requests whose
// reply this process will not see being stored (Effect 4.1.0 Runners'
// replyFromStorage with its per-request pump, effect-semantics.md §7.4,
// effect-delta-4.1.md §9).
//
// One pump per request id serves every local waiter of that id. A read loop
// calls repliesFor(waiting ids) whenever its latch opens: every
// entity_reply_poll_interval_ms while something waits, and on Wake(). A
// Chunk is handed to the waiters, then the pump waits for its AckChunk to be
// persisted here (OnAckPersisted) before asking for more; a WithExit removes
// the entry (so a sender that resets and re-sends gets a fresh one), is
// handed to the waiters and ends the pump. A waiter that leaves is removed;
// the last one to leave stops the pump. Read errors count as "no replies".
//
// Single-threaded. Owned by Sharding; the storage client outlives it.
#ifndef CLUSTERSIM_CORE_SHARDING_STORAGE_REPLY_POLLER_H_
#define CLUSTERSIM_CORE_SHARDING_STORAGE_REPLY_POLLER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "absl/container/btree_set.h"
#include "core/cluster/snowflake.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/runtime/task.h"
#include "core/sharding/async.h"
#include "core/sharding/config.h"
#include "core/sharding/message.h"
#include "core/storage/reply.h"
#include "core/storage/storage_client.h"

namespace clustersim::sharding {

class StorageReplyPoller {
 public:
  StorageReplyPoller(const ShardingConfig& config, const NodeEnv& env,
                     storage::StorageClient& storage, Scope& parent);
  ~StorageReplyPoller();
  StorageReplyPoller(const StorageReplyPoller&) = delete;
  StorageReplyPoller& operator=(const StorageReplyPoller&) = delete;

  void Start();
  void Stop();

  // Delivers the request's stored replies through `respond` until its
  // WithExit (waiting for each chunk's ack in between).
  Task<void> ReplyFromStorage(Snowflake request_id, ReplySink respond);
  // An AckChunk of the request was persisted: its pump may continue.
  void OnAckPersisted(Snowflake request_id);
  // Reads storage now.
  void Wake() { storage_latch_.Open(); }

  size_t entry_count() const { return entries_.size(); }

 private:
  struct Entry {
    Latch latch;
    std::map<uint64_t, ReplySink> waiters;  // by join order
    std::vector<storage::Reply> replies;
    FiberHandle pump;
  };

  Task<void> Pump(Snowflake request_id, std::shared_ptr<Entry> entry);
  Task<void> ReadLoop();
  Task<void> Ticker();
  void RemoveEntry(Snowflake request_id, const std::shared_ptr<Entry>& entry);
  static void RespondAll(const Entry& entry, const storage::Reply& reply);

  const ShardingConfig& config_;
  NodeEnv env_;
  storage::StorageClient& storage_;
  std::map<Snowflake, std::shared_ptr<Entry>> entries_;
  // Requests the read loop should look up.
  absl::btree_set<Snowflake> waiting_;
  Latch storage_latch_;
  uint64_t next_waiter_ = 1;
  Scope scope_;
};

}  // namespace clustersim::sharding

#endif  // CLUSTERSIM_CORE_SHARDING_STORAGE_REPLY_POLLER_H_
