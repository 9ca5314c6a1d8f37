#include "core/workflow/durable_deferred.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/workflow/race.h"
#include "core/workflow/workflow.h"

namespace clustersim::workflow {
namespace {

bool IsNone(const std::optional<Exit>& exit) { return !exit.has_value(); }

// Records a held step's exit as the deferred's (Effect's recordExit).
Task<absl::Status> RecordExit(WorkflowContext ctx, std::string name,
                              const Outcome<std::string>& out) {
  Exit exit = Exit::Success("");
  if (out.ok()) {
    exit = Exit::Success(out.value());
  } else {
    if (out.cause().HasInterruptsOnly()) co_return absl::OkStatus();
    exit = Exit::Failure(out.cause().WithoutInterrupts());
  }
  DeferredAddress address{ctx.instance->workflow->tag,
                          ctx.instance->execution_id, std::move(name)};
  co_return co_await ctx.engine->DeferredDone(std::move(address),
                                              std::move(exit), ctx.instance);
}

// Hands the awaits registered under a held body to whoever owns them next:
// released once the body has a result, else moved to the enclosing owner.
struct AwaitHandover {
  std::shared_ptr<WorkflowInstance> instance;
  std::shared_ptr<WorkflowInstance> local;
  bool has_result = false;
  ~AwaitHandover() {
    if (local == nullptr) return;
    const std::vector<std::string>& owned = *local->owned_awaits;
    if (has_result) {
      instance->ReleaseAwaits(owned);
    } else if (instance->owned_awaits != nullptr) {
      instance->owned_awaits->insert(instance->owned_awaits->end(),
                                     owned.begin(), owned.end());
    }
  }
};

Task<std::optional<Exit>> HoldBody(
    WorkflowContext ctx, ActivityBody effect, std::string name,
    bool check_cache, std::shared_ptr<std::optional<Cause>> parked) {
  if (check_cache) {
    std::optional<Exit> cached = co_await ctx.engine->DeferredResult(ctx, name);
    if (cached.has_value()) co_return cached;
  }
  // The body counts steps on its own instance copy, so a durable wait inside
  // it waits for its own siblings, not for this hold.
  AwaitHandover handover{ctx.instance, ctx.instance->LocalCopy()};
  std::shared_ptr<WorkflowInstance> local = handover.local;
  Outcome<std::string> out = co_await effect(ctx.WithInstance(local));
  const absl::Status recorded = co_await RecordExit(ctx, name, out);
  // Effect dies when the exit cannot be recorded.
  if (!recorded.ok()) {
    handover.has_result = true;
    co_return Exit::Failure(Cause::Die(absl::StrCat(
        "recording deferred ", name, " failed: ", recorded.ToString())));
  }
  if (local->suspended && !out.ok() && out.cause().HasInterruptsOnly()) {
    *parked = out.cause();
    co_return std::nullopt;
  }
  handover.has_result = true;
  co_return ToExit(std::move(out));
}

Task<Outcome<std::string>> RecordHeld(WorkflowContext ctx, ActivityBody effect,
                                      std::string name, bool check_cache) {
  auto parked = std::make_shared<std::optional<Cause>>();
  std::optional<Exit> exit = co_await WrapActivityResult<std::optional<Exit>>(
      ctx.instance, HoldBody(ctx, effect, name, check_cache, parked), &IsNone);
  if (!exit.has_value()) {
    // Every branch parked: suspend with the cause they parked with.
    ctx.instance->suspended = true;
    co_return parked->has_value() ? **parked : Cause::Interrupt();
  }
  co_return FromExit(*exit);
}

Task<Outcome<std::string>> RaceBranches(WorkflowContext ctx,
                                        std::vector<ActivityBody> effects) {
  std::vector<Task<Outcome<std::string>>> branches;
  for (ActivityBody& effect : effects) branches.push_back(effect(ctx));
  return RaceFirstSuccess(std::move(branches));
}

}  // namespace

Task<Outcome<std::string>> Await(WorkflowContext ctx, std::string name) {
  ctx.instance->RegisterAwait(name);
  std::optional<Exit> exit = co_await WrapActivityResult<std::optional<Exit>>(
      ctx.instance, ctx.engine->DeferredResult(ctx, name), &IsNone);
  if (!exit.has_value()) co_return Suspend(*ctx.instance);
  co_return FromExit(*exit);
}

Task<absl::Status> Done(WorkflowEngine& engine, DeferredAddress address,
                        Exit exit) {
  return engine.DeferredDone(std::move(address), std::move(exit), nullptr);
}

Task<Outcome<std::string>> Into(WorkflowContext ctx, std::string name,
                                ActivityBody effect) {
  return RecordHeld(std::move(ctx), std::move(effect), std::move(name),
                    /*check_cache=*/false);
}

Task<Outcome<std::string>> RaceAll(WorkflowContext ctx, std::string name,
                                   std::vector<ActivityBody> effects) {
  ActivityBody race = [effects](WorkflowContext local) {
    return RaceBranches(std::move(local), effects);
  };
  return RecordHeld(std::move(ctx), std::move(race), "raceAll/" + name,
                    /*check_cache=*/true);
}

}  // namespace clustersim::workflow
