// ClusterMetrics: one node's registry of Effect's cluster gauges
// (ClusterMetrics.ts), with integer values as Effect's bigint gauges:
//   effect_cluster_entities{type}                  resident entities per type
//   effect_cluster_entity_mailbox_size{id,shard,type}  per-entity mailbox
//   effect_cluster_entity_mailbox_size_max{type}   largest mailbox per type
//   effect_cluster_singletons                      running singletons
//   effect_cluster_runners                         registered runners
//   effect_cluster_runners_healthy                 healthy runners
//   effect_cluster_shards                          shards acquired here
//   effect_cluster_shards_releasing                shards being released (4.1)
// and the timer effect_cluster_shard_release (Effect's Metric.timer: a
// histogram of completed shard releases in ms). A series exists once set
// and until removed; an observed series (Observe, Effect's registerUnsafe
// with a `get`) is read when a snapshot is taken, as long as its
// Observation lives. Snapshot and Prometheus output are sorted by (name,
// labels), so they are deterministic.
// Not thread-safe; owned by the node (no global registry).
#ifndef CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_
#define CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "core/cluster/entity_address.h"
#include "core/cluster/entity_type.h"

namespace clustersim {

// One time series of a cluster gauge: its name and labels.
class GaugeSeries {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  static GaugeSeries Entities(const EntityType& type);
  static GaugeSeries EntityMailboxSize(const EntityAddress& address);
  static GaugeSeries EntityMailboxSizeMax(const EntityType& type);
  static GaugeSeries Singletons();
  static GaugeSeries Runners();
  static GaugeSeries RunnersHealthy();
  static GaugeSeries Shards();
  static GaugeSeries ShardsReleasing();

  const std::string& name() const { return name_; }
  // Sorted by label name.
  const Labels& labels() const { return labels_; }

  friend auto operator<=>(const GaugeSeries&, const GaugeSeries&) = default;
  friend bool operator==(const GaugeSeries&, const GaugeSeries&) = default;

 private:
  GaugeSeries(std::string name, Labels labels)
      : name_(std::move(name)), labels_(std::move(labels)) {}

  std::string name_;
  Labels labels_;
};

// A timer's samples (Effect's histogram state): count, sum, min and max in
// ms, and per bucket boundary the number of samples at or below it.
struct TimerSnapshot {
  int64_t count = 0;
  double sum_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  std::vector<int64_t> cumulative_bucket_counts;
};

class ClusterMetrics {
 public:
  // Keeps an observed series registered; removes it when destroyed.
  // Move-only; must not outlive the ClusterMetrics.
  class [[nodiscard]] Observation {
   public:
    Observation() = default;
    Observation(Observation&& other) noexcept { *this = std::move(other); }
    Observation& operator=(Observation&& other) noexcept;
    ~Observation();

   private:
    friend class ClusterMetrics;
    Observation(ClusterMetrics* metrics, GaugeSeries series)
        : metrics_(metrics), series_(std::move(series)) {}
    ClusterMetrics* metrics_ = nullptr;
    std::optional<GaugeSeries> series_;
  };

  ClusterMetrics() = default;
  ClusterMetrics(const ClusterMetrics&) = delete;
  ClusterMetrics& operator=(const ClusterMetrics&) = delete;

  // Effect's Metric.timer bucket boundaries: 0.5 ms × 2^i, i < 35.
  static const std::vector<double>& TimerBoundariesMs();

  void Set(const GaugeSeries& series, int64_t value);
  // Add to the series (from 0 if it does not exist yet).
  void Increment(const GaugeSeries& series, int64_t by = 1);
  void Decrement(const GaugeSeries& series, int64_t by = 1);
  // Drops the series (e.g. when an entity type shuts down).
  void Remove(const GaugeSeries& series);

  // A series whose value is `read()` whenever it is read, until the
  // observation is destroyed. The series must not be set as well.
  Observation Observe(GaugeSeries series, std::function<int64_t()> read);

  // effect_cluster_shard_release: one completed shard release.
  void RecordShardRelease(double duration_ms);
  // nullopt until the first release.
  const std::optional<TimerSnapshot>& shard_release() const {
    return shard_release_;
  }

  // nullopt if the series does not exist.
  std::optional<int64_t> Get(const GaugeSeries& series) const;

  // Every series with its value, sorted by (name, labels).
  std::vector<std::pair<GaugeSeries, int64_t>> Snapshot() const;

  // Prometheus text exposition format (version 0.0.4): per metric a HELP
  // and a TYPE line, then its series; label values escaped. The timer is a
  // histogram (_bucket{le}, _sum, _count) after the gauges.
  std::string PrometheusText() const;

 private:
  absl::btree_map<GaugeSeries, int64_t> values_;
  absl::btree_map<GaugeSeries, std::function<int64_t()>> observed_;
  std::optional<TimerSnapshot> shard_release_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_
