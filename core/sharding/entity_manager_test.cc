#include "core/sharding/entity_manager.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/typed_rpc.h"

namespace clustersim::sharding {
namespace {

using storage::CauseKind;
using storage::Exit;

constexpr int64_t kStartMs = 1'750'000'000'000;
const EntityType kUser("User");

EntityAddress Addr(const std::string& id, int32_t shard = 1) {
  return EntityAddress(kUser, EntityId(id), ShardId("default", shard));
}

// --- Test doubles ------------------------------------------------------------

class RecordingTrace : public TraceSink {
 public:
  void Record(std::string_view kind, std::string_view detail) override {
    events.emplace_back(std::string(kind), std::string(detail));
  }
  std::vector<std::string> Of(std::string_view kind) const {
    std::vector<std::string> details;
    for (const auto& [k, d] : events) {
      if (k == kind) details.push_back(d);
    }
    return details;
  }
  std::vector<std::pair<std::string, std::string>> events;
};

class FakeHost : public EntityManagerHost {
 public:
  const ShardingConfig& config() const override { return config_; }
  const RunnerAddress& runner_address() const override { return address_; }
  bool HasShardId(const ShardId& shard) const override {
    return !shutdown_ && !lost_.contains(shard);
  }
  Snowflake NextSnowflake() override { return Snowflake(next_id_++); }
  bool AdmitResident() override {
    if (max_resident_.has_value() && resident_ >= *max_resident_) return false;
    ++resident_;
    return true;
  }
  void ReleaseResident() override {
    --resident_;
    ++releases_;
  }
  Task<absl::Status> SaveReply(const EntityAddress& address,
                               storage::Reply reply) override {
    return Save(address, std::move(reply));
  }
  Task<bool> HasStoredExit(Snowflake request_id) override {
    for (const storage::Reply& reply : saved_) {
      if (storage::RequestIdOf(reply) == request_id &&
          std::holds_alternative<storage::WithExit>(reply)) {
        co_return true;
      }
    }
    co_return stored_exit_anyway_;
  }
  void SendKeepAlive(const EntityAddress& address) override {
    keep_alives_.push_back(address);
  }
  bool IsShutdown() const override { return shutdown_; }
  ClusterMetrics& metrics() override { return metrics_; }

  ShardingConfig config_;
  ClusterMetrics metrics_;
  RunnerAddress address_{"runner-a", 7000};
  std::set<ShardId> lost_;
  bool shutdown_ = false;
  int64_t next_id_ = 1'000'000;
  std::optional<int64_t> max_resident_;
  int64_t resident_ = 0;
  int64_t releases_ = 0;
  int64_t save_delay_ms_ = 0;
  // Results of the next SaveReply calls (then OK).
  std::deque<absl::Status> save_results_;
  // HasStoredExit's answer for a reply it did not see saved (a failed save
  // that was applied anyway).
  bool stored_exit_anyway_ = false;
  std::vector<storage::Reply> saved_;
  std::vector<EntityAddress> keep_alives_;

 private:
  Task<absl::Status> Save(EntityAddress /*address*/, storage::Reply reply) {
    if (save_delay_ms_ > 0) co_await SleepMs(save_delay_ms_);
    absl::Status status;
    if (!save_results_.empty()) {
      status = save_results_.front();
      save_results_.pop_front();
    }
    if (status.ok()) saved_.push_back(std::move(reply));
    co_return status;
  }
};

// What the handlers of every generation share (Effect's TestEntity state).
struct World {
  int builds = 0;
  int build_failures = 0;            // the next builds that fail
  std::vector<std::string> handled;  // tag of every handler run
  int interrupted = 0;
  int running = 0;
  int max_running = 0;
  bool defect_trigger = false;
  bool self_interrupted = false;  // SelfInterrupt* return an interrupt once
  std::vector<std::optional<storage::Chunk>> stream_starts;
  EntityContext* context = nullptr;  // of the latest build
  // Builds in the latest build's activation (read from its state).
  int activation_builds = 0;
  // The `abandoned` flag of each activation finalizer run.
  std::vector<bool> activation_ends;
  // Set: each activation also gets an asynchronous finalizer (registered
  // after the synchronous one) that sleeps this long; what it saw.
  std::optional<int64_t> async_finalizer_ms;
  bool async_finalizer_started = false;
  bool async_finalizer_ended = false;
  // activation_ends when the asynchronous finalizer ended.
  size_t sync_finalizers_before_async_end = 0;
  // Why each cancelled handler was cancelled, read in its guard's destructor.
  std::vector<InterruptReason> interrupt_reasons;
  Latch never;    // never opened
  Latch release;  // opened by tests
};

// Counts a handler run; a run destroyed before it finished was interrupted,
// and records why (as a handler observes it: from a destructor).
struct RunGuard {
  RunGuard(World* world, const EntityRequest* request)
      : world(world), request(request) {
    world->max_running = std::max(world->max_running, ++world->running);
  }
  ~RunGuard() {
    --world->running;
    if (!finished) {
      ++world->interrupted;
      world->interrupt_reasons.push_back(request->interrupted_by);
    }
  }
  World* world;
  const EntityRequest* request;
  bool finished = false;
};

// A TestHandler's state that lives for the whole activation.
struct ActivationBuilds {
  int count = 0;
};

struct Increment {
  std::string key;
  int64_t amount = 0;
};
struct Counter {
  int64_t value = 0;
};
const TypedRpc<Increment, Counter>& IncrementRpc() {
  static const TypedRpc<Increment, Counter> rpc(
      "Increment",
      {[](const Increment& in, codec::ByteWriter& writer) {
         writer.PutString(in.key);
         writer.PutSignedVarint(in.amount);
       },
       [](codec::ByteReader& reader) -> absl::StatusOr<Increment> {
         absl::StatusOr<std::string> key = reader.GetString();
         if (!key.ok()) return key.status();
         absl::StatusOr<int64_t> amount = reader.GetSignedVarint();
         if (!amount.ok()) return amount.status();
         return Increment{*key, *amount};
       }},
      {[](const Counter& out, codec::ByteWriter& writer) {
         writer.PutSignedVarint(out.value);
       },
       [](codec::ByteReader& reader) -> absl::StatusOr<Counter> {
         absl::StatusOr<int64_t> value = reader.GetSignedVarint();
         if (!value.ok()) return value.status();
         return Counter{*value};
       }});
  return rpc;
}

Exit Failed(CauseKind kind, std::string message) {
  return Exit::Failure(storage::Cause{kind, std::move(message)});
}

Task<absl::StatusOr<Counter>> AddTo(int64_t* total, Increment in) {
  *total += in.amount;
  co_return Counter{*total};
}

// Behaviour by tag: GetUser* answer at once (dying once when the defect
// trigger is set), Never* never return, Sleep waits `payload` ms, Hold*
// wait for World::release, Stream* emit the numbers after the last sent
// chunk up to `payload`, SelfInterrupt* return an interrupt exit the first
// time, Die dies, KeepAlive toggles keep-alive.
class TestHandler : public EntityHandler {
 public:
  TestHandler(World* world, EntityContext* context)
      : world_(world), context_(context) {}

