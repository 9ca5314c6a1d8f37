"""clustersim_sweep_test: a seed sweep as a sharded Bazel test.

Bazel runs the test's shards as separate processes (on separate machines
under remote execution); each runs `clustersim sweep --shard I/N` on its
share of the seeds, with I and N from TEST_SHARD_INDEX and
TEST_TOTAL_SHARDS (see tools/sweep_shard_test.sh). The test fails when any
seed of any shard breaks an invariant; the failing shard's log holds the
failure groups with their reproduce and shrink commands.
"""

def clustersim_sweep_test(
        name,
        scenario,
        seeds,
        mode = "reference",
        shard_count = 1,
        swarm = True,
        duration = None,
        **kwargs):
    """A sh_test sweeping `seeds` ("A..B") of `scenario` in `mode`.

    Args:
      name: the test's name.
      scenario: a scenario of `clustersim list`.
      seeds: the seed range, "A..B" inclusive.
      mode: "reference" or "hardened".
      shard_count: how many shards (processes) split the seeds.
      swarm: whether each seed draws its own fault plan (--swarm).
      duration: the virtual duration of each run ("60s"), or None for the
        default.
      **kwargs: passed to sh_test (tags, size, timeout, ...).
    """
    args = [
        "$(rootpath //tools:clustersim)",
        scenario,
        "--seeds",
        seeds,
        "--mode",
        mode,
    ]
    if swarm:
        args.append("--swarm")
    if duration:
        args += ["--duration", duration]
    native.sh_test(
        name = name,
        srcs = ["//tools:sweep_shard_test.sh"],
        data = ["//tools:clustersim"],
        args = args,
        shard_count = shard_count,
        **kwargs
    )
