#include "core/storage/runner_store.h"

#include <string>
#include <vector>

#include "core/storage/storage_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kExpirationMs = 35'000;

RunnerAddress Address(int port) { return RunnerAddress("localhost", port); }
Runner MakeRunner(int port) { return Runner(Address(port), {"default"}, 1.0); }
ShardId Shard(int n) { return ShardId("default", n); }
std::vector<ShardId> Shards(std::initializer_list<int> numbers) {
  std::vector<ShardId> shards;
  for (int n : numbers) shards.push_back(Shard(n));
  return shards;
}

// The shard numbers of a lease list.
std::vector<int> Numbers(const std::vector<FencingToken>& leases) {
  std::vector<int> numbers;
  for (const FencingToken& lease : leases)
    numbers.push_back(lease.shard.number());
  return numbers;
}

RunnerStore MakeStore() {
  RunnerStore::Options options;
  options.lock_expiration_ms = kExpirationMs;
  return RunnerStore(options);
}

// SqlRunnerStorage.integration.test.ts "getRunners".
TEST(RunnerStoreTest, RegisterHealthAndUnregister) {
  RunnerStore store = MakeStore();
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  EXPECT_THAT(store.GetRunners(0),
              ElementsAre(RunnerEntry{MakeRunner(1), true}));

  store.SetRunnerHealth(Address(1), false);
  EXPECT_THAT(store.GetRunners(0),
              ElementsAre(RunnerEntry{MakeRunner(1), false}));

  store.Unregister(Address(1), 0);
  EXPECT_THAT(store.GetRunners(0), IsEmpty());
}

// RunnerStorage.test.ts health round-trip.
TEST(RunnerStoreTest, HealthRoundTrip) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Register(MakeRunner(1), false, 0).ok());
  EXPECT_FALSE(store.GetRunners(0)[0].healthy);
  store.SetRunnerHealth(Address(1), true);
  EXPECT_TRUE(store.GetRunners(0)[0].healthy);
}

TEST(RunnerStoreTest, SetHealthOfUnknownRunnerIsNoOp) {
  RunnerStore store = MakeStore();
  store.SetRunnerHealth(Address(9), true);
  EXPECT_THAT(store.GetRunners(0), IsEmpty());
}

// A SERIAL burns a value on every upsert, so ids are stable per row but a
// re-registration moves the sequence on; a deleted row comes back with a new
// id.
TEST(RunnerStoreTest, MachineIdsFollowPostgresSerial) {
  RunnerStore store = MakeStore();
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  EXPECT_EQ(*store.Register(MakeRunner(2), true, 0), MachineId(3));
  store.Unregister(Address(1), 0);
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(4));
}

