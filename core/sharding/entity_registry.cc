#include "core/sharding/entity_registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/check.h"

namespace clustersim::sharding {

absl::Status EntityNotRegistered(const EntityType& type) {
  return absl::InternalError(
      absl::StrCat("Entity type '", type.value(), "' not registered"));
}

EntityRegistry::Entry* EntityRegistry::Find(const EntityType& type) {
  auto it = entries_.find(type);
  return it == entries_.end() ? nullptr : it->second.get();
}

const EntityRegistry::Entry* EntityRegistry::Find(
    const EntityType& type) const {
  auto it = entries_.find(type);
  return it == entries_.end() ? nullptr : it->second.get();
}

void EntityRegistry::Add(std::unique_ptr<EntityManager> manager) {
  const EntityType type = manager->definition().type();
  CHECK(!entries_.contains(type), "entity type registered twice");
  if (!registration_start_ms_.has_value()) {
    registration_start_ms_ = clock_.NowMs();
  }
  auto entry = std::make_unique<Entry>();
  entry->manager = std::move(manager);
  order_.push_back(entry.get());
  entries_.emplace(type, std::move(entry));
  if (auto it = waiters_.find(type); it != waiters_.end()) {
    it->second->Open();
    waiters_.erase(it);
  }
}

int64_t EntityRegistry::RegistrationTimeRemainingMs() {
  const int64_t now_ms = clock_.NowMs();
  const bool started = registration_start_ms_.has_value();
  if (!started && !fallback_start_ms_.has_value()) fallback_start_ms_ = now_ms;
  const int64_t start_ms =
      started ? *registration_start_ms_ : *fallback_start_ms_;
  const int64_t timeout_ms = started
                                 ? config_.entity_registration_timeout_ms
                                 : config_.entity_registration_timeout_ms * 2;
  return std::max<int64_t>(0, timeout_ms - (now_ms - start_ms));
}

Task<absl::Status> EntityRegistry::WaitFor(EntityType type) {
  for (;;) {
    if (Find(type) != nullptr) co_return absl::OkStatus();
    const int64_t remaining_ms = RegistrationTimeRemainingMs();
    if (remaining_ms <= 0) co_return EntityNotRegistered(type);
    std::shared_ptr<Latch>& latch = waiters_[type];
    if (latch == nullptr) latch = std::make_shared<Latch>(false);
    std::shared_ptr<Latch> registered = latch;
    co_await registered->WaitFor(remaining_ms);
  }
}

}  // namespace clustersim::sharding
