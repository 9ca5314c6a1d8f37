#include "tools/triage.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>
#include <utility>

namespace clustersim::tools {
namespace {

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }
bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)); }

// The length of the time unit `rest` starts with ("1500ms" and "2s" are the
// same kind of value), or 0.
size_t TimeUnitLength(std::string_view rest) {
  for (std::string_view unit : {"us", "ms", "s", "m", "h"}) {
    if (rest.starts_with(unit) &&
        (rest.size() == unit.size() ||
         !std::isalnum(static_cast<unsigned char>(rest[unit.size()])))) {
      return unit.size();
    }
  }
  return 0;
}

}  // namespace

std::string SeedOutcome::ToJsonLine() const {
  const Json j = {{"seed", seed},
                  {"trace_hash", trace_hash},
                  {"violation_count", violation_count},
                  {"deterministic", deterministic},
                  {"invariant", invariant},
                  {"time_us", time_us},
                  {"message", message},
                  {"reproduce", reproduce}};
  return DumpJson(j) + "\n";
}

std::optional<SeedOutcome> SeedOutcome::FromJsonLine(std::string_view line) {
  const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    SeedOutcome s;
    s.seed = j.at("seed").get<uint64_t>();
    s.trace_hash = j.at("trace_hash").get<uint64_t>();
    s.violation_count = j.at("violation_count").get<uint64_t>();
    s.deterministic = j.at("deterministic").get<bool>();
    s.invariant = j.at("invariant").get<std::string>();
    s.time_us = j.at("time_us").get<int64_t>();
    s.message = j.at("message").get<std::string>();
    s.reproduce = j.at("reproduce").get<std::string>();
    return s;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

std::string Signature(std::string_view message) {
  std::string out;
  for (size_t i = 0; i < message.size();) {
    if (message[i] == '0' && i + 2 < message.size() &&
        (message[i + 1] == 'x' || message[i + 1] == 'X') &&
        IsHexDigit(message[i + 2])) {
      i += 2;
      while (i < message.size() && IsHexDigit(message[i])) ++i;
      out += '#';
    } else if (IsDigit(message[i])) {
      while (i < message.size() && IsDigit(message[i])) ++i;
      if (i + 1 < message.size() && message[i] == '.' &&
          IsDigit(message[i + 1])) {
        ++i;
        while (i < message.size() && IsDigit(message[i])) ++i;
      }
      i += TimeUnitLength(message.substr(i));
      out += '#';
    } else {
      out += message[i++];
    }
  }
  return out;
}

std::vector<FailureGroup> GroupFailures(std::span<const SeedOutcome> outcomes) {
  std::map<std::pair<std::string, std::string>, FailureGroup> groups;
  for (const SeedOutcome& s : outcomes) {
    if (!s.failed()) continue;
    std::string signature = Signature(s.message);
    auto [it, inserted] = groups.try_emplace({s.invariant, signature});
    FailureGroup& g = it->second;
    if (inserted) {
      g.invariant = s.invariant;
      g.signature = std::move(signature);
      g.fastest = s;
    } else if (std::tie(s.time_us, s.seed) <
               std::tie(g.fastest.time_us, g.fastest.seed)) {
      g.fastest = s;
    }
    g.seeds.push_back(s.seed);
  }
  std::vector<FailureGroup> sorted;
  for (auto& [key, group] : groups) {
    std::sort(group.seeds.begin(), group.seeds.end());
    sorted.push_back(std::move(group));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const FailureGroup& a, const FailureGroup& b) {
                     return a.seeds.size() > b.seeds.size();
                   });
  return sorted;
}

std::string ShrinkCommand(std::string_view reproduce) {
  constexpr std::string_view kRun = "clustersim run ";
  if (reproduce.starts_with(kRun)) reproduce.remove_prefix(kRun.size());
  return "clustersim shrink " + std::string(reproduce);
}

}  // namespace clustersim::tools
