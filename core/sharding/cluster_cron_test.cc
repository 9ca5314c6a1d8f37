#include "core/sharding/cluster_cron.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/runtime/sync.h"
#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::kStartMs;
using testing::ShutdownInto;
using testing::TestConfig;
using testing::TestNode;

constexpr int64_t kSecondMs = 1'000;

Cron EverySecond() { return *Cron::Parse("* * * * * *"); }

struct CronRun {
  int64_t scheduled_ms;
  int64_t started_ms;
};

struct Runs {
  const ManualExecutor* clock = nullptr;
  std::vector<CronRun> runs;
  int64_t fail_first = 0;
  int64_t job_ms = 0;

  std::vector<int64_t> Scheduled() const {
    std::vector<int64_t> scheduled;
    for (const CronRun& run : runs) scheduled.push_back(run.scheduled_ms);
    return scheduled;
  }
};

Task<absl::Status> RecordRun(Runs* runs, int64_t scheduled_ms) {
  runs->runs.push_back({scheduled_ms, runs->clock->NowMs()});
  if (runs->job_ms > 0) co_await SleepMs(runs->job_ms);
  if (runs->fail_first > 0) {
    --runs->fail_first;
    co_return absl::InternalError("job failed");
  }
  co_return absl::OkStatus();
}

// One runner (or several) on shared storage, running one cron job each.
class ClusterCronTest : public ::testing::TestWithParam<bool> {
 protected:
  bool from_previous() const { return GetParam(); }

  ClusterCronOptions Options(Runs* runs) {
    runs->clock = &ex_;
    ClusterCronOptions options;
    options.name = "tick";
    options.cron = EverySecond();
    options.calculate_next_run_from_previous = from_previous();
    options.execute = [runs](int64_t scheduled_ms) {
      return RecordRun(runs, scheduled_ms);
    };
    return options;
  }

  std::unique_ptr<TestNode> StartNode(const ClusterCronOptions& options,
                                      ShardingConfig config = TestConfig(),
                                      NodeId node = NodeId{1}) {
    config.entity_message_poll_interval_ms = 100;
    auto started = std::make_unique<TestNode>(ex_, state_, std::move(config),
                                              node, nullptr, resolver_);
    EXPECT_TRUE(RegisterClusterCron(started->sharding, options).ok());
    started->sharding.Start();
    return started;
  }

