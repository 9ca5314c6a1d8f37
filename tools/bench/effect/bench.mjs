// Effect 4.1.0's side of `clustersim bench cluster`: the same workload on
// Effect's in-memory TestRunner (one process, in-memory message and runner
// storage, no network). ENTITIES entities each get REQUESTS sequential
// request/reply round trips, all entities at once, entity activation
// included, after a warm-up of min(REQUESTS, 10) requests on other entity
// ids; volatile (GetUserVolatile) and persisted (GetUser, annotated
// ClusterSchema.Persisted). Each workload runs in its own node process so
// that its peak RSS is its own.
//
//   node bench.mjs [--entities N] [--requests N] [--json]
//
// prints one line per figure, or with --json one object shaped like
// `clustersim bench cluster --json` (setting "effect_test_runner").
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const entities = flag("--entities", 1000)
const requests = flag("--requests", 100)
const workload = args.includes("--workload") ? args[args.indexOf("--workload") + 1] : null

async function runWorkload(persisted) {
  const { Effect, Layer, Schema } = await import("effect")
  const { ClusterSchema, Entity, TestRunner } = await import("effect/cluster")
  const { Rpc } = await import("effect/rpc")

  const GetUserVolatile = Rpc.make("GetUserVolatile", {
    payload: { id: Schema.Number },
    success: Schema.String
  })
  const GetUser = Rpc.make("GetUser", {
    payload: { id: Schema.Number },
    success: Schema.String
  }).annotate(ClusterSchema.Persisted, true)
  const Bench = Entity.make("Bench", [GetUserVolatile, GetUser])
  const handler = ({ payload }) => Effect.succeed(`User ${payload.id}`)
  const BenchLayer = Bench.toLayer(Effect.succeed(Bench.of({ GetUserVolatile: handler, GetUser: handler })))

  const phase = (clientFor, prefix, count) =>
    Effect.forEach(
      Array.from({ length: entities }, (_, i) => i),
      (i) => {
        const client = clientFor(`${prefix}-${i}`)
        const call = persisted ? client.GetUser : client.GetUserVolatile
        return Effect.forEach(Array.from({ length: count }, (_, j) => j), (j) => call({ id: j }), {
          discard: true
        })
      },
      { concurrency: "unbounded", discard: true }
    )

  const program = Effect.gen(function*() {
    const clientFor = yield* Bench.client
    yield* phase(clientFor, "warm", Math.min(requests, 10))
    const start = performance.now()
    yield* phase(clientFor, "e", requests)
    return (performance.now() - start) / 1000
  })
  const wallS = await Effect.runPromise(
    program.pipe(Effect.provide(BenchLayer.pipe(Layer.provideMerge(TestRunner.layer))))
  )
  const roundTrips = entities * requests
  return {
    setting: "effect_test_runner",
    rpc: persisted ? "persisted" : "volatile",
    round_trips: roundTrips,
    wall_s: wallS,
    round_trips_per_wall_s: roundTrips / wallS,
    // process.resourceUsage().maxRSS is in KiB.
    peak_rss_mib: process.resourceUsage().maxRSS / 1024
  }
}

if (workload !== null) {
  const run = await runWorkload(workload === "persisted")
  process.stdout.write(JSON.stringify(run) + "\n")
  process.exit(0)
}

const self = fileURLToPath(import.meta.url)
// Effect logs warnings to stdout: the figures are the child's last line.
const lastLine = (text) => text.trim().split("\n").at(-1)
const runs = ["volatile", "persisted"].map((w) =>
  JSON.parse(lastLine(
    execFileSync(process.execPath, [
      self,
      "--workload",
      w,
      "--entities",
      String(entities),
      "--requests",
      String(requests)
    ], { encoding: "utf8" })
  ))
)
const result = {
  benchmark: "cluster",
  peer: "effect@4.1.0",
  node: process.version,
  entities,
  requests_per_entity: requests,
  runs
}
if (args.includes("--json")) {
  process.stdout.write(JSON.stringify(result) + "\n")
} else {
  for (const run of runs) {
    for (const [key, value] of Object.entries(run)) {
      if (typeof value === "string") continue
      console.log(`effect   ${`${run.setting}.${run.rpc} ${key}`.padEnd(46)} ${Math.round(value * 1000) / 1000}`)
    }
  }
}
