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

// A retried reply whose first attempt landed: hardened says it is stored
// (the retry is done); reference keeps SQL's duplicate key, which Effect
// retries into a wedged request (§14.1).
TEST(StorageStateTest, HardenedModeAnswersARetriedReplyWithAlreadyStored) {
  StorageState hardened = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(hardened.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a =
      hardened.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  ASSERT_TRUE(hardened.SaveReply(MakeChunk(1, 99, 0), a, 1'000).ok());
  ASSERT_TRUE(hardened.SaveReply(MakeExit(1, 100), a, 1'000).ok());
  EXPECT_TRUE(
      IsAlreadyStored(hardened.SaveReply(MakeChunk(1, 99, 0), a, 1'000)));
  EXPECT_TRUE(IsAlreadyStored(hardened.SaveReply(MakeExit(1, 100), a, 1'000)));
  EXPECT_THAT(ReplyIds(hardened.RepliesForUnfiltered({Snowflake(1)})),
              ElementsAre(99, 100));

  StorageState reference = MakeState(StorageMode::kReference);
  ASSERT_TRUE(reference.SaveRequest(MakeRequest(1, 1)).ok());
  ASSERT_TRUE(reference.SaveReply(MakeExit(1, 100), std::nullopt, 1'000).ok());
  const absl::Status retried =
      reference.SaveReply(MakeExit(1, 100), std::nullopt, 1'000);
  EXPECT_TRUE(IsClusterError<PersistenceError>(retried)) << retried;
  EXPECT_FALSE(IsAlreadyStored(retried));
}

// A retried final reply whose first attempt landed and was then cleared by
// a reset (a workflow wake): hardened refuses it as ReplyCleared and the
// request stays deliverable; a re-saved reply would answer the request with
// the stale result and it would never run again (bank seed 94).
TEST(StorageStateTest, HardenedModeRefusesARetriedReplyThatAResetCleared) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  ASSERT_TRUE(state.SaveReply(MakeExit(1, 100), a, 1'000).ok());
  state.ClearReplies(Snowflake(1), Snowflake(100));
  const absl::Status retried = state.SaveReply(MakeExit(1, 100), a, 1'000);
  EXPECT_TRUE(IsReplyCleared(retried)) << retried;
  EXPECT_FALSE(state.messages().HasExit(Snowflake(1)));
  EXPECT_EQ(state.UnprocessedMessagesById({Snowflake(1)}, 1'000)->size(), 1u);
  // The request's next run answers it.
  EXPECT_TRUE(state.SaveReply(MakeExit(1, 101), a, 1'000).ok());

  StorageState reference = MakeState(StorageMode::kReference);
  ASSERT_TRUE(reference.SaveRequest(MakeRequest(1, 1)).ok());
  ASSERT_TRUE(reference.SaveReply(MakeExit(1, 100), std::nullopt, 1'000).ok());
  reference.ClearReplies(Snowflake(1), Snowflake(100));
  EXPECT_TRUE(reference.SaveReply(MakeExit(1, 100), std::nullopt, 1'000).ok());
}

// A second, different final reply: hardened refuses it as AlreadyReplied and
// the first stands; reference is SQL's unique (request_id, kind) violation
// (see ReferenceModeAcceptsStaleOwnersReply).
TEST(StorageStateTest, HardenedModeRefusesASecondFinalReplyAsAlreadyReplied) {
  StorageState state = MakeState(StorageMode::kHardened);
  ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const FencingToken a = state.Acquire(kRunnerA, {Shard(1)}, 0).value().at(0);
  ASSERT_TRUE(state.SaveReply(MakeExit(1, 100), a, 1'000).ok());
  const absl::Status second = state.SaveReply(MakeExit(1, 101), a, 1'000);
  EXPECT_TRUE(IsAlreadyReplied(second)) << second;
  EXPECT_THAT(ReplyIds(state.RepliesFor({Snowflake(1)})), ElementsAre(100));
}

// Hardened: a new lease voids the read claims made under the previous one,
// so the new owner sees the old owner's in-flight rows at once; reference
// keeps them hidden for the claim's 10 minutes.
TEST(StorageStateTest, HardenedModeAcquireVoidsReadClaimsOnGrantedShards) {
  for (StorageMode mode : {StorageMode::kReference, StorageMode::kHardened}) {
    StorageState state = MakeState(mode);
    ASSERT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
    ASSERT_TRUE(state.SaveRequest(MakeRequest(2, 2)).ok());
    ASSERT_TRUE(state.Acquire(kRunnerA, {Shard(1), Shard(2)}, 0).ok());
    // A's read at 36 s (its lease has just expired) claims both rows.
    const UnprocessedQuery both{
        {Shard(1), Shard(2)}, std::nullopt, std::nullopt};
    ASSERT_EQ(state.UnprocessedMessages(both, 36'000, 36'000)->size(), 2u);
    // B takes shard 1 over and reads at once.
    ASSERT_EQ(state.Acquire(kRunnerB, {Shard(1)}, 36'000)->size(), 1u);
    const size_t seen = state.UnprocessedMessages(both, 36'000, 36'000)->size();
    // Only the granted shard's claim is voided.
    EXPECT_EQ(seen, mode == StorageMode::kHardened ? 1u : 0u);
  }
}

// When a claimed row becomes readable again (the read at `claimed_ms`
// claimed it with `claim_ms`); 0 if it never does within 11 minutes.
int64_t ClaimReleasedAtMs(StorageMode mode, std::optional<int64_t> claim_ms) {
  StorageState state = MakeState(mode);
  EXPECT_TRUE(state.SaveRequest(MakeRequest(1, 1)).ok());
  const UnprocessedQuery query{
      {Shard(1)}, std::nullopt, std::nullopt, claim_ms};
  EXPECT_EQ(state.UnprocessedMessages(query, 0, 0)->size(), 1u);
  // Probes each candidate on a fresh copy, since a probe that finds the row
  // claims it again.
  for (int64_t t : {int64_t{2'000}, int64_t{2'001}, int64_t{5'000},
                    int64_t{5'001}, int64_t{600'000}, int64_t{600'001}}) {
    StorageState probe = state;
    if (!probe.UnprocessedMessages(query, t, t)->empty()) return t;
  }
  return 0;
}

// Hardened: a claim lasts the query's claim_ms (the reader's call timeout),
// capped by kHardenedClaimExpirationMs; reference: 10 minutes whatever the
// query says.
TEST(StorageStateTest, HardenedModeClaimLastsTheQuerysClaimMs) {
  EXPECT_EQ(ClaimReleasedAtMs(StorageMode::kHardened, 2'000), 2'001);
  EXPECT_EQ(ClaimReleasedAtMs(StorageMode::kHardened, 60'000),
            kHardenedClaimExpirationMs + 1);
  EXPECT_EQ(ClaimReleasedAtMs(StorageMode::kHardened, std::nullopt),
            kHardenedClaimExpirationMs + 1);
  EXPECT_EQ(ClaimReleasedAtMs(StorageMode::kReference, 2'000),
            MessageStore::kClaimExpirationMs + 1);
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
