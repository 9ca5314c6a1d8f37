// Prints core/cluster/cron_test_vectors.h: golden Cron.parse / Cron.next
// results computed by Effect 4.1.0's own dist/Cron.js.
//
//   cd /tmp && npm pack effect@4.1.0 && tar xzf effect-4.1.0.tgz
//   TZ=UTC node tools/vectors/cron_vectors.mjs /tmp/package \
//     > core/cluster/cron_test_vectors.h
//   clang-format -i core/cluster/cron_test_vectors.h
//
// TZ=UTC matters: a Cron without a zone runs on the host's zone in Effect and
// on UTC in clustersim. Run it with a node whose ICU time zone data matches
// the system tz database closely (node 20's ICU 78 / tz 2025c against
// Debian's 2025b here); the zones and years below are ones where they agree.
import { pathToFileURL } from "node:url"
import path from "node:path"

const pkg = process.argv[2]
if (!pkg) {
  console.error("usage: node cron_vectors.mjs PATH/TO/effect/package")
  process.exit(2)
}
const Cron = await import(pathToFileURL(path.join(pkg, "dist/Cron.js")).href)

// C++ string literal; bytes outside printable ASCII as octal escapes.
const cstr = (s) => {
  let out = '"'
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b)
    if (c === '"' || c === "\\") out += "\\" + c
    else if (b >= 0x20 && b < 0x7f && c !== "?") out += c
    else out += "\\" + b.toString(8).padStart(3, "0")
  }
  return out + '"'
}
const zoneLit = (tz) => (tz === undefined ? "nullptr" : cstr(tz))
const ms = (iso) => Date.parse(iso)

// --- parse errors ----------------------------------------------------------

const badExpressions = [
  "", "* * * *", "* * * * * * *", "60 * * * * *", "* 60 * * * *", "* * 24 * * *",
  "* * * 0 * *", "* * * 32 * *", "* * * * 0 *", "* * * * 13 *", "* * * * * 8",
  "*/0 * * * *", "*/60 * * * *", "*/x * * * *", "*/ * * * *", "*/-1 * * * *",
  "5-1 * * * *", "1-2-3 * * * *", "-5 * * * *", "a * * * *", "1,,2 * * * *",
  "1, * * * *", ",1 * * * *", "1/2/3 * * * *", "* * * * foo", "* * * * * funday",
  "* * * * jan-foo", "* * * jan * *", "* * 1.5 * *", "+1 * * * *", "0x1 * * * *",
  "1e1 * * * *", "* * * * * constructor", "* * * * __proto__ *", "* * * * * 7-1",
  "*/24 */24 * * *", "0 0 * * * 0/8", "0 0 * * 1/13 *", "0 0 */32 * *",
  "* * * * *,", "*,61 * * * *", "1-60 * * * *", "1-2/0 * * * *", "１ * * * *",
  "99999999999999999999 * * * *", "*/99999999999999999999 * * * *",
]
const badZones = ["Mars/Base", "", "GMT+0", "+5", "+0530x", "UTC+1", "posix/America/New_York",
  "right/UTC", "localtime", "America/New York", "../UTC", "/usr/share/zoneinfo/UTC", "Fixed/UTC+01:00"]
const goodZones = ["america/new_york", "utc", "US/Eastern", "Etc/GMT+5", "GMT", "Etc/UTC", "Zulu",
  "+05:30", "-0800", "GMT+05:45", "GMT-12:00", "+99:99", "--05:00", "+x-01:00", "EUROPE/BERLIN",
  "Asia/Calcutta", "Australia/Lord_Howe"]

const parseVectors = []
for (const e of badExpressions) parseVectors.push([e, undefined])
for (const z of badZones.concat(goodZones)) parseVectors.push(["0 12 * * *", z])
// The first failing field wins, and the zone comes first.
parseVectors.push(["61 * * 32 * *", undefined], ["61 * * 32 * *", "Mars/Base"], ["* * *", "Mars/Base"])

const parseLines = []
for (const [e, tz] of parseVectors) {
  const r = Cron.parse(e, tz)
  const err = r._tag === "Failure" ? cstr(r.failure.message) : "nullptr"
  parseLines.push(`    {${cstr(e)}, ${zoneLit(tz)}, ${err}},`)
}

