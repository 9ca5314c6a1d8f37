// Tests of the shard-lock state machine together with the runner-storage
// sync loop that feeds it, on in-process storage and virtual time. Ports of
// Effect's "Shard lock failover" tests (Sharding.test.ts) plus membership
// behaviour (ring split, join debounce, handoff).
#include "core/sharding/shard_locks.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cluster/cluster_metrics.h"
#include "core/cluster/snowflake_generator.h"
#include "core/runtime/manual_executor.h"
#include "core/sharding/runner_membership.h"
#include "core/sharding/test_env.h"
#include "core/sharding/test_storage.h"
#include "core/storage/local_storage_client.h"
#include "core/storage/storage_state.h"

namespace clustersim::sharding {
namespace {

constexpr int64_t kStartMs = 1'767'225'600'000;  // 2026-01-01

// Stands in for the rest of Sharding: records what the lock machine asks.
class FakeHooks : public ShardLockHooks {
 public:
  bool IsShutdown() const override { return shutdown; }
  Task<void> InterruptShards(std::vector<ShardId> shards, bool force) override {
    interrupts.push_back({shards, force});
    if (!force && graceful_stop_ms > 0) co_await SleepMs(graceful_stop_ms);
  }
  Task<void> StopSingletons(std::vector<ShardId>) override { co_return; }
  void SyncSingletons() override { ++syncs; }
  void StopShardsNow(const std::vector<ShardId>& shards) override {
    stopped_now.push_back(shards);
    stopped_now_at_us.push_back(executor->MonotonicUs());
  }
  void OnShardsAcquired() override { ++acquisitions; }
  void OnShardReleased(const ShardId& shard) override {
    released.push_back(shard);
  }

  struct Interrupt {
    std::vector<ShardId> shards;
    bool force;
  };
  bool shutdown = false;
  int64_t graceful_stop_ms = 0;
  std::vector<Interrupt> interrupts;
  std::vector<ShardId> released;
  std::vector<std::vector<ShardId>> stopped_now;
  std::vector<int64_t> stopped_now_at_us;  // monotonic
  const Executor* executor = nullptr;
  int syncs = 0;
  int acquisitions = 0;
};

ShardingConfig BaseConfig(int32_t port, int32_t shards) {
  ShardingConfig config;
  config.runner_address = RunnerAddress("localhost", port);
  config.shards_per_group = shards;
  return config;
}

// One runner's lock machinery over the shared storage.
class TestRunner {
 public:
  TestRunner(ManualExecutor& ex, storage::StorageState& state,
             ShardingConfig config, uint32_t node,
             StallDetector* stall = nullptr)
      : config_(std::move(config)),
        env_(ex, NodeId{node}, stall),
        local_(state, ex),
        storage(local_),
        snowflakes_(ex, MachineId(0)),
        scope_(env_.scope()),
        locks(config_, env_.env(), storage, scope_, hooks, metrics),
        membership(
            config_, env_.env(), storage, &locks, snowflakes_, scope_, metrics,
            [this] { return hooks.shutdown; }, [](const RunnerAddress&) {}) {
    CHECK(config_.Validate().ok());
    hooks.executor = &ex;
  }

  void Start() {
    membership.Start();
    locks.Start();
  }
  // Kill -9: every fiber gone at once.
  void Crash() { scope_.Close(); }

  RecordingTrace& trace() { return env_.trace(); }
  Scope& scope() { return env_.scope(); }

 private:
  ShardingConfig config_;
  TestEnv env_;
  storage::LocalStorageClient local_;

 public:
  TestStorage storage;
  FakeHooks hooks;
  ClusterMetrics metrics;

 private:
  SnowflakeGenerator snowflakes_;
  Scope scope_;

