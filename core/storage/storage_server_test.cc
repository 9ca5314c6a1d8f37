#include "core/storage/storage_server.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "core/cluster/cluster_error.h"
#include "core/runtime/sync.h"
#include "core/storage/storage_errors.h"
#include "core/storage/storage_protocol.h"
#include "core/storage/storage_test_world.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clustersim::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::StorageTestWorld;
using testing::StorageTestWorldOptions;

const RunnerAddress kRunnerA("a", 1);
const RunnerAddress kRunnerB("b", 1);
const ShardId kShard("default", 1);
const EntityAddress kAddress(EntityType("Counter"), EntityId("c"), kShard);

Request MakeRequest(int64_t id, std::optional<std::string> primary_key) {
  return Request{.request_id = Snowflake(id),
                 .address = kAddress,
                 .tag = "Increment",
                 .payload = "{}",
                 .headers = {},
                 .primary_key = std::move(primary_key),
                 .deliver_at_ms = std::nullopt};
}

bool IsPersistenceError(const absl::Status& status) {
  return IsClusterError<PersistenceError>(status);
}

struct Outcome {
  absl::StatusOr<SaveResult> result = absl::UnknownError("not run");
  int64_t elapsed_ms = 0;
};

// Saves `request` and records the result and how long it took. (Arguments
// stay out of co_await expressions: GCC 12 mishandles temporaries there.)
Task<void> Save(StorageClient* client, const Clock* clock, Request request,
                Outcome* out) {
  const int64_t start_ms = clock->NowMs();
  out->result = co_await client->SaveRequest(request);
  out->elapsed_ms = clock->NowMs() - start_ms;
}

class StorageServerTest : public ::testing::Test {
 protected:
  explicit StorageServerTest(StorageTestWorldOptions options = {})
      : sim_(options), client_(sim_.MakeClient(kRunnerA)) {}

  Outcome Save(Request request) {
    Outcome outcome;
    sim_.Run(storage::Save(client_.get(), sim_.client().env().executor,
                           std::move(request), &outcome));
    return outcome;
  }
  int64_t stored() { return sim_.backend().state().messages().message_count(); }

  StorageTestWorld sim_;
  std::unique_ptr<StorageRpcClient> client_;
};

TEST_F(StorageServerTest, InjectedErrorsApplyNothing) {
  sim_.server().faults() = StorageFaults{.error_rate = 1};
  const Outcome failed = Save(MakeRequest(10, std::nullopt));
  EXPECT_TRUE(IsPersistenceError(failed.result.status()))
      << failed.result.status();
  EXPECT_THAT(std::string(failed.result.status().message()),
              HasSubstr("injected storage error in save_request"));
  EXPECT_EQ(failed.elapsed_ms, 2);  // answered at once
  EXPECT_EQ(stored(), 0);
  EXPECT_EQ(sim_.backend().stats().injected_errors, 1u);

  sim_.server().faults() = StorageFaults{};
  EXPECT_TRUE(Save(MakeRequest(10, std::nullopt)).result.ok());
  EXPECT_EQ(stored(), 1);
}

TEST_F(StorageServerTest, UnavailableNodeIsSilentUntilItComesBack) {
  sim_.backend().faults() = StorageFaults{.unavailable = true};
  const Outcome lost = Save(MakeRequest(10, std::nullopt));
  EXPECT_TRUE(IsPersistenceError(lost.result.status()));
  EXPECT_THAT(std::string(lost.result.status().message()),
              HasSubstr("DEADLINE_EXCEEDED"));
  EXPECT_EQ(lost.elapsed_ms, StorageTestWorld::kCallTimeoutMs);
  EXPECT_EQ(stored(), 0);
  EXPECT_EQ(sim_.backend().stats().dropped_requests, 1u);
  EXPECT_EQ(sim_.backend().stats().requests, 0u);

  sim_.backend().faults() = StorageFaults{};
  EXPECT_TRUE(Save(MakeRequest(10, std::nullopt)).result.ok());
  EXPECT_EQ(stored(), 1);
}

TEST_F(StorageServerTest, ApplyThenDropLandsTheWriteButTheCallerTimesOut) {
  sim_.server().faults() = StorageFaults{.apply_then_drop_rate = 1};
  const Outcome dropped = Save(MakeRequest(10, "pk"));
  EXPECT_TRUE(IsPersistenceError(dropped.result.status()));
  EXPECT_EQ(dropped.elapsed_ms, StorageTestWorld::kCallTimeoutMs);
  EXPECT_EQ(stored(), 1);  // the write landed
  EXPECT_EQ(sim_.backend().stats().dropped_responses, 1u);

  // The caller's retry finds the request it did not know it had saved.
  sim_.server().faults() = StorageFaults{};
  const Outcome retry = Save(MakeRequest(11, "pk"));
  ASSERT_TRUE(retry.result.ok()) << retry.result.status();
  ASSERT_TRUE(std::holds_alternative<SaveDuplicate>(*retry.result));
  EXPECT_EQ(std::get<SaveDuplicate>(*retry.result).original_id, Snowflake(10));
}