  Task<Exit> Handle(const EntityRequest& request,
                    ChunkWriter* chunks) override {
    world_->handled.push_back(request.tag);
    RunGuard guard(world_, &request);
    const std::string& tag = request.tag;
    if (tag.starts_with("GetUser")) {
      guard.finished = true;
      if (std::exchange(world_->defect_trigger, false)) {
        co_return Failed(CauseKind::kDie, "boom");
      }
      co_return Exit::Success("User " + request.payload);
    }
    if (tag.starts_with("Never")) co_await world_->never.Wait();
    if (tag == "Sleep") co_await SleepMs(std::stoll(request.payload));
    if (tag.starts_with("Hold")) co_await world_->release.Wait();
    if (tag.starts_with("Stream")) {
      world_->stream_starts.push_back(request.last_sent_chunk);
      int next = request.last_sent_chunk.has_value()
                     ? std::stoi(request.last_sent_chunk->values.back()) + 1
                     : 1;
      for (; next <= std::stoi(request.payload); ++next) {
        // Built before the co_await: GCC mishandles an initializer list
        // that lives across a suspension point.
        std::vector<std::string> values(1, std::to_string(next));
        absl::Status emitted = co_await chunks->Emit(std::move(values));
        if (!emitted.ok()) {
          guard.finished = true;
          co_return Failed(CauseKind::kFail, emitted.ToString());
        }
      }
    }
    if (tag.starts_with("SelfInterrupt") && !world_->self_interrupted) {
      world_->self_interrupted = true;
      guard.finished = true;
      co_return InterruptExit();
    }
    if (tag == "Die") {
      guard.finished = true;
      co_return Failed(CauseKind::kDie, "always");
    }
    if (tag == "KeepAlive") context_->KeepAlive(request.payload == "on");
    if (tag == "Increment") {
      guard.finished = true;
      co_return co_await IncrementRpc().Serve(
          request, [this](Increment in) { return AddTo(&total_, in); });
    }
    guard.finished = true;
    co_return Exit::Success("done");
  }

 private:
  World* world_;
  EntityContext* context_;
  int64_t total_ = 0;
};

RpcSpec Spec(std::string tag, bool persisted, bool stream = false,
             Uninterruptible uninterruptible = Uninterruptible::kNo) {
  RpcSpec spec;
  spec.tag = std::move(tag);
  spec.persisted = persisted;
  spec.stream = stream;
  spec.uninterruptible = uninterruptible;
  return spec;
}

EntityDefinition UserDefinition(EntityOptions options) {
  EntityDefinition definition(kUser, options);
  definition.Add(Spec("GetUser", false))
      .Add(Spec("GetUserP", true))
      .Add(Spec("Never", false))
      .Add(Spec("NeverP", true))
      .Add(Spec("NeverU", true, false, Uninterruptible::kServer))
      .Add([] {
        RpcSpec spec = Spec("NeverT", true);
        spec.interrupt_on_termination = true;
        return spec;
      }())
      .Add(Spec("Sleep", false))
      .Add(Spec("Hold", false))
      .Add(Spec("HoldU", true, false, Uninterruptible::kServer))
      .Add(Spec("Stream", false, true))
      .Add(Spec("StreamP", true, true))
      .Add(Spec("SelfInterrupt", true))
      .Add(Spec("SelfInterruptU", true, false, Uninterruptible::kServer))
      .Add(Spec("Die", false))
      .Add(Spec("KeepAlive", false))
      .Add(IncrementRpc().Spec());
  RpcSpec forked = Spec("HoldF", false);
  forked.fork = true;
  definition.Add(std::move(forked));
  // Persisted; WithTransaction when its payload says "tx" (Dynamic).
  RpcSpec transactional = Spec("TxP", true);
  transactional.dynamic = [](std::string_view payload,
                             RequestAnnotations& annotations) {
    annotations.with_transaction = payload == "tx";
  };
  definition.Add(std::move(transactional));
  return definition;
}

Task<void> AsyncFinalizer(World* world, int64_t sleep_ms) {
  world->async_finalizer_started = true;
  co_await SleepMs(sleep_ms);
  world->async_finalizer_ended = true;
  world->sync_finalizers_before_async_end = world->activation_ends.size();
}

absl::StatusOr<std::unique_ptr<EntityHandler>> Build(World* world,
                                                     EntityContext& context) {
  if (world->build_failures > 0) {
    --world->build_failures;
    return absl::InternalError("layer build failed");
  }
  ++world->builds;
  world->context = &context;
  ActivationBuilds& builds = context.ActivationState<ActivationBuilds>();
  if (++builds.count == 1) {
    context.AddActivationFinalizer([world](bool abandoned) {
      world->activation_ends.push_back(abandoned);
    });
    if (world->async_finalizer_ms.has_value()) {
      context.AddAsyncActivationFinalizer([world](bool) {
        return AsyncFinalizer(world, *world->async_finalizer_ms);
      });
    }
  }
  world->activation_builds = builds.count;
  return std::make_unique<TestHandler>(world, &context);
}

Task<void> AwaitInto(Task<void> task, bool* done) {
  co_await task;
  *done = true;
}

// --- Fixture
// -------------------------------------------------------------------

class EntityManagerTest : public ::testing::Test {
 protected:
  EntityManagerTest() {
    host_.config_.entity_termination_timeout_ms = 1'000;
    host_.config_.entity_max_idle_time_ms = kNeverIdle;
    env_.executor = &executor_;
    env_.trace = &trace_;
    env_.scope = &root_;
  }
  ~EntityManagerTest() override { manager_.reset(); }

