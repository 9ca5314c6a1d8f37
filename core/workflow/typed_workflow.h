// TypedWorkflow<P, S, E>: Effect's Workflow.make with schemas — a workflow
// whose payload, success and error are C++ types, encoded with WireCodecs
// (core/sharding/typed_rpc.h) where the engine sees bytes.
//
//   const TypedWorkflow<Order, Receipt, Refused> kCheckout(
//       {.tag = "Checkout"}, kOrderCodec, kReceiptCodec, kRefusedCodec,
//       [](const Order& o) { return o.id; });   // the idempotency key
//   kCheckout.Register(engine, &CheckoutBody);  // Task<Outcome<Receipt>>
//   Outcome<Receipt> r = co_await kCheckout.Execute(engine, order);
//
// The execution id is Effect 4.1.0's (workflow_ids.h) of the tag and the
// payload's idempotency key, so the same payload always names the same
// execution. A typed failure travels as Cause::Fail with the encoded error;
// Fail() builds one and ErrorOf() reads it back. A payload that does not
// decode is a defect of the run (Effect's schema decode dies too).
// Immutable after construction; must outlive the engine it is registered
// with. Thread-compatible.
#ifndef CLUSTERSIM_CORE_WORKFLOW_TYPED_WORKFLOW_H_
#define CLUSTERSIM_CORE_WORKFLOW_TYPED_WORKFLOW_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "core/runtime/task.h"
#include "core/sharding/typed_rpc.h"
#include "core/workflow/engine.h"
#include "core/workflow/workflow.h"
#include "core/workflow/workflow_ids.h"

namespace clustersim::workflow {

template <typename P, typename S, typename E>
class TypedWorkflow {
 public:
  using Body = std::function<Task<Outcome<S>>(WorkflowContext ctx, P payload)>;
  using IdempotencyKey = std::function<std::string(const P& payload)>;

  // `definition` carries the tag and annotations.
  TypedWorkflow(WorkflowDefinition definition, sharding::WireCodec<P> payload,
                sharding::WireCodec<S> success, sharding::WireCodec<E> error,
                IdempotencyKey idempotency_key)
      : definition_(std::move(definition)),
        payload_(payload),
        success_(success),
        error_(error),
        idempotency_key_(std::move(idempotency_key)) {}

  const WorkflowDefinition& definition() const { return definition_; }

  absl::Status Register(WorkflowEngine& engine, Body body) const {
    const TypedWorkflow* self = this;
    return engine.Register(
        definition_, [self, body](WorkflowContext ctx, std::string payload) {
          return Run(self, body, std::move(ctx), std::move(payload));
        });
  }

  // Effect's Workflow.executionId.
  absl::StatusOr<std::string> ExecutionId(const P& payload) const {
    absl::StatusOr<clustersim::ExecutionId> id =
        MakeExecutionId(definition_.tag, idempotency_key_(payload));
    if (!id.ok()) return id.status();
    return std::string(id->value());
  }

  // Execute and wait for the result: at top level (no parent), or as a child
  // of the run in `parent` (which then suspends while the child does).
  Task<Outcome<S>> Execute(WorkflowEngine& engine, P payload) const {
    return ExecuteTyped(this, &engine, nullptr, std::move(payload));
  }
  Task<Outcome<S>> Execute(const WorkflowContext& parent, P payload) const {
    return ExecuteTyped(this, parent.engine, parent.instance,
                        std::move(payload));
  }
  // Execute with discard: returns the execution id at once.
  Task<Outcome<std::string>> ExecuteDiscard(WorkflowEngine& engine,
                                            P payload) const {
    return DiscardTyped(this, &engine, std::move(payload));
  }
  Task<Outcome<std::optional<Result>>> Poll(WorkflowEngine& engine,
                                            std::string execution_id) const {
    return engine.Poll(definition_, std::move(execution_id));
  }
  Task<void> Interrupt(WorkflowEngine& engine, std::string id) const {
    return engine.Interrupt(definition_, std::move(id));
  }
  Task<void> InterruptUnsafe(WorkflowEngine& engine, std::string id) const {
    return engine.InterruptUnsafe(definition_, std::move(id));
  }
  Task<void> Resume(WorkflowEngine& engine, std::string id) const {
    return engine.Resume(definition_, std::move(id));
  }

