#include "core/workflow/race.h"

#include <memory>
#include <optional>
#include <utility>

#include "core/base/check.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"

namespace clustersim::workflow {
namespace {

struct RaceState {
  size_t remaining = 0;
  bool settled = false;
  std::optional<std::string> winner;
  Cause failures;
  Latch done;
};

Task<void> RunBranch(Task<Outcome<std::string>> branch,
                     std::shared_ptr<RaceState> race) {
  Outcome<std::string> out = co_await std::move(branch);
  if (race->settled) co_return;
  if (out.ok()) {
    race->winner = std::move(out).value();
    race->settled = true;
    race->done.Open();
    co_return;
  }
  race->failures = race->failures.Combine(out.cause());
  if (--race->remaining == 0) {
    race->settled = true;
    race->done.Open();
  }
}

}  // namespace

Task<Outcome<std::string>> RaceFirstSuccess(
    std::vector<Task<Outcome<std::string>>> branches) {
  CHECK(!branches.empty());
  Fiber* fiber = CurrentFiber();
  CHECK(fiber != nullptr);
  auto race = std::make_shared<RaceState>();
  race->remaining = branches.size();
  // Losers are cancelled when this scope goes, with the race's frame.
  Scope scope(fiber->scope());
  for (auto& branch : branches) {
    scope.Spawn(RunBranch(std::move(branch), race), "workflow.race");
  }
  co_await race->done.Wait();
  if (race->winner.has_value()) co_return std::move(*race->winner);
  co_return race->failures;
}

}  // namespace clustersim::workflow
