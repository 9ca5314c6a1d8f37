#!/usr/bin/env bash
# Test driver of clustersim_sweep_test (tools/sweep.bzl): runs this shard's
# part of a seed sweep.
#   sweep_shard_test.sh CLUSTERSIM SCENARIO [sweep flags...]
# Bazel's test sharding protocol: TEST_TOTAL_SHARDS shards, this one
# TEST_SHARD_INDEX (0-based); touching TEST_SHARD_STATUS_FILE tells Bazel
# the test shards itself. Without them (bazel run, a plain shell) it sweeps
# every seed. Exit status: clustersim's (0 clean, 1 a violation, 2 bad
# input).
set -euo pipefail

clustersim="$1"
shift
index="${TEST_SHARD_INDEX:-0}"
total="${TEST_TOTAL_SHARDS:-1}"
if [[ -n "${TEST_SHARD_STATUS_FILE:-}" ]]; then
  touch "$TEST_SHARD_STATUS_FILE"
fi
exec "$clustersim" sweep "$@" --shard "$index/$total"
