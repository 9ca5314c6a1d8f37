// Ports of Effect's Sharding.test.ts (effect-semantics.md §13) on one
// runner: in-process storage (SqlMessageStorage semantics), virtual time.
#include "core/sharding/sharding.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/cluster/shard_routing.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::CallResult;
using testing::CallTestEntity;
using testing::DiscardInto;
using testing::kStartMs;
using testing::kTestEntity;
using testing::ShutdownInto;
using testing::StartTestEntityRunner;
using testing::StreamInto;
using testing::SuccessValue;
using testing::TestConfig;
using testing::TestEntityDefinition;
using testing::TestEntityFactory;
using testing::TestEntityState;
using testing::TestNode;

class ShardingTest : public ::testing::Test {
 protected:
  explicit ShardingTest(ShardingConfig config = TestConfig())
      : config_(std::move(config)) {}

  // Starts the runner (with TestEntity unless told otherwise) and waits
  // until it holds its shards.
  TestNode& StartNode(bool register_entity = true) {
    return StartTestEntityRunner(node_, ex_, state_, config_, resolver_,
                                 register_entity ? &entity_ : nullptr);
  }

  void Call(std::string id, std::string tag, std::string payload,
            CallResult* out) {
    CallTestEntity(*node_, std::move(id), std::move(tag), std::move(payload),
                   out);
  }
  FiberId CallFiber(std::string id, std::string tag, std::string payload,
                    CallResult* out) {
    return CallTestEntity(*node_, std::move(id), std::move(tag),
                          std::move(payload), out);
  }

  int64_t Journal() const { return state_.messages().message_count(); }
  int64_t Replies() const { return state_.messages().reply_count(); }
  int64_t Unprocessed() const {
    return testing::UnprocessedCount(state_, config_, ex_.NowMs());
  }

  ManualExecutor ex_{kStartMs};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  ShardingConfig config_;
  TestEntityState entity_;
  std::unique_ptr<TestNode> node_;
};

TEST_F(ShardingTest, DeliversVolatileRequestsDirectlyToTheEntity) {
  StartNode();
  CallResult result;
  Call("1", "GetUserVolatile", "1", &result);
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(result), "User 1");
  EXPECT_EQ(Journal(), 0);
}

TEST_F(ShardingTest, PersistsDurableRequestsUntilTheEntityReplies) {
  StartNode();
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(10);
  EXPECT_EQ(SuccessValue(result), "User 1");
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// Stores a request for TestEntity "1" as another node's client would
// (optionally not deliverable before `deliver_at_ms`).
Task<void> StoreRequest(storage::StorageClient* storage,
                        storage::Request request) {
  (void)co_await storage->SaveRequest(std::move(request));
}
Task<void> StoreReply(storage::StorageClient* storage, storage::Reply reply) {
  (void)co_await storage->SaveReply(std::move(reply), std::nullopt);
}
Task<void> AwaitReplyInto(
    Sharding* sharding, Snowflake request_id, EntityAddress address,
    std::optional<absl::StatusOr<storage::WithExit>>* out) {
  *out = co_await sharding->AwaitReply(request_id, std::move(address));
}

TEST_F(ShardingTest, AwaitReplyWakesWhenThisNodeSavesTheReply) {
  // A long poll: only the local save can wake the waiter in time.
  config_.entity_reply_poll_interval_ms = 60'000;
  TestNode& node = StartNode();
  const EntityAddress address(
      kTestEntity, EntityId("1"),
      *node.sharding.ShardFor(EntityId("1"), "default"));
  const Snowflake id(4242);
  node.scope().Spawn(StoreRequest(
      &node.storage,
      storage::Request{
          id, address, "RequestWithKey", "k", {}, std::nullopt, std::nullopt}));
  std::optional<absl::StatusOr<storage::WithExit>> reply;
  node.scope().Spawn(AwaitReplyInto(&node.sharding, id, address, &reply));
  node.sharding.PollStorage();
  ex_.RunForMs(100);
  ASSERT_EQ(entity_.handled.size(), 1u);  // running, waiting for the token
  EXPECT_FALSE(reply.has_value());
  entity_.token.Open();
  ex_.RunForMs(10);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->ok()) << reply->status();
  EXPECT_EQ((*reply)->request_id, id);
  EXPECT_TRUE((*reply)->exit.is_success());
}