  void Start(EntityOptions options = {}) {
    manager_ = std::make_unique<EntityManager>(
        UserDefinition(options),
        [world = &world_](EntityContext& context) {
          return Build(world, context);
        },
        host_, env_, root_);
  }

  storage::Request Request(int64_t id, const std::string& tag,
                           const std::string& payload = "",
                           EntityAddress address = Addr("1")) {
    storage::Request request{
        Snowflake(id), std::move(address), tag, payload, {},
        std::nullopt,  std::nullopt};
    return request;
  }

  // A volatile request whose replies go to replies_[id].
  absl::Status SendVolatile(storage::Request request) {
    std::vector<storage::Reply>* sink = &replies_[request.request_id.value()];
    return manager_->Send(IncomingRequest{
        std::move(request), std::nullopt,
        [sink](storage::Reply reply) { sink->push_back(std::move(reply)); }});
  }
  absl::Status SendStored(storage::Request request,
                          std::optional<storage::Reply> last = std::nullopt) {
    return manager_->Send(
        IncomingRequest{std::move(request), std::move(last), nullptr});
  }
  absl::Status SendInterrupt(int64_t request_id,
                             EntityAddress address = Addr("1")) {
    return manager_->Send(IncomingEnvelope{storage::Interrupt{
        host_.NextSnowflake(), std::move(address), Snowflake(request_id)}});
  }
  absl::Status SendAck(int64_t request_id, Snowflake reply_id) {
    return manager_->Send(IncomingEnvelope{storage::AckChunk{
        host_.NextSnowflake(), Addr("1"), Snowflake(request_id), reply_id}});
  }

  // The exit of the only WithExit among `replies`, if any.
  static std::optional<Exit> ExitOf(
      const std::vector<storage::Reply>& replies) {
    std::optional<Exit> exit;
    for (const storage::Reply& reply : replies) {
      if (const auto* with_exit = std::get_if<storage::WithExit>(&reply)) {
        EXPECT_FALSE(exit.has_value()) << "two exits";
        exit = with_exit->exit;
      }
    }
    return exit;
  }
  std::optional<Exit> VolatileExit(int64_t id) { return ExitOf(replies_[id]); }
  std::optional<Exit> StoredExit(int64_t id) {
    std::vector<storage::Reply> mine;
    for (const storage::Reply& reply : host_.saved_) {
      if (storage::RequestIdOf(reply) == Snowflake(id)) mine.push_back(reply);
    }
    return ExitOf(mine);
  }
  std::vector<storage::Chunk> StoredChunks() const {
    std::vector<storage::Chunk> chunks;
    for (const storage::Reply& reply : host_.saved_) {
      if (const auto* chunk = std::get_if<storage::Chunk>(&reply)) {
        chunks.push_back(*chunk);
      }
    }
    return chunks;
  }

  void RunMs(int64_t ms) { executor_.RunForMs(ms); }

  // Runs `task` in a fiber; returns a flag set when it completes.
  std::shared_ptr<bool> Spawn(Task<void> task) {
    auto done = std::make_shared<bool>(false);
    root_.Spawn(AwaitInto(std::move(task), done.get()));
    flags_.push_back(done);
    return done;
  }

  ManualExecutor executor_{kStartMs};
  Scope root_{executor_};
  RecordingTrace trace_;
  FakeHost host_;
  World world_;
  NodeEnv env_;
  std::map<int64_t, std::vector<storage::Reply>> replies_;
  std::vector<std::shared_ptr<bool>> flags_;
  std::unique_ptr<EntityManager> manager_;
};

// --- Spawning and admission -------------------------------------------------

TEST_F(EntityManagerTest, SpawnsOnFirstMessageAndSharesTheEntity) {
  Start();
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser", "1")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(manager_->ActiveEntityCount(), 1);
  EXPECT_EQ(host_.resident_, 1);
  RunMs(0);
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(VolatileExit(1), Exit::Success("User 1"));
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  EXPECT_EQ(trace_.Of("entity.start"),
            std::vector<std::string>{
                "EntityAddress(User, 1, default:1) runner=runner-a:7000"});
  EXPECT_EQ(manager_->ResidentAddresses(),
            std::vector<EntityAddress>{Addr("1")});
}

TEST_F(EntityManagerTest, RefusesShardsTheRunnerDoesNotHold) {
  Start();
  host_.lost_.insert(ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(1, "GetUser"))));
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(world_.builds, 0);
  EXPECT_EQ(host_.resident_, 0);
}

TEST_F(EntityManagerTest, ResidencyCapGivesMailboxFull) {
  host_.max_resident_ = 1;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never", "", Addr("1"))).ok());
  EXPECT_TRUE(IsClusterError<MailboxFull>(
      SendVolatile(Request(2, "GetUser", "", Addr("2")))));
  EXPECT_FALSE(manager_->IsResident(Addr("2")));
  // The resident entity still takes messages.
  EXPECT_TRUE(SendVolatile(Request(3, "GetUser", "", Addr("1"))).ok());
}

TEST_F(EntityManagerTest, FullMailboxGivesMailboxFull) {
  EntityOptions options;
  options.mailbox_capacity = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never")).ok());
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendVolatile(Request(3, "Never"))));
}

TEST_F(EntityManagerTest, AlreadyProcessingForActiveAndRecentlyProcessedIds) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  EXPECT_TRUE(IsClusterError<AlreadyProcessingMessage>(
      SendVolatile(Request(1, "Never"))));
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "2", Addr("2"))).ok());
  RunMs(0);
  ASSERT_EQ(StoredExit(2), Exit::Success("User 2"));
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(2)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2), false, true));
  EXPECT_TRUE(IsClusterError<AlreadyProcessingMessage>(
      SendStored(Request(2, "GetUserP", "2", Addr("2")))));
  manager_->ClearProcessed();
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2)));
  EXPECT_TRUE(SendStored(Request(2, "GetUserP", "2", Addr("2"))).ok());
}