TEST(RunnerStoreTest, RegisterUpdatesRunnerAndHeartbeat) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Register(MakeRunner(1), true, 0).ok());
  const Runner heavier(Address(1), {"default", "other"}, 2.0);
  ASSERT_TRUE(store.Register(heavier, false, 30'000).ok());
  // Still listed at 60 s because the second register was a heartbeat.
  const std::vector<RunnerEntry> runners = store.GetRunners(60'000);
  ASSERT_EQ(runners.size(), 1u);
  EXPECT_EQ(runners[0].runner.weight(), 2.0);
  EXPECT_EQ(runners[0].runner.groups().size(), 2u);
  EXPECT_FALSE(runners[0].healthy);
}

TEST(RunnerStoreTest, GetRunnersListsOnlyFreshHeartbeatsByMachineId) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Register(MakeRunner(2), true, 0).ok());
  ASSERT_TRUE(store.Register(MakeRunner(1), true, 10'000).ok());
  EXPECT_THAT(store.GetRunners(10'000),
              ElementsAre(RunnerEntry{MakeRunner(2), true},
                          RunnerEntry{MakeRunner(1), true}));
  // last_heartbeat > now - expiration: at exactly 35 s runner 2 is gone.
  EXPECT_THAT(store.GetRunners(kExpirationMs),
              ElementsAre(RunnerEntry{MakeRunner(1), true}));
  // A refresh is a heartbeat.
  ASSERT_TRUE(store.Refresh(Address(2), {}, 40'000).ok());
  EXPECT_EQ(store.GetRunners(44'000).size(), 2u);
}

TEST(RunnerStoreTest, UnregisterAlsoDeletesExpiredRunners) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Register(MakeRunner(1), true, 0).ok());
  ASSERT_TRUE(store.Register(MakeRunner(2), true, 0).ok());
  ASSERT_TRUE(store.Register(MakeRunner(3), true, 30'000).ok());
  // At 40 s, runners 1 and 2 have last_heartbeat < now - 35 s.
  store.Unregister(Address(9), 40'000);
  // Runner 1 re-registering gets a new row and id: its row was deleted.
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 40'000), MachineId(4));
  EXPECT_EQ(store.GetRunners(40'000).size(), 2u);
}

// SqlRunnerStorage.integration.test.ts "acquireShards".
TEST(RunnerStoreTest, AcquireRefreshRelease) {
  RunnerStore store = MakeStore();
  EXPECT_THAT(Numbers(*store.Acquire(Address(1), Shards({1, 2, 3}), 0)),
              ElementsAre(1, 2, 3));
  EXPECT_THAT(Numbers(*store.Acquire(Address(1), Shards({1, 2, 3}), 0)),
              ElementsAre(1, 2, 3));
  EXPECT_THAT(Numbers(*store.Refresh(Address(1), Shards({1, 2, 3}), 0)),
              ElementsAre(1, 2, 3));
  store.Release(Address(1), Shard(2));
  EXPECT_THAT(Numbers(*store.Refresh(Address(1), Shards({1, 2, 3}), 0)),
              ElementsAre(1, 3));
}

// The memory driver's refresh returns everything acquired; SQL's refresh of
// an empty list is only a heartbeat.
TEST(RunnerStoreTest, RefreshOfEmptyListReturnsNothing) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Acquire(Address(1), Shards({1, 2}), 0).ok());
  EXPECT_THAT(*store.Refresh(Address(1), {}, 0), IsEmpty());
}

TEST(RunnerStoreTest, LocksExcludeOtherRunnersUntilExpiry) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Acquire(Address(1), Shards({1, 2}), 0).ok());
  EXPECT_THAT(Numbers(*store.Acquire(Address(2), Shards({1, 2, 3}), 1'000)),
              ElementsAre(3));
  // acquired_at < now - expiration is needed: at exactly 35 s it holds.
  EXPECT_THAT(Numbers(*store.Acquire(Address(2), Shards({1}), kExpirationMs)),
              IsEmpty());
  EXPECT_THAT(
      Numbers(*store.Acquire(Address(2), Shards({1}), kExpirationMs + 1)),
      ElementsAre(1));
  // The old owner no longer refreshes a lock it lost.
  EXPECT_THAT(Numbers(*store.Refresh(Address(1), Shards({1, 2}), 36'000)),
              ElementsAre(2));
}

TEST(RunnerStoreTest, AcquireReportsOnlyRequestedShards) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Acquire(Address(1), Shards({1, 2}), 0).ok());
  EXPECT_THAT(Numbers(*store.Acquire(Address(1), Shards({3}), 0)),
              ElementsAre(3));
}

TEST(RunnerStoreTest, DuplicateShardsInRequestAreTakenOnce) {
  RunnerStore store = MakeStore();
  EXPECT_THAT(Numbers(*store.Acquire(Address(1), Shards({2, 1, 2}), 0)),
              ElementsAre(1, 2));
}

// No expiry check on refresh: an expired lease nobody took is revived.
TEST(RunnerStoreTest, RefreshRevivesExpiredLeaseNobodyTook) {
  RunnerStore store = MakeStore();
  const std::vector<FencingToken> first =
      *store.Acquire(Address(1), Shards({1}), 0);
  const std::vector<FencingToken> revived =
      *store.Refresh(Address(1), Shards({1}), 100'000);
  EXPECT_EQ(revived, first);
  // Revived means held again: another runner cannot take it now.
  EXPECT_THAT(*store.Acquire(Address(2), Shards({1}), 100'001), IsEmpty());
}

TEST(RunnerStoreTest, ReleaseAndReleaseAllOnlyDropOwnLocks) {
  RunnerStore store = MakeStore();
  ASSERT_TRUE(store.Acquire(Address(1), Shards({1, 2}), 0).ok());
  ASSERT_TRUE(store.Acquire(Address(2), Shards({3, 4}), 0).ok());
  store.Release(Address(2), Shard(1));
  store.ReleaseAll(Address(2));
  EXPECT_THAT(Numbers(*store.Acquire(Address(3), Shards({1, 2, 3, 4}), 0)),
              ElementsAre(3, 4));
  store.ReleaseAll(Address(1));
  EXPECT_THAT(Numbers(*store.Acquire(Address(3), Shards({1, 2}), 0)),
              ElementsAre(1, 2));
}

TEST(RunnerStoreTest, EpochsAreNewPerAcquisitionAndStableWhileHeld) {
  RunnerStore store = MakeStore();
  const std::vector<FencingToken> a =
      *store.Acquire(Address(1), Shards({1, 2}), 0);
  EXPECT_EQ(a[0].epoch, 1u);
  EXPECT_EQ(a[1].epoch, 2u);
  // Re-acquiring or refreshing a held lease keeps the epoch.
  EXPECT_EQ(*store.Acquire(Address(1), Shards({1, 2}), 10'000), a);
  EXPECT_EQ(*store.Refresh(Address(1), Shards({1, 2}), 20'000), a);
  // A takeover after expiry is a new epoch.
  const std::vector<FencingToken> b =
      *store.Acquire(Address(2), Shards({1}), 60'000);
  EXPECT_EQ(b[0].epoch, 3u);
  // So is our own re-acquisition after our lease lapsed...
  const std::vector<FencingToken> c =
      *store.Acquire(Address(1), Shards({2}), 60'000);
  EXPECT_EQ(c[0].epoch, 4u);
  // ...and a fresh row after a release.
  store.Release(Address(1), Shard(2));
  EXPECT_EQ((*store.Acquire(Address(1), Shards({2}), 60'000))[0].epoch, 5u);
}

TEST(RunnerStoreTest, FencingTokenValidOnlyForCurrentUnexpiredLease) {
  RunnerStore store = MakeStore();
  const FencingToken token = (*store.Acquire(Address(1), Shards({1}), 0))[0];
  EXPECT_TRUE(store.CheckFencingToken(token, kExpirationMs).ok());

  // Expired (nobody took it yet): refused until a refresh revives it.
  EXPECT_TRUE(IsFenced(store.CheckFencingToken(token, kExpirationMs + 1)));
  ASSERT_TRUE(store.Refresh(Address(1), Shards({1}), 40'000).ok());
  EXPECT_TRUE(store.CheckFencingToken(token, 40'000).ok());

  // Taken over: the old token is refused for good, the new one accepted.
  const FencingToken taken =
      (*store.Acquire(Address(2), Shards({1}), 80'000))[0];
  EXPECT_TRUE(IsFenced(store.CheckFencingToken(token, 80'000)));
  EXPECT_TRUE(store.CheckFencingToken(taken, 80'000).ok());

  // Released: no lease at all.
  store.Release(Address(2), Shard(1));
  const absl::Status released = store.CheckFencingToken(taken, 80'000);
  EXPECT_TRUE(IsFenced(released));
  EXPECT_EQ(released.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(released.message()),
              ::testing::StartsWith("fenced: "));
}

TEST(RunnerStoreTest, LockHeldOnlyByItsLiveOwner) {
  RunnerStore store = MakeStore();
  EXPECT_THAT(
      std::string(store.CheckLockHeld(Shard(1), Address(1), 0).message()),
      ::testing::HasSubstr("no lease on default:1"));
  ASSERT_TRUE(store.Acquire(Address(1), Shards({1}), 0).ok());
  EXPECT_TRUE(store.CheckLockHeld(Shard(1), Address(1), kExpirationMs).ok());
  EXPECT_THAT(
      std::string(store.CheckLockHeld(Shard(1), Address(2), 0).message()),
      ::testing::HasSubstr("is localhost:1's"));
  const absl::Status lapsed =
      store.CheckLockHeld(Shard(1), Address(1), kExpirationMs + 1);
  EXPECT_TRUE(IsFenced(lapsed));
  EXPECT_THAT(std::string(lapsed.message()),
              ::testing::HasSubstr("expired at 35000"));
}

TEST(RunnerStoreTest, RejectsValuesWiderThanTheirColumns) {
  RunnerStore store = MakeStore();
  const RunnerAddress long_host(std::string(300, 'h'), 1);
  EXPECT_FALSE(store.Register(Runner(long_host, {}, 1.0), true, 0).ok());
  EXPECT_FALSE(store.Acquire(long_host, Shards({1}), 0).ok());
  const ShardId long_shard(std::string(60, 'g'), 1);
  EXPECT_FALSE(store.Acquire(Address(1), {long_shard}, 0).ok());
  EXPECT_FALSE(
      store.Register(Runner(RunnerAddress("\xff", 1), {}, 1.0), true, 0).ok());
  // Nothing was stored by the refused calls.
  EXPECT_THAT(store.GetRunners(0), IsEmpty());
  EXPECT_THAT(*store.Acquire(Address(2), {Shard(1)}, 0), ::testing::SizeIs(1));
}

TEST(RunnerStoreTest, EnforcesLimits) {
  RunnerStore store(RunnerStore::Options{.lock_expiration_ms = kExpirationMs,
                                         .limits = {.max_runners = 1,
                                                    .max_locks = 2,
                                                    .max_shards_per_call = 3,
                                                    .max_runner_groups = 1}});
  ASSERT_TRUE(store.Register(MakeRunner(1), true, 0).ok());
  EXPECT_EQ(store.Register(MakeRunner(2), true, 0).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store.Register(Runner(Address(1), {"a", "b"}, 1.0), true, 0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Acquire(Address(1), Shards({1, 2, 3, 4}), 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.Acquire(Address(1), Shards({1, 2, 3}), 0).status().code(),
            absl::StatusCode::kResourceExhausted);
  // All-or-nothing: the refused acquire took no lock.
  EXPECT_THAT(Numbers(*store.Acquire(Address(2), Shards({1, 2}), 0)),
              ElementsAre(1, 2));
}

RunnerStore MakeHardenedStore() {
  RunnerStore::Options options;
  options.lock_expiration_ms = kExpirationMs;
  options.hardened = true;
  return RunnerStore(options);
}

// Re-registers `address` until the machine id sequence has handed out
// `last_id`, all at `now_ms`.
void BurnMachineIdsUpTo(RunnerStore& store, int port, int32_t last_id,
                        int64_t now_ms) {
  for (int32_t tries = 0; tries < last_id; ++tries) {
    absl::StatusOr<MachineId> id =
        store.Register(MakeRunner(port), true, now_ms);
    ASSERT_TRUE(id.ok()) << id.status();
    if (id->value() >= last_id) return;
  }
  FAIL() << "re-registration did not move the machine id on";
}

// Hardened: a new runner never gets the snowflake bits (id mod 1024) of a
// live runner, even once the sequence wraps past 1024.
TEST(RunnerStoreTest, HardenedMachineIdsAreUniqueMod1024AmongLiveRunners) {
  RunnerStore store = MakeHardenedStore();
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  // Runner 2 re-registers until it holds 1024 (residue 0).
  BurnMachineIdsUpTo(store, 2, 1024, 0);
  // 1025 would share runner 1's residue.
  EXPECT_EQ(*store.Register(MakeRunner(3), true, 0), MachineId(1026));
}

// Hardened: a re-registering address gets an id whose residue differs from
// its previous id, even when no other live runner holds that residue.
TEST(RunnerStoreTest, HardenedReRegistrationChangesTheMachineIdResidue) {
  RunnerStore store = MakeHardenedStore();
  EXPECT_EQ(*store.Register(MakeRunner(1), true, 0), MachineId(1));
  BurnMachineIdsUpTo(store, 2, 1024, 0);
  // Every heartbeat has expired: only runner 1's own past id is taken.
  const int64_t later_ms = 2 * kExpirationMs;
  EXPECT_EQ(*store.Register(MakeRunner(1), true, later_ms), MachineId(1026));
  // Reference keeps the row's id on re-registration.
  RunnerStore reference = MakeStore();
  EXPECT_EQ(*reference.Register(MakeRunner(1), true, 0), MachineId(1));
  EXPECT_EQ(*reference.Register(MakeRunner(1), true, later_ms), MachineId(1));
}

TEST(RunnerStoreTest, HardenedRegisterIsResourceExhaustedWhenNoResidueIsFree) {
  RunnerStore store = MakeHardenedStore();
  for (int port = 1; port <= 1024; ++port) {
    ASSERT_TRUE(store.Register(MakeRunner(port), true, 0).ok()) << port;
  }
  absl::StatusOr<MachineId> refused = store.Register(MakeRunner(1025), true, 0);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(store.GetRunners(0).size(), 1024u);  // nothing was stored
  // Once a runner's heartbeat expires its residue is free again.
  ASSERT_TRUE(store.Register(MakeRunner(1), true, kExpirationMs + 1).ok());
  // (every other runner is now expired too)
  EXPECT_TRUE(store.Register(MakeRunner(1025), true, kExpirationMs + 1).ok());
}

// Hardened: re-acquiring a lease the address still holds starts a new epoch
// (a restarted runner fences its past incarnation); reference keeps it (see
// EpochsAreNewPerAcquisitionAndStableWhileHeld).
TEST(RunnerStoreTest, HardenedEveryAcquireStartsANewEpoch) {
  RunnerStore store = MakeHardenedStore();
  const FencingToken first = (*store.Acquire(Address(1), Shards({1}), 0))[0];
  const FencingToken second =
      (*store.Acquire(Address(1), Shards({1}), 10'000))[0];
  EXPECT_GT(second.epoch, first.epoch);
  EXPECT_TRUE(IsFenced(store.CheckFencingToken(first, 10'000)));
  EXPECT_TRUE(store.CheckFencingToken(second, 10'000).ok());
  // A refresh keeps the epoch.
  EXPECT_THAT(*store.Refresh(Address(1), Shards({1}), 20'000),
              ElementsAre(second));
}

// A release that names an older epoch (sent before a re-acquire, landing
// after it) leaves the newer lease in place.
TEST(RunnerStoreTest, LateReleaseWithMaxEpochKeepsTheNewerLease) {
  RunnerStore store = MakeHardenedStore();
  const FencingToken old_lease =
      (*store.Acquire(Address(1), Shards({1, 2}), 0))[0];
  const std::vector<FencingToken> renewed =
      *store.Acquire(Address(1), Shards({1, 2}), 1'000);
  ASSERT_GT(renewed[0].epoch, old_lease.epoch);

  store.Release(Address(1), Shard(1), old_lease.epoch);
  store.ReleaseAll(Address(1), old_lease.epoch);
  EXPECT_TRUE(store.CheckFencingToken(renewed[0], 1'000).ok());
  EXPECT_TRUE(store.CheckFencingToken(renewed[1], 1'000).ok());

  // Releases that know the newest epoch drop it.
  store.Release(Address(1), Shard(1), renewed[0].epoch);
  EXPECT_FALSE(store.CheckFencingToken(renewed[0], 1'000).ok());
  EXPECT_TRUE(store.CheckFencingToken(renewed[1], 1'000).ok());
  store.ReleaseAll(Address(1), renewed[1].epoch);
  EXPECT_FALSE(store.CheckFencingToken(renewed[1], 1'000).ok());
}

}  // namespace
}  // namespace clustersim::storage
