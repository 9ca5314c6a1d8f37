#include "tools/primitive_commands.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/cluster/cron.h"
#include "core/cluster/entity_id.h"
#include "core/cluster/hash_ring.h"
#include "core/cluster/parse_int.h"
#include "core/cluster/runner_address.h"
#include "core/cluster/shard_routing.h"
#include "core/cluster/snowflake.h"
#include "core/cluster/string_hash.h"
#include "core/cluster/utf16.h"
#include "fmt/format.h"
#include "tools/json.h"

namespace clustersim::tools {
namespace {

// JSON output is compact and escaped exactly as JavaScript's JSON.stringify
// (tools/json.h), so it can be compared byte for byte with Effect's.

// The message of a non-OK status (Abseil's string_view here is not
// std::string_view).
std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

// OK if `text` is valid UTF-8 (and so can be printed in JSON).
absl::Status CheckUtf8(std::string_view what, std::string_view text) {
  absl::StatusOr<std::u16string> units = Utf8ToUtf16(text);
  if (units.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      fmt::format("{} {:?}: {}", what, text, Message(units.status())));
}

// `route` only computes with the shard count: any int32 is a true answer.
// `ring` allocates an owner per shard and virtual nodes per runner, so it
// bounds what it builds.
constexpr int64_t kMaxRingShards = 1'000'000;
constexpr size_t kMaxRingRunners = 10'000;
constexpr double kMaxRingVirtualNodes = 1 << 22;

absl::StatusOr<int32_t> ParseShardCount(
    std::string_view text, int64_t max = std::numeric_limits<int32_t>::max()) {
  absl::StatusOr<int64_t> count = ParseDecimal("--shards", text, 1, max);
  if (!count.ok()) return count.status();
  return static_cast<int32_t>(*count);
}

// --- route ---------------------------------------------------------------

struct RouteOptions {
  std::vector<std::string> ids;
  std::string shards;
  std::string group = "default";
  bool json = false;
};

void Route(const RouteOptions& options, Cli& cli) {
  absl::StatusOr<int32_t> shards = ParseShardCount(options.shards);
  if (!shards.ok()) return cli.BadInput(Message(shards.status()));
  if (absl::Status group = CheckUtf8("--group", options.group); !group.ok()) {
    return cli.BadInput(Message(group));
  }
  struct Routed {
    int32_t hash;
    int32_t shard_number;
  };
  std::vector<Routed> routed;
  for (const std::string& id : options.ids) {
    absl::StatusOr<int32_t> hash = HashString(id);
    absl::StatusOr<int32_t> shard = ShardNumberFor(EntityId(id), *shards);
    if (!hash.ok() || !shard.ok()) {
      const absl::Status error = hash.ok() ? shard.status() : hash.status();
      return cli.BadInput(
          fmt::format("entity id {:?}: {}", id, Message(error)));
    }
    routed.push_back({*hash, *shard});
  }
  if (options.json) {
    Json items = Json::array();
    for (size_t i = 0; i < routed.size(); ++i) {
      items.push_back(Json{{"entity_id", options.ids[i]},
                           {"hash", routed[i].hash},
                           {"shard", fmt::format("{}:{}", options.group,
                                                 routed[i].shard_number)},
                           {"shard_number", routed[i].shard_number}});
    }
    cli.out << DumpJson(items) << "\n";
    return;
  }
  for (size_t i = 0; i < routed.size(); ++i) {
    cli.out << fmt::format("{} {}:{} (hash {})\n", options.ids[i],
                           options.group, routed[i].shard_number,
                           routed[i].hash);
  }
}

// --- ring ----------------------------------------------------------------

struct RingOptions {
  std::string runners;
  std::string shards;
  std::string group = "default";
  bool json = false;
};

struct RunnerSpec {
  RunnerAddress address;
  double weight;
};

// "HOST:PORT[@WEIGHT]"; the weight must be a finite number > 0.
absl::StatusOr<RunnerSpec> ParseRunnerSpec(std::string_view text) {
  const size_t at = text.rfind('@');
  const std::string_view address_text =
      at == std::string_view::npos ? text : text.substr(0, at);
  absl::StatusOr<RunnerAddress> address = RunnerAddress::Parse(address_text);
  if (!address.ok()) return address.status();
  double weight = 1;
  if (at != std::string_view::npos) {
    const std::string_view weight_text = text.substr(at + 1);
    const char* end = weight_text.data() + weight_text.size();
    const auto [ptr, ec] = std::from_chars(weight_text.data(), end, weight);
    if (ec != std::errc() || ptr != end || !std::isfinite(weight)) {
      return absl::InvalidArgumentError(
          fmt::format("weight {:?} of runner {} is not a number", weight_text,
                      address->Key()));
    }
    if (weight <= 0) {
      return absl::InvalidArgumentError(
          fmt::format("weight {:?} of runner {} must be positive", weight_text,
                      address->Key()));
    }
  }
  return RunnerSpec{*std::move(address), weight};
}

absl::StatusOr<std::vector<RunnerSpec>> ParseRunnerSpecs(
    std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("--runners is empty");
  std::vector<RunnerSpec> specs;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',')) {
    absl::StatusOr<RunnerSpec> spec =
        ParseRunnerSpec(std::string_view(item.data(), item.size()));
    if (!spec.ok()) return spec.status();
    for (const RunnerSpec& earlier : specs) {
      if (earlier.address == spec->address) {
        return absl::InvalidArgumentError(
            fmt::format("runner {} is listed twice", spec->address.Key()));
      }
    }
    specs.push_back(*std::move(spec));
  }
  return specs;
}