TEST_F(EntityManagerTest, ConcurrencyOneSerialisesRequests) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "100")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Sleep", "100")).ok());
  RunMs(150);
  EXPECT_TRUE(VolatileExit(1).has_value());
  EXPECT_FALSE(VolatileExit(2).has_value());
  RunMs(100);
  EXPECT_TRUE(VolatileExit(2).has_value());
  EXPECT_EQ(world_.max_running, 1);
}

TEST_F(EntityManagerTest, ConcurrencyTwoOverlapsRequests) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "100")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Sleep", "100")).ok());
  RunMs(100);
  EXPECT_TRUE(VolatileExit(1).has_value());
  EXPECT_TRUE(VolatileExit(2).has_value());
  EXPECT_EQ(world_.max_running, 2);
}

// --- Envelopes
// -----------------------------------------------------------------

TEST_F(EntityManagerTest, InterruptEnvelopeCancelsTheHandler) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendStored(Request(2, "NeverP")).ok());  // queued behind 1
  RunMs(1);
  ASSERT_EQ(world_.running, 1);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_EQ(VolatileExit(1), InterruptExit());
  // The persisted one ran next; its interrupt is stored as its reply.
  ASSERT_EQ(world_.running, 1);
  ASSERT_TRUE(SendInterrupt(2).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 2);
  EXPECT_EQ(StoredExit(2), InterruptExit());
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(2), false, true));
  // An unknown request id is ignored.
  EXPECT_TRUE(SendInterrupt(99).ok());
  EXPECT_EQ(trace_.Of("entity.reply"),
            (std::vector<std::string>{"request=1 exit=interrupt",
                                      "request=2 exit=interrupt"}));
}

TEST_F(EntityManagerTest, InterruptForAQueuedRequestRepliesInterrupt) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never")).ok());
  RunMs(1);
  ASSERT_TRUE(SendInterrupt(2).ok());
  RunMs(1);
  EXPECT_EQ(VolatileExit(2), InterruptExit());
  EXPECT_EQ(world_.handled.size(), 1u);  // 2 never started
  EXPECT_FALSE(VolatileExit(1).has_value());
}

TEST_F(EntityManagerTest, UninterruptibleRequestsIgnoreInterruptEnvelopes) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "HoldU")).ok());
  RunMs(1);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 0);
  world_.release.Open();
  RunMs(1);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, InterruptedPersistedRequestIsStoredOrReplayed) {
  Start();
  // Interruptible: the interrupt exit is the reply.
  ASSERT_TRUE(SendStored(Request(1, "SelfInterrupt")).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(1), InterruptExit());
  // Server-side uninterruptible: re-run in place, no interrupt reply.
  world_.self_interrupted = false;
  ASSERT_TRUE(SendStored(Request(2, "SelfInterruptU")).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(2), Exit::Success("done"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"SelfInterrupt", "SelfInterruptU",
                                      "SelfInterruptU"}));
}

TEST_F(EntityManagerTest, InterruptDuringARestartHitsTheReplay) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "2")).ok());
  RunMs(100);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(100);
  EXPECT_FALSE(StoredExit(1).has_value());  // held for the new handler
  RunMs(300);
  EXPECT_EQ(StoredExit(1), InterruptExit());
  EXPECT_EQ(StoredExit(2), Exit::Success("User 2"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"NeverP", "GetUserP", "GetUserP"}));
}

TEST_F(EntityManagerTest, EnvelopeToUnknownEntitySpawnsIt) {
  Start();
  EXPECT_TRUE(SendInterrupt(5, Addr("9")).ok());
  EXPECT_TRUE(manager_->IsResident(Addr("9")));
  EXPECT_EQ(world_.builds, 1);
}

// --- Replies
// -------------------------------------------------------------------

TEST_F(EntityManagerTest, PersistedRepliesGoThroughTheHost) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "7")).ok());
  RunMs(0);
  ASSERT_EQ(host_.saved_.size(), 1u);
  const auto& reply = std::get<storage::WithExit>(host_.saved_[0]);
  EXPECT_EQ(reply.request_id, Snowflake(1));
  EXPECT_EQ(reply.exit, Exit::Success("User 7"));
  EXPECT_GE(reply.id.value(), 1'000'000);  // from the host's generator
  EXPECT_TRUE(replies_.empty());
}

TEST_F(EntityManagerTest, FencedReplyDropsTheRequestWithoutAReply) {
  Start();
  host_.save_results_.push_back(absl::FailedPreconditionError("not owner"));
  ASSERT_TRUE(SendStored(Request(1, "GetUserP")).ok());
  RunMs(0);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1)));  // not "processed"
  EXPECT_EQ(trace_.Of("entity.reply_abandoned").size(), 1u);
}

TEST_F(EntityManagerTest, LostReplyWedgesTheRequestLikeEffect) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "GetUserP")).ok());
  RunMs(0);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), false, true));
}

TEST_F(EntityManagerTest, PersistedStreamWaitsForEachAck) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "3")).ok());
  RunMs(10);
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].sequence, 0);
  EXPECT_EQ(chunks[0].values, std::vector<std::string>{"1"});
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), true));
  // An ack for another reply does not release the stream.
  ASSERT_TRUE(SendAck(1, Snowflake(42)).ok());
  RunMs(10);
  ASSERT_EQ(StoredChunks().size(), 1u);
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(10);
  chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].sequence, 1);
  ASSERT_TRUE(SendAck(1, chunks[1].id).ok());
  RunMs(10);
  chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2].sequence, 2);
  EXPECT_FALSE(StoredExit(1).has_value());  // waits for the last ack
  ASSERT_TRUE(SendAck(1, chunks[2].id).ok());
  RunMs(10);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_EQ(trace_.Of("entity.reply"),
            (std::vector<std::string>{
                "request=1 chunk seq=0", "request=1 chunk seq=1",
                "request=1 chunk seq=2", "request=1 exit=success"}));
}

TEST_F(EntityManagerTest, VolatileStreamRepliesChunksInOrder) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Stream", "2")).ok());
  RunMs(0);
  const std::vector<storage::Reply>& replies = replies_[1];
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(std::get<storage::Chunk>(replies[0]).sequence, 0);
  EXPECT_EQ(std::get<storage::Chunk>(replies[1]).sequence, 1);
  EXPECT_EQ(std::get<storage::WithExit>(replies[2]).exit,
            Exit::Success("done"));
}

