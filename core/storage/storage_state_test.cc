#include "core/storage/storage_state.h"

#include <optional>
#include <vector>

#include "core/cluster/cluster_error.h"
#include "core/storage/storage_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kExpirationMs = 35'000;

const RunnerAddress kRunnerA("a", 1);
const RunnerAddress kRunnerB("b", 1);

ShardId Shard(int n) { return ShardId("default", n); }

EntityAddress Address(int shard) {
  return EntityAddress(EntityType("Counter"), EntityId("c"), Shard(shard));
}

Request MakeRequest(int64_t id, int shard) {
  return Request{.request_id = Snowflake(id),
                 .address = Address(shard),
                 .tag = "Increment",
                 .payload = "{}",
                 .headers = {},
                 .primary_key = std::nullopt,
                 .deliver_at_ms = std::nullopt};
}

WithExit MakeExit(int64_t request_id, int64_t id) {
  return WithExit{.request_id = Snowflake(request_id),
                  .id = Snowflake(id),
                  .exit = Exit::Success("1")};
}

Chunk MakeChunk(int64_t request_id, int64_t id, int32_t sequence) {
  return Chunk{.request_id = Snowflake(request_id),
               .id = Snowflake(id),
               .sequence = sequence,
               .values = {"v"}};
}

StorageState MakeState(StorageMode mode) {
  StorageState::Options options;
  options.mode = mode;
  options.runners.lock_expiration_ms = kExpirationMs;
  return StorageState(options);
}

std::vector<int64_t> ReplyIds(
    const absl::StatusOr<std::vector<Reply>>& replies) {
  std::vector<int64_t> ids;
  for (const Reply& r : replies.value()) ids.push_back(ReplyIdOf(r).value());
  return ids;
}

