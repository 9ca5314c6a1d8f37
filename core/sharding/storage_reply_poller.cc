#include "core/sharding/storage_reply_poller.h"

#include <utility>

namespace clustersim::sharding {

StorageReplyPoller::StorageReplyPoller(const ShardingConfig& config,
                                       const NodeEnv& env,
                                       storage::StorageClient& storage,
                                       Scope& parent)
    : config_(config), env_(env), storage_(storage), scope_(parent) {}

StorageReplyPoller::~StorageReplyPoller() { scope_.Close(); }

void StorageReplyPoller::Start() {
  scope_.Spawn(ReadLoop(), "replies.read");
  scope_.Spawn(Ticker(), "replies.tick");
}

void StorageReplyPoller::Stop() { scope_.Close(); }

Task<void> StorageReplyPoller::ReplyFromStorage(Snowflake request_id,
                                                ReplySink respond) {
  std::shared_ptr<Entry> entry;
  if (auto it = entries_.find(request_id); it != entries_.end()) {
    entry = it->second;
  } else {
    entry = std::make_shared<Entry>();
    entries_.emplace(request_id, entry);
    waiting_.insert(request_id);
    entry->pump =
        SpawnJoinable(scope_, Pump(request_id, entry), "replies.pump");
  }
  const uint64_t waiter = next_waiter_++;
  entry->waiters.emplace(waiter, std::move(respond));
  // A waiter joining an existing entry (a duplicate) reads at once.
  storage_latch_.Open();
  struct Leave {
    StorageReplyPoller* self;
    Snowflake request_id;
    std::shared_ptr<Entry> entry;
    uint64_t waiter;
    ~Leave() {
      entry->waiters.erase(waiter);
      if (!entry->waiters.empty()) return;
      self->RemoveEntry(request_id, entry);
      entry->pump.Cancel();
    }
  } leave{this, request_id, entry, waiter};
  co_await entry->pump.Join();
}

void StorageReplyPoller::OnAckPersisted(Snowflake request_id) {
  auto it = entries_.find(request_id);
  if (it != entries_.end()) it->second->latch.Open();
}

void StorageReplyPoller::RemoveEntry(Snowflake request_id,
                                     const std::shared_ptr<Entry>& entry) {
  auto it = entries_.find(request_id);
  // A reset request may have a newer entry under the same id.
  if (it == entries_.end() || it->second != entry) return;
  entries_.erase(it);
  waiting_.erase(request_id);
}

void StorageReplyPoller::RespondAll(const Entry& entry,
                                    const storage::Reply& reply) {
  // Copy: a respond callback may make its waiter leave.
  const std::map<uint64_t, ReplySink> waiters = entry.waiters;
  for (const auto& [id, respond] : waiters) respond(reply);
}

Task<void> StorageReplyPoller::Pump(Snowflake request_id,
                                    std::shared_ptr<Entry> entry) {
  for (;;) {
    co_await entry->latch.Wait();
    for (size_t i = 0; i < entry->replies.size(); ++i) {
      const storage::Reply reply = entry->replies[i];
      if (std::holds_alternative<storage::WithExit>(reply)) {
        RemoveEntry(request_id, entry);
        RespondAll(*entry, reply);
        co_return;
      }
      entry->latch.Close();
      RespondAll(*entry, reply);
      // Wait for the chunk's ack.
      co_await entry->latch.Wait();
    }
    entry->replies.clear();
    // Ask the read loop for the next replies.
    entry->latch.Close();
    if (entry->waiters.empty()) co_return;
    waiting_.insert(request_id);
    storage_latch_.Open();
  }
}

Task<void> StorageReplyPoller::ReadLoop() {
  for (;;) {
    co_await storage_latch_.Wait();
    storage_latch_.Close();
    if (waiting_.empty()) continue;
    std::vector<Snowflake> ids(waiting_.begin(), waiting_.end());
    absl::StatusOr<std::vector<storage::Reply>> replies =
        co_await storage_.RepliesFor(std::move(ids));
    if (!replies.ok()) continue;
    std::vector<std::shared_ptr<Entry>> found;
    for (storage::Reply& reply : *replies) {
      const Snowflake request_id = storage::RequestIdOf(reply);
      auto it = entries_.find(request_id);
      if (it == entries_.end()) continue;
      it->second->replies.push_back(std::move(reply));
      waiting_.erase(request_id);
      found.push_back(it->second);
    }
    for (const std::shared_ptr<Entry>& entry : found) entry->latch.Open();
  }
}

Task<void> StorageReplyPoller::Ticker() {
  for (;;) {
    co_await SleepMs(config_.entity_reply_poll_interval_ms);
    if (waiting_.empty()) {
      co_await storage_latch_.Wait();
    } else {
      storage_latch_.Open();
    }
  }
}

}  // namespace clustersim::sharding
