// BuggyStorageClient: a runner's StorageClient with a deliberately injected
// bug (a mutant, `--bug NAME`), wrapped around the real client. Each bug is a
// plausible mistake at the boundary between a runner and MessageStorage /
// RunnerStorage that a scenario's sweep must catch:
//
//   kRedeliverAnswered      reads of unprocessed messages also return every
//                           request this client read before, as a read that
//                           ignores the processed flag would; the runner
//                           hands requests that are already answered to
//                           their entities again.
//   kAcquireTakesHeldShards a lock acquisition reports every shard it asked
//                           for as acquired, also those another runner still
//                           holds (with a token of epoch 0, which no lease
//                           ever has), so two runners own a shard until the
//                           next refresh tells the taker otherwise.
// kNone forwards every call untouched.
//
// Single-threaded; owned by the runner's process, like the client it wraps.
#ifndef CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_
#define CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/storage/forwarding_storage_client.h"

namespace clustersim::scenarios {

enum class StorageBug { kNone, kRedeliverAnswered, kAcquireTakesHeldShards };

class BuggyStorageClient : public storage::ForwardingStorageClient {
 public:
  BuggyStorageClient(std::unique_ptr<storage::StorageClient> inner,
                     StorageBug bug);

  Task<absl::StatusOr<std::vector<storage::StoredMessage>>> UnprocessedMessages(
      storage::UnprocessedQuery query, int64_t reader_now_ms) override;
  Task<absl::StatusOr<std::vector<storage::FencingToken>>> Acquire(
      RunnerAddress address, std::vector<ShardId> shards) override;

 private:
  static Task<absl::StatusOr<std::vector<storage::StoredMessage>>> ReadAgain(
      BuggyStorageClient* self, storage::UnprocessedQuery query,
      int64_t reader_now_ms);
  static Task<absl::StatusOr<std::vector<storage::FencingToken>>> TakeAll(
      BuggyStorageClient* self, RunnerAddress address,
      std::vector<ShardId> shards);

  StorageBug bug_;
  // kRedeliverAnswered: every request read so far, by id.
  absl::btree_map<Snowflake, storage::StoredMessage> read_;
};

}  // namespace clustersim::scenarios

#endif  // CLUSTERSIM_SCENARIOS_BUGGY_STORAGE_CLIENT_H_