TEST_F(EntityManagerTest, StreamResumesAfterTheLastSentChunk) {
  Start();
  const storage::Chunk last{Snowflake(1), Snowflake(500), 1, {"2"}};
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "3"), last).ok());
  RunMs(0);
  ASSERT_EQ(world_.stream_starts.size(), 1u);
  EXPECT_EQ(world_.stream_starts[0], last);
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].sequence, 2);
  EXPECT_EQ(chunks[0].values, std::vector<std::string>{"3"});
  // Until the new chunk is sent, the stored one is the one to acknowledge;
  // now only the new one is.
  ASSERT_TRUE(SendAck(1, Snowflake(500)).ok());
  RunMs(0);
  EXPECT_FALSE(StoredExit(1).has_value());
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(0);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, UnknownTagIsAnsweredMalformed) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "NoSuchRpc")).ok());
  std::optional<Exit> exit = VolatileExit(1);
  ASSERT_TRUE(exit.has_value());
  ASSERT_FALSE(exit->is_success());
  EXPECT_TRUE(IsMalformedMessage(exit->cause()));
  EXPECT_FALSE(manager_->IsResident(Addr("1")));  // decoded before spawning
  // From storage (no reply sink): the reply is stored.
  ASSERT_TRUE(SendStored(Request(2, "NoSuchRpc")).ok());
  RunMs(0);
  ASSERT_TRUE(StoredExit(2).has_value());
  EXPECT_TRUE(IsMalformedMessage(StoredExit(2)->cause()));
}

TEST_F(EntityManagerTest, MalformedPayloadIsRepliedNotADefect) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Increment",
                                   IncrementRpc().EncodeRequest({"k", 5})))
                  .ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Increment", "\x07")).ok());
  ASSERT_TRUE(SendVolatile(Request(3, "Increment",
                                   IncrementRpc().EncodeRequest({"k", 2})))
                  .ok());
  RunMs(0);
  EXPECT_EQ(IncrementRpc().FromExit(*VolatileExit(1))->value, 5);
  ASSERT_TRUE(VolatileExit(2).has_value());
  EXPECT_TRUE(IsMalformedMessage(VolatileExit(2)->cause()));
  // No restart: the handler kept its state.
  EXPECT_EQ(IncrementRpc().FromExit(*VolatileExit(3))->value, 7);
  EXPECT_EQ(world_.builds, 1);
}

TEST_F(EntityManagerTest, WrongEntityTypeIsMalformed) {
  Start();
  storage::Request request = Request(1, "GetUser");
  request.address =
      EntityAddress(EntityType("Other"), EntityId("1"), ShardId("default", 1));
  EXPECT_TRUE(IsClusterError<MalformedMessage>(SendVolatile(request)));
}

// --- Idle reaping and keep-alive
// ----------------------------------------------

TEST_F(EntityManagerTest, ReapsIdleEntities) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;  // reaper period 10 s
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(9'999);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  RunMs(1);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.stop").size(), 1u);
  EXPECT_EQ(host_.resident_, 0);
  EXPECT_EQ(host_.releases_, 1);
}

TEST_F(EntityManagerTest, ActiveRequestsAndRecentActivityPreventReaping) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "15000")).ok());
  RunMs(10'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));  // busy
  RunMs(10'000);  // finished at 15 s: idle for 5 s only
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
}

TEST_F(EntityManagerTest, NeverIdleEntitiesAreNotReaped) {
  EntityOptions options;
  options.max_idle_time_ms = kNeverIdle;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(3'600'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
}

TEST_F(EntityManagerTest, KeepAlivePreventsReapingUntilReleased) {
  EntityOptions options;
  options.max_idle_time_ms = 5'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "KeepAlive", "on")).ok());
  RunMs(0);
  ASSERT_EQ(host_.keep_alives_, std::vector<EntityAddress>{Addr("1")});
  // The host stores the keep-alive request; storage delivers it back.
  ASSERT_TRUE(SendStored(Request(2, kKeepAliveTag)).ok());
  RunMs(20'000);
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_FALSE(StoredExit(2).has_value());  // parked
  ASSERT_TRUE(SendVolatile(Request(3, "KeepAlive", "off")).ok());
  RunMs(0);
  EXPECT_EQ(StoredExit(2), Exit::Success(""));
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
}

// --- Defects
// -------------------------------------------------------------------

TEST_F(EntityManagerTest, RestartsTheEntityAfterAHandlerDefect) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "123")).ok());
  RunMs(0);
  EXPECT_FALSE(StoredExit(1).has_value());
  EXPECT_EQ(trace_.Of("entity.defect").size(), 1u);
  RunMs(499);  // the first defect backoff is 500 ms
  EXPECT_EQ(world_.builds, 1);
  RunMs(1);
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(StoredExit(1), Exit::Success("User 123"));
  // One activation throughout: a restart is not a stop.
  EXPECT_EQ(trace_.Of("entity.start").size(), 1u);
  EXPECT_TRUE(trace_.Of("entity.stop").empty());
}

TEST_F(EntityManagerTest, ReplaysInFlightRequestsWhenRestartingAfterADefect) {
  EntityOptions options;
  options.concurrency = 2;  // Effect's test forks NeverFork past the permit
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  EXPECT_EQ(world_.handled.size(), 1u);
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(2, "GetUserP", "123")).ok());
  RunMs(500);
  EXPECT_EQ(StoredExit(2), Exit::Success("User 123"));
  EXPECT_EQ(world_.builds, 2);
  RunMs(1);
  EXPECT_EQ(world_.handled, (std::vector<std::string>{"NeverP", "GetUserP",
                                                      "NeverP", "GetUserP"}));
  EXPECT_EQ(world_.interrupted, 1);  // the old NeverP
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
}

TEST_F(EntityManagerTest, RequestsDuringARestartWaitForTheNewHandler) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser", "1")).ok());
  RunMs(100);
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(100);
  EXPECT_FALSE(VolatileExit(2).has_value());
  RunMs(300);
  EXPECT_EQ(VolatileExit(1), Exit::Success("User 1"));
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  EXPECT_EQ(world_.handled,
            (std::vector<std::string>{"GetUser", "GetUser", "GetUser"}));
}