// --- next --------------------------------------------------------------------

const chainLength = 6
const nextVectors = []
const add = (expr, tz, policy, from) => nextVectors.push({ expr, tz, policy, from })

// Offset changes of `tz` between two instants, found hourly then by bisection
// to the millisecond.
const offsetAt = (tz, t) => {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
    .formatToParts(t).find((p) => p.type === "timeZoneName").value
  return name
}
const transitions = (tz, fromIso, toIso) => {
  const out = []
  const end = ms(toIso)
  for (let t = ms(fromIso); t < end; t += 3_600_000) {
    if (offsetAt(tz, t) !== offsetAt(tz, t + 3_600_000)) {
      let lo = t, hi = t + 3_600_000
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (offsetAt(tz, mid) === offsetAt(tz, t)) lo = mid
        else hi = mid
      }
      out.push(hi)
    }
  }
  return out
}

const genericStarts = [
  "2025-01-01T00:00:00.000Z", "2025-01-01T00:05:00.000Z", "2025-01-01T00:04:59.999Z",
  "2024-02-28T23:59:59.999Z", "2025-06-15T12:34:56.789Z", "1999-12-31T23:59:59.000Z",
  "1969-12-31T23:59:59.999Z", "2100-02-27T12:00:00.000Z", "2025-12-31T23:59:59.999Z",
].map(ms)

const genericExpressions = [
  "*/5 * * * *", "* * * * *", "* * * * * *", "0 0 31 * *", "0 0 1 * MON", "0 0 29 2 *",
  "59 23 31 12 *", "0 0 * * 7", "0 0 * * sun-sat", "0 0 * * 5-7", "*/15 9-17 * * mon-fri",
  "0 0 1,15 * *", "0 0 1-7 * MON", "0 0 */2 * MON", "0 0 1 * */2", "0 0 * * */2",
  "*/7 * * * * *", "5/15 * * * * *", "10-50/20 * * * * *", "0 0 12 * * 0,7",
  "0 0 0 1 JAN *", "0 0 0 1 jan-mar/2 *", "0 0 4 8-14 * *", "0 30 * * * *",
  "0 0 0 29 2 *", "0 0 0 31 * *", "0 0 0 30 * *", "*,5 * * * *", "5,* * * * *",
  "0 0 30 * FRI", "0 0 31 * 1-5", "0 0 L * *".replace("L", "28-31"), "0 9 * * Mon",
  "0 0 1 FeB,aug *", "0 0 29 2 1", "0 0 13 * 5", "0 0 */10 * *", "0 0 31 */2 *",
  "0 0 31 2,4,6 *", "0 0 15 * 0/3", "0 0 * 6 *", "1 2 3 4 5", "\u00a00 0 * * *\u3000",
  "0\t0\n*  * *", "0 0 1 1 0", "*/1 */1 */1 */1 */1", "0 0 1,*/5 * *",
]
const genericZones = [undefined, "UTC", "America/New_York", "Asia/Kolkata", "+05:30", "Australia/Lord_Howe"]
for (const expr of genericExpressions) {
  for (const tz of genericZones) {
    for (const from of genericStarts) add(expr, tz, "earlier", from)
  }
}

const dstExpressions = [
  "30 2 * * *", "0 2 * * *", "0 1 * * *", "30 1 * * *", "59 1 * * *", "0 3 * * *",
  "*/15 * * * *", "0 0,30 1,2 * * *", "0 0,15,30,45 1,2 * * *",
  "0 12 * * *", "*/10 * 1-2 * * *", "1 2 * * * *",
  "45 2 9 3 *", "30 1 2 11 *", "0 2 * * SUN", "30 2 8-14 3 0",
]
const dstZones = {
  "America/New_York": ["2024-01-01", "2026-01-01"],
  "Europe/Berlin": ["2025-01-01", "2026-01-01"],
  "Australia/Lord_Howe": ["2025-01-01", "2026-01-01"],
  "America/St_Johns": ["2025-01-01", "2026-01-01"],
  "Pacific/Apia": ["2011-12-01", "2012-01-01"],
  "Antarctica/Casey": ["2023-03-01", "2023-04-01"],
  "Europe/London": ["2025-01-01", "2026-01-01"],
  "America/Santiago": ["2025-01-01", "2026-01-01"],
}
const deltas = [-86_400_000, -3_600_000 * 2, -3_600_000, -1, 0, 1, 1_800_000,
  3_600_000 * 2 - 1, 86_400_000]
