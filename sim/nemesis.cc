#include "sim/nemesis.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/base/check.h"
#include "sim/duration.h"

namespace clustersim::sim {

Nemesis::Nemesis(World& world, Network& network, FaultPlan plan,
                 StorageFaultSink* storage)
    : world_(world),
      network_(network),
      plan_(std::move(plan)),
      storage_(storage),
      active_(plan_.timed.size(), false),
      paused_incarnation_(plan_.timed.size(), 0) {
  CHECK(plan_.ValidateNodes(world_.node_count()).ok(),
        "fault plan names a node the world does not have");
  CHECK(storage_ != nullptr || !plan_.UsesStorage(),
        "fault plan has storage faults but the run has no storage sink");
  network_.SetDefaultLink(plan_.LinkFor(network_.default_link()));
  if (plan_.storage != StorageFaultPlan{}) {
    FaultPlan storage_only;
    storage_only.storage = plan_.storage;
    world_.trace().Record(world_.now_us(), kWorldNode, "fault",
                          storage_only.ToString());
    ApplyStorage();
  }
  for (const auto& [node, clock] : plan_.clocks) {
    const NodeId id{node};
    if (clock.offset_ms != 0) {
      world_.clock(id).Step(clock.offset_ms);
      world_.trace().Record(world_.now_us(), kWorldNode, "fault",
                            "skew=" + std::to_string(node) + ":" +
                                FormatDurationUs(clock.offset_ms * 1000));
    }
    if (clock.drift_ppm != 0) {
      world_.clock(id).SetDriftPpm(clock.drift_ppm, world_.now_us());
      world_.trace().Record(world_.now_us(), kWorldNode, "fault",
                            "drift=" + std::to_string(node) + ":" +
                                std::to_string(clock.drift_ppm) + "ppm");
    }
  }
  for (size_t i = 0; i < plan_.timed.size(); ++i) {
    steps_.push_back(Step{this, i, true, {}});
    if (!plan_.timed[i].instant()) steps_.push_back(Step{this, i, false, {}});
  }
  auto time_of = [this](const Step& s) {
    const TimedFault& f = plan_.timed[s.fault];
    return s.begin ? f.start_us : f.end_us;
  };
  std::stable_sort(
      steps_.begin(), steps_.end(),
      [&](const Step& a, const Step& b) { return time_of(a) < time_of(b); });
  for (Step& step : steps_) {
    step.timer = world_.ScheduleAt(std::max(time_of(step), world_.now_us()),
                                   Action{&Nemesis::RunStep, &step});
  }
}

Nemesis::~Nemesis() {
  for (const Step& step : steps_) {
    if (step.timer) world_.Cancel(step.timer);
  }
}

void Nemesis::RunStep(void* p) {
  auto* step = static_cast<Step*>(p);
  step->timer = TimerId{};
  step->self->Apply(*step);
}

void Nemesis::ApplyPartitions() {
  network_.Heal();
  for (size_t i = 0; i < plan_.timed.size(); ++i) {
    if (!active_[i]) continue;
    const TimedFault& f = plan_.timed[i];
    switch (f.kind) {
      case FaultKind::kPartition:
        for (size_t a = 0; a < f.groups.size(); ++a) {
          for (size_t b = a + 1; b < f.groups.size(); ++b) {
            network_.Partition(f.groups[a], f.groups[b]);
          }
        }
        break;
      case FaultKind::kPartitionOneWay:
        network_.PartitionOneWay(f.groups[0], f.groups[1]);
        break;
      case FaultKind::kIsolate:
        network_.Isolate(f.groups[0][0]);
        break;
      default:
        break;
    }
  }
}

void Nemesis::ApplyStorage() {
  StorageFaultPlan faults = plan_.storage;
  for (size_t i = 0; i < plan_.timed.size(); ++i) {
    faults.unavailable |=
        active_[i] && plan_.timed[i].kind == FaultKind::kStorageDown;
  }
  storage_->SetStorageFaults(faults);
}

void Nemesis::Apply(Step& step) {
  const TimedFault& f = plan_.timed[step.fault];
  const NodeId node = f.groups.empty() ? NodeId{} : f.groups[0][0];
  std::string_view kind =
      f.instant() ? "fault" : (step.begin ? "fault.begin" : "fault.end");
  std::string detail = f.ToString();
  switch (f.kind) {
    case FaultKind::kPartition:
    case FaultKind::kPartitionOneWay:
    case FaultKind::kIsolate:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      active_[step.fault] = step.begin;
      ApplyPartitions();
      return;
    case FaultKind::kClogNode:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      step.begin ? network_.ClogNode(node) : network_.UnclogNode(node);
      return;
    case FaultKind::kClogLink: {
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      const NodeId to = f.groups[1][0];
      step.begin ? network_.ClogLink(node, to) : network_.UnclogLink(node, to);
      return;
    }
    case FaultKind::kPause: {
      uint32_t& paused = paused_incarnation_[step.fault];
      if (step.begin) {
        if (world_.state(node) != NodeState::kUp) break;
        world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
        world_.Pause(node);
        paused = world_.incarnation(node);
        return;
      }
      if (paused == 0 || world_.state(node) != NodeState::kPaused ||
          world_.incarnation(node) != paused) {
        break;
      }
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      world_.Resume(node);
      return;
    }
    case FaultKind::kCrash:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      world_.Crash(node);
      return;
    case FaultKind::kRestart:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      world_.Restart(node);
      return;
    case FaultKind::kStep:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      world_.clock(node).Step(f.step_us / 1000);
      return;
    case FaultKind::kStorageDown:
      world_.trace().Record(world_.now_us(), kWorldNode, kind, detail);
      active_[step.fault] = step.begin;
      ApplyStorage();
      return;
  }
  world_.trace().Record(world_.now_us(), kWorldNode, "fault.skip",
                        std::string(kind) + " " + detail);
}

}  // namespace clustersim::sim