TEST_F(EntityManagerTest, ConcurrentDefectsRebuildOnce) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Die")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Die")).ok());
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.defect").size(), 2u);
  RunMs(500);
  EXPECT_EQ(world_.builds, 2);
  // The replays die again: the manager's schedule steps to 750 ms.
  RunMs(749);
  EXPECT_EQ(world_.builds, 2);
  RunMs(1);
  EXPECT_EQ(world_.builds, 3);
}

TEST_F(EntityManagerTest, DisableFatalDefectsRepliesTheDefect) {
  EntityOptions options;
  options.disable_fatal_defects = true;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Die")).ok());
  RunMs(0);
  EXPECT_EQ(VolatileExit(1), Failed(CauseKind::kDie, "always"));
  RunMs(10'000);
  EXPECT_EQ(world_.builds, 1);
}

TEST_F(EntityManagerTest, FailedBuildIsRetriedWithBackoff) {
  world_.build_failures = 2;
  Start();
  // While the build is retried the entity takes no requests.
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(1, "GetUser"))));
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendStored(Request(2, "GetUserP"))));
  EXPECT_TRUE(manager_->IsResident(Addr("1")));
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(manager_->ActiveEntityCount(), 0);
  RunMs(500);  // second attempt fails: next try after 750 ms
  EXPECT_EQ(world_.builds, 0);
  RunMs(750);
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(trace_.Of("entity.start").size(), 1u);
  EXPECT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
}

// Effect's defectRetryPolicy replaces the default backoff.
TEST_F(EntityManagerTest, ADefectRetryPolicyReplacesTheDefaultBackoff) {
  EntityOptions options;
  options.defect_backoff_us = [](int64_t) { return int64_t{50'000}; };
  Start(options);
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "123")).ok());
  RunMs(49);
  EXPECT_EQ(world_.builds, 1);
  RunMs(1);
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(StoredExit(1), Exit::Success("User 123"));
}

TEST_F(EntityManagerTest, SpawnIsAbandonedWhenTheShardIsLostDuringTheBuild) {
  world_.build_failures = 1;
  Start();
  EXPECT_FALSE(SendVolatile(Request(1, "GetUser")).ok());
  host_.lost_.insert(ShardId("default", 1));
  RunMs(500);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  EXPECT_EQ(world_.builds, 0);
  EXPECT_EQ(host_.resident_, 0);
  EXPECT_TRUE(trace_.Of("entity.start").empty());
}

// --- Termination -----------------------------------------------------------

TEST_F(EntityManagerTest, GracefulShardInterruptWaitsForTheTerminationTimeout) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(1);
  host_.lost_.insert(ShardId("default", 1));
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(manager_->ActiveEntityCount(), 0);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(899);
  EXPECT_FALSE(*done);
  EXPECT_TRUE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(world_.interrupted, 0);
  EXPECT_EQ(host_.releases_, 0);
  EXPECT_TRUE(trace_.Of("entity.stop").empty());
  RunMs(101);
  EXPECT_TRUE(*done);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_EQ(host_.releases_, 1);
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(VolatileExit(1), InterruptExit());
}

TEST_F(EntityManagerTest, GracefulShardInterruptEndsWhenHandlersFinish) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "200")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(199);
  EXPECT_TRUE(*done);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));
  EXPECT_EQ(world_.interrupted, 0);
}

// Effect's forced termination closes the handler scope: a request annotated
// Uninterruptible is interrupted too (the annotation makes an interrupted
// persisted request re-run in place, not its fiber uninterruptible), and
// stays in storage for the shard's next owner.
// Effect's InterruptOnTermination: a graceful termination interrupts the
// annotated request at once (it stays in storage for the next owner) rather
// than waiting for it until the termination timeout.
// Effect's `concurrency: "unbounded"`: every request runs at once.
TEST_F(EntityManagerTest, UnboundedConcurrencyRunsEveryRequestAtOnce) {
  EntityOptions options;
  options.concurrency = kUnboundedConcurrency;
  options.mailbox_capacity = 50;
  Start(options);
  for (int i = 1; i <= 50; ++i) {
    ASSERT_TRUE(SendVolatile(Request(i, "Never")).ok());
  }
  RunMs(1);
  EXPECT_EQ(world_.running, 50);
}

TEST_F(EntityManagerTest, GracefulTerminationInterruptsAnnotatedRequests) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendStored(Request(1, "NeverT")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 1);
  EXPECT_FALSE(StoredExit(1).has_value());  // left in storage for the owner
  EXPECT_TRUE(*done);
}

TEST_F(EntityManagerTest, GracefulTerminationWaitsForUnannotatedRequests) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 0);
  EXPECT_FALSE(*done);
}

TEST_F(EntityManagerTest, ForcedShardInterruptCancelsUninterruptibleToo) {
  EntityOptions options;
  options.concurrency = 3;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  ASSERT_TRUE(SendStored(Request(2, "NeverP")).ok());
  ASSERT_TRUE(SendStored(Request(3, "HoldU")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_EQ(world_.interrupted, 3);
  EXPECT_EQ(VolatileExit(1), InterruptExit());
  EXPECT_FALSE(StoredExit(2).has_value());  // left in storage for the owner
  EXPECT_FALSE(StoredExit(3).has_value());
  EXPECT_TRUE(*done);
  EXPECT_EQ(host_.releases_, 1);
}

TEST_F(EntityManagerTest, ForceDuringAGracefulDrainEndsItEarly) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(1);
  auto graceful = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(100);
  EXPECT_FALSE(*graceful);
  auto forced = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*graceful);
  EXPECT_TRUE(*forced);
}

TEST_F(EntityManagerTest, InterruptShardOnlyTouchesThatShard) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never", "", Addr("1", 1))).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Never", "", Addr("1", 2))).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*done);
  EXPECT_TRUE(manager_->IsResident(Addr("1", 2)));
  EXPECT_FALSE(manager_->IsResident(Addr("1", 1)));
}

TEST_F(EntityManagerTest, PersistedRequestsInterruptedByShutdownGetNoReply) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(1);
  EXPECT_TRUE(*done);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_EQ(world_.interrupted, 1);
}