void Ring(const RingOptions& options, Cli& cli) {
  absl::StatusOr<int32_t> shards =
      ParseShardCount(options.shards, kMaxRingShards);
  if (!shards.ok()) return cli.BadInput(Message(shards.status()));
  if (absl::Status group = CheckUtf8("--group", options.group); !group.ok()) {
    return cli.BadInput(Message(group));
  }
  absl::StatusOr<std::vector<RunnerSpec>> runners =
      ParseRunnerSpecs(options.runners);
  if (!runners.ok()) return cli.BadInput(Message(runners.status()));
  if (runners->size() > kMaxRingRunners) {
    return cli.BadInput(fmt::format("--runners lists {} runners; at most {}",
                                    runners->size(), kMaxRingRunners));
  }
  // One node past HashRing's own cap gets its more precise error from Add.
  double virtual_nodes = 0;
  for (const RunnerSpec& runner : *runners) {
    virtual_nodes +=
        std::min(std::max(runner.weight, 0.1) * HashRing::kDefaultBaseWeight,
                 static_cast<double>(HashRing::kMaxVirtualNodesPerNode));
  }
  if (virtual_nodes > kMaxRingVirtualNodes) {
    return cli.BadInput(fmt::format(
        "the runners' weights add up to {} virtual nodes; at most {}",
        std::round(virtual_nodes), kMaxRingVirtualNodes));
  }
  HashRing ring;
  for (const RunnerSpec& runner : *runners) {
    const absl::Status added = ring.Add(runner.address, runner.weight);
    if (!added.ok()) {
      return cli.BadInput(
          fmt::format("runner {:?}: {}", runner.address.Key(), Message(added)));
    }
  }
  const std::optional<std::vector<RunnerAddress>> owners =
      ring.GetShards(*shards);
  // Every runner has a positive weight, hence virtual nodes.
  if (!owners.has_value()) return cli.BadInput("no runner has a shard weight");
  if (options.json) {
    Json keys = Json::array();
    for (const RunnerAddress& owner : *owners) keys.push_back(owner.Key());
    cli.out << DumpJson(Json{{"shards", std::move(keys)}}) << "\n";
    return;
  }
  for (size_t i = 0; i < owners->size(); ++i) {
    cli.out << fmt::format("{}:{} {}\n", options.group, i + 1,
                           (*owners)[i].Key());
  }
  for (const RunnerSpec& runner : *runners) {
    const auto count =
        std::count(owners->begin(), owners->end(), runner.address);
    cli.out << fmt::format("{} (weight {}): {} shards\n", runner.address.Key(),
                           runner.weight, count);
  }
}

