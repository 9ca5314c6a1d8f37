#include "core/workflow/instance.h"

#include <utility>

#include "core/base/check.h"

namespace clustersim::workflow {

void FinalizerScope::Add(Finalizer finalizer) {
  if (closed_) return;
  finalizers_.push_back(std::move(finalizer));
}

bool FinalizerScope::CloseIfEmpty() {
  if (!finalizers_.empty()) return false;
  closed_ = true;
  return true;
}

Task<void> FinalizerScope::Close(Exit exit) {
  if (closed_) co_return;
  closed_ = true;
  std::vector<Finalizer> finalizers = std::move(finalizers_);
  finalizers_.clear();
  for (auto it = finalizers.rbegin(); it != finalizers.rend(); ++it) {
    co_await (*it)(exit);
  }
}

std::shared_ptr<WorkflowInstance> WorkflowInstance::Initial(
    const WorkflowDefinition& workflow, std::string execution_id,
    std::shared_ptr<FinalizerScope> scope) {
  auto instance = std::make_shared<WorkflowInstance>();
  instance->execution_id = std::move(execution_id);
  instance->workflow = &workflow;
  instance->scope =
      scope != nullptr ? std::move(scope) : std::make_shared<FinalizerScope>();
  instance->awaited_deferreds =
      std::make_shared<std::map<std::string, int32_t>>();
  instance->completed_deferreds = std::make_shared<std::set<std::string>>();
  instance->activity_state = std::make_shared<ActivityState>();
  return instance;
}

std::shared_ptr<WorkflowInstance> WorkflowInstance::LocalCopy() const {
  auto copy = std::make_shared<WorkflowInstance>(*this);
  copy->suspended = false;
  copy->activity_state = std::make_shared<ActivityState>();
  copy->owned_awaits = std::make_shared<std::vector<std::string>>();
  return copy;
}

void WorkflowInstance::RegisterAwait(const std::string& name) {
  ++(*awaited_deferreds)[name];
  if (owned_awaits != nullptr) owned_awaits->push_back(name);
}

void WorkflowInstance::ReleaseAwaits(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    auto it = awaited_deferreds->find(name);
    CHECK(it != awaited_deferreds->end() && it->second > 0);
    if (--it->second == 0) awaited_deferreds->erase(it);
  }
}

}  // namespace clustersim::workflow
