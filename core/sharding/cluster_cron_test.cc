#include "core/sharding/cluster_cron.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/sharding/sharding_testing.h"

namespace clustersim::sharding {
namespace {

using testing::kStartMs;
using testing::TestConfig;
using testing::TestNode;

TEST(ClusterCronTest, NextRunAndIsoFormat) {
  EXPECT_EQ(NextCronRunMs(1000, 0), 1000);
  EXPECT_EQ(NextCronRunMs(1000, 999), 1000);
  EXPECT_EQ(NextCronRunMs(1000, 1000), 2000);
  EXPECT_EQ(NextCronRunMs(1000, -1), 0);
  EXPECT_EQ(FormatIsoMs(1735689600000), "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMs(1735689600123), "2025-01-01T00:00:00.123Z");
}

struct Runs {
  std::vector<int64_t> scheduled;
  int64_t fail_first = 0;
};

Task<absl::Status> RecordRun(Runs* runs, int64_t scheduled_ms) {
  runs->scheduled.push_back(scheduled_ms);
  if (runs->fail_first > 0) {
    --runs->fail_first;
    co_return absl::InternalError("job failed");
  }
  co_return absl::OkStatus();
}

class ClusterCronRunTest : public ::testing::TestWithParam<bool> {
 protected:
  void Start() {
    ShardingConfig config = TestConfig();
    config.entity_message_poll_interval_ms = 100;
    node_ = std::make_unique<TestNode>(ex_, state_, config, NodeId{1}, nullptr,
                                       resolver_);
    ClusterCronOptions options;
    options.name = "tick";
    options.every_ms = 1'000;
    options.calculate_next_run_from_previous = GetParam();
    Runs* runs = &runs_;
    options.execute = [runs](int64_t scheduled_ms) {
      return RecordRun(runs, scheduled_ms);
    };
    ASSERT_TRUE(RegisterClusterCron(node_->sharding, options).ok());
    node_->sharding.Start();
  }

  ManualExecutor ex_{kStartMs + 250};
  storage::StorageState state_{storage::StorageState::Options{}};
  StaticRunnerResolver resolver_;
  std::unique_ptr<TestNode> node_;
  Runs runs_;
};

TEST_P(ClusterCronRunTest, RunsOncePerInstantInOrder) {
  runs_.fail_first = 1;  // a failing job does not stop the schedule
  Start();
  ex_.RunForMs(10'500);
  ASSERT_GE(runs_.scheduled.size(), 9u);
  ASSERT_LE(runs_.scheduled.size(), 10u);
  for (size_t i = 0; i < runs_.scheduled.size(); ++i) {
    EXPECT_EQ(runs_.scheduled[i],
              kStartMs + 1'000 * static_cast<int64_t>(i + 1));
  }
}

INSTANTIATE_TEST_SUITE_P(FromNowAndFromPrevious, ClusterCronRunTest,
                         ::testing::Bool());

}  // namespace
}  // namespace clustersim::sharding