// --- snowflake -----------------------------------------------------------

void PrintSnowflake(Snowflake id, bool json, Cli& cli) {
  const SnowflakeParts parts = id.parts();
  if (json) {
    cli.out << DumpJson(Json{{"id", id.ToString()},
                             {"timestamp", parts.timestamp_ms},
                             {"machine_id", parts.machine_id.value()},
                             {"sequence", parts.sequence}})
            << "\n";
    return;
  }
  cli.out << fmt::format(
      "id {} timestamp {} ({}) machine_id {} sequence {}\n", id.ToString(),
      parts.timestamp_ms,
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                       absl::FromUnixMillis(parts.timestamp_ms),
                       absl::UTCTimeZone()),
      parts.machine_id.value(), parts.sequence);
}

struct SnowflakeDecodeOptions {
  std::string id;
  bool json = false;
};

void SnowflakeDecode(const SnowflakeDecodeOptions& options, Cli& cli) {
  absl::StatusOr<Snowflake> id = Snowflake::Parse(options.id);
  if (!id.ok()) return cli.BadInput(Message(id.status()));
  PrintSnowflake(*id, options.json, cli);
}

struct SnowflakeMakeOptions {
  std::string timestamp;
  std::string machine;
  std::string sequence;
  bool json = false;
};

void SnowflakeMake(const SnowflakeMakeOptions& options, Cli& cli) {
  absl::StatusOr<int64_t> timestamp =
      ParseDecimal("--timestamp", options.timestamp, Snowflake::kMinTimestampMs,
                   Snowflake::kMaxTimestampMs);
  if (!timestamp.ok()) return cli.BadInput(Message(timestamp.status()));
  absl::StatusOr<int64_t> machine = ParseDecimal(
      "--machine", options.machine, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max());
  if (!machine.ok()) return cli.BadInput(Message(machine.status()));
  absl::StatusOr<int64_t> sequence = ParseDecimal(
      "--sequence", options.sequence, std::numeric_limits<int64_t>::min(),
      std::numeric_limits<int64_t>::max());
  if (!sequence.ok()) return cli.BadInput(Message(sequence.status()));
  absl::StatusOr<Snowflake> id = Snowflake::Make(
      *timestamp, MachineId(static_cast<int32_t>(*machine)), *sequence);
  if (!id.ok()) return cli.BadInput(Message(id.status()));
  PrintSnowflake(*id, options.json, cli);
}

// --- cron ----------------------------------------------------------------

struct CronOptions {
  std::string expression;
  std::string from;
  std::string time_zone;
  CLI::Option* time_zone_option = nullptr;
  std::string on_dst_overlap = "earlier";
  std::string count = "5";
  bool json = false;
};

inline constexpr int64_t kMaxCronCount = 10'000;

void CronNext(const CronOptions& options, Cli& cli) {
  absl::StatusOr<int64_t> from =
      ParseDecimal("--from", options.from, kCronMinFromMs, kCronMaxFromMs);
  if (!from.ok()) return cli.BadInput(Message(from.status()));
  absl::StatusOr<int64_t> count =
      ParseDecimal("--count", options.count, 1, kMaxCronCount);
  if (!count.ok()) return cli.BadInput(Message(count.status()));
  absl::StatusOr<DstOverlapPolicy> policy =
      ParseDstOverlapPolicy(options.on_dst_overlap);
  if (!policy.ok()) return cli.BadInput(Message(policy.status()));
  std::optional<std::string_view> time_zone;
  if (options.time_zone_option->count() > 0) time_zone = options.time_zone;
  absl::StatusOr<Cron> cron =
      Cron::Parse(options.expression, time_zone, *policy);
  if (!cron.ok()) return cli.BadInput(Message(cron.status()));
  // Cron.next chained, as Effect's Cron.sequence does.
  std::vector<int64_t> runs;
  for (int64_t at = *from; static_cast<int64_t>(runs.size()) < *count;) {
    absl::StatusOr<int64_t> next = cron->Next(at);
    if (!next.ok()) {
      return cli.BadInput(fmt::format("run {} of {}: {}", runs.size() + 1,
                                      *count, Message(next.status())));
    }
    runs.push_back(*next);
    at = *next;
  }
  if (options.json) {
    Json items = Json::array();
    for (const int64_t run : runs) {
      items.push_back(Json{{"ms", run}, {"iso", FormatIsoMs(run)}});
    }
    cli.out << DumpJson(
                   Json{{"expression", options.expression},
                        {"time_zone", time_zone.has_value() ? Json(*time_zone)
                                                            : Json(nullptr)},
                        {"on_dst_overlap", DstOverlapPolicyName(*policy)},
                        {"from", *from},
                        {"runs", std::move(items)}})
            << "\n";
    return;
  }
  for (const int64_t run : runs) {
    cli.out << fmt::format("{} {}\n", run, FormatIsoMs(run));
  }
}

}  // namespace

