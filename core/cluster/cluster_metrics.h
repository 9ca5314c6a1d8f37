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
// A series exists once set and until removed. Snapshot and Prometheus output
// are sorted by (name, labels), so they are deterministic.
// Not thread-safe; owned by the node (no global registry).
#ifndef CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_
#define CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_

#include <compare>
#include <cstdint>
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

class ClusterMetrics {
 public:
  void Set(const GaugeSeries& series, int64_t value);
  // Add to the series (from 0 if it does not exist yet).
  void Increment(const GaugeSeries& series, int64_t by = 1);
  void Decrement(const GaugeSeries& series, int64_t by = 1);
  // Drops the series (e.g. when an entity type shuts down).
  void Remove(const GaugeSeries& series);

  // nullopt if the series does not exist.
  std::optional<int64_t> Get(const GaugeSeries& series) const;

  // Every series with its value, sorted by (name, labels).
  std::vector<std::pair<GaugeSeries, int64_t>> Snapshot() const;

  // Prometheus text exposition format (version 0.0.4): per metric a HELP
  // and a TYPE line, then its series; label values escaped.
  std::string PrometheusText() const;

 private:
  absl::btree_map<GaugeSeries, int64_t> values_;
};

}  // namespace clustersim

#endif  // CLUSTERSIM_CORE_CLUSTER_CLUSTER_METRICS_H_