for (const [tz, [from, to]] of Object.entries(dstZones)) {
  for (const t of transitions(tz, from + "T00:00:00Z", to + "T00:00:00Z")) {
    for (const d of deltas) {
      for (const expr of dstExpressions) {
        for (const policy of ["earlier", "later", "both"]) add(expr, tz, policy, t + d)
      }
    }
  }
}

// The ends of the range, impossible schedules, pre-1900 local mean time.
const maxFrom = 8_640_000_000_000_000 - 14 * 3_600_000
const minFrom = -8_640_000_000_000_000 + 12 * 3_600_000
for (const tz of [undefined, "UTC", "America/New_York", "+14:00", "-12:00"]) {
  for (const expr of ["0 * * * *", "0 0 1 1 *", "0 0 30 2 *", "0 0 31 4 *", "0 0 31 * *"]) {
    for (const from of [maxFrom - 86_400_000 * 40, maxFrom, minFrom, ms("2025-01-01T00:00:00Z")]) {
      add(expr, tz, "earlier", from)
    }
  }
}
for (const expr of ["0 0 * * *", "*/10 * * * *", "0 12 1 * *"]) {
  for (const tz of ["America/New_York", "Europe/Berlin", "Asia/Kolkata"]) {
    for (const from of ["1883-11-18T16:00:00Z", "1850-06-01T00:00:00Z", "0100-03-01T00:00:00Z", "-001000-01-01T00:00:00Z"]) {
      add(expr, tz, "earlier", ms(from))
    }
  }
}

const nextLines = []
for (const v of nextVectors) {
  const cron = Cron.parseUnsafe(v.expr, v.tz, { onDstOverlap: v.policy })
  const runs = []
  let error = false
  let at = v.from
  for (let i = 0; i < chainLength; i++) {
    let next
    try {
      next = Cron.next(cron, at).getTime()
    } catch {
      error = true
      break
    }
    if (Number.isNaN(next)) {
      error = true
      break
    }
    runs.push(next)
    at = next
  }
  nextLines.push(
    `    {${cstr(v.expr)}, ${zoneLit(v.tz)}, DstOverlapPolicy::k${v.policy[0].toUpperCase()}${v.policy.slice(1)}, ` +
      `${v.from}, ${runs.length}, {${runs.join(", ")}}, ${error}},`
  )
}

console.log(`// Golden Cron vectors computed by Effect 4.1.0 (dist/Cron.js under node,
// TZ=UTC) by tools/vectors/cron_vectors.mjs. Facts, not code: regenerate
// rather than edit. ${parseLines.length} parse vectors, ${nextLines.length} next vectors.
#ifndef CLUSTERSIM_CORE_CLUSTER_CRON_TEST_VECTORS_H_
#define CLUSTERSIM_CORE_CLUSTER_CRON_TEST_VECTORS_H_

#include <cstdint>

#include "core/cluster/cron.h"

namespace clustersim::testing {

struct CronParseVector {
  const char* expression;
  const char* time_zone;  // nullptr: none
  // Effect's CronParseError message; nullptr when Effect parses it.
  const char* error;
};

struct CronNextVector {
  const char* expression;
  const char* time_zone;  // nullptr: none
  DstOverlapPolicy policy;
  int64_t from_ms;
  // Cron.next chained from from_ms: runs[0..run_count).
  int run_count;
  int64_t runs[${chainLength}];
  // Effect threw (or returned an invalid Date) after these runs.
  bool then_error;
};

inline constexpr CronParseVector kGoldenCronParseVectors[] = {
${parseLines.join("\n")}
};

inline constexpr CronNextVector kGoldenCronNextVectors[] = {
${nextLines.join("\n")}
};

}  // namespace clustersim::testing

#endif  // CLUSTERSIM_CORE_CLUSTER_CRON_TEST_VECTORS_H_`)
