#include "core/cluster/cluster_metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>
#include <utility>

#include "fmt/format.h"

namespace clustersim {
namespace {

constexpr char kEntities[] = "effect_cluster_entities";
constexpr char kEntityMailboxSize[] = "effect_cluster_entity_mailbox_size";
constexpr char kEntityMailboxSizeMax[] =
    "effect_cluster_entity_mailbox_size_max";
constexpr char kSingletons[] = "effect_cluster_singletons";
constexpr char kRunners[] = "effect_cluster_runners";
constexpr char kRunnersHealthy[] = "effect_cluster_runners_healthy";
constexpr char kShards[] = "effect_cluster_shards";
constexpr char kShardsReleasing[] = "effect_cluster_shards_releasing";
constexpr char kShardRelease[] = "effect_cluster_shard_release";

std::string_view Help(std::string_view name) {
  if (name == kEntities) return "Resident entities per entity type.";
  if (name == kEntityMailboxSize) return "Requests admitted to each entity.";
  if (name == kEntityMailboxSizeMax) {
    return "Largest entity mailbox per entity type.";
  }
  if (name == kSingletons) return "Singletons running on this runner.";
  if (name == kRunners) return "Registered runners.";
  if (name == kRunnersHealthy) return "Healthy runners.";
  if (name == kShards) return "Shards acquired by this runner.";
  return "Shards this runner is releasing.";
}

// Label values escape backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

GaugeSeries GaugeSeries::Entities(const EntityType& type) {
  return GaugeSeries(kEntities, {{"type", type.value()}});
}

GaugeSeries GaugeSeries::EntityMailboxSize(const EntityAddress& address) {
  return GaugeSeries(kEntityMailboxSize,
                     {{"id", address.entity_id().value()},
                      {"shard", address.shard_id().ToString()},
                      {"type", address.entity_type().value()}});
}

GaugeSeries GaugeSeries::EntityMailboxSizeMax(const EntityType& type) {
  return GaugeSeries(kEntityMailboxSizeMax, {{"type", type.value()}});
}

GaugeSeries GaugeSeries::Singletons() { return GaugeSeries(kSingletons, {}); }
GaugeSeries GaugeSeries::Runners() { return GaugeSeries(kRunners, {}); }
GaugeSeries GaugeSeries::RunnersHealthy() {
  return GaugeSeries(kRunnersHealthy, {});
}
GaugeSeries GaugeSeries::Shards() { return GaugeSeries(kShards, {}); }
GaugeSeries GaugeSeries::ShardsReleasing() {
  return GaugeSeries(kShardsReleasing, {});
}

ClusterMetrics::Observation& ClusterMetrics::Observation::operator=(
    Observation&& other) noexcept {
  if (this == &other) return *this;
  if (metrics_ != nullptr) metrics_->observed_.erase(*series_);
  metrics_ = std::exchange(other.metrics_, nullptr);
  series_ = std::move(other.series_);
  return *this;
}

ClusterMetrics::Observation::~Observation() {
  if (metrics_ != nullptr) metrics_->observed_.erase(*series_);
}

ClusterMetrics::Observation ClusterMetrics::Observe(
    GaugeSeries series, std::function<int64_t()> read) {
  observed_[series] = std::move(read);
  return Observation(this, std::move(series));
}

const std::vector<double>& ClusterMetrics::TimerBoundariesMs() {
  static const auto* const kBoundaries = [] {
    auto* boundaries = new std::vector<double>();
    for (int i = 0; i < 35; ++i) boundaries->push_back(0.5 * std::ldexp(1, i));
    return boundaries;
  }();
  return *kBoundaries;
}

void ClusterMetrics::RecordShardRelease(double duration_ms) {
  const std::vector<double>& boundaries = TimerBoundariesMs();
  if (!shard_release_.has_value()) {
    shard_release_ = TimerSnapshot{
        .min_ms = duration_ms,
        .max_ms = duration_ms,
        .cumulative_bucket_counts = std::vector<int64_t>(boundaries.size())};
  }
  TimerSnapshot& timer = *shard_release_;
  ++timer.count;
  timer.sum_ms += duration_ms;
  timer.min_ms = std::min(timer.min_ms, duration_ms);
  timer.max_ms = std::max(timer.max_ms, duration_ms);
  for (size_t i = 0; i < boundaries.size(); ++i) {
    if (duration_ms <= boundaries[i]) ++timer.cumulative_bucket_counts[i];
  }
}

void ClusterMetrics::Set(const GaugeSeries& series, int64_t value) {
  values_[series] = value;
}

void ClusterMetrics::Increment(const GaugeSeries& series, int64_t by) {
  values_[series] += by;
}

void ClusterMetrics::Decrement(const GaugeSeries& series, int64_t by) {
  values_[series] -= by;
}

void ClusterMetrics::Remove(const GaugeSeries& series) {
  values_.erase(series);
}

std::optional<int64_t> ClusterMetrics::Get(const GaugeSeries& series) const {
  if (auto it = observed_.find(series); it != observed_.end()) {
    return it->second();
  }
  auto it = values_.find(series);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<GaugeSeries, int64_t>> ClusterMetrics::Snapshot() const {
  absl::btree_map<GaugeSeries, int64_t> all = values_;
  for (const auto& [series, read] : observed_) all[series] = read();
  return {all.begin(), all.end()};
}

std::string ClusterMetrics::PrometheusText() const {
  std::string out;
  const std::vector<std::pair<GaugeSeries, int64_t>> snapshot = Snapshot();
  const std::string* current_name = nullptr;
  for (const auto& [series, value] : snapshot) {
    if (current_name == nullptr || *current_name != series.name()) {
      current_name = &series.name();
      fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} gauge\n",
                     series.name(), Help(series.name()), series.name());
    }
    out += series.name();
    if (!series.labels().empty()) {
      out += '{';
      bool first = true;
      for (const auto& [label, label_value] : series.labels()) {
        fmt::format_to(std::back_inserter(out), "{}{}=\"{}\"", first ? "" : ",",
                       label, EscapeLabelValue(label_value));
        first = false;
      }
      out += '}';
    }
    fmt::format_to(std::back_inserter(out), " {}\n", value);
  }
  if (shard_release_.has_value()) {
    const TimerSnapshot& timer = *shard_release_;
    fmt::format_to(std::back_inserter(out),
                   "# HELP {0} Time taken to release a shard, including entity "
                   "teardown, retries and lock storage recovery.\n"
                   "# TYPE {0} histogram\n",
                   kShardRelease);
    const std::vector<double>& boundaries = TimerBoundariesMs();
    for (size_t i = 0; i < boundaries.size(); ++i) {
      fmt::format_to(std::back_inserter(out),
                     "{}_bucket{{le=\"{}\",time_unit=\"milliseconds\"}} {}\n",
                     kShardRelease, boundaries[i],
                     timer.cumulative_bucket_counts[i]);
    }
    fmt::format_to(std::back_inserter(out),
                   "{0}_bucket{{le=\"+Inf\",time_unit=\"milliseconds\"}} {1}\n"
                   "{0}_sum{{time_unit=\"milliseconds\"}} {2}\n"
                   "{0}_count{{time_unit=\"milliseconds\"}} {1}\n",
                   kShardRelease, timer.count, timer.sum_ms);
  }
  return out;
}

}  // namespace clustersim
