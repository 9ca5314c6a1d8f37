#include "core/sharding/config_env.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "core/sharding/entity.h"

namespace clustersim::sharding {
namespace {

constexpr absl::string_view kNotFinite =
    "Expected a string representing a finite number";
constexpr absl::string_view kNotInteger = "Expected an integer";
constexpr absl::string_view kNotPositive = "Expected a value greater than 0";
constexpr absl::string_view kNotBoolean =
    "Expected \"true\" | \"yes\" | \"on\" | \"1\" | \"y\" | \"false\" | "
    "\"no\" | \"off\" | \"0\" | \"n\"";
constexpr absl::string_view kNotDuration = "Expected a valid Duration string";

// Reads the variables in Effect's field order; the first error sticks and
// every later read is skipped.
class EnvReader {
 public:
  explicit EnvReader(const EnvironmentMap& env) : env_(env) {}

  const absl::Status& status() const { return status_; }

  // The variable's value; nullopt when unset, empty, or after an error.
  std::optional<absl::string_view> Raw(absl::string_view name) const {
    if (!status_.ok()) return std::nullopt;
    auto it = env_.find(name);
    if (it == env_.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }

  void String(absl::string_view name, std::string& out) {
    if (auto raw = Raw(name)) out = std::string(*raw);
  }

  void List(absl::string_view name, std::vector<std::string>& out) {
    if (auto raw = Raw(name)) out = absl::StrSplit(*raw, ',');
  }

  // Effect's Config.Boolean: lower-case words only.
  void Bool(absl::string_view name, bool& out) {
    auto raw = Raw(name);
    if (!raw) return;
    static constexpr std::pair<absl::string_view, bool> kWords[] = {
        {"true", true}, {"yes", true},    {"on", true},  {"1", true},
        {"y", true},    {"false", false}, {"no", false}, {"off", false},
        {"0", false},   {"n", false},
    };
    for (const auto& [word, value] : kWords) {
      if (*raw == word) {
        out = value;
        return;
      }
    }
    Fail(name, *raw, kNotBoolean);
  }

  // Effect's Config.Int (Schema.Int: a safe integer); `positive` adds
  // isGreaterThan(0).
  template <typename Int>
  void Integer(absl::string_view name, Int& out, bool positive = false) {
    auto raw = Raw(name);
    if (!raw) return;
    if (!IsFiniteNumber(*raw)) return Fail(name, *raw, kNotFinite);
    // strtod reads exactly the syntax checked above; a value too large is
    // HUGE_VAL, not a safe integer, and one too small is 0, as Number().
    const std::string text(*raw);
    const double value = std::strtod(text.c_str(), nullptr);
    constexpr double kMaxSafe = 9007199254740991.0;
    if (!(std::fabs(value) <= kMaxSafe) || std::floor(value) != value) {
      return Fail(name, *raw, kNotInteger);
    }
    if (positive && value <= 0) return Fail(name, *raw, kNotPositive);
    if (value < static_cast<double>(std::numeric_limits<Int>::min()) ||
        value > static_cast<double>(std::numeric_limits<Int>::max())) {
      return Fail(name, *raw, "out of range");
    }
    out = static_cast<Int>(value);
  }

  // Effect's Config.Duration, as whole milliseconds; `infinite` is what
  // "Infinity" means for this field (nullopt: not supported here).
  void DurationMs(absl::string_view name, int64_t& out,
                  std::optional<int64_t> infinite = std::nullopt) {
    auto raw = Raw(name);
    if (!raw) return;
    if (*raw == "Infinity" || *raw == "-Infinity") {
      if (*raw == "Infinity" && infinite.has_value()) {
        out = *infinite;
        return;
      }
      return Fail(name, *raw,
                  "an infinite duration is valid in Effect but not supported "
                  "for this setting");
    }
    if (std::optional<int64_t> ms = ParseDurationMs(name, *raw)) out = *ms;
  }

 private:
  void Fail(absl::string_view name, absl::string_view value,
            absl::string_view why) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat(name, "=\"", absl::CHexEscape(value), "\": ", why));
  }

