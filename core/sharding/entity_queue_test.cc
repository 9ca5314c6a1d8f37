// toLayerQueue, written to Effect's Entity.ts behaviour: every request goes
// to the behaviour's queue, each waits for the Replier, none holds a
// concurrency permit, and requests the behaviour cannot answer fail.
#include "core/sharding/entity_queue.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/sharding/sharding_testing.h"
#include "gtest/gtest.h"

namespace clustersim::sharding {
namespace {

using testing::CallInto;
using testing::CallResult;
using testing::kStartMs;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestNode;

const EntityType kQueued("Queued");

RpcSpec Rpc(std::string tag, bool persisted) {
  RpcSpec spec;
  spec.tag = std::move(tag);
  spec.persisted = persisted;
  return spec;
}

// What the tests see of the behaviour: the requests it took, in order.
struct Seen {
  std::vector<QueuedRequest> requests;
  Replier* replier = nullptr;
  int behaviours = 0;
  // "Stop" ends the behaviour while set (then clears it); otherwise it is
  // held like "Ask".
  bool stop_once = true;
};

// Takes requests and leaves them to the test to answer, except "Echo",
// answered at once, and "Stop", which ends the behaviour (once).
Task<void> Behaviour(Seen* seen, Queue<QueuedRequest>& mailbox,
                     Replier& replier) {
  ++seen->behaviours;
  seen->replier = &replier;
  for (;;) {
    std::optional<QueuedRequest> request = co_await mailbox.Receive();
    if (!request.has_value()) co_return;
    if (request->tag == "Stop" && std::exchange(seen->stop_once, false)) {
      co_return;
    }
    if (request->tag == "Echo") {
      replier.Succeed(request->request_id, request->payload);
      continue;
    }
    seen->requests.push_back(*std::move(request));
  }
}

class EntityQueueTest : public ::testing::Test {
 protected:
  void Start(EntityOptions options = {}) {
    EntityDefinition definition(kQueued, options);
    definition.Add(Rpc("Echo", false))
        .Add(Rpc("Ask", false))
        .Add(Rpc("AskP", true))
        .Add(Rpc("Stop", false));
    QueueEntity entity =
        ToQueueEntity(std::move(definition),
                      [seen = &seen_](Queue<QueuedRequest>& mailbox,
                                      Replier& replier, EntityContext&) {
                        return Behaviour(seen, mailbox, replier);
                      });
    EXPECT_EQ(entity.definition.options().concurrency, kUnboundedConcurrency);
    node_ = std::make_unique<TestNode>(ex_, state_, TestConfig(), NodeId{1},
                                       nullptr, resolver_);
    ASSERT_TRUE(node_->sharding
                    .RegisterEntity(std::move(entity.definition),
                                    std::move(entity.factory))
                    .ok());
    node_->sharding.Start();
    ex_.RunForMs(10);
  }
  void Call(std::string tag, std::string payload, CallResult* out) {
    node_->scope().Spawn(CallInto(&node_->sharding, kQueued, "1",
                                  std::move(tag), std::move(payload), out));
  }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  Seen seen_;
  std::unique_ptr<TestNode> node_;
};

TEST_F(EntityQueueTest, TheBehaviourRepliesThroughTheReplier) {
  Start();
  CallResult echo;
  Call("Echo", "hello", &echo);
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(echo), "hello");
}

TEST_F(EntityQueueTest, RequestsWaitTogetherAndAreAnsweredInAnyOrder) {
  Start();  // concurrency 1 asked; the queue entity makes it unbounded
  CallResult first;
  CallResult second;
  Call("Ask", "1", &first);
  ex_.RunForMs(5);
  Call("Ask", "2", &second);
  ex_.RunForMs(10);
  // Both reached the behaviour although neither is answered.
  ASSERT_EQ(seen_.requests.size(), 2u);
  EXPECT_EQ(seen_.requests[0].payload, "1");
  EXPECT_EQ(seen_.requests[1].payload, "2");
  seen_.replier->Succeed(seen_.requests[1].request_id, "two");
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(second), "two");
  EXPECT_FALSE(first.has_value());
  seen_.replier->Fail(seen_.requests[0].request_id, "NotFound");
  // A second completion of the same request does nothing.
  seen_.replier->Succeed(seen_.requests[0].request_id, "late");
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(first), "<failure: NotFound>");
}

TEST_F(EntityQueueTest, PersistedRequestsAreStoredWhenReplied) {
  Start();
  CallResult result;
  Call("AskP", "p", &result);
  ex_.RunForMs(10);
  ASSERT_EQ(seen_.requests.size(), 1u);
  EXPECT_EQ(state_.messages().reply_count(), 0);
  seen_.replier->Succeed(seen_.requests[0].request_id, "stored");
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(result), "stored");
  EXPECT_EQ(state_.messages().reply_count(), 1);
}

TEST_F(EntityQueueTest, ABehaviourThatEndsFailsWhatItLeftUnanswered) {
  EntityOptions options;
  options.disable_fatal_defects = true;  // see the defect as the reply
  Start(options);
  CallResult pending;
  CallResult stop;
  CallResult later;
  Call("Ask", "1", &pending);
  ex_.RunForMs(5);
  Call("Stop", "", &stop);
  ex_.RunForMs(10);
  Call("Ask", "2", &later);
  ex_.RunForMs(10);
  for (const CallResult* result : {&pending, &stop, &later}) {
    EXPECT_EQ(SuccessValue(*result), "<failure: the queue behaviour ended>");
  }
  EXPECT_EQ(seen_.behaviours, 1);
}

TEST_F(EntityQueueTest, ADefectRebuildStartsANewBehaviourThatGetsTheReplay) {
  Start();  // fatal defects: the entity restarts and replays
  CallResult pending;
  Call("AskP", "1", &pending);
  ex_.RunForMs(10);
  ASSERT_EQ(seen_.behaviours, 1);
  CallResult stop;
  Call("Stop", "", &stop);
  ex_.RunForMs(10'000);  // the defect backoff, then the rebuild
  EXPECT_EQ(seen_.behaviours, 2);
  // The replayed requests reached the new behaviour.
  ASSERT_EQ(seen_.requests.size(), 3u);  // AskP, then both replayed
  EXPECT_EQ(seen_.requests[1].tag, "AskP");
  EXPECT_EQ(seen_.requests[2].tag, "Stop");
  seen_.replier->Succeed(seen_.requests[1].request_id, "after restart");
  ex_.RunForMs(1'000);
  EXPECT_EQ(SuccessValue(pending), "after restart");
}

}  // namespace
}  // namespace clustersim::sharding
