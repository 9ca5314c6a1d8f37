#include "core/sharding/reply_handlers.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/cluster/cluster_error.h"

namespace clustersim::sharding {

absl::Status AbandonedError(const EntityAddress& address) {
  return absl::CancelledError(absl::StrCat("abandoned: ", address.ToString()));
}

bool IsAbandoned(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled &&
         absl::StartsWith(status.message(), "abandoned: ");
}

ReplyHandlers::Registration& ReplyHandlers::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    Reset();
    owner_ = std::exchange(other.owner_, nullptr);
    handler_ = std::move(other.handler_);
  }
  return *this;
}

Task<absl::Status> ReplyHandlers::Registration::Wait() {
  std::shared_ptr<Handler> handler = handler_;
  if (handler == nullptr) {
    co_return absl::CancelledError("reply handler detached");
  }
  std::optional<absl::Status> status = co_await handler->done.Wait();
  // The error is built only when needed (value_or would build it always).
  if (status.has_value()) co_return *std::move(status);
  co_return absl::CancelledError("reply handler detached");
}

void ReplyHandlers::Registration::Reset() {
  if (owner_ != nullptr && handler_ != nullptr && handler_->registered) {
    owner_->Remove(handler_);
  }
  owner_ = nullptr;
  handler_.reset();
}

ReplyHandlers::Registration ReplyHandlers::Register(
    Snowflake request_id, const EntityAddress& address, ReplySink respond) {
  auto handler =
      std::make_shared<Handler>(request_id, address, std::move(respond));
  by_request_[request_id].push_back(handler);
  by_shard_.emplace(address.shard_id(), request_id);
  return Registration(this, std::move(handler));
}

void ReplyHandlers::Remove(const std::shared_ptr<Handler>& handler) {
  handler->registered = false;
  auto it = by_request_.find(handler->request_id);
  if (it == by_request_.end()) return;
  std::vector<std::shared_ptr<Handler>>& handlers = it->second;
  handlers.erase(std::remove(handlers.begin(), handlers.end(), handler),
                 handlers.end());
  if (!handlers.empty()) return;
  by_request_.erase(it);
  by_shard_.erase({handler->address.shard_id(), handler->request_id});
}

std::vector<std::shared_ptr<ReplyHandlers::Handler>> ReplyHandlers::Take(
    Snowflake request_id) {
  auto it = by_request_.find(request_id);
  if (it == by_request_.end()) return {};
  std::vector<std::shared_ptr<Handler>> handlers = std::move(it->second);
  by_request_.erase(it);
  for (const std::shared_ptr<Handler>& handler : handlers) {
    handler->registered = false;
    by_shard_.erase({handler->address.shard_id(), request_id});
  }
  return handlers;
}

void ReplyHandlers::Deliver(const storage::Reply& reply) {
  const Snowflake request_id = storage::RequestIdOf(reply);
  if (!std::holds_alternative<storage::WithExit>(reply)) {
    auto it = by_request_.find(request_id);
    if (it == by_request_.end()) return;
    // Copy: a respond callback may register or remove handlers.
    const std::vector<std::shared_ptr<Handler>> handlers = it->second;
    for (const std::shared_ptr<Handler>& handler : handlers) {
      if (handler->respond) handler->respond(reply);
    }
    return;
  }
  for (const std::shared_ptr<Handler>& handler : Take(request_id)) {
    if (handler->respond) handler->respond(reply);
    handler->done.Set(absl::OkStatus());
  }
}

void ReplyHandlers::Unregister(Snowflake request_id, bool interrupt) {
  for (const std::shared_ptr<Handler>& handler : Take(request_id)) {
    handler->done.Set(
        interrupt ? AbandonedError(handler->address)
                  : ToStatus(EntityNotAssignedToRunner{handler->address}));
  }
}

void ReplyHandlers::UnregisterShard(const ShardId& shard, bool interrupt) {
  std::vector<Snowflake> ids;
  for (auto it = by_shard_.lower_bound({shard, Snowflake(INT64_MIN)});
       it != by_shard_.end() && it->first == shard; ++it) {
    ids.push_back(it->second);
  }
  for (Snowflake id : ids) Unregister(id, interrupt);
}

size_t ReplyHandlers::size() const {
  size_t n = 0;
  for (const auto& [id, handlers] : by_request_) n += handlers.size();
  return n;
}

}  // namespace clustersim::sharding