TEST_F(ShardingTest, AwaitReplyFindsAReplyStoredElsewhereByPolling) {
  TestNode& node = StartNode();
  const EntityAddress address(
      kTestEntity, EntityId("1"),
      *node.sharding.ShardFor(EntityId("1"), "default"));
  const Snowflake id(4243);
  // Not deliverable here for an hour: only another runner answers it.
  node.scope().Spawn(
      StoreRequest(&node.storage, storage::Request{id,
                                                   address,
                                                   "GetUser",
                                                   "9",
                                                   {},
                                                   std::nullopt,
                                                   kStartMs + 3'600'000}));
  std::optional<absl::StatusOr<storage::WithExit>> reply;
  node.scope().Spawn(AwaitReplyInto(&node.sharding, id, address, &reply));
  ex_.RunForMs(1'000);
  EXPECT_FALSE(reply.has_value());
  node.scope().Spawn(StoreReply(
      &node.storage, storage::WithExit{id, Snowflake(99),
                                       storage::Exit::Success("elsewhere")}));
  ex_.RunForMs(config_.entity_reply_poll_interval_ms + 10);
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->ok()) << reply->status();
  EXPECT_EQ((*reply)->exit, storage::Exit::Success("elsewhere"));
  EXPECT_TRUE(entity_.handled.empty());
}

TEST_F(ShardingTest, TypedFailuresAreReplied) {
  StartNode();
  CallResult result;
  Call("1", "Fail", "", &result);
  ex_.RunForMs(10);
  ASSERT_TRUE(result.has_value() && result->ok());
  ASSERT_FALSE((*result)->is_success());
  EXPECT_EQ((*result)->cause().kind, storage::CauseKind::kFail);
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

TEST_F(ShardingTest, RoutesDurableInterruptsThroughStorage) {
  StartNode();
  CallResult result;
  const FiberId caller = CallFiber("1", "Never", "", &result);
  ex_.RunForMs(1);
  EXPECT_EQ(entity_.running, 1);
  node_->scope().Cancel(caller);
  ex_.RunForMs(1);
  EXPECT_EQ(Journal(), 2);  // the request and its Interrupt
  EXPECT_EQ(Replies(), 1);  // the interrupt exit
  EXPECT_EQ(entity_.interrupts, 1);
}

TEST_F(ShardingTest, InterruptsAreNotSentForDurableMessagesOnShutdown) {
  StartNode();
  CallResult result;
  Call("1", "Never", "", &result);
  ex_.RunForMs(1);
  bool done = false;
  node_->scope().Spawn(ShutdownInto(&node_->sharding, &done));
  ex_.RunForMs(100);
  EXPECT_TRUE(done);
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(Replies(), 0);
  // The caller was interrupted with Effect's Abandon marker.
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(IsAbandoned(result->status())) << result->status();
  // Calls after the shutdown fail at once.
  CallResult late;
  Call("2", "GetUserVolatile", "2", &late);
  ex_.RunForMs(1);
  ASSERT_TRUE(late.has_value());
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(late->status()));
}

TEST_F(ShardingTest, FailsVolatileRequestsImmediatelyWhenTheMailboxIsFull) {
  StartNode();
  std::vector<CallResult> results(11);
  for (int i = 0; i < 10; ++i) Call("1", "NeverVolatile", "", &results[i]);
  ex_.RunForMs(1);
  EXPECT_EQ(entity_.running, 10);
  Call("1", "NeverVolatile", "", &results[10]);
  ex_.RunForMs(1);
  ASSERT_TRUE(results[10].has_value());
  EXPECT_TRUE(IsClusterError<MailboxFull>(results[10]->status()));
}