  // A typed failure of this workflow, and back (nullopt for any other cause).
  Cause Fail(const E& error) const {
    return Cause::Fail(sharding::internal::Encode(error_, error));
  }
  std::optional<E> ErrorOf(const Cause& cause) const {
    for (const Reason& reason : cause.reasons()) {
      if (reason.kind != ReasonKind::kFail) continue;
      absl::StatusOr<E> error =
          sharding::internal::Decode(error_, reason.value);
      if (error.ok()) return *std::move(error);
    }
    return std::nullopt;
  }
  std::optional<S> ValueOf(const Result& result) const {
    const auto* complete = std::get_if<Complete>(&result);
    if (complete == nullptr || !complete->exit.is_success()) {
      return std::nullopt;
    }
    absl::StatusOr<S> value =
        sharding::internal::Decode(success_, complete->exit.value());
    if (!value.ok()) return std::nullopt;
    return *std::move(value);
  }

 private:
  static Task<Outcome<std::string>> Run(const TypedWorkflow* self, Body body,
                                        WorkflowContext ctx,
                                        std::string payload) {
    absl::StatusOr<P> decoded =
        sharding::internal::Decode(self->payload_, payload);
    if (!decoded.ok()) {
      co_return Cause::Die(self->definition_.tag +
                           " payload does not decode: " +
                           std::string(decoded.status().message()));
    }
    Outcome<S> out = co_await body(std::move(ctx), *std::move(decoded));
    if (!out.ok()) co_return std::move(out).cause();
    co_return sharding::internal::Encode(self->success_, out.value());
  }

  static Task<Outcome<S>> ExecuteTyped(const TypedWorkflow* self,
                                       WorkflowEngine* engine,
                                       std::shared_ptr<WorkflowInstance> parent,
                                       P payload) {
    absl::StatusOr<std::string> id = self->ExecutionId(payload);
    if (!id.ok()) co_return Cause::Die(std::string(id.status().message()));
    std::string bytes = sharding::internal::Encode(self->payload_, payload);
    ExecuteOptions options;
    Outcome<std::string> out = co_await workflow::Execute(
        *engine, std::move(parent), self->definition_, *id, std::move(bytes),
        options);
    if (!out.ok()) co_return std::move(out).cause();
    absl::StatusOr<S> value =
        sharding::internal::Decode(self->success_, out.value());
    if (!value.ok()) {
      co_return Cause::Die(self->definition_.tag + " result does not decode: " +
                           std::string(value.status().message()));
    }
    co_return *std::move(value);
  }

  static Task<Outcome<std::string>> DiscardTyped(const TypedWorkflow* self,
                                                 WorkflowEngine* engine,
                                                 P payload) {
    absl::StatusOr<std::string> id = self->ExecutionId(payload);
    if (!id.ok()) co_return Cause::Die(std::string(id.status().message()));
    std::string bytes = sharding::internal::Encode(self->payload_, payload);
    ExecuteOptions options;
    options.discard = true;
    co_return co_await workflow::Execute(*engine, nullptr, self->definition_,
                                         *id, std::move(bytes), options);
  }

  WorkflowDefinition definition_;
  sharding::WireCodec<P> payload_;
  sharding::WireCodec<S> success_;
  sharding::WireCodec<E> error_;
  IdempotencyKey idempotency_key_;
};

}  // namespace clustersim::workflow

#endif  // CLUSTERSIM_CORE_WORKFLOW_TYPED_WORKFLOW_H_
