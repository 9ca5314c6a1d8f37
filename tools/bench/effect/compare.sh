#!/usr/bin/env bash
# Prints clustersim's cluster benchmark and Effect 4.1.0's TestRunner on the
# same workload side by side, with the ratio of each clustersim figure to
# Effect's (same RPC kind). Run from anywhere in the repository:
#
#   tools/bench/effect/compare.sh [--install] [--entities N] [--requests N]
#
# --install runs `npm ci` here first (effect@4.1.0 from package-lock.json).
# Without node, or without the installed package, it says so and prints
# clustersim's figures alone. Never part of `bazel test`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"

if [ "${1:-}" = "--install" ]; then
  shift
  (cd "$here" && npm ci --no-audit --no-fund)
fi

(cd "$repo" && bazel build //tools:bench >/dev/null 2>&1) ||
  { echo "compare: bazel build //tools:bench failed" >&2; exit 1; }
ours="$("$repo/bazel-bin/tools/bench" cluster --json "$@")"

if ! command -v node >/dev/null 2>&1; then
  echo "compare: node is not installed: printing clustersim's figures only" >&2
  echo "$ours"
  exit 0
fi
if [ ! -d "$here/node_modules/effect" ]; then
  echo "compare: effect@4.1.0 is not installed: run $0 --install" \
       "(npm ci in tools/bench/effect); printing clustersim's figures only" >&2
  echo "$ours"
  exit 0
fi

peer="$(node "$here/bench.mjs" --json "$@")"
OURS="$ours" PEER="$peer" node --input-type=module -e '
const ours = JSON.parse(process.env.OURS)
const peer = JSON.parse(process.env.PEER)
const effect = Object.fromEntries(peer.runs.map((r) => [r.rpc, r]))
const fmt = (v) => Math.round(v).toLocaleString("en-US")
console.log(`${ours.entities} entities x ${ours.requests_per_entity} sequential requests; ` +
  `Effect ${peer.peer} on node ${peer.node}, in-memory TestRunner`)
const rows = [["setting", "rpc", "clustersim rt/s", "Effect rt/s", "ratio", "clustersim MiB", "Effect MiB"]]
for (const r of ours.runs) {
  const e = effect[r.rpc]
  rows.push([r.setting, r.rpc, fmt(r.round_trips_per_wall_s), fmt(e.round_trips_per_wall_s),
    (r.round_trips_per_wall_s / e.round_trips_per_wall_s).toFixed(1) + "x",
    r.peak_rss_mib.toFixed(1), e.peak_rss_mib.toFixed(1)])
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join("  "))
'