TEST_F(ShardingTest, DurableMessagesAreRetriedWhenTheMailboxIsFull) {
  TestNode& node = StartNode();
  std::vector<CallResult> results(12);
  std::vector<FiberId> callers;
  for (int i = 0; i < 11; ++i) {
    callers.push_back(CallFiber("1", "NeverFork", "", &results[i]));
  }
  ex_.RunForMs(10);
  EXPECT_EQ(entity_.running, 10);
  // The eleventh went to resumption: one by-id read of one id.
  EXPECT_EQ(node.storage.CountOf(StorageOp::kUnprocessedMessagesById), 1);
  node.scope().Cancel(callers[0]);
  ex_.RunForMs(100);
  EXPECT_EQ(entity_.running, 11);
  // Effect's test waits for the interrupted caller (its Interrupt is
  // stored) before sending one more.
  node.scope().Cancel(callers[1]);
  ex_.RunForMs(100);
  node.storage.ClearCalls();
  Call("1", "NeverFork", "", &results[11]);
  ex_.RunForMs(100);
  EXPECT_EQ(entity_.running, 12);
  EXPECT_EQ(node.storage.CountOf(StorageOp::kUnprocessedMessagesById), 0);
}

TEST_F(ShardingTest, DeliversDurableStreamsAndAcknowledgesEachChunk) {
  StartNode();
  std::vector<std::string> chunks;
  CallResult result;
  node_->scope().Spawn(StreamInto(&node_->sharding, "1", "GetAllUsers", "1,2,3",
                                  &chunks, &result));
  ex_.RunForMs(2'000);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << result->status();
  EXPECT_EQ(chunks, (std::vector<std::string>{"User 1", "User 2", "User 3"}));
  EXPECT_EQ(Journal(), 4);  // the request and three AckChunks
  EXPECT_EQ(Replies(), 4);  // three chunks and the exit
}

// Effect's "durable stream while mailbox is full": a stream sent while the
// mailbox is full goes to resumption with the requests behind it; once a
// slot frees, it runs, and its chunk acknowledgements are stored although
// the mailbox fills again.
TEST_F(ShardingTest, DurableStreamWhileTheMailboxIsFull) {
  TestNode& node = StartNode();
  std::vector<CallResult> results(12);
  std::vector<FiberId> callers;
  for (int i = 0; i < 10; ++i) {
    callers.push_back(CallFiber("1", "NeverFork", "", &results[i]));
  }
  ex_.RunForMs(1);
  std::vector<std::string> chunks;
  CallResult stream;
  node.scope().Spawn(StreamInto(&node.sharding, "1", "GetAllUsers", "1,2,3",
                                &chunks, &stream));
  // Two more keep the entity in resumption.
  CallFiber("1", "NeverFork", "", &results[10]);
  CallFiber("1", "NeverFork", "", &results[11]);
  ex_.RunForMs(10);
  EXPECT_EQ(entity_.running, 10);
  EXPECT_GE(node.storage.CountOf(StorageOp::kUnprocessedMessagesById), 1);
  EXPECT_TRUE(chunks.empty());
  // One slot frees: the stream and then one more NeverFork come through.
  node.scope().Cancel(callers[0]);
  ex_.RunForMs(2'000);
  EXPECT_EQ(entity_.running, 11);
  ASSERT_TRUE(stream.has_value());
  EXPECT_TRUE(stream->ok()) << stream->status();
  EXPECT_EQ(chunks, (std::vector<std::string>{"User 1", "User 2", "User 3"}));
  // 13 requests, 3 AckChunks, 1 Interrupt; replies: the interrupted
  // request's exit, and the stream's three chunks and exit.
  EXPECT_EQ(Journal(), 13 + 3 + 1);
  EXPECT_EQ(Replies(), 1 + 4);
}

TEST_F(ShardingTest, ClientDiscardStoresDurableRequestsWithoutWaiting) {
  StartNode();
  std::optional<absl::Status> sent;
  node_->scope().Spawn(
      DiscardInto(&node_->sharding, "123", "GetUser", "123", &sent));
  ex_.RunForMs(1);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok());
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

TEST_F(ShardingTest, ClientDiscardReturnsWhileTheDurableRequestRuns) {
  StartNode();
  std::optional<absl::Status> sent;
  node_->scope().Spawn(DiscardInto(&node_->sharding, "1", "Never", "", &sent));
  ex_.RunForMs(1);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok());
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(Unprocessed(), 1);
}

TEST_F(ShardingTest, ClientDiscardReturnsWhileTheVolatileRequestRuns) {
  StartNode();
  std::optional<absl::Status> sent;
  node_->scope().Spawn(
      DiscardInto(&node_->sharding, "1", "NeverVolatile", "", &sent));
  ex_.RunForMs(1);
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(sent->ok());
  EXPECT_EQ(entity_.running, 1);
}

TEST_F(ShardingTest, RestartsTheEntityLayerAfterAHandlerDefect) {
  StartNode();
  entity_.defect_trigger = true;
  CallResult result;
  Call("123", "GetUser", "123", &result);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(result), "User 123");
  EXPECT_EQ(entity_.builds, 2);
}

