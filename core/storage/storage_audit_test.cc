#include "core/storage/storage_audit.h"

#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kExpirationMs = 1'000;

const RunnerAddress kRunnerA("a", 1);
const RunnerAddress kRunnerB("b", 1);
const ShardId kShard("default", 3);

Request MakeRequest(int64_t id) {
  return Request{
      .request_id = Snowflake(id),
      .address = EntityAddress(EntityType("Counter"), EntityId("c"), kShard),
      .tag = "Increment",
      .payload = "{}",
      .headers = {},
      .primary_key = std::nullopt,
      .deliver_at_ms = std::nullopt};
}

Reply MakeExit(int64_t request_id, int64_t id) {
  return WithExit{Snowflake(request_id), Snowflake(id), Exit::Success("1")};
}

Reply MakeChunk(int64_t request_id, int64_t id, int32_t sequence) {
  return Chunk{Snowflake(request_id), Snowflake(id), sequence, {"v"}};
}

// A reference-mode store and its audit, driven the way the server drives
// them: each accepted operation is recorded at the same instant.
class AuditTest : public ::testing::Test {
 protected:
  AuditTest() : state_(Options()) {}

  static StorageState::Options Options() {
    StorageState::Options options;
    options.runners.lock_expiration_ms = kExpirationMs;
    return options;
  }

  void Acquire(const RunnerAddress& runner, int64_t now_ms) {
    absl::StatusOr<std::vector<FencingToken>> tokens =
        state_.Acquire(runner, {kShard}, now_ms);
    ASSERT_TRUE(tokens.ok());
    audit_.RecordLeases(runner, *tokens);
  }

  void Write(const Reply& reply, const std::optional<RunnerAddress>& writer,
             int64_t now_ms) {
    ASSERT_TRUE(state_.SaveReply(reply, std::nullopt, now_ms).ok());
    audit_.RecordReply(reply, writer, state_, now_ms);
  }

  StorageState state_;
  StorageAudit audit_;
};

TEST_F(AuditTest, OwnerWritesAreNoViolations) {
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(10)).ok());
  Acquire(kRunnerA, 0);
  Write(MakeChunk(10, 11, 0), kRunnerA, 500);
  Write(MakeExit(10, 12), kRunnerA, kExpirationMs);  // last held instant
  EXPECT_THAT(audit_.ownership_violations(), IsEmpty());
  EXPECT_EQ(audit_.accepted_replies(), 2u);
  EXPECT_EQ(audit_.LeaseHolder(kShard, state_.runners(), 0), kRunnerA);
}

TEST_F(AuditTest, StaleOwnerAfterTakeoverIsAViolation) {
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(10)).ok());
  Acquire(kRunnerA, 0);
  Acquire(kRunnerB, 2'000);  // A's lease expired; B takes over
  Write(MakeExit(10, 12), kRunnerA, 2'100);
  ASSERT_EQ(audit_.ownership_violations().size(), 1u);
  const OwnershipViolation& v = audit_.ownership_violations()[0];
  EXPECT_EQ(v, (OwnershipViolation{2'100, kRunnerA, Snowflake(10),
                                   Snowflake(12), true, kShard, kRunnerB}));
  EXPECT_EQ(v.ToString(),
            "t=2100 writer=a:1 request=10 reply=12 exit shard=default:3 "
            "holder=b:1");
}

TEST_F(AuditTest, LapsedReleasedOrMissingLeasesAreViolations) {
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(10)).ok());
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(20)).ok());
  Acquire(kRunnerA, 0);
  Write(MakeChunk(10, 11, 0), kRunnerA, kExpirationMs + 1);  // lapsed
  Acquire(kRunnerA, 5'000);  // re-taken after the lapse: a new epoch
  Write(MakeChunk(10, 13, 1), std::nullopt, 5'001);  // no runner
  state_.Release(kRunnerA, kShard);
  Write(MakeChunk(20, 21, 0), kRunnerA, 5'002);  // released
  Write(MakeExit(99, 98), kRunnerA, 5'003);      // request not stored
  ASSERT_EQ(audit_.ownership_violations().size(), 4u);
  EXPECT_EQ(audit_.ownership_violations()[0].lease_holder, std::nullopt);
  EXPECT_EQ(audit_.ownership_violations()[1].writer, std::nullopt);
  EXPECT_EQ(audit_.ownership_violations()[1].lease_holder, kRunnerA);
  EXPECT_EQ(audit_.ownership_violations()[2].lease_holder, std::nullopt);
  EXPECT_EQ(audit_.ownership_violations()[3].shard, std::nullopt);
  EXPECT_EQ(audit_.ownership_violations()[3].ToString(),
            "t=5003 writer=a:1 request=99 reply=98 exit shard=- holder=-");
}

TEST_F(AuditTest, RefreshKeepsTheLeaseWithItsOwner) {
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(10)).ok());
  Acquire(kRunnerA, 0);
  absl::StatusOr<std::vector<FencingToken>> refreshed =
      state_.Refresh(kRunnerA, {kShard}, 900);
  ASSERT_TRUE(refreshed.ok());
  audit_.RecordLeases(kRunnerA, *refreshed);
  Write(MakeExit(10, 12), kRunnerA, 1'500);  // held thanks to the refresh
  EXPECT_THAT(audit_.ownership_violations(), IsEmpty());
}

TEST_F(AuditTest, EveryAcceptedExitIsRecordedPerRequest) {
  ASSERT_TRUE(state_.SaveRequest(MakeRequest(10)).ok());
  Acquire(kRunnerA, 0);
  Write(MakeChunk(10, 11, 0), kRunnerA, 1);
  Write(MakeExit(10, 12), kRunnerA, 2);
  state_.ClearReplies(Snowflake(10), std::nullopt);  // a reset
  Write(MakeExit(10, 13), kRunnerA, 3);
  EXPECT_THAT(audit_.accepted_exits().at(Snowflake(10)),
              ElementsAre(AcceptedExit{2, Snowflake(12), kRunnerA},
                          AcceptedExit{3, Snowflake(13), kRunnerA}));
  EXPECT_EQ(audit_.accepted_exits().size(), 1u);
  EXPECT_EQ(audit_.accepted_replies(), 3u);
}

}  // namespace
}  // namespace clustersim::storage