TEST_F(EntityManagerTest, RetiredEntityStillTakesAcksAndInterrupts) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "StreamP", "2")).ok());
  RunMs(1);
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(1);
  ASSERT_FALSE(manager_->IsResident(Addr("1")));
  // New requests wait for the old activation to stop.
  EXPECT_TRUE(IsClusterError<MailboxFull>(SendStored(Request(2, "GetUserP"))));
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(3, "GetUser"))));
  std::vector<storage::Chunk> chunks = StoredChunks();
  ASSERT_EQ(chunks.size(), 1u);
  ASSERT_TRUE(SendAck(1, chunks[0].id).ok());
  RunMs(1);
  ASSERT_EQ(StoredChunks().size(), 2u);
  ASSERT_TRUE(SendAck(1, StoredChunks()[1].id).ok());
  RunMs(1);
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_TRUE(*done);
  // Now a new activation may start.
  EXPECT_TRUE(SendStored(Request(2, "GetUserP")).ok());
}

TEST_F(EntityManagerTest, CloseTerminatesEverythingAndRefusesRequests) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Sleep", "300")).ok());
  RunMs(1);
  auto done = Spawn(manager_->Close());
  RunMs(1);
  EXPECT_EQ(manager_->state(), ManagerState::kClosing);
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(
      SendVolatile(Request(2, "GetUser", "", Addr("2")))));
  RunMs(300);
  EXPECT_TRUE(*done);
  EXPECT_EQ(manager_->state(), ManagerState::kClosed);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));  // drained gracefully
  EXPECT_TRUE(IsClusterError<EntityNotAssignedToRunner>(SendInterrupt(1)));
  EXPECT_EQ(host_.resident_, 0);
}

TEST_F(EntityManagerTest, SingleActivationEventsPairUpInOrder) {
  EntityOptions options;
  options.max_idle_time_ms = 5'000;
  Start(options);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(SendVolatile(Request(10 + round, "GetUser")).ok());
    RunMs(5'000);
  }
  ASSERT_TRUE(SendVolatile(Request(20, "Never", "", Addr("2"))).ok());
  auto done = Spawn(manager_->Close());
  RunMs(2'000);
  ASSERT_TRUE(*done);
  std::map<std::string, bool> alive;
  int starts = 0;
  for (const auto& [kind, detail] : trace_.events) {
    if (kind == "entity.start") {
      EXPECT_FALSE(alive[detail]) << "started twice: " << detail;
      alive[detail] = true;
      ++starts;
    } else if (kind == "entity.stop") {
      EXPECT_TRUE(alive[detail]) << "stopped while not alive: " << detail;
      alive[detail] = false;
    }
  }
  EXPECT_EQ(starts, 4);
  for (const auto& [detail, is_alive] : alive) EXPECT_FALSE(is_alive) << detail;
}

// --- Mailbox metrics (Effect's ClusterMetrics) -----------------------------

TEST_F(EntityManagerTest, MailboxSizeMaxIsAlwaysReportedPerType) {
  Start();
  const GaugeSeries max = GaugeSeries::EntityMailboxSizeMax(kUser);
  EXPECT_EQ(host_.metrics_.Get(max), 0);
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(3, "Hold", "", Addr("2"))).ok());
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(max), 2);
  // Off by default: no per-entity series.
  EXPECT_FALSE(host_.metrics_.Get(GaugeSeries::EntityMailboxSize(Addr("1")))
                   .has_value());
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(max), 0);
  manager_.reset();
  EXPECT_FALSE(host_.metrics_.Get(max).has_value());
}

TEST_F(EntityManagerTest, MailboxSizeIsPerEntityWhenEnabled) {
  host_.config_.entity_mailbox_metrics = true;
  Start();
  const GaugeSeries one = GaugeSeries::EntityMailboxSize(Addr("1"));
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "Hold")).ok());
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(one), 2);
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(host_.metrics_.Get(one), 0);
  // The series goes when the entity's activation ends.
  auto done = Spawn(manager_->InterruptShard(ShardId("default", 1), false));
  RunMs(0);
  EXPECT_FALSE(host_.metrics_.Get(one).has_value());
}

TEST_F(EntityManagerTest, TheEntityOptionOverridesMailboxMetrics) {
  host_.config_.entity_mailbox_metrics = true;
  EntityOptions options;
  options.mailbox_metrics = false;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  RunMs(0);
  EXPECT_FALSE(host_.metrics_.Get(GaugeSeries::EntityMailboxSize(Addr("1")))
                   .has_value());
}

// --- Workflow-engine prerequisites
// --------------------------------------------

TEST_F(EntityManagerTest, ForkedRequestHoldsNoConcurrencyPermit) {
  Start();  // concurrency 1
  ASSERT_TRUE(SendVolatile(Request(1, "HoldF")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(0);
  // The forked request waits; the other one was answered meanwhile.
  EXPECT_FALSE(VolatileExit(1).has_value());
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(VolatileExit(1), Exit::Success("done"));
}

TEST_F(EntityManagerTest, UnforkedWaitingRequestBlocksConcurrencyOne) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Hold")).ok());
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser", "2")).ok());
  RunMs(0);
  EXPECT_FALSE(VolatileExit(2).has_value());
  world_.release.Open();
  RunMs(0);
  EXPECT_EQ(VolatileExit(2), Exit::Success("User 2"));
}

TEST_F(EntityManagerTest, ActivationStateSurvivesADefectRebuild) {
  Start();
  world_.defect_trigger = true;
  ASSERT_TRUE(SendStored(Request(1, "GetUserP", "1")).ok());
  RunMs(500);  // the defect, the 500 ms backoff, the rebuild
  EXPECT_EQ(world_.builds, 2);
  // The second build found the first one's activation state.
  EXPECT_EQ(world_.activation_builds, 2);
  EXPECT_TRUE(world_.activation_ends.empty());
  EXPECT_EQ(StoredExit(1), Exit::Success("User 1"));
}

TEST_F(EntityManagerTest, ActivationFinalizerRunsAbandonedOnShardLoss) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  EXPECT_TRUE(world_.activation_ends.empty());
  bool done = false;
  root_.Spawn(
      AwaitInto(manager_->InterruptShard(ShardId("default", 1), false), &done));
  RunMs(0);
  ASSERT_TRUE(done);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
  // A new activation starts with fresh state.
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(0);
  EXPECT_EQ(world_.activation_builds, 1);
}