TEST_F(ShardingTest, ReplaysInFlightRequestsWhenRestartingAfterADefect) {
  StartNode();
  CallResult never, user;
  Call("123", "NeverFork", "", &never);
  ex_.RunForMs(1);
  EXPECT_EQ(entity_.handled.size(), 1u);
  entity_.defect_trigger = true;
  Call("123", "GetUser", "123", &user);
  ex_.RunForMs(2'000);
  EXPECT_EQ(SuccessValue(user), "User 123");
  EXPECT_EQ(entity_.builds, 2);
  // NeverFork, the dying GetUser, then both replayed.
  EXPECT_EQ(entity_.handled.size(), 4u);
}

// A durable request that never completes in one incarnation is delivered
// again to the next one; a re-send with the same primary key returns the
// stored reply without running the handler.
TEST_F(ShardingTest, DurableMessagesAreRetriedOnRestart) {
  {
    StartNode();
    CallResult result;
    Call("1", "RequestWithKey", "abc", &result);
    ex_.RunForMs(10);
    bool done = false;
    node_->scope().Spawn(ShutdownInto(&node_->sharding, &done));
    ex_.RunForMs(1'000);
    ASSERT_TRUE(done);
    node_.reset();
  }
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(Replies(), 0);
  EXPECT_EQ(Unprocessed(), 1);

  entity_.token.Open();
  StartNode();
  ex_.RunForMs(5'000);
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);

  const size_t handled = entity_.handled.size();
  CallResult again;
  Call("1", "RequestWithKey", "abc", &again);
  ex_.RunForMs(10);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->ok() && (*again)->is_success());
  EXPECT_EQ(Journal(), 1);
  EXPECT_EQ(entity_.handled.size(), handled);
}

TEST_F(ShardingTest, DurableStreamsAreResumedOnRestart) {
  {
    StartNode();
    std::vector<std::string> chunks;
    CallResult result;
    node_->scope().Spawn(StreamInto(&node_->sharding, "1", "StreamWithKey",
                                    "key", &chunks, &result));
    entity_.stream_items.Push(1);
    entity_.stream_items.Push(2);
    ex_.RunForMs(1'000);
    EXPECT_EQ(chunks, (std::vector<std::string>{"1", "2"}));
    bool done = false;
    node_->scope().Spawn(ShutdownInto(&node_->sharding, &done));
    ex_.RunForMs(1'000);
    ASSERT_TRUE(done);
    node_.reset();
  }
  EXPECT_EQ(Journal(), 3);  // the request and two acks
  EXPECT_EQ(Replies(), 2);  // two chunks
  // The request, and (SQL semantics, unlike Effect's memory driver) its
  // latest AckChunk row, which stays unprocessed until the exit.
  EXPECT_EQ(Unprocessed(), 2);

  entity_.stream_items.Push(3);
  entity_.stream_items.Push(4);
  entity_.stream_items.Push(std::nullopt);
  StartNode();
  std::vector<std::string> chunks;
  CallResult result;
  node_->scope().Spawn(StreamInto(&node_->sharding, "1", "StreamWithKey", "key",
                                  &chunks, &result));
  ex_.RunForMs(5'000);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << result->status();
  EXPECT_EQ(chunks, (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(Replies(), 5);  // four chunks and the exit
  EXPECT_EQ(Unprocessed(), 0);
}

// Effect: "interrupt for future request works while mailbox is full".
TEST_F(ShardingTest, InterruptForAFutureRequestWorksWhileTheMailboxIsFull) {
  StartNode();
  std::vector<CallResult> results(12);
  std::vector<FiberId> callers;
  for (int i = 0; i < 12; ++i) {
    callers.push_back(CallFiber("1", "NeverFork", "", &results[i]));
  }
  ex_.RunForMs(10);
  EXPECT_EQ(entity_.running, 10);
  node_->scope().Cancel(callers[10]);  // still in storage
  ex_.RunForMs(100);
  node_->scope().Cancel(callers[0]);
  ex_.RunForMs(300);
  // The twelfth runs; both interrupted requests got their interrupt exit
  // (the eleventh may be interrupted before its handler starts).
  EXPECT_GE(entity_.running, 11);
  int64_t interrupt_exits = 0;
  for (const RecordingTrace::Event& event : node_->trace().events()) {
    if (event.kind == "entity.reply" &&
        event.detail.find("exit=interrupt") != std::string::npos) {
      ++interrupt_exits;
    }
  }
  EXPECT_EQ(interrupt_exits, 2);
}

Task<void> Heartbeat(storage::StorageState* state, Runner runner,
                     ManualExecutor* ex) {
  for (;;) {
    (void)state->Register(runner, true, ex->NowMs());
    co_await SleepMs(500);
  }
}

class ShardingReassignmentTest : public ShardingTest {
 protected:
  static ShardingConfig Config() {
    ShardingConfig config = TestConfig();
    config.shard_lock_expiration_ms = 3'000;
    config.shard_lock_refresh_interval_ms = 100;
    config.entity_termination_timeout_ms = 1'000;
    return config;
  }
  ShardingReassignmentTest() : ShardingTest(Config()) {}
};

// Effect: "keeps the graceful timeout for normal shard reassignment".
TEST_F(ShardingReassignmentTest, KeepsTheGracefulTimeoutWhenAShardMoves) {
  TestNode& node = StartNode();
  CallResult result;
  Call("1", "NeverVolatile", "", &result);
  // Past the acquisition loop's 1 s pause after its first acquisition.
  ex_.RunForMs(1'500);
  ASSERT_EQ(node.sharding.ActiveEntityCount(), 1);
  const ShardId shard =
      *ShardIdFor(EntityId("1"), "default", config_.shards_per_group);
  // This runner turns unhealthy and another one is healthy: every shard
  // moves, gracefully.
  state_.SetRunnerHealth(*config_.runner_address, false);
  node.scope().Spawn(Heartbeat(
      &state_, Runner(RunnerAddress("localhost", 9999), {"default"}, 1), &ex_));
  node.storage.ClearCalls();
  ex_.RunForMs(10);
  EXPECT_FALSE(node.sharding.acquired_shards().contains(shard));
  EXPECT_EQ(node.sharding.ActiveEntityCount(), 0);
  ex_.RunForMs(890);
  EXPECT_EQ(entity_.interrupts, 0);
  auto released = [&] {
    for (const TestStorage::Call& call : node.storage.calls()) {
      if (call.op == StorageOp::kRelease && call.shards.front() == shard) {
        return true;
      }
    }
    return false;
  };
  EXPECT_FALSE(released());
  ex_.RunForMs(200);
  EXPECT_EQ(entity_.interrupts, 1);
  EXPECT_TRUE(released());
}

// Effect: "shutdown completes when a finalizing entity sends an outgoing
// message" and "... awaits a reply from an unroutable entity": sends made
// while the runner tears down are abandoned instead of retried forever. Here
// the sender is a fiber outside the entities while an entity drains; the
// ports with an entity's finalizer as the sender are in
// sharding_shutdown_test.cc.
class ShutdownSendTest
    : public ShardingTest,
      public ::testing::WithParamInterface<std::tuple<bool, bool>> {
 protected:
  ShutdownSendTest() { config_.entity_termination_timeout_ms = 1'000; }
  bool persisted() const { return std::get<0>(GetParam()); }
  bool discard() const { return std::get<1>(GetParam()); }
};

TEST_P(ShutdownSendTest, ShutdownCompletesWhileTheEntityTypeIsSentTo) {
  StartNode();
  CallResult busy;
  Call("1", "NeverFork", "", &busy);
  ex_.RunForMs(10);
  bool done = false;
  node_->scope().Spawn(ShutdownInto(&node_->sharding, &done));
  ex_.RunForMs(50);
  ASSERT_TRUE(node_->sharding.IsShutdown());
  ASSERT_FALSE(done);
  const std::string tag = persisted() ? "GetUser" : "GetUserVolatile";
  std::optional<absl::Status> sent;
  CallResult result;
  if (discard()) {
    node_->scope().Spawn(DiscardInto(&node_->sharding, "2", tag, "2", &sent));
  } else {
    Call("2", tag, "2", &result);
  }
  ex_.RunForMs(4'000);
  EXPECT_TRUE(done);
  if (discard()) {
    ASSERT_TRUE(sent.has_value());
    EXPECT_TRUE(sent->ok()) << *sent;
  } else {
    ASSERT_TRUE(result.has_value());
    if (persisted()) {
      // 4.1.0: stored, and the caller is interrupted with Abandon.
      EXPECT_TRUE(IsAbandoned(result->status())) << result->status();
    } else {
      EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(result->status()))
          << result->status();
    }
  }
  EXPECT_EQ(Journal(), persisted() ? 2 : 1);
}

INSTANTIATE_TEST_SUITE_P(PersistedAndDiscard, ShutdownSendTest,
                         ::testing::Combine(::testing::Bool(),
                                            ::testing::Bool()));

class ShardingRegistrationTest : public ShardingTest {
 protected:
  static ShardingConfig Config() {
    ShardingConfig config = TestConfig();
    config.entity_registration_timeout_ms = 1'000;
    config.entity_message_poll_interval_ms = 100;
    return config;
  }
  ShardingRegistrationTest() : ShardingTest(Config()) {}

  void SaveDirectly(std::string id, std::string tag) {
    absl::StatusOr<ShardId> shard =
        ShardIdFor(EntityId(id), "default", config_.shards_per_group);
    ASSERT_TRUE(shard.ok());
    storage::Request request{Snowflake(next_id_++),
                             EntityAddress(kTestEntity, EntityId(id), *shard),
                             std::move(tag),
                             id,
                             {},
                             std::nullopt,
                             std::nullopt};
    ASSERT_TRUE(state_.SaveRequest(request).ok());
  }

  int64_t next_id_ = 1'000;
};

TEST_F(ShardingRegistrationTest, DefectsDurableMessagesWhenNoEntityRegisters) {
  SaveDirectly("1", "GetUser");
  StartNode(/*register_entity=*/false);
  ex_.RunForMs(1'500);
  EXPECT_EQ(Replies(), 0);  // held: twice the timeout without registrations
  EXPECT_GE(node_->trace().Count("storage.unregistered_type"), 1);
  ex_.RunForMs(6'500);
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);
  absl::StatusOr<std::vector<storage::Reply>> replies =
      state_.RepliesFor({Snowflake(1'000)});
  ASSERT_TRUE(replies.ok());
  ASSERT_EQ(replies->size(), 1u);
  const auto& exit = std::get<storage::WithExit>(replies->front()).exit;
  ASSERT_FALSE(exit.is_success());
  EXPECT_EQ(exit.cause().kind, storage::CauseKind::kDie);
  EXPECT_EQ(exit.cause().message, "Entity type 'TestEntity' not registered");
}

TEST_F(ShardingRegistrationTest, HoldsDurableMessagesWhileEntitiesRegister) {
  SaveDirectly("1", "GetUser");
  StartNode(/*register_entity=*/false);
  ex_.RunForMs(1'500);
  EXPECT_EQ(Replies(), 0);
  EXPECT_EQ(Unprocessed(), 1);
  ASSERT_TRUE(
      node_->sharding
          .RegisterEntity(TestEntityDefinition(), TestEntityFactory(&entity_))
          .ok());
  ex_.RunForMs(100);
  EXPECT_EQ(Replies(), 1);
  EXPECT_EQ(Unprocessed(), 0);
}

// --- Residency cap
// --------------------------------------------------------------

class ShardingResidencyTest : public ShardingTest {
 protected:
  static ShardingConfig Config(int64_t max_resident, int64_t batch) {
    ShardingConfig config = TestConfig();
    config.max_resident_entities = max_resident;
    config.unprocessed_message_batch_size = batch;
    config.entity_max_idle_time_ms = 1'000;
    return config;
  }
};

class BoundedResidencyTest : public ShardingResidencyTest {
 protected:
  BoundedResidencyTest() { config_ = Config(2, 1024); }
};

TEST_F(BoundedResidencyTest, BoundsResidentEntities) {
  StartNode();
  std::vector<CallResult> results(6);
  for (int i = 0; i < 6; ++i) {
    Call(std::to_string(i + 1), "GetUser", std::to_string(i + 1), &results[i]);
  }
  for (int step = 0; step < 12; ++step) {
    ex_.RunForMs(5'000);
    EXPECT_LE(node_->sharding.ActiveEntityCount(), 2);
  }
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(SuccessValue(results[i]), "User " + std::to_string(i + 1));
  }
}

class SingleResidencyTest : public ShardingResidencyTest {
 protected:
  SingleResidencyTest() { config_ = Config(1, 2); }
};

TEST_F(SingleResidencyTest, VolatileSendsToNewEntitiesFailAtTheCap) {
  StartNode();
  CallResult busy, other;
  Call("1", "NeverFork", "", &busy);
  ex_.RunForMs(10);
  Call("2", "GetUserVolatile", "2", &other);
  ex_.RunForMs(10);
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(IsClusterError<MailboxFull>(other->status())) << other->status();
  std::optional<absl::Status> sent;
  node_->scope().Spawn(
      DiscardInto(&node_->sharding, "2", "GetUser", "2", &sent));
  ex_.RunForMs(5'000);
  EXPECT_TRUE(sent.has_value() && sent->ok());
  EXPECT_EQ(node_->sharding.ActiveEntityCount(), 1);
  EXPECT_EQ(Replies(), 0);
}

TEST_F(SingleResidencyTest, KeepsDeliveringToResidentEntitiesAtTheCap) {
  StartNode();
  CallResult busy;
  Call("1", "NeverFork", "", &busy);
  ex_.RunForMs(10);
  std::vector<std::optional<absl::Status>> sent(3);
  for (int i = 0; i < 3; ++i) {
    node_->scope().Spawn(DiscardInto(&node_->sharding, std::to_string(i + 2),
                                     "GetUser", "x", &sent[i]));
  }
  CallResult resident;
  Call("1", "GetUser", "1", &resident);
  ex_.RunForMs(5'000);
  EXPECT_EQ(SuccessValue(resident), "User 1");
  EXPECT_EQ(node_->sharding.ActiveEntityCount(), 1);
  EXPECT_EQ(Replies(), 1);
}

TEST_F(SingleResidencyTest, DoesNotBusyPollStorageAtTheCap) {
  TestNode& node = StartNode();
  CallResult busy;
  Call("1", "NeverFork", "", &busy);
  ex_.RunForMs(10);
  std::optional<absl::Status> sent;
  node_->scope().Spawn(
      DiscardInto(&node_->sharding, "2", "GetUser", "2", &sent));
  ex_.RunForMs(10);
  node.storage.ClearCalls();
  ex_.RunForMs(4'000);
  EXPECT_LE(node.storage.CountOf(StorageOp::kUnprocessedMessages), 1);
}

class BatchResidencyTest : public ShardingResidencyTest {
 protected:
  BatchResidencyTest() {
    config_ = Config(10'000, 2);
    config_.entity_max_idle_time_ms = 60'000;
  }
};

TEST_F(BatchResidencyTest, DrainsAFullBatchWithoutWaitingForThePoll) {
  StartNode();
  for (int i = 0; i < 5; ++i) {
    const std::string id = std::to_string(i + 1);
    absl::StatusOr<ShardId> shard =
        ShardIdFor(EntityId(id), "default", config_.shards_per_group);
    ASSERT_TRUE(shard.ok());
    ASSERT_TRUE(state_
                    .SaveRequest(storage::Request{
                        Snowflake(500 + i),
                        EntityAddress(kTestEntity, EntityId(id), *shard),
                        "GetUser",
                        id,
                        {},
                        std::nullopt,
                        std::nullopt})
                    .ok());
  }
  node_->sharding.PollStorage();
  ex_.RunForMs(100);
  EXPECT_EQ(Replies(), 5);
}

TEST_F(BatchResidencyTest, AdvancesPastInFlightRequestsInBoundedBatches) {
  StartNode();
  CallResult a, b, c;
  Call("1", "Never", "", &a);
  Call("2", "Never", "", &b);
  ex_.RunForMs(10);
  Call("3", "GetUser", "3", &c);
  ex_.RunForMs(5'000);
  EXPECT_EQ(SuccessValue(c), "User 3");
}

class ApproachingCapTest : public ShardingResidencyTest {
 protected:
  ApproachingCapTest() { config_ = Config(5, 100); }
};

// Effect: "keeps full-sized storage reads when approaching the entity cap".
TEST_F(ApproachingCapTest, KeepsFullSizedReads) {
  TestNode& node = StartNode();
  std::vector<CallResult> busy(4);
  for (int i = 0; i < 4; ++i)
    Call(std::to_string(i), "NeverFork", "", &busy[i]);
  ex_.RunForMs(10);
  std::vector<std::optional<absl::Status>> sent(10);
  for (int i = 0; i < 10; ++i) {
    node.scope().Spawn(DiscardInto(&node.sharding, std::to_string(100 + i),
                                   "GetUser", "x", &sent[i]));
  }
  ex_.RunForMs(5'000);
  int64_t reads = 0;
  for (const TestStorage::Call& call : node.storage.calls()) {
    if (call.op != StorageOp::kUnprocessedMessages) continue;
    ++reads;
    EXPECT_EQ(call.limit, 100);
  }
  EXPECT_GT(reads, 0);
}

class SmallBatchTest : public ShardingResidencyTest,
                       public ::testing::WithParamInterface<int64_t> {
 protected:
  SmallBatchTest() { config_ = Config(10'000, GetParam()); }
};

// Effect: "normalizes programmatic batch sizes below one".
TEST_P(SmallBatchTest, BatchSizesBelowOneActAsOne) {
  StartNode();
  CallResult result;
  Call("1", "GetUser", "1", &result);
  ex_.RunForMs(5'000);
  EXPECT_EQ(SuccessValue(result), "User 1");
}

INSTANTIATE_TEST_SUITE_P(ZeroAndNegative, SmallBatchTest,
                         ::testing::Values(0, -1));

class UnboundedResidencyTest : public ShardingTest {
 protected:
  UnboundedResidencyTest() { config_.max_resident_entities = std::nullopt; }
};

TEST_F(UnboundedResidencyTest, DoesNotLimitSpawning) {
  StartNode();
  std::vector<CallResult> results(15);
  for (int i = 0; i < 15; ++i) {
    Call(std::to_string(i), "NeverFork", "", &results[i]);
  }
  ex_.RunForMs(100);
  EXPECT_EQ(node_->sharding.ActiveEntityCount(), 15);
}

}  // namespace
}  // namespace clustersim::sharding