 public:
  ShardLocks locks;
  RunnerMembership membership;
};

storage::StorageState::Options StorageOptions(int64_t expiration_ms) {
  storage::StorageState::Options options;
  options.runners.lock_expiration_ms = expiration_ms;
  return options;
}

std::vector<ShardId> Shards(int32_t count) {
  std::vector<ShardId> out;
  for (int32_t i = 1; i <= count; ++i) out.emplace_back("default", i);
  return out;
}

TEST(ShardLocksTest, SingleRunnerRegistersAndAcquiresEveryShard) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner runner(ex, state, BaseConfig(1234, 8), 1);
  runner.Start();
  ex.RunForMs(10);

  EXPECT_EQ(runner.membership.machine_id(), MachineId(1));
  EXPECT_EQ(runner.locks.acquired().size(), 8u);
  EXPECT_EQ(runner.trace().Count("shard.acquire"), 8);
  EXPECT_EQ(runner.metrics.Get(GaugeSeries::Shards()), 8);
  EXPECT_EQ(runner.metrics.Get(GaugeSeries::RunnersHealthy()), 1);
  EXPECT_GE(runner.hooks.acquisitions, 1);
  EXPECT_TRUE(runner.locks.TokenFor(ShardId("default", 3)).has_value());
  EXPECT_FALSE(runner.locks.TokenFor(ShardId("default", 9)).has_value());
}

// Two runners split 300 shards as Effect's ring does, and no shard is ever
// acquired by both while the second one joins.
TEST(ShardLocksTest, TwoRunnersSplitShardsWithoutOverlap) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner a(ex, state, BaseConfig(1234, 300), 1);
  TestRunner b(ex, state, BaseConfig(1235, 300), 2);
  a.Start();
  ex.RunForMs(10);
  ASSERT_EQ(a.locks.acquired().size(), 300u);
  b.Start();
  for (int step = 0; step < 100; ++step) {
    ex.RunForMs(100);
    for (const ShardId& shard : a.locks.acquired()) {
      ASSERT_FALSE(b.locks.IsAcquired(shard)) << shard << " at step " << step;
    }
  }
  EXPECT_EQ(a.locks.acquired().size(), 150u);
  EXPECT_EQ(b.locks.acquired().size(), 150u);
  // Golden owners of shards 1..10 (effect-semantics.md §2.3).
  const std::vector<int32_t> owners = {1235, 1234, 1234, 1234, 1235,
                                       1234, 1234, 1234, 1235, 1234};
  for (int32_t i = 1; i <= 10; ++i) {
    const ShardId shard("default", i);
    EXPECT_EQ(a.membership.OwnerOf(shard)->port(), owners[i - 1]);
    EXPECT_EQ(b.membership.OwnerOf(shard)->port(), owners[i - 1]);
    EXPECT_TRUE((owners[i - 1] == 1234 ? a : b).locks.IsAcquired(shard));
  }
  // The moved shards went through a graceful release on the first runner.
  EXPECT_EQ(a.hooks.released.size(), 150u);
  for (const FakeHooks::Interrupt& interrupt : a.hooks.interrupts) {
    EXPECT_FALSE(interrupt.force);
  }
  // Each completed release is one effect_cluster_shard_release sample.
  ASSERT_TRUE(a.metrics.shard_release().has_value());
  EXPECT_EQ(a.metrics.shard_release()->count, 150);
  EXPECT_FALSE(b.metrics.shard_release().has_value());
}

