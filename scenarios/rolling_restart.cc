#include "scenarios/rolling_restart.h"

#include <utility>

#include "core/base/check.h"
#include "core/runtime/executor.h"

namespace clustersim::scenarios {

RollingRestart::RollingRestart(sim::World& world, NodeId node, int64_t at_us,
                               Observer observer)
    : world_(world), node_(node), observer_(std::move(observer)) {
  world.ScheduleAt(at_us, Action{&RollingRestart::Begin, this});
}

void RollingRestart::Begin(void* self) {
  auto* r = static_cast<RollingRestart*>(self);
  if (r->world_.state(r->node_) != sim::NodeState::kUp) return;
  r->incarnation_ = r->world_.incarnation(r->node_);
  r->deadline_us_ = r->world_.now_us() + kShutdownLimitUs;
  r->Tell(true);
  r->Node()->Shutdown();
  r->world_.ScheduleAfter(kShutdownPollUs, Action{&RollingRestart::Poll, r});
}

void RollingRestart::Poll(void* self) {
  auto* r = static_cast<RollingRestart*>(self);
  if (!r->Unchanged()) {
    r->Tell(false);
    return;
  }
  const bool done = r->world_.state(r->node_) == sim::NodeState::kUp &&
                    r->Node()->shutdown_complete();
  if (!done && r->world_.now_us() < r->deadline_us_) {
    r->world_.ScheduleAfter(kShutdownPollUs, Action{&RollingRestart::Poll, r});
    return;
  }
  r->world_.Crash(r->node_);
  r->Tell(false);
  r->world_.ScheduleAfter(kRestartDelayUs,
                          Action{&RollingRestart::StartAgain, r});
}

void RollingRestart::StartAgain(void* self) {
  auto* r = static_cast<RollingRestart*>(self);
  if (r->world_.state(r->node_) != sim::NodeState::kDown ||
      r->world_.incarnation(r->node_) != r->incarnation_) {
    return;
  }
  r->world_.Start(r->node_);
  ++r->restarts_;
}

bool RollingRestart::Unchanged() const {
  return world_.state(node_) != sim::NodeState::kDown &&
         world_.incarnation(node_) == incarnation_;
}

void RollingRestart::Tell(bool shutting_down) {
  if (observer_) observer_(node_, shutting_down);
}

GracefulShutdown* RollingRestart::Node() {
  auto* node = dynamic_cast<GracefulShutdown*>(world_.process(node_));
  CHECK(node != nullptr, "a rolling restart's node shuts down gracefully");
  return node;
}

}  // namespace clustersim::scenarios