TEST_F(EntityManagerTest, ActivationFinalizerOfAReapedEntityIsNotAbandoned) {
  EntityOptions options;
  options.max_idle_time_ms = 10'000;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(10'000);
  EXPECT_FALSE(manager_->IsResident(Addr("1")));
  RunMs(0);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{false});
}

TEST_F(EntityManagerTest, ActivationFinalizerRunsAbandonedOnClose) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool done = false;
  root_.Spawn(AwaitInto(manager_->Close(), &done));
  RunMs(0);
  ASSERT_TRUE(done);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

// Effect awaits the handler scope's finalizer effects before the entity's
// close latch opens, so a shard release waits for them (forced or not: the
// force only cuts the drain of the handlers).
TEST_F(EntityManagerTest, AsyncActivationFinalizerIsAwaitedByTheRelease) {
  world_.async_finalizer_ms = 1'000;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool done = false;
  root_.Spawn(
      AwaitInto(manager_->InterruptShard(ShardId("default", 1), true), &done));
  RunMs(999);
  EXPECT_TRUE(world_.async_finalizer_started);
  EXPECT_FALSE(done);
  EXPECT_TRUE(manager_->HasServers(ShardId("default", 1)));
  RunMs(1);
  ASSERT_TRUE(done);
  EXPECT_TRUE(world_.async_finalizer_ended);
  // Last registered first: the synchronous finalizer ran after it.
  EXPECT_EQ(world_.sync_finalizers_before_async_end, 0u);
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

// Hardened mode's self-stop does not wait: the entity is gone at once, the
// synchronous finalizer has run, the asynchronous one runs on its own.
TEST_F(EntityManagerTest, AsyncActivationFinalizerIsNotAwaitedByASelfStop) {
  world_.async_finalizer_ms = 1'000;
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  manager_->StopShardNow(ShardId("default", 1));
  EXPECT_FALSE(manager_->HasServers(ShardId("default", 1)));
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
  RunMs(0);
  EXPECT_TRUE(world_.async_finalizer_started);
  RunMs(1'000);
  EXPECT_TRUE(world_.async_finalizer_ended);
}

TEST_F(EntityManagerTest, ActivationScopeFibersSurviveARebuild) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "GetUser")).ok());
  RunMs(0);
  bool woke = false;
  world_.context->activation_scope().Spawn(
      [](bool* woke) -> Task<void> {
        co_await SleepMs(1'000);
        *woke = true;
      }(&woke),
      "test-activation-fiber");
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(600);
  ASSERT_EQ(world_.builds, 2);
  RunMs(400);
  EXPECT_TRUE(woke);
}

TEST_F(EntityManagerTest, HandlerSeesAClientAbort) {
  Start();
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  RunMs(0);
  ASSERT_TRUE(SendInterrupt(1).ok());
  RunMs(0);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kClientAbort});
}

TEST_F(EntityManagerTest, HandlerSeesAnAbandonOnShardLoss) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverP")).ok());
  RunMs(0);
  root_.Spawn(manager_->InterruptShard(ShardId("default", 1), true));
  RunMs(0);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kAbandon});
}

TEST_F(EntityManagerTest, HandlerSeesAnAbandonOnHardenedSelfStop) {
  Start();
  ASSERT_TRUE(SendStored(Request(1, "NeverU")).ok());
  RunMs(0);
  manager_->StopShardNow(ShardId("default", 1));
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kAbandon});
  EXPECT_EQ(world_.activation_ends, std::vector<bool>{true});
}

TEST_F(EntityManagerTest, HandlerSeesARestart) {
  EntityOptions options;
  options.concurrency = 2;
  Start(options);
  ASSERT_TRUE(SendVolatile(Request(1, "Never")).ok());
  world_.defect_trigger = true;
  ASSERT_TRUE(SendVolatile(Request(2, "GetUser")).ok());
  RunMs(500);
  ASSERT_EQ(world_.builds, 2);
  EXPECT_EQ(world_.interrupt_reasons,
            std::vector<InterruptReason>{InterruptReason::kRestart});
}

TEST_F(EntityManagerTest, FailedTransactionalReplyRestartsAndReplays) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "TxP", "tx")).ok());
  RunMs(0);
  EXPECT_EQ(trace_.Of("entity.reply_rolled_back").size(), 1u);
  EXPECT_FALSE(StoredExit(1).has_value());
  RunMs(500);  // the defect backoff, then the replay
  EXPECT_EQ(world_.builds, 2);
  EXPECT_EQ(world_.handled, (std::vector<std::string>{"TxP", "TxP"}));
  EXPECT_EQ(StoredExit(1), Exit::Success("done"));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), false, true));
}

TEST_F(EntityManagerTest, TransactionalReplyFoundStoredCompletes) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("timed out"));
  host_.stored_exit_anyway_ = true;
  ASSERT_TRUE(SendStored(Request(1, "TxP", "tx")).ok());
  RunMs(1'000);
  EXPECT_TRUE(trace_.Of("entity.reply_rolled_back").empty());
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(world_.handled, std::vector<std::string>{"TxP"});
  // Completed: only the recently-processed set still knows it.
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
  EXPECT_FALSE(manager_->IsProcessingFor(Snowflake(1), true, false));
}

TEST_F(EntityManagerTest, DynamicLeavesOtherPayloadsWithoutTransaction) {
  Start();
  host_.save_results_.push_back(absl::UnavailableError("storage down"));
  ASSERT_TRUE(SendStored(Request(1, "TxP", "plain")).ok());
  RunMs(1'000);
  // Effect's wedge without the annotation: no restart, no replay.
  EXPECT_TRUE(trace_.Of("entity.reply_rolled_back").empty());
  EXPECT_EQ(world_.builds, 1);
  EXPECT_EQ(trace_.Of("entity.reply_lost").size(), 1u);
  EXPECT_TRUE(host_.saved_.empty());
  EXPECT_TRUE(manager_->IsProcessingFor(Snowflake(1)));
}

}  // namespace
}  // namespace clustersim::sharding