// Effect: "interrupts entities and reacquires shards after lock storage
// recovers" (1 shard, expiration 300, refresh 1000: lock interval 100).
TEST(ShardLocksTest, BlackholedRefreshForcesReleaseAndReacquiresAfterRecovery) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(300));
  ShardingConfig config = BaseConfig(1234, 1);
  config.shard_lock_expiration_ms = 300;
  config.shard_lock_refresh_interval_ms = 1000;
  TestRunner runner(ex, state, config, 1);
  runner.Start();
  ex.RunForMs(10);
  const ShardId shard("default", 1);
  ASSERT_TRUE(runner.locks.IsAcquired(shard));

  runner.storage.ClearCalls();
  runner.storage.SetBlackhole(StorageOp::kRefresh, true);
  ex.RunForMs(201);
  EXPECT_FALSE(runner.locks.IsAcquired(shard));
  EXPECT_FALSE(runner.locks.healthy());
  EXPECT_EQ(runner.metrics.Get(GaugeSeries::Shards()), 0);
  ASSERT_FALSE(runner.hooks.interrupts.empty());
  EXPECT_TRUE(runner.hooks.interrupts.back().force);
  EXPECT_EQ(runner.hooks.interrupts.back().shards, Shards(1));
  // A forced release is not timed (Effect's shardReleaseDuration).
  EXPECT_FALSE(runner.metrics.shard_release().has_value());
  int64_t refreshes_with_shards = 0;
  for (const TestStorage::Call& call : runner.storage.calls()) {
    if (call.op == StorageOp::kRefresh && !call.shards.empty()) {
      ++refreshes_with_shards;
    }
  }
  EXPECT_LE(refreshes_with_shards, 2);

  // While unhealthy: no acquisition, no releaseAll, and only probes.
  runner.storage.ClearCalls();
  ex.RunForMs(1000);
  EXPECT_EQ(runner.storage.CountOf(StorageOp::kAcquire), 0);
  EXPECT_EQ(runner.storage.CountOf(StorageOp::kReleaseAll), 0);
  for (const TestStorage::Call& call : runner.storage.calls()) {
    if (call.op == StorageOp::kRefresh) {
      EXPECT_TRUE(call.shards.empty());
    }
  }

  runner.storage.ClearCalls();
  runner.storage.SetBlackhole(StorageOp::kRefresh, false);
  ex.RunForMs(101);
  EXPECT_TRUE(runner.locks.healthy());
  EXPECT_TRUE(runner.locks.IsAcquired(shard));
  // The forced release ran (once) before the shard was taken again.
  EXPECT_EQ(runner.storage.CountOf(StorageOp::kReleaseAll), 1);
  const std::vector<TestStorage::Call>& calls = runner.storage.calls();
  size_t release_all = calls.size(), last_acquire = calls.size();
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].op == StorageOp::kReleaseAll) release_all = i;
    if (calls[i].op == StorageOp::kAcquire) last_acquire = i;
  }
  ASSERT_LT(last_acquire, calls.size());
  EXPECT_LT(release_all, last_acquire);
  EXPECT_EQ(calls[last_acquire].shards, Shards(1));
}

// Effect: "does not acquire shards while a forced release is pending".
TEST(ShardLocksTest, NoAcquisitionWhileForcedReleaseIsPending) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(3000));
  ShardingConfig config_a = BaseConfig(1234, 4);
  config_a.shard_lock_expiration_ms = 3000;
  config_a.shard_lock_refresh_interval_ms = 100;
  config_a.refresh_assignments_interval_ms = 100;
  ShardingConfig config_b = config_a;
  config_b.runner_address = RunnerAddress("localhost", 1235);
  TestRunner a(ex, state, config_a, 1);
  TestRunner b(ex, state, config_b, 2);
  a.Start();
  b.Start();
  ex.RunForMs(3000);
  ASSERT_LT(a.locks.acquired().size(), 4u);
  ASSERT_GT(a.locks.acquired().size(), 0u);

  a.storage.SetBlackhole(StorageOp::kRefresh, true);
  ex.RunForMs(250);
  EXPECT_TRUE(a.locks.acquired().empty());
  // The other runner turns unhealthy, so every shard is assigned to `a`.
  state.SetRunnerHealth(RunnerAddress("localhost", 1235), false);
  ex.RunForMs(2000);
  EXPECT_EQ(a.storage.CountOf(StorageOp::kReleaseAll), 0);
  EXPECT_TRUE(a.locks.acquired().empty());

  // Recovery; the forced releaseAll stays in flight for 500 ms.
  a.storage.ClearCalls();
  a.storage.SetBlackhole(StorageOp::kReleaseAll, true);
  a.storage.SetBlackhole(StorageOp::kRefresh, false);
  ex.RunForMs(500);
  EXPECT_EQ(a.storage.CountOf(StorageOp::kReleaseAll), 1);
  EXPECT_EQ(a.storage.CountOf(StorageOp::kAcquire), 0);
  a.storage.SetBlackhole(StorageOp::kReleaseAll, false);
  ex.RunForMs(5000);
  EXPECT_EQ(a.storage.CountOf(StorageOp::kReleaseAll), 1);
  EXPECT_EQ(a.locks.acquired().size(), 4u);
  EXPECT_TRUE(b.locks.acquired().empty());
}

