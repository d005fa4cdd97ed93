/**
 * Soak (issue 8): invariant-checked engine steps per minute on small clusters with faults on.
 * For each size (nodes, workloads) it generates fault schedules with `faultSchedule` (a fixed
 * fast-check seed) and runs each with `runSchedule`: the commands, then faults stop and the run
 * must converge and stay converged, with every invariant (`ALL_INVARIANTS` plus
 * `DEPLOYMENT_AVAILABILITY`) checked after every controller pass that changed objects, or once
 * per step (`checkEvery: 'step'`). Reports
 * steps (passes of every controller) per minute of wall time, and how many runs failed (a
 * failed run is a finding, not a benchmark error). KUBESIM_BENCH_SOAK_SECONDS sets the wall time
 * per size (default 20). Run: `npx tsx bench/soak.ts` or `npm run bench -- soak`.
 */
import fc from 'fast-check'
import { checkInvariants, faultSchedule, runSchedule, ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY } from '../src/testing/index.js'
import { report, type Measurement } from './harness.js'

const SECONDS = Number(process.env['KUBESIM_BENCH_SOAK_SECONDS'] ?? 20)

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `${app}:1`, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } })

/** A mix of workloads: Deployments with Services, StatefulSets, a DaemonSet, Jobs. */
const workloads = (count: number): unknown[] =>
  Array.from({ length: count }, (_, i): unknown[] => {
    const app = `app${i}`
    switch (i % 5) {
      case 0:
      case 1:
        return [
          { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app, namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app } }, template: template(app) } },
          { apiVersion: 'v1', kind: 'Service', metadata: { name: app, namespace: 'default' }, spec: { selector: { app }, ports: [{ port: 80 }] } },
        ]
      case 2:
        return [{ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: app, namespace: 'default' }, spec: { replicas: 2, serviceName: app, selector: { matchLabels: { app } }, template: template(app) } }]
      case 3:
        return i === 3
          ? [{ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: app, namespace: 'default' }, spec: { selector: { matchLabels: { app } }, template: template(app) } }]
          : [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: app, namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app } }, template: template(app) } }]
      default:
        return [{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: app, namespace: 'default' }, spec: { completions: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }]
    }
  }).flat()

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [10, 5],
  [50, 20],
]

const invariants = [...ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY]
const measurements: Measurement[] = []
for (const [nodes, count] of SIZES) for (const checkEvery of ['pass', 'step'] as const) {
  const manifests = workloads(count)
  const options = { cluster: { nodes, seed: 1, traceRetention: 'none' as const }, maxCommands: 8, allowStuckOrderedRollout: true, allowUnreachableStatefulPods: true, invariants, checkEvery }
  const schedules = fc.sample(faultSchedule(manifests, options), { seed: 42, numRuns: 10_000 })
  let steps = 0
  let runs = 0
  let failed = 0
  const start = process.hrtime.bigint()
  let elapsedMs = 0
  while (elapsedMs < SECONDS * 1000 && runs < schedules.length) {
    const run = runSchedule(manifests, schedules[runs] ?? [], options)
    steps += run.steps
    runs++
    if (!run.ok) failed++
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6
  }
  // The cost of one full invariant check on a settled cluster of this size, for scale.
  const settled = runSchedule(manifests, [], options).state
  const checkStart = process.hrtime.bigint()
  for (let i = 0; i < 20; i++) checkInvariants(settled, settled, invariants)
  const checkMicros = Number(process.hrtime.bigint() - checkStart) / 1000 / 20
  const label = `${nodes} nodes, ${count} workloads, checked every ${checkEvery}`
  // Where the checking time goes: the three dearest invariants.
  const costs = invariants.map((inv) => {
    const t = process.hrtime.bigint()
    for (let i = 0; i < 5; i++) inv.check(settled, settled)
    return { name: inv.name, micros: Number(process.hrtime.bigint() - t) / 1000 / 5 }
  })
  for (const c of costs.sort((a, b) => b.micros - a.micros).slice(0, 3)) measurements.push({ name: `${label}: ${c.name} check`, value: c.micros, unit: 'µs' })
  measurements.push({ name: `${label}: invariant-checked steps per minute (${runs} runs, ${failed} failed)`, value: (steps / elapsedMs) * 60_000, unit: 'steps/min', target: '>= 500000' })
  measurements.push({ name: `${label}: one check of every invariant`, value: checkMicros, unit: 'µs' })
}
report('soak', measurements)