  // Effect's FINITE_PATTERN: [+-]?(\d+(\.\d+)?|\.\d+)([Ee][+-]?\d+)?
  static bool IsFiniteNumber(absl::string_view s) {
    size_t i = 0;
    auto digits = [&] {
      const size_t start = i;
      while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
      return i > start;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits()) return false;
    } else {
      if (!digits()) return false;
      if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
      }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) return false;
    }
    return i == s.size();
  }

  // Effect's DURATION_REGEXP, ^(-?\d+(?:\.\d+)?)\s+(unit)$, evaluated
  // exactly (decimal digits, no floating point), then required to be a
  // whole number of milliseconds.
  std::optional<int64_t> ParseDurationMs(absl::string_view name,
                                         absl::string_view raw) {
    absl::string_view s = raw;
    const bool negative = absl::ConsumePrefix(&s, "-");
    const size_t space = s.find_first_of(" \t\n\v\f\r");
    if (space == absl::string_view::npos) {
      Fail(name, raw, kNotDuration);
      return std::nullopt;
    }
    absl::string_view number = s.substr(0, space);
    absl::string_view unit = absl::StripLeadingAsciiWhitespace(s.substr(space));
    struct Unit {
      absl::string_view singular;
      __int128 nanos;
    };
    constexpr Unit kUnits[] = {
        {"nano", 1},
        {"micro", 1'000},
        {"milli", 1'000'000},
        {"second", 1'000'000'000},
        {"minute", 60'000'000'000},
        {"hour", 3'600'000'000'000},
        {"day", 86'400'000'000'000},
        {"week", 604'800'000'000'000},
    };
    std::optional<__int128> unit_nanos;
    for (const Unit& u : kUnits) {
      if (unit == u.singular || unit == absl::StrCat(u.singular, "s")) {
        unit_nanos = u.nanos;
      }
    }
    absl::string_view whole = number;
    absl::string_view fraction;
    if (size_t dot = number.find('.'); dot != absl::string_view::npos) {
      whole = number.substr(0, dot);
      fraction = number.substr(dot + 1);
      if (fraction.empty()) whole = {};  // "1." does not match
    }
    auto all_digits = [](absl::string_view d) {
      if (d.empty()) return false;
      for (char c : d) {
        if (!absl::ascii_isdigit(c)) return false;
      }
      return true;
    };
    if (!unit_nanos || !all_digits(whole) ||
        (number.find('.') != absl::string_view::npos &&
         !all_digits(fraction))) {
      Fail(name, raw, kNotDuration);
      return std::nullopt;
    }
    // value × unit = mantissa × unit / 10^scale, exact while the digits fit.
    std::string digits = absl::StrCat(whole, fraction);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
    if (digits.size() > 20) {
      Fail(name, raw, "too large a duration");
      return std::nullopt;
    }
    __int128 mantissa = 0;
    for (char c : digits) mantissa = mantissa * 10 + (c - '0');
    __int128 scale = 1;
    for (size_t i = 0; i < fraction.size(); ++i) scale *= 10;
    const __int128 scaled_nanos = mantissa * *unit_nanos;
    constexpr __int128 kNanosPerMs = 1'000'000;
    if (scaled_nanos % (scale * kNanosPerMs) != 0) {
      Fail(name, raw, "not a whole number of milliseconds");
      return std::nullopt;
    }
    const __int128 ms = scaled_nanos / (scale * kNanosPerMs);
    if (ms > std::numeric_limits<int64_t>::max()) {
      Fail(name, raw, "too large a duration");
      return std::nullopt;
    }
    return negative ? -static_cast<int64_t>(ms) : static_cast<int64_t>(ms);
  }

  const EnvironmentMap& env_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<ShardingConfig> ShardingConfigFromEnv(
    const EnvironmentMap& env) {
  ShardingConfig config;
  EnvReader read(env);
  // Effect's runnerAddress is Config.option over {host, port}, each with a
  // default, so it is always present.
  std::string host = config.runner_address->host();
  int32_t port = config.runner_address->port();
  read.String("HOST", host);
  read.Integer("PORT", port);
  if (read.status().ok() && (port < 1 || port > 65535)) {
    return absl::InvalidArgumentError(
        absl::StrCat("PORT=\"", port, "\": must be a port number, 1..65535"));
  }
  config.runner_address = RunnerAddress(host, port);
  // Read for Effect's errors only (no listen sockets in the simulator).
  std::string listen_host;
  int32_t listen_port = 0;
  read.String("LISTEN_HOST", listen_host);
  read.Integer("LISTEN_PORT", listen_port);
  int64_t weight = 1;
  read.Integer("RUNNER_SHARD_WEIGHT", weight);
  config.runner_shard_weight = static_cast<double>(weight);
  read.List("AVAILABLE_SHARD_GROUPS", config.available_shard_groups);
  read.List("SHARD_GROUPS", config.assigned_shard_groups);
  read.Integer("SHARDS_PER_GROUP", config.shards_per_group);
  read.DurationMs("SHARD_LOCK_REFRESH_INTERVAL",
                  config.shard_lock_refresh_interval_ms);
  read.DurationMs("SHARD_LOCK_EXPIRATION", config.shard_lock_expiration_ms);
  // Read for Effect's errors only (lease locks, never advisory ones, here).
  bool disable_advisory = false;
  read.Bool("SHARD_LOCK_DISABLE_ADVISORY", disable_advisory);
  read.Bool("PREEMPTIVE_SHUTDOWN", config.preemptive_shutdown);
  int64_t mailbox_capacity = *config.entity_mailbox_capacity;
  read.Integer("ENTITY_MAILBOX_CAPACITY", mailbox_capacity);
  config.entity_mailbox_capacity = mailbox_capacity;
  read.Bool("ENTITY_MAILBOX_METRICS", config.entity_mailbox_metrics);
  int64_t max_resident = *config.max_resident_entities;
  read.Integer("MAX_RESIDENT_ENTITIES", max_resident, /*positive=*/true);
  config.max_resident_entities = max_resident;
  read.Integer("UNPROCESSED_MESSAGE_BATCH_SIZE",
               config.unprocessed_message_batch_size, /*positive=*/true);
  read.DurationMs("ENTITY_MAX_IDLE_TIME", config.entity_max_idle_time_ms,
                  kNeverIdle);
  read.DurationMs("ENTITY_REGISTRATION_TIMEOUT",
                  config.entity_registration_timeout_ms);
  read.DurationMs("ENTITY_TERMINATION_TIMEOUT",
                  config.entity_termination_timeout_ms);
  read.DurationMs("ENTITY_MESSAGE_POLL_INTERVAL",
                  config.entity_message_poll_interval_ms);
  read.DurationMs("ENTITY_REPLY_POLL_INTERVAL",
                  config.entity_reply_poll_interval_ms);
  read.DurationMs("SEND_RETRY_INTERVAL", config.send_retry_interval_ms);
  read.DurationMs("REFRESH_ASSIGNMENTS_INTERVAL",
                  config.refresh_assignments_interval_ms);
  read.DurationMs("RUNNER_JOIN_DEBOUNCE", config.runner_join_debounce_ms);
  read.DurationMs("RUNNER_HEALTH_CHECK_INTERVAL",
                  config.runner_health_check_interval_ms);
  read.Bool("SIMULATE_REMOTE_SERIALIZATION",
            config.simulate_remote_serialization);
  if (!read.status().ok()) return read.status();
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the environment's configuration is not usable here: ",
                     valid.message()));
  }
  return config;
}

}  // namespace clustersim::sharding
