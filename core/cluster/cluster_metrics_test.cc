#include "core/cluster/cluster_metrics.h"

#include "gtest/gtest.h"

namespace clustersim {
namespace {

TEST(ClusterMetricsTest, SetIncrementDecrementRemove) {
  ClusterMetrics metrics;
  const GaugeSeries users = GaugeSeries::Entities(EntityType("User"));
  EXPECT_FALSE(metrics.Get(users).has_value());
  metrics.Increment(users);
  metrics.Increment(users, 4);
  metrics.Decrement(users);
  EXPECT_EQ(metrics.Get(users), 4);
  metrics.Set(users, 10);
  EXPECT_EQ(metrics.Get(users), 10);
  metrics.Decrement(GaugeSeries::Shards(), 2);
  EXPECT_EQ(metrics.Get(GaugeSeries::Shards()), -2);
  metrics.Remove(users);
  EXPECT_FALSE(metrics.Get(users).has_value());
}

TEST(ClusterMetricsTest, SeriesAreDistinguishedByLabels) {
  ClusterMetrics metrics;
  metrics.Set(GaugeSeries::Entities(EntityType("A")), 1);
  metrics.Set(GaugeSeries::Entities(EntityType("B")), 2);
  EXPECT_EQ(metrics.Get(GaugeSeries::Entities(EntityType("A"))), 1);
  EXPECT_EQ(metrics.Get(GaugeSeries::Entities(EntityType("B"))), 2);
  EXPECT_NE(GaugeSeries::Entities(EntityType("A")),
            GaugeSeries::EntityMailboxSizeMax(EntityType("A")));
  const GaugeSeries mailbox = GaugeSeries::EntityMailboxSize(
      EntityAddress(EntityType("User"), EntityId("7"), ShardId("default", 3)));
  EXPECT_EQ(mailbox.name(), "effect_cluster_entity_mailbox_size");
  EXPECT_EQ(mailbox.labels(),
            (GaugeSeries::Labels{
                {"id", "7"}, {"shard", "default:3"}, {"type", "User"}}));
}

TEST(ClusterMetricsTest, SnapshotIsSortedWhateverTheUpdateOrder) {
  ClusterMetrics a;
  ClusterMetrics b;
  a.Set(GaugeSeries::Shards(), 5);
  a.Set(GaugeSeries::Entities(EntityType("Z")), 1);
  a.Set(GaugeSeries::Entities(EntityType("A")), 2);
  a.Set(GaugeSeries::Runners(), 1);
  b.Set(GaugeSeries::Runners(), 1);
  b.Set(GaugeSeries::Entities(EntityType("A")), 2);
  b.Set(GaugeSeries::Shards(), 5);
  b.Set(GaugeSeries::Entities(EntityType("Z")), 1);
  EXPECT_EQ(a.Snapshot(), b.Snapshot());
  const auto snapshot = a.Snapshot();
  ASSERT_EQ(snapshot.size(), 4u);
  EXPECT_EQ(snapshot[0].first, GaugeSeries::Entities(EntityType("A")));
  EXPECT_EQ(snapshot[1].first, GaugeSeries::Entities(EntityType("Z")));
  EXPECT_EQ(snapshot[2].first, GaugeSeries::Runners());
  EXPECT_EQ(snapshot[3].first, GaugeSeries::Shards());
  EXPECT_EQ(a.PrometheusText(), b.PrometheusText());
}

TEST(ClusterMetricsTest, PrometheusText) {
  ClusterMetrics metrics;
  EXPECT_EQ(metrics.PrometheusText(), "");
  metrics.Set(GaugeSeries::Entities(EntityType("User")), 3);
  metrics.Set(GaugeSeries::Entities(EntityType("Odd \"name\"\\\n")), 1);
  metrics.Set(GaugeSeries::EntityMailboxSize(EntityAddress(
                  EntityType("User"), EntityId("7"), ShardId("default", 3))),
              2);
  metrics.Set(GaugeSeries::Singletons(), 0);
  metrics.Set(GaugeSeries::Runners(), 1);
  metrics.Set(GaugeSeries::RunnersHealthy(), 1);
  metrics.Set(GaugeSeries::Shards(), 300);
  metrics.Set(GaugeSeries::ShardsReleasing(), 0);
  metrics.Set(GaugeSeries::EntityMailboxSizeMax(EntityType("User")), 2);
  EXPECT_EQ(metrics.PrometheusText(),
            "# HELP effect_cluster_entities Resident entities per entity "
            "type.\n"
            "# TYPE effect_cluster_entities gauge\n"
            "effect_cluster_entities{type=\"Odd \\\"name\\\"\\\\\\n\"} 1\n"
            "effect_cluster_entities{type=\"User\"} 3\n"
            "# HELP effect_cluster_entity_mailbox_size Requests admitted to "
            "each entity.\n"
            "# TYPE effect_cluster_entity_mailbox_size gauge\n"
            "effect_cluster_entity_mailbox_size{id=\"7\",shard=\"default:3\","
            "type=\"User\"} 2\n"
            "# HELP effect_cluster_entity_mailbox_size_max Largest entity "
            "mailbox per entity type.\n"
            "# TYPE effect_cluster_entity_mailbox_size_max gauge\n"
            "effect_cluster_entity_mailbox_size_max{type=\"User\"} 2\n"
            "# HELP effect_cluster_runners Registered runners.\n"
            "# TYPE effect_cluster_runners gauge\n"
            "effect_cluster_runners 1\n"
            "# HELP effect_cluster_runners_healthy Healthy runners.\n"
            "# TYPE effect_cluster_runners_healthy gauge\n"
            "effect_cluster_runners_healthy 1\n"
            "# HELP effect_cluster_shards Shards acquired by this runner.\n"
            "# TYPE effect_cluster_shards gauge\n"
            "effect_cluster_shards 300\n"
            "# HELP effect_cluster_shards_releasing Shards this runner is "
            "releasing.\n"
            "# TYPE effect_cluster_shards_releasing gauge\n"
            "effect_cluster_shards_releasing 0\n"
            "# HELP effect_cluster_singletons Singletons running on this "
            "runner.\n"
            "# TYPE effect_cluster_singletons gauge\n"
            "effect_cluster_singletons 0\n");
}

TEST(ClusterMetricsTest,
     AnObservedSeriesIsReadWhenReadAndGoesWithItsObservation) {
  ClusterMetrics metrics;
  const GaugeSeries max = GaugeSeries::EntityMailboxSizeMax(EntityType("U"));
  int64_t mailbox = 1;
  {
    ClusterMetrics::Observation observation =
        metrics.Observe(max, [&] { return mailbox; });
    EXPECT_EQ(metrics.Get(max), 1);
    mailbox = 3;
    EXPECT_EQ(metrics.Get(max), 3);
    ASSERT_EQ(metrics.Snapshot().size(), 1u);
    EXPECT_EQ(metrics.Snapshot()[0].second, 3);
    ClusterMetrics::Observation moved = std::move(observation);
    EXPECT_EQ(metrics.Get(max), 3);
  }
  EXPECT_FALSE(metrics.Get(max).has_value());
  EXPECT_TRUE(metrics.Snapshot().empty());
}

TEST(ClusterMetricsTest, ShardReleaseTimerIsEffectsHistogram) {
  ClusterMetrics metrics;
  EXPECT_FALSE(metrics.shard_release().has_value());
  const std::vector<double>& boundaries = ClusterMetrics::TimerBoundariesMs();
  ASSERT_EQ(boundaries.size(), 35u);
  EXPECT_EQ(boundaries[0], 0.5);
  EXPECT_EQ(boundaries[1], 1);
  EXPECT_EQ(boundaries[34], 0.5 * 17179869184.0);
  metrics.RecordShardRelease(0.75);
  metrics.RecordShardRelease(4);
  const TimerSnapshot& timer = *metrics.shard_release();
  EXPECT_EQ(timer.count, 2);
  EXPECT_EQ(timer.sum_ms, 4.75);
  EXPECT_EQ(timer.min_ms, 0.75);
  EXPECT_EQ(timer.max_ms, 4);
  EXPECT_EQ(timer.cumulative_bucket_counts[0], 0);  // <= 0.5 ms
  EXPECT_EQ(timer.cumulative_bucket_counts[1], 1);  // <= 1 ms
  EXPECT_EQ(timer.cumulative_bucket_counts[3], 2);  // <= 4 ms
  const std::string text = metrics.PrometheusText();
  EXPECT_NE(text.find("# TYPE effect_cluster_shard_release histogram\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("effect_cluster_shard_release_bucket{le=\"1\","
                      "time_unit=\"milliseconds\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("effect_cluster_shard_release_count{time_unit="
                      "\"milliseconds\"} 2\n"),
            std::string::npos);
}

}  // namespace
}  // namespace clustersim