TEST_F(StorageServerTest, LatencySpikesSlowCallsThatStillSucceed) {
  sim_.server().faults() = StorageFaults{.latency_spike_rate = 1,
                                         .latency_spike_min_ms = 400,
                                         .latency_spike_max_ms = 400};
  for (int i = 0; i < 6; ++i) {
    const Outcome slow = Save(MakeRequest(10 + i, std::nullopt));
    EXPECT_TRUE(slow.result.ok()) << slow.result.status();
    EXPECT_EQ(slow.elapsed_ms, 402);  // round trip plus the spike
  }
  EXPECT_EQ(stored(), 6);
  EXPECT_EQ(sim_.backend().stats().latency_spikes, 6u);
}

// Applying a request without a primary key twice would be a constraint
// violation: the endpoint's at-most-once serving is what keeps it clean.
class DuplicatingNetworkTest : public StorageServerTest {
 protected:
  DuplicatingNetworkTest()
      : StorageServerTest(
            StorageTestWorldOptions{.link = {.latency = {.min_us = 1000,
                                                         .tail_mean_us = 1000,
                                                         .max_us = 5000},
                                             .duplicate = 1}}) {}
};

TEST_F(DuplicatingNetworkTest, DuplicatedMessagesApplyOnce) {
  for (int i = 0; i < 5; ++i) {
    const Outcome saved = Save(MakeRequest(10 + i, std::nullopt));
    EXPECT_TRUE(saved.result.ok()) << saved.result.status();
  }
  sim_.world().RunFor(10'000);  // let every copy arrive
  EXPECT_EQ(stored(), 5);
  EXPECT_EQ(sim_.server().endpoint().duplicate_requests_dropped(), 5u);
  EXPECT_EQ(sim_.backend().stats().requests, 5u);
}

struct StaleOwnerOutcome {
  absl::Status stale_write;
  absl::Status owner_write;
};

// Runner A owns the shard, stalls past its lease, B takes the shard over,
// then both write the request's terminal reply.
Task<void> StaleOwner(StorageClient* a, StorageClient* b, bool fenced,
                      int64_t stall_ms, StaleOwnerOutcome* out) {
  const std::vector<ShardId> shards = {kShard};
  const absl::StatusOr<std::vector<FencingToken>> lease_a =
      co_await a->Acquire(kRunnerA, shards);
  EXPECT_TRUE(lease_a.ok() && lease_a->size() == 1);
  const Request request = MakeRequest(10, std::nullopt);
  const absl::StatusOr<SaveResult> saved = co_await a->SaveRequest(request);
  EXPECT_TRUE(saved.ok()) << saved.status();
  co_await SleepMs(stall_ms);
  const absl::StatusOr<std::vector<FencingToken>> lease_b =
      co_await b->Acquire(kRunnerB, shards);
  EXPECT_TRUE(lease_b.ok() && lease_b->size() == 1);
  if (!lease_a.ok() || lease_a->empty() || !lease_b.ok() || lease_b->empty()) {
    co_return;
  }
  const std::optional<FencingToken> token_a =
      fenced ? std::optional(lease_a->front()) : std::nullopt;
  const std::optional<FencingToken> token_b =
      fenced ? std::optional(lease_b->front()) : std::nullopt;
  const Reply exit_a =
      WithExit{Snowflake(10), Snowflake(20), Exit::Success("a")};
  const Reply exit_b =
      WithExit{Snowflake(10), Snowflake(21), Exit::Success("b")};
  out->stale_write = co_await a->SaveReply(exit_a, token_a);
  out->owner_write = co_await b->SaveReply(exit_b, token_b);
}

constexpr int64_t kLeaseMs = 2'000;

class StorageAuditTest : public ::testing::TestWithParam<StorageMode> {
 protected:
  StorageAuditTest()
      : sim_(StorageTestWorldOptions{.mode = GetParam(),
                                     .lock_expiration_ms = kLeaseMs}),
        a_(sim_.MakeClient(kRunnerA)),
        b_(sim_.MakeClient(kRunnerB)) {}

  StaleOwnerOutcome Run() {
    StaleOwnerOutcome outcome;
    sim_.Run(StaleOwner(a_.get(), b_.get(),
                        GetParam() == StorageMode::kHardened, kLeaseMs + 1'000,
                        &outcome));
    return outcome;
  }

  StorageTestWorld sim_;
  std::unique_ptr<StorageRpcClient> a_;
  std::unique_ptr<StorageRpcClient> b_;
};

TEST_P(StorageAuditTest, StaleOwnersReply) {
  const StaleOwnerOutcome outcome = Run();
  const StorageAudit& audit = sim_.server().audit();
  if (GetParam() == StorageMode::kReference) {
    // Effect: the stale owner's write lands, and the real owner's WithExit
    // then hits the unique constraint (semantics note §14 item 1).
    EXPECT_TRUE(outcome.stale_write.ok()) << outcome.stale_write;
    EXPECT_TRUE(IsPersistenceError(outcome.owner_write));
    ASSERT_EQ(audit.ownership_violations().size(), 1u);
    const OwnershipViolation& v = audit.ownership_violations()[0];
    EXPECT_EQ(v.writer, kRunnerA);
    EXPECT_EQ(v.shard, kShard);
    EXPECT_EQ(v.lease_holder, kRunnerB);
    EXPECT_EQ(v.request_id, Snowflake(10));
    EXPECT_TRUE(v.terminal);
    EXPECT_THAT(
        audit.accepted_exits().at(Snowflake(10)),
        ElementsAre(AcceptedExit{v.server_time_ms, Snowflake(20), kRunnerA}));
  } else {
    EXPECT_TRUE(IsFenced(outcome.stale_write)) << outcome.stale_write;
    EXPECT_TRUE(outcome.owner_write.ok()) << outcome.owner_write;
    EXPECT_THAT(audit.ownership_violations(), IsEmpty());
    ASSERT_EQ(audit.accepted_exits().at(Snowflake(10)).size(), 1u);
    EXPECT_EQ(audit.accepted_exits().at(Snowflake(10))[0].writer, kRunnerB);
  }
  EXPECT_EQ(audit.accepted_replies(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Modes, StorageAuditTest,
                         ::testing::Values(StorageMode::kReference,
                                           StorageMode::kHardened));

// Runner A acquires the shard, then the storage node's wall clock steps
// forward by `step_ms`, then runner B asks for the shard.
Task<void> AcquireAcrossAStep(
    StorageClient* a, StorageClient* b, sim::World* world, NodeId storage_node,
    int64_t step_ms, absl::StatusOr<std::vector<FencingToken>>* a_out,
    absl::StatusOr<std::vector<FencingToken>>* b_out) {
  const std::vector<ShardId> shards = {kShard};
  *a_out = co_await a->Acquire(kRunnerA, shards);
  world->clock(storage_node).Step(step_ms);
  *b_out = co_await b->Acquire(kRunnerB, shards);
}

Task<void> AcquireAs(StorageClient* client, RunnerAddress runner,
                     absl::StatusOr<std::vector<FencingToken>>* out) {
  const std::vector<ShardId> shards = {kShard};
  *out = co_await client->Acquire(runner, shards);
}

class StorageClockStepTest : public ::testing::TestWithParam<StorageMode> {};

// A forward step of the storage node's wall clock (NTP, an operator) ages
// every lease at once in reference mode, as a database's now() would: B takes
// A's live lease. Hardened storage judges leases on a step-free clock, so
// only elapsed time expires them.
TEST_P(StorageClockStepTest, AForwardStepExpiresLeasesOnlyInReferenceMode) {
  StorageTestWorld sim(StorageTestWorldOptions{.mode = GetParam(),
                                               .lock_expiration_ms = kLeaseMs});
  std::unique_ptr<StorageRpcClient> a = sim.MakeClient(kRunnerA);
  std::unique_ptr<StorageRpcClient> b = sim.MakeClient(kRunnerB);
  absl::StatusOr<std::vector<FencingToken>> lease_a, lease_b;
  const int64_t took_ms = sim.Run(
      AcquireAcrossAStep(a.get(), b.get(), &sim.world(), sim.storage_node(),
                         10 * kLeaseMs, &lease_a, &lease_b));
  EXPECT_LT(took_ms, kLeaseMs);
  ASSERT_TRUE(lease_a.ok()) << lease_a.status();
  ASSERT_EQ(lease_a->size(), 1u);
  ASSERT_TRUE(lease_b.ok()) << lease_b.status();
  if (GetParam() == StorageMode::kReference) {
    EXPECT_EQ(lease_b->size(), 1u);
  } else {
    EXPECT_THAT(*lease_b, IsEmpty());
    // Elapsed time still expires it.
    sim.world().RunFor((kLeaseMs + 1'000) * 1000);
    absl::StatusOr<std::vector<FencingToken>> later_b;
    sim.Run(AcquireAs(b.get(), kRunnerB, &later_b));
    ASSERT_TRUE(later_b.ok()) << later_b.status();
    EXPECT_EQ(later_b->size(), 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, StorageClockStepTest,
                         ::testing::Values(StorageMode::kReference,
                                           StorageMode::kHardened));

Task<void> RawCall(RpcEndpoint* endpoint, NodeId to, RpcMethod method,
                   std::string payload, absl::StatusOr<std::string>* out) {
  *out = co_await endpoint->Call(to, method, payload, 1'000);
}

TEST_F(StorageServerTest, MalformedRequestsAreRefusedNotFatal) {
  absl::StatusOr<std::string> garbage, unknown;
  sim_.Run(RawCall(&sim_.client().endpoint(), sim_.storage_node(),
                   static_cast<RpcMethod>(StorageMethod::kSaveReply), "\x07",
                   &garbage));
  sim_.Run(RawCall(&sim_.client().endpoint(), sim_.storage_node(), 999, "",
                   &unknown));
  EXPECT_EQ(garbage.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(garbage.status().message()),
              ::testing::StartsWith("malformed:"));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(sim_.backend().audit().accepted_replies(), 0u);
  EXPECT_TRUE(Save(MakeRequest(10, std::nullopt)).result.ok());
}

TEST_F(StorageServerTest, StateSurvivesARestartOfTheStorageNode) {
  ASSERT_TRUE(Save(MakeRequest(10, "pk")).result.ok());
  sim_.world().Restart(sim_.storage_node());
  EXPECT_EQ(sim_.world().incarnation(sim_.storage_node()), 2u);
  const Outcome retry = Save(MakeRequest(11, "pk"));
  ASSERT_TRUE(retry.result.ok()) << retry.result.status();
  EXPECT_TRUE(std::holds_alternative<SaveDuplicate>(*retry.result));
  EXPECT_EQ(stored(), 1);
}

class TracedStorageServerTest : public StorageServerTest {
 protected:
  TracedStorageServerTest()
      : StorageServerTest(StorageTestWorldOptions{.keep_trace_events = true}) {}
  std::vector<std::string> Events(std::string_view kind) {
    std::vector<std::string> details;
    for (const sim::TraceEvent& event : sim_.world().trace().events()) {
      if (event.kind == kind) details.push_back(event.detail);
    }
    return details;
  }
};

TEST_F(TracedStorageServerTest, OperationsAndFaultsAreTraced) {
  ASSERT_TRUE(Save(MakeRequest(10, "pk")).result.ok());
  ASSERT_TRUE(Save(MakeRequest(11, "pk")).result.ok());
  sim_.server().faults() = StorageFaults{.error_rate = 1};
  ASSERT_FALSE(Save(MakeRequest(12, std::nullopt)).result.ok());
  sim_.server().faults() = StorageFaults{.apply_then_drop_rate = 1};
  ASSERT_FALSE(Save(MakeRequest(13, std::nullopt)).result.ok());
  EXPECT_THAT(
      Events("storage.save_request"),
      ElementsAre("from=2 request=10 shard=default:1 pk -> saved",
                  "from=2 request=11 shard=default:1 pk -> duplicate of 10",
                  "from=2 request=12 shard=default:1 -> injected error",
                  "from=2 request=13 shard=default:1 -> saved"));
  EXPECT_THAT(Events("storage.fault"),
              ElementsAre("save_request: applied, dropping the response to "
                          "node 2"));
}

// The same seed gives the same run, faults included.
uint64_t TraceHashOfAFaultyRun(uint64_t seed) {
  StorageTestWorld sim(StorageTestWorldOptions{.seed = seed});
  sim.backend().faults() = StorageFaults{.error_rate = 0.2,
                                         .latency_spike_rate = 0.3,
                                         .latency_spike_min_ms = 10,
                                         .latency_spike_max_ms = 900,
                                         .apply_then_drop_rate = 0.2};
  std::unique_ptr<StorageRpcClient> client = sim.MakeClient(kRunnerA);
  Outcome outcome;
  for (int i = 0; i < 20; ++i) {
    sim.Run(Save(client.get(), sim.client().env().executor,
                 MakeRequest(10 + i, std::nullopt), &outcome));
  }
  return sim.world().trace().hash();
}

TEST(StorageServerDeterminismTest, SameSeedSameTrace) {
  EXPECT_EQ(TraceHashOfAFaultyRun(7), TraceHashOfAFaultyRun(7));
  EXPECT_NE(TraceHashOfAFaultyRun(7), TraceHashOfAFaultyRun(8));
}

}  // namespace
}  // namespace clustersim::storage