Task<void> Confirm(ShardLocks* locks, ShardId shard, std::optional<bool>* out) {
  *out = co_await locks->ConfirmShardLock(shard);
}

TEST(ShardLocksTest, ConcurrentOwnershipChecksShareOneRefresh) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner runner(ex, state, BaseConfig(1234, 2), 1);
  runner.Start();
  ex.RunForMs(10);
  const ShardId shard("default", 1);
  runner.storage.ClearCalls();
  std::optional<bool> first, second, other;
  runner.scope().Spawn(Confirm(&runner.locks, shard, &first));
  runner.scope().Spawn(Confirm(&runner.locks, shard, &second));
  runner.scope().Spawn(Confirm(&runner.locks, ShardId("default", 9), &other));
  ex.RunForMs(1);
  EXPECT_EQ(first, true);
  EXPECT_EQ(second, true);
  EXPECT_EQ(other, false);  // not held: no storage call
  EXPECT_EQ(runner.storage.CountOf(StorageOp::kRefresh), 1);

  // A refresh that does not answer within the lock interval: not confirmed.
  runner.storage.SetBlackhole(StorageOp::kRefresh, true);
  std::optional<bool> late;
  runner.scope().Spawn(Confirm(&runner.locks, shard, &late));
  ex.RunForMs(9'999);
  EXPECT_FALSE(late.has_value());
  ex.RunForMs(2);
  EXPECT_EQ(late, false);
}

Task<void> AwaitLock(ShardLocks* locks, ShardId shard, ManualExecutor* ex,
                     std::optional<int64_t>* waited_ms) {
  const int64_t start = ex->NowMs();
  co_await locks->AwaitShardLock(shard);
  *waited_ms = ex->NowMs() - start;
}

TEST(ShardLocksTest, AwaitShardLockWaitsForTheAcquisition) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner runner(ex, state, BaseConfig(1234, 2), 1);
  runner.storage.SetBlackhole(StorageOp::kAcquire, true);
  runner.Start();
  ex.RunForMs(10);
  const ShardId shard("default", 1);
  ASSERT_TRUE(runner.locks.self_shards().contains(shard));
  ASSERT_FALSE(runner.locks.IsAcquired(shard));
  std::optional<int64_t> waited;
  runner.scope().Spawn(AwaitLock(&runner.locks, shard, &ex, &waited));
  ex.RunForMs(500);
  EXPECT_FALSE(waited.has_value());
  runner.storage.SetBlackhole(StorageOp::kAcquire, false);
  ex.RunForMs(1);
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(*waited, 500);
  // A shard assigned elsewhere (or already held) does not wait.
  std::optional<int64_t> none;
  runner.scope().Spawn(AwaitLock(&runner.locks, shard, &ex, &none));
  ex.RunForMs(1);
  EXPECT_EQ(none, 0);
}