// Runner A holds shard 1 from t=0, pauses past its lease, and runner B takes
// the shard over at t=40 s. Returns (A's token, B's token).
std::pair<FencingToken, FencingToken> StaleOwnerSetup(StorageState& state) {
  EXPECT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  const FencingToken b =
      state.Acquire(kRunnerB, {Shard(1)}, 40'000).value().at(0);
  EXPECT_NE(a.epoch, b.epoch);
  return {a, b};
}

// Effect's behaviour: the stale owner's write lands, and the real owner's
// WithExit then collides with it (§14 item 1's trigger).
TEST(StorageStateTest, ReferenceModeAcceptsStaleOwnersReply) {
  StorageState state = MakeState(StorageMode::kReference);
  StaleOwnerSetup(state);
  ASSERT_TRUE(state.SaveReply(MakeExit(1, 100), std::nullopt, 41'000).ok());
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      state.SaveReply(MakeExit(1, 101), std::nullopt, 41'000)));
  EXPECT_THAT(ReplyIds(state.RepliesFor({Snowflake(1)})), ElementsAre(100));
}

TEST(StorageStateTest, ReferenceModeRefusesTokens) {
  StorageState state = MakeState(StorageMode::kReference);
  const auto [a, b] = StaleOwnerSetup(state);
  EXPECT_EQ(state.SaveReply(MakeExit(1, 100), b, 41'000).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ReplyIds(state.RepliesFor({Snowflake(1)})), IsEmpty());
}

TEST(StorageStateTest, HardenedModeRefusesStaleOwnerAndAcceptsCurrentOne) {
  StorageState state = MakeState(StorageMode::kHardened);
  const auto [a, b] = StaleOwnerSetup(state);

  const absl::Status stale = state.SaveReply(MakeExit(1, 100), a, 41'000);
  EXPECT_TRUE(IsFenced(stale)) << stale;
  EXPECT_EQ(stale.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(IsFenced(state.SaveReply(MakeChunk(1, 100, 0), a, 41'000)));
  EXPECT_THAT(ReplyIds(state.RepliesForUnfiltered({Snowflake(1)})), IsEmpty());

  ASSERT_TRUE(state.SaveReply(MakeExit(1, 101), b, 41'000).ok());
  EXPECT_THAT(ReplyIds(state.RepliesFor({Snowflake(1)})), ElementsAre(101));
}

TEST(StorageStateTest, HardenedModeRequiresToken) {
  StorageState state = MakeState(StorageMode::kHardened);
  StaleOwnerSetup(state);
  EXPECT_TRUE(
      IsFenced(state.SaveReply(MakeExit(1, 100), std::nullopt, 41'000)));
}

// An expired lease refuses writes until its owner refreshes it; nobody else
// took it meanwhile, so reviving it (with the same epoch) is safe.
TEST(StorageStateTest, HardenedModeRefusesExpiredLeaseUntilRefreshed) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  EXPECT_TRUE(state.SaveReply(MakeChunk(1, 100, 0), a, kExpirationMs).ok());
  EXPECT_TRUE(
      IsFenced(state.SaveReply(MakeChunk(1, 101, 1), a, kExpirationMs + 1)));
  EXPECT_THAT(state.Refresh(kRunnerA, {Shard(1)}, 50'000).value(),
              ElementsAre(a));
  EXPECT_TRUE(state.SaveReply(MakeChunk(1, 101, 1), a, 50'000).ok());
}

TEST(StorageStateTest, HardenedModeRefusesReleasedLease) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  state.Release(kRunnerA, Shard(1));
  EXPECT_TRUE(IsFenced(state.SaveReply(MakeExit(1, 100), a, 1'000)));
  // Re-acquiring gives a new epoch; the old token stays dead.
  const FencingToken again =
      state.Acquire(kRunnerA, {Shard(1)}, 1'000).value().at(0);
  EXPECT_NE(again.epoch, a.epoch);
  EXPECT_TRUE(IsFenced(state.SaveReply(MakeExit(1, 100), a, 1'000)));
  EXPECT_TRUE(state.SaveReply(MakeExit(1, 100), again, 1'000).ok());
}

TEST(StorageStateTest, HardenedModeChecksTheRequestsShard) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const std::vector<FencingToken> held =
      state.Acquire(kRunnerA, {Shard(1), Shard(2)}, 0).value();
  // A valid lease on another shard does not cover this request.
  EXPECT_TRUE(IsFenced(state.SaveReply(MakeExit(1, 100), held[1], 1'000)));
  // Nor one for a request that is not stored.
  EXPECT_TRUE(IsFenced(state.SaveReply(MakeExit(9, 100), held[0], 1'000)));
  EXPECT_TRUE(state.SaveReply(MakeExit(1, 100), held[0], 1'000).ok());
}

// The storage contract still applies behind the fence.
TEST(StorageStateTest, HardenedModeKeepsConstraints) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  ASSERT_TRUE(state.SaveReply(MakeExit(1, 100), a, 1'000).ok());
  // A retry of the stored reply is done; another final reply loses to it.
  EXPECT_TRUE(IsAlreadyStored(state.SaveReply(MakeExit(1, 100), a, 1'000)));
  EXPECT_TRUE(IsAlreadyReplied(state.SaveReply(MakeExit(1, 101), a, 1'000)));
  // A different reply under a stored reply id still violates the key.
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      state.SaveReply(MakeChunk(1, 100, 0), a, 1'000)));
}

TEST(StorageStateTest, ReferenceModeKeepsSqlsDuplicateKeyErrors) {
  StorageState state = MakeState(StorageMode::kReference);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  ASSERT_TRUE(state.SaveReply(MakeExit(1, 100), std::nullopt, 1'000).ok());
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      state.SaveReply(MakeExit(1, 100), std::nullopt, 1'000)));
  EXPECT_TRUE(IsClusterError<PersistenceError>(
      state.SaveReply(MakeExit(1, 101), std::nullopt, 1'000)));
}

TEST(StorageStateTest, ForwardsMessageAndRunnerOperations) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.Register(Runner(kRunnerA, {"default"}, 1.0), true, 0).ok());
  EXPECT_EQ(state.GetRunners(0).size(), 1u);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  ASSERT_TRUE(state.SaveRequest(MakeRequest(2, 1)).ok());
  const UnprocessedQuery query{{Shard(1)}, std::nullopt, std::nullopt};
  EXPECT_EQ(state.UnprocessedMessages(query, 0, 0).value().size(), 2u);
  EXPECT_THAT(state.UnprocessedMessages(query, 0, 0).value(), IsEmpty());
  ASSERT_TRUE(state.ResetRequests({Snowflake(2)}).ok());
  EXPECT_EQ(state.UnprocessedMessages(query, 0, 0).value().size(), 1u);
  EXPECT_EQ(state.messages().message_count(), 2);
  state.ClearAddress(Address(1));
  EXPECT_EQ(state.messages().message_count(), 0);
}

}  // namespace
}  // namespace clustersim::storage
