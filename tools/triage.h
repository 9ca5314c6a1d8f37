// Sweep triage: what one seed of a sweep came to, and failing seeds grouped
// by invariant and by a signature of the checker's message, so that a
// sweep with hundreds of failures reads as a handful of distinct bugs.
//
// The signature abstracts what differs between seeds failing the same way:
// every number (decimal, with a fraction, or 0x-hex), with its time unit
// if it has one (us ms s m h), becomes '#', so "c3 alive on r1:34431 and
// r2:34431 at 12.5s" and "c7 alive on r3:34431 and r1:34431 at 300ms"
// share "c# alive on r#:# and r#:# at #". Each group
// keeps its fastest-failing seed (least virtual time to the first
// violation; the lower seed on a tie): the cheapest one to reproduce and
// shrink. Pure functions; value types.
#ifndef CLUSTERSIM_TOOLS_TRIAGE_H_
#define CLUSTERSIM_TOOLS_TRIAGE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/report.h"

namespace clustersim::tools {

struct SeedOutcome {
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  uint64_t violation_count = 0;
  bool deterministic = true;
  // The first violation (invariant "determinism" for a hash mismatch).
  std::string invariant;
  int64_t time_us = 0;
  std::string message;
  std::string reproduce;

  bool failed() const { return violation_count > 0 || !deterministic; }
  // One line for a pipe between processes, and back.
  std::string ToJsonLine() const;
  static std::optional<SeedOutcome> FromJsonLine(std::string_view line);
};

// `message` with every number (and its time unit) replaced by '#'.
std::string Signature(std::string_view message);

struct FailureGroup {
  std::string invariant;
  std::string signature;
  std::vector<uint64_t> seeds;  // ascending
  SeedOutcome fastest;
};

// The failing outcomes grouped; the largest group first (then by invariant
// and signature).
std::vector<FailureGroup> GroupFailures(std::span<const SeedOutcome> outcomes);

// "clustersim shrink ..." for a "clustersim run ..." command.
std::string ShrinkCommand(std::string_view reproduce);

}  // namespace clustersim::tools

#endif  // CLUSTERSIM_TOOLS_TRIAGE_H_