void AddPrimitiveCommands(CLI::App& app, Cli& cli) {
  {
    auto options = std::make_shared<RouteOptions>();
    CLI::App* route = app.add_subcommand(
        "route", "Shard of each entity id (Effect's getShardId)");
    route->add_option("ids", options->ids, "Entity ids")->required();
    route->add_option("--shards", options->shards, "Shards per group")
        ->required();
    route->add_option("--group", options->group, "Shard group")
        ->capture_default_str();
    route->add_flag("--json", options->json, "Print JSON");
    route->callback([options, &cli] { Route(*options, cli); });
  }
  {
    auto options = std::make_shared<RingOptions>();
    CLI::App* ring = app.add_subcommand(
        "ring", "Shard owners from Effect's hash ring (getShards)");
    ring->add_option("--runners", options->runners,
                     "Runners, HOST:PORT[@WEIGHT],...")
        ->required();
    ring->add_option("--shards", options->shards,
                     "Shards per group (1..1000000)")
        ->required();
    ring->add_option("--group", options->group, "Shard group")
        ->capture_default_str();
    ring->add_flag("--json", options->json, "Print JSON");
    ring->callback([options, &cli] { Ring(*options, cli); });
  }
  {
    auto options = std::make_shared<CronOptions>();
    CLI::App* cron = app.add_subcommand(
        "cron", "Next run times of a cron expression (Effect's Cron.next)");
    cron->add_option("expression", options->expression,
                     "Cron expression, 5 or 6 fields (quote it)")
        ->required();
    cron->add_option("--from", options->from,
                     "Milliseconds since the Unix epoch; runs are after it")
        ->required();
    options->time_zone_option =
        cron->add_option("--tz", options->time_zone,
                         "IANA time zone or offset (+05:30); default UTC");
    cron->add_option("--on-dst-overlap", options->on_dst_overlap,
                     "Repeated local times: earlier, later or both")
        ->capture_default_str();
    cron->add_option("--count", options->count, "Runs to print, 1..10000")
        ->capture_default_str();
    cron->add_flag("--json", options->json, "Print JSON");
    cron->callback([options, &cli] { CronNext(*options, cli); });
  }
  CLI::App* snowflake =
      app.add_subcommand("snowflake", "Decode or make Effect snowflake ids");
  snowflake->require_subcommand(1);
  {
    auto options = std::make_shared<SnowflakeDecodeOptions>();
    CLI::App* decode =
        snowflake->add_subcommand("decode", "Split a snowflake into parts");
    decode->add_option("id", options->id, "Snowflake, decimal")->required();
    decode->add_flag("--json", options->json, "Print JSON");
    decode->callback([options, &cli] { SnowflakeDecode(*options, cli); });
  }
  {
    auto options = std::make_shared<SnowflakeMakeOptions>();
    CLI::App* make =
        snowflake->add_subcommand("make", "Build a snowflake from parts");
    make->add_option("--timestamp", options->timestamp,
                     "Milliseconds since the Unix epoch")
        ->required();
    make->add_option("--machine", options->machine, "Machine id")->required();
    make->add_option("--sequence", options->sequence, "Sequence number")
        ->required();
    make->add_flag("--json", options->json, "Print JSON");
    make->callback([options, &cli] { SnowflakeMake(*options, cli); });
  }
}

}  // namespace clustersim::tools
