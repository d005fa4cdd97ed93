/**
 * The CI performance guard (issue 9): about 1/20 of S1 and S2, each checked to have done its
 * work, their wall time per pod compared with bench/baseline.json as a ratio to a calibration
 * loop (plain JS: objects, sorting, Map operations, JSON) timed in the same process, so a
 * slower or busier machine moves both alike. Exits 1 when a ratio regressed more than 3x, or
 * when a workload did not converge, or a metric has no baseline.
 *
 *  - s1-bigbang: 250 nodes, 50 Deployments x 100 replicas, 50 Services, from applied to
 *    converged (bench/bigCluster.ts, verified over every object); per pod of 5,000.
 *  - s2-rollout: a 500-replica Deployment's 25%/25% rollout to a new image, until done and
 *    every pod runs the new image (median of 3 rollouts from the same state); per replica.
 *
 * `npm run bench:guard` compares; `npm run bench:guard -- --update` runs the guard 3 times in
 * fresh processes (`--runs N` to change) and writes the medians to bench/baseline.json;
 * `--measure` prints one run as JSON. The calibration loop runs three times, between the
 * workloads, and its median is used.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { apply, type ClusterState, createCluster, rolloutStatus, runUntil } from '../src/index.js'
import { applyWorkloads, converge, type BigClusterSize, emptyCluster, verifyConverged } from './bigCluster.js'
import { baselineFrom, compare, formatTable, type GuardBaseline, type GuardRun, MAX_FACTOR } from './guardCompare.js'
import { machine } from './harness.js'

const BASELINE = join(import.meta.dirname, 'baseline.json')
const S1: BigClusterSize = { nodes: 250, deployments: 50, replicas: 100, services: 50, namespaces: 10 }
const S2_REPLICAS = 500

const unwrap = <A>(e: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left).slice(0, 500)}`)
  return e.right
}
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/** Fixed plain-JS work of the kinds the simulator does (about 0.5 s on the reference machine). */
const calibrate = (): number => {
  const start = performance.now()
  let sink = 0
  for (let round = 0; round < 4; round++) {
    const items = Array.from({ length: 40_000 }, (_, i) => ({ name: `pod-${(i * 7919) % 40_000}`, namespace: `ns-${i % 10}`, n: (i * 2654435761) % 1000, labels: { app: `app-${i % 50}` } }))
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.n - b.n))
    const byKey = new Map<string, (typeof items)[number]>()
    for (const item of items) byKey.set(`${item.namespace}/${item.name}`, item)
    for (let i = 0; i < items.length; i += 3) byKey.delete(`ns-${i % 10}/pod-${i}`)
    for (const item of items) sink += byKey.get(`${item.namespace}/${item.name}`)?.n ?? 1
    sink += JSON.stringify(items.slice(0, 2_000)).length
  }
  if (sink === -1) console.log('unreachable')
  return performance.now() - start
}

const s1MicrosPerPod = (): number => {
  const empty = emptyCluster(S1)
  const start = performance.now()
  const converged = converge(applyWorkloads(empty, S1), S1)
  const micros = (performance.now() - start) * 1000
  const problems = verifyConverged(converged, S1)
  if (problems.length > 0) throw new Error(`guard S1 did not converge, its time means nothing:\n  ${problems.join('\n  ')}`)
  return micros / (S1.deployments * S1.replicas)
}

const s2MicrosPerPod = (): number => {
  const REF = { kind: 'Deployment', namespace: 'default', name: 'web' }
  const deployment = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: S2_REPLICAS,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m' } } }] } },
    },
  })
  const finished = (image: string) => (s: ClusterState): boolean => {
    if (!unwrap(rolloutStatus(s, REF), 'rollout status').done) return false
    const pods = s.objects.kinds.get('Pod')
    if (pods?.size !== S2_REPLICAS) return false
    for (const pod of pods.values()) {
      const ready = ((pod['status'] ?? {}) as { conditions?: ReadonlyArray<{ type: string; status: string }> }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
      if (((pod['spec'] as { containers: ReadonlyArray<{ image: string }> }).containers[0]?.image !== image) || ready !== true) return false
    }
    return true
  }
  const cluster = createCluster({ nodes: Array.from({ length: S2_REPLICAS / 100 }, (_, i) => ({ name: `node-${i + 1}`, capacity: { cpu: '64', pods: '250' } })), traceRetention: 'none' })
  const ready = unwrap(runUntil(unwrap(apply(cluster, deployment('nginx:1')), 'apply'), finished('nginx:1'), { timeout: '1h' }), 'guard S2 first rollout')
  const changed = unwrap(apply(ready, deployment('nginx:2')), 'image change')
  const samples: number[] = []
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    const done = runUntil(changed, finished('nginx:2'), { timeout: '1h' })
    samples.push((performance.now() - start) * 1000)
    // Only a rollout that finished with every pod on the new image counts.
    unwrap(done, 'guard S2 rollout did not finish, its time means nothing')
  }
  return median(samples) / S2_REPLICAS
}

/** One guard run in this process. */
const measure = (): GuardRun => {
  const calibrations = [calibrate()]
  const s1 = s1MicrosPerPod()
  calibrations.push(calibrate())
  const s2 = s2MicrosPerPod()
  calibrations.push(calibrate())
  return {
    calibrationMs: median(calibrations),
    metrics: [
      { name: 's1-bigbang (250 nodes, 50 x 100 pods, 50 Services)', microsPerPod: s1 },
      { name: `s2-rollout (${S2_REPLICAS} replicas, 25%/25%)`, microsPerPod: s2 },
    ],
  }
}

const args = process.argv.slice(2)
const started = performance.now()
if (args.includes('--measure')) {
  console.log(JSON.stringify(measure()))
} else if (args.includes('--update')) {
  const runsArg = args.indexOf('--runs')
  const count = runsArg >= 0 ? Number(args[runsArg + 1]) : 3
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`--runs needs a positive integer`)
  const runs: GuardRun[] = []
  for (let i = 0; i < count; i++) {
    // Fresh processes, as CI runs the guard: no warm JIT or heap carried between runs.
    const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--measure'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    if (child.status !== 0) throw new Error(`guard run ${i + 1} failed`)
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as GuardRun
    console.log(`run ${i + 1}: calibration ${run.calibrationMs.toFixed(0)} ms; ${run.metrics.map((m) => `${m.name} ${m.microsPerPod.toFixed(1)} µs/pod`).join('; ')}`)
    runs.push(run)
  }
  const baseline = baselineFrom(runs, machine(), new Date().toISOString().slice(0, 10))
  writeFileSync(BASELINE, JSON.stringify(baseline, null, 2) + '\n')
  console.log(`wrote ${BASELINE} (median of ${count} runs)`)
} else {
  let baseline: GuardBaseline
  try {
    baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as GuardBaseline
  } catch (e) {
    console.error(`bench guard: cannot read ${BASELINE} (${(e as Error).message}); create it with \`npm run bench:guard -- --update\``)
    process.exit(1)
  }
  const run = measure()
  const rows = compare(run, baseline)
  console.log(`bench guard: cost per pod against bench/baseline.json (${baseline.created}, ${baseline.machine}); this machine: ${machine()}`)
  console.log(formatTable(rows, run.calibrationMs))
  const failed = rows.filter((r) => !r.ok)
  console.log(`bench guard: ${failed.length === 0 ? 'passed' : `FAILED (${failed.length} of ${rows.length})`}, ${((performance.now() - started) / 1000).toFixed(1)} s; a metric fails above ${MAX_FACTOR}x its baseline ratio`)
  process.exitCode = failed.length === 0 ? 0 : 1
}
