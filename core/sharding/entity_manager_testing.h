// Test-only fixture of the EntityManager tests (entity_manager_*_test.cc):
// a recording trace, a fake host, the User entity of Effect's TestEntity
// (its handler's behaviour is chosen by the request's tag) and the
// EntityManagerTest fixture that runs a manager on a ManualExecutor.
// Single-threaded.
#ifndef CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_TESTING_H_
#define CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_TESTING_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/manual_executor.h"
#include "core/runtime/process.h"
#include "core/runtime/scope.h"
#include "core/runtime/sync.h"
#include "core/sharding/entity_exits.h"
#include "core/sharding/entity_manager.h"
#include "core/sharding/typed_rpc.h"

namespace clustersim::sharding::entity_manager_testing {

using storage::CauseKind;
using storage::Exit;

inline constexpr int64_t kStartMs = 1'750'000'000'000;
inline const EntityType kUser("User");

inline EntityAddress Addr(const std::string& id, int32_t shard = 1) {
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
inline const TypedRpc<Increment, Counter>& IncrementRpc() {
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

inline Exit Failed(CauseKind kind, std::string message) {
  return Exit::Failure(storage::Cause{kind, std::move(message)});
}

inline Task<absl::StatusOr<Counter>> AddTo(int64_t* total, Increment in) {
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

inline RpcSpec Spec(std::string tag, bool persisted, bool stream = false,
                    Uninterruptible uninterruptible = Uninterruptible::kNo) {
  RpcSpec spec;
  spec.tag = std::move(tag);
  spec.persisted = persisted;
  spec.stream = stream;
  spec.uninterruptible = uninterruptible;
  return spec;
}

inline EntityDefinition UserDefinition(EntityOptions options) {
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

inline Task<void> AsyncFinalizer(World* world, int64_t sleep_ms) {
  world->async_finalizer_started = true;
  co_await SleepMs(sleep_ms);
  world->async_finalizer_ended = true;
  world->sync_finalizers_before_async_end = world->activation_ends.size();
}

inline absl::StatusOr<std::unique_ptr<EntityHandler>> Build(
    World* world, EntityContext& context) {
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

inline Task<void> AwaitInto(Task<void> task, bool* done) {
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

}  // namespace clustersim::sharding::entity_manager_testing

#endif  // CLUSTERSIM_CORE_SHARDING_ENTITY_MANAGER_TESTING_H_