TEST(ShardLocksTest, JoinDebounceHoldsTheNewAssignmentUntilQuiet) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  ShardingConfig config_a = BaseConfig(1234, 300);
  config_a.runner_join_debounce_ms = 5'000;
  ShardingConfig config_b = config_a;
  config_b.runner_address = RunnerAddress("localhost", 1235);
  TestRunner a(ex, state, config_a, 1);
  TestRunner b(ex, state, config_b, 2);
  a.Start();
  ex.RunForMs(10);
  ASSERT_EQ(a.locks.acquired().size(), 300u);
  b.Start();
  // `a` sees the join at its next sync (3 s) and waits 5 s of quiet.
  ex.RunForMs(6'000);
  EXPECT_EQ(a.locks.acquired().size(), 300u);
  EXPECT_TRUE(b.locks.acquired().empty());
  ex.RunForMs(10'000);
  EXPECT_EQ(a.locks.acquired().size(), 150u);
  EXPECT_EQ(b.locks.acquired().size(), 150u);
}

Task<void> HandoffThenRelease(TestRunner* runner, bool* done) {
  runner->hooks.shutdown = true;
  co_await runner->membership.Unregister();
  co_await runner->locks.Handoff();
  runner->membership.Stop();
  runner->locks.StopLoops();
  runner->locks.StopReleases();
  co_await runner->locks.ReleaseAll();
  *done = true;
}

TEST(ShardLocksTest, ShutdownHandoffReleasesEveryShardAndTheOtherRunnerTakes) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner a(ex, state, BaseConfig(1234, 300), 1);
  TestRunner b(ex, state, BaseConfig(1235, 300), 2);
  a.Start();
  b.Start();
  ex.RunForMs(10'000);
  ASSERT_EQ(a.locks.acquired().size(), 150u);
  bool done = false;
  a.scope().Spawn(HandoffThenRelease(&a, &done));
  ex.RunForMs(100);
  EXPECT_TRUE(done);
  EXPECT_TRUE(a.locks.acquired().empty());
  EXPECT_TRUE(a.locks.releasing().empty());
  EXPECT_EQ(a.storage.CountOf(StorageOp::kRelease), 150);
  // Every entity was forced to stop by the handoff.
  bool forced = false;
  for (const FakeHooks::Interrupt& i : a.hooks.interrupts) forced |= i.force;
  EXPECT_TRUE(forced);
  // `b` sees `a` gone at its next sync and takes everything.
  ex.RunForMs(5'000);
  EXPECT_EQ(b.locks.acquired().size(), 300u);
}

// A crashed runner's locks stay until their lease expires; then its shards
// move.
// effect-semantics.md §14.11: a runner that re-registers with a new weight
// is dropped from Effect's rings for good (its new entry is added, then its
// old one removed by address); hardened mode rebuilds the rings.
TEST(ShardLocksTest,
     AReRegistrationWithANewWeightKeepsTheRunnerOnlyInHardened) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    SCOPED_TRACE(ModeName(mode));
    ManualExecutor ex(kStartMs);
    storage::StorageState state(StorageOptions(35'000));
    ShardingConfig config = BaseConfig(1234, 30);
    config.mode = mode;
    TestRunner a(ex, state, config, 1);
    const RunnerAddress other("localhost", 1235);
    ASSERT_TRUE(
        state.Register(Runner(other, {"default"}, 1.0), true, ex.NowMs()).ok());
    a.Start();
    ex.RunForMs(5'000);
    const auto owns = [&](const RunnerAddress& address) {
      int n = 0;
      for (int32_t i = 1; i <= 30; ++i) {
        n += a.membership.OwnerOf(ShardId("default", i)) == address;
      }
      return n;
    };
    ASSERT_GT(owns(other), 0);
    ASSERT_TRUE(
        state.Register(Runner(other, {"default"}, 2.0), true, ex.NowMs()).ok());
    ex.RunForMs(5'000);
    if (mode == Mode::kReference) {
      EXPECT_EQ(owns(other), 0);  // gone from the ring while still healthy
    } else {
      EXPECT_GT(owns(other), 15);  // weight 2 of 3
    }
  }
}

TEST(ShardLocksTest, CrashedRunnersShardsMoveAfterTheLeaseExpires) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state(StorageOptions(35'000));
  TestRunner a(ex, state, BaseConfig(1234, 300), 1);
  TestRunner b(ex, state, BaseConfig(1235, 300), 2);
  a.Start();
  b.Start();
  ex.RunForMs(10'000);
  ASSERT_EQ(b.locks.acquired().size(), 150u);
  a.Crash();
  // Its heartbeat expires after 35 s, then b re-syncs within 3 s.
  ex.RunForMs(30'000);
  EXPECT_EQ(b.locks.acquired().size(), 150u);
  ex.RunForMs(10'000);
  EXPECT_EQ(b.locks.acquired().size(), 300u);
}

// --- Lease self-stop (hardened mode) ----------------------------------------

ShardingConfig SelfStopConfig(Mode mode) {
  ShardingConfig config = BaseConfig(1234, 2);
  config.mode = mode;
  return config;
}

// Runs until the runner sends its next refresh (all timers are on whole
// milliseconds, so stepping 1 ms finds its exact send time); returns it.
int64_t RunUntilNextRefreshUs(ManualExecutor& ex, TestRunner& runner) {
  const int64_t before = runner.storage.CountOf(StorageOp::kRefresh);
  for (int step = 0; step < 60'000; ++step) {
    ex.RunForMs(1);
    if (runner.storage.CountOf(StorageOp::kRefresh) > before) {
      return ex.MonotonicUs();
    }
  }
  ADD_FAILURE() << "no refresh within 60 s";
  return 0;
}

// Storage stops answering (every lock call hangs) just after a refresh
// landed (storage handled it 400 ms after it was sent). Hardened: the shards
// are stopped at once no later than lease_self_stop_after_us() after that
// refresh was sent, and strictly before storage's lease
// (shard_lock_expiration_ms from when storage handled it) can expire even with
// the runner's clock slow and storage's fast by kMaxClockDriftPpm. Reference:
// nothing is stopped.
TEST(ShardLocksTest, HardenedSelfStopsShardsBeforeTheStorageLeaseExpires) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    SCOPED_TRACE(ModeName(mode));
    ManualExecutor ex(kStartMs);
    storage::StorageState state(StorageOptions(35'000));
    const ShardingConfig config = SelfStopConfig(mode);
    TestRunner runner(ex, state, config, 1);
    runner.Start();
    ex.RunForMs(10);
    ASSERT_EQ(runner.locks.acquired().size(), 2u);

    // Each leg of a storage call takes 400 ms: the deadline counts from the
    // send, not from storage's handling or the answer.
    runner.storage.SetLatencyMs(400);
    const int64_t last_refresh_sent_us = RunUntilNextRefreshUs(ex, runner);
    ex.RunForMs(2 * 400 + 1);  // it lands
    for (StorageOp op : {StorageOp::kAcquire, StorageOp::kRefresh,
                         StorageOp::kRelease, StorageOp::kReleaseAll}) {
      runner.storage.SetBlackhole(op, true);
    }
    ex.RunForMs(2 * config.shard_lock_expiration_ms);

    if (mode == Mode::kReference) {
      EXPECT_TRUE(runner.hooks.stopped_now.empty());
      continue;
    }
    ASSERT_EQ(runner.hooks.stopped_now.size(), 1u);
    EXPECT_EQ(runner.hooks.stopped_now[0], Shards(2));
    EXPECT_EQ(runner.trace().Count("shard.self_stop"), 2);
    const int64_t stop_after_us =
        runner.hooks.stopped_now_at_us[0] - last_refresh_sent_us;
    // The computed deadline: the expiration shrunk by both drifts, less the
    // margin (34 306 930 - 100 000 us for 35 s).
    EXPECT_EQ(config.lease_self_stop_after_us(), 34'206'930);
    EXPECT_LE(stop_after_us, config.lease_self_stop_after_us());
    // Refreshes that landed kept the shards running.
    EXPECT_GT(stop_after_us, config.shard_lock_interval_ms() * 1000);
    // Worst case: the runner's clock ran slow, so more real time passed, and
    // storage's ran fast, so its lease aged more than that.
    const int64_t real_us =
        stop_after_us * 1'000'000 / (1'000'000 - kMaxClockDriftPpm) + 1;
    const int64_t storage_elapsed_us =
        real_us * (1'000'000 + kMaxClockDriftPpm) / 1'000'000 + 1;
    EXPECT_LT(storage_elapsed_us, config.shard_lock_expiration_ms * 1000);
  }
}

// One refresh that storage does not answer within the lock interval (a
// latency spike) while the leases hold for many more seconds. Reference
// (Effect): lock storage is marked unhealthy and every shard is force
// released (its entities interrupted). Hardened: the shards keep running
// (the lease watch stops them only when their lease may lapse) and the next
// refresh keeps them; under frequent spikes the forced releases kept
// interrupting bank's workflows past the liveness bound (bank seed 115).
TEST(ShardLocksTest, HardenedKeepsShardsThroughAFailedRefreshWhileLeasesHold) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    SCOPED_TRACE(ModeName(mode));
    ManualExecutor ex(kStartMs);
    storage::StorageState state(StorageOptions(35'000));
    const ShardingConfig config = SelfStopConfig(mode);
    TestRunner runner(ex, state, config, 1);
    runner.Start();
    ex.RunForMs(10);
    ASSERT_EQ(runner.locks.acquired().size(), 2u);

    runner.storage.SetBlackhole(StorageOp::kRefresh, true);
    ex.RunForMs(2 * config.shard_lock_interval_ms());
    if (mode == Mode::kReference) {
      EXPECT_FALSE(runner.locks.healthy());
      EXPECT_TRUE(runner.locks.acquired().empty());
      ASSERT_FALSE(runner.hooks.interrupts.empty());
      EXPECT_TRUE(runner.hooks.interrupts.back().force);
      continue;
    }
    EXPECT_GE(runner.trace().Count("shard.refresh_failed"), 1);
    EXPECT_TRUE(runner.locks.healthy());
    EXPECT_EQ(runner.locks.acquired().size(), 2u);
    runner.storage.SetBlackhole(StorageOp::kRefresh, false);
    ex.RunForMs(2 * config.shard_lock_interval_ms());
    EXPECT_EQ(runner.locks.acquired().size(), 2u);
    EXPECT_TRUE(runner.hooks.interrupts.empty());
    EXPECT_TRUE(runner.hooks.stopped_now.empty());
  }
}

// Hardened: after a pause past the self-stop deadline, the stall detector's
// check stops the shards before the node runs anything else (its timers,
// including the watch fiber's, would run late, in their own order).
TEST(ShardLocksTest, HardenedStallHandlerStopsLapsedShardsBeforeOtherWork) {
  for (Mode mode : {Mode::kReference, Mode::kHardened}) {
    SCOPED_TRACE(ModeName(mode));
    ManualExecutor ex(kStartMs);
    StallDetector stall;
    storage::StorageState state(StorageOptions(35'000));
    const ShardingConfig config = SelfStopConfig(mode);
    TestRunner runner(ex, state, config, 1, &stall);
    runner.Start();
    ex.RunForMs(10);
    ASSERT_EQ(runner.locks.acquired().size(), 2u);
    const int64_t last_refresh_sent_us = RunUntilNextRefreshUs(ex, runner);
    stall.BeforeWork(ex.MonotonicUs());

    // A short pause is no stall, and the deadline has not passed anyway.
    ex.PauseUs(StallDetector::kDefaultThresholdUs);
    stall.BeforeWork(ex.MonotonicUs());
    EXPECT_TRUE(runner.hooks.stopped_now.empty());

    // The process stops past the deadline; the event loop's first act on
    // waking is BeforeWork, before any timer runs.
    ex.PauseUs(last_refresh_sent_us + config.lease_self_stop_after_us() -
               ex.MonotonicUs());
    stall.BeforeWork(ex.MonotonicUs());
    if (mode == Mode::kReference) {
      EXPECT_TRUE(runner.hooks.stopped_now.empty());
      EXPECT_EQ(stall.stalls(), 0);  // no handler registered
      continue;
    }
    EXPECT_EQ(stall.stalls(), 1);
    ASSERT_EQ(runner.hooks.stopped_now.size(), 1u);
    EXPECT_EQ(runner.hooks.stopped_now[0], Shards(2));
    EXPECT_TRUE(runner.locks.acquired().empty());
    // The late timers then run; they do not stop the shards again.
    ex.RunForMs(10);
    EXPECT_EQ(runner.hooks.stopped_now.size(), 1u);
  }
}

}  // namespace
}  // namespace clustersim::sharding