  void Stop(std::unique_ptr<TestNode>& node) {
    bool done = false;
    node->scope().Spawn(ShutdownInto(&node->sharding, &done));
    ex_.RunForMs(1'000);
    ASSERT_TRUE(done);
    node.reset();
  }

  ManualExecutor ex_{kStartMs + 250};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  Runs runs_;
};

TEST_P(ClusterCronTest, RunsOncePerInstantInOrder) {
  runs_.fail_first = 1;  // a failing job does not stop the schedule
  std::unique_ptr<TestNode> node = StartNode(Options(&runs_));
  ex_.RunForMs(10'500);
  const std::vector<int64_t> scheduled = runs_.Scheduled();
  ASSERT_GE(scheduled.size(), 9u);
  ASSERT_LE(scheduled.size(), 10u);
  for (size_t i = 0; i < scheduled.size(); ++i) {
    EXPECT_EQ(scheduled[i], kStartMs + kSecondMs * static_cast<int64_t>(i + 1));
  }
}

// Effect's "catches up or skips stale runs and preserves the schedule across
// restart": the runner stops for 5 s. Chained from the previous instant,
// every missed instant runs, in order, once; from the current time, only the
// run already stored before the stop does, then the schedule resumes from
// now. Either way no instant runs twice.
TEST_P(ClusterCronTest, CatchesUpOrSkipsMissedRunsAcrossRestart) {
  std::unique_ptr<TestNode> node = StartNode(Options(&runs_));
  ex_.RunForMs(3'000);  // runs :01, :02, :03
  Stop(node);           // until :04.25
  ex_.RunForMs(5'000);  // down until :09.25
  node = StartNode(Options(&runs_));
  ex_.RunForMs(3'000);  // until :12.25

  const std::vector<int64_t> scheduled = runs_.Scheduled();
  std::vector<int64_t> expected;
  if (from_previous()) {
    for (int64_t s = 1; s <= 12; ++s) expected.push_back(kStartMs + s * 1000);
  } else {
    // :04 was stored before the stop; :10 is next(now) at restart.
    for (int64_t s : {1, 2, 3, 4, 10, 11, 12}) {
      expected.push_back(kStartMs + s * 1000);
    }
  }
  EXPECT_EQ(scheduled, expected);
}

// Caught-up runs older than skip_if_older_than_ms are skipped without
// running the job, and the chain goes on to the present.
TEST_P(ClusterCronTest, SkipsRunsOlderThanTheLimit) {
  ClusterCronOptions options = Options(&runs_);
  options.skip_if_older_than_ms = 2'000;
  std::unique_ptr<TestNode> node = StartNode(options);
  ex_.RunForMs(3'000);
  Stop(node);
  ex_.RunForMs(5'000);
  node = StartNode(options);
  ex_.RunForMs(3'000);
  ASSERT_FALSE(runs_.runs.empty());
  for (const CronRun& run : runs_.runs) {
    EXPECT_GE(run.scheduled_ms, run.started_ms - 2'000)
        << "ran a stale instant " << run.scheduled_ms;
  }
  // The present is reached either way.
  EXPECT_EQ(runs_.runs.back().scheduled_ms, kStartMs + 12 * kSecondMs);
  if (from_previous()) {
    // :05 and :06 were more than 2 s old when the chain reached them.
    const std::vector<int64_t> scheduled = runs_.Scheduled();
    EXPECT_EQ(std::count(scheduled.begin(), scheduled.end(),
                         kStartMs + 5 * kSecondMs),
              0);
    EXPECT_LT(scheduled.size(), 12u);
  }
}

// Effect's "calculates the next run from the previous instant or the current
// time": a job that takes 2.5 s on a schedule of every second. From the
// previous instant every instant runs, one after another; from the current
// time the instants that passed during a run are skipped.
TEST_P(ClusterCronTest, NextRunFromThePreviousInstantOrTheCurrentTime) {
  runs_.job_ms = 2'500;
  std::unique_ptr<TestNode> node = StartNode(Options(&runs_));
  ex_.RunForMs(10'000);
  const std::vector<int64_t> scheduled = runs_.Scheduled();
  ASSERT_GE(scheduled.size(), 3u);
  for (size_t i = 1; i < scheduled.size(); ++i) {
    const int64_t gap_ms = scheduled[i] - scheduled[i - 1];
    if (from_previous()) {
      EXPECT_EQ(gap_ms, kSecondMs) << i;
    } else {
      EXPECT_EQ(gap_ms, 3 * kSecondMs) << i;
    }
  }
  for (const CronRun& run : runs_.runs)
    EXPECT_GE(run.started_ms, run.scheduled_ms);
}

// Effect's "assigns cron singletons and executions to their shard groups":
// every runner registers the cron, but only the runner assigned the cron's
// shard group runs its singleton and its executions.
TEST_P(ClusterCronTest, RunsOnlyOnTheRunnerAssignedItsShardGroup) {
  Runs other;
  ClusterCronOptions on_other = Options(&other);
  on_other.shard_group = "crons";
  ClusterCronOptions on_crons = Options(&runs_);
  on_crons.shard_group = "crons";

  ShardingConfig default_only = TestConfig(34431);
  default_only.available_shard_groups = {"default", "crons"};
  default_only.assigned_shard_groups = {"default"};
  ShardingConfig crons_only = TestConfig(34432);
  crons_only.available_shard_groups = {"default", "crons"};
  crons_only.assigned_shard_groups = {"crons"};
  std::unique_ptr<TestNode> a = StartNode(on_other, default_only, NodeId{1});
  std::unique_ptr<TestNode> b = StartNode(on_crons, crons_only, NodeId{2});
  ex_.RunForMs(5'500);
  EXPECT_TRUE(other.runs.empty());
  EXPECT_GE(runs_.runs.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(FromNowAndFromPrevious, ClusterCronTest,
                         ::testing::Bool());

TEST(ClusterCronRegisterTest, RejectsAMissingScheduleNameOrJob) {
  ManualExecutor ex(kStartMs);
  storage::StorageState state{storage::StorageState::Options{}};
  StaticRunnerResolver resolver;
  TestNode node(ex, state, TestConfig(), NodeId{1}, nullptr, resolver);
  ClusterCronOptions options;
  options.name = "tick";
  options.execute = [](int64_t) -> Task<absl::Status> {
    return Task<absl::Status>();
  };
  EXPECT_EQ(RegisterClusterCron(node.sharding, options).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clustersim::sharding
