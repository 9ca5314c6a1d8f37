#include "core/cluster/cluster_metrics.h"

#include <iterator>
#include <string_view>

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
  auto it = values_.find(series);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<GaugeSeries, int64_t>> ClusterMetrics::Snapshot() const {
  return {values_.begin(), values_.end()};
}

std::string ClusterMetrics::PrometheusText() const {
  std::string out;
  const std::string* current_name = nullptr;
  for (const auto& [series, value] : values_) {
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
  return out;
}

}  // namespace clustersim
