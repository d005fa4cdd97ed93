/**
 * Rolling updates of a large Deployment (issue 4): 10,000 replicas on 100 nodes, (a) with
 * maxSurge 25% / maxUnavailable 25% and (b) with maxSurge 1 / maxUnavailable 0, the Deployment
 * surge and availability bounds checked after every engine step. Reports the wall time of each
 * rollout (from the image change to "successfully rolled out"), its engine steps and virtual
 * time, and the set-up time. KUBESIM_BENCH_ROLLOUT_REPLICAS scales the size (default 10,000);
 * KUBESIM_BENCH_ROLLOUT_CASES picks cases (a,b); each case runs in a process of its own. Run:
 * `npm run bench -- rollout`.
 */
import { spawnSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { apply, type ClusterState, createCluster, get, nextWakeup, resolveFenceposts, rolloutStatus, settle, step } from '../src/index.js'
import { heapMiB, report, type Measurement } from './harness.js'

const REPLICAS = Number(process.env['KUBESIM_BENCH_ROLLOUT_REPLICAS'] ?? 10_000)
const CASES = (process.env['KUBESIM_BENCH_ROLLOUT_CASES'] ?? 'a,b').split(',')
const NODES = Math.max(1, Math.ceil(REPLICAS / 100))
const REF = { kind: 'Deployment', namespace: 'default', name: 'web' }

const deployment = (image: string, maxSurge: number | string, maxUnavailable: number | string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m' } } }] } },
  },
})

const unwrap = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left).slice(0, 500))
  return e.right
}

type Json = Record<string, unknown>

/** The rollout bounds on the Deployment's ReplicaSets and status: cheap enough for every step. */
const checkBounds = (state: ClusterState, maxSurge: number | string, maxUnavailable: number | string): void => {
  const d = get(state, 'Deployment', 'default', 'web')
  if (O.isNone(d)) throw new Error('no deployment')
  const [surge, unavailable] = resolveFenceposts(maxSurge, maxUnavailable, REPLICAS)
  let total = 0
  for (const rs of state.objects.kinds.get('ReplicaSet')?.values() ?? []) total += Number((rs['spec'] as Json)['replicas'] ?? 0)
  if (total > REPLICAS + surge) throw new Error(`surge bound broken: ${total} > ${REPLICAS} + ${surge}`)
  const available = Number(((d.value['status'] ?? {}) as Json)['availableReplicas'] ?? 0)
  if (available < REPLICAS - unavailable) throw new Error(`availability bound broken: ${available} < ${REPLICAS} - ${unavailable}`)
}

/** Steps the engine until the rollout is done, checking the bounds after every step. */
const rollOut = (start: ClusterState, maxSurge: number | string, maxUnavailable: number | string): { state: ClusterState; steps: number } => {
  let s = start
  let steps = 0
  for (;;) {
    const r = step(s)
    steps++
    s = r.state
    checkBounds(s, maxSurge, maxUnavailable)
    if (r.changed) continue
    const status = unwrap(rolloutStatus(s, REF))
    if (status.done) return { state: s, steps }
    const wake = nextWakeup(s)
    if (O.isNone(wake)) throw new Error(`rollout stuck: ${status.message}`)
    s = { ...s, now: wake.value }
  }
}

/**
 * One case, in its own function: when it returns, nothing of its cluster stays reachable. (Run
 * in the loop's body, the previous case's final state stayed in the frame while the next case
 * ran, and its 10,000-replica cluster weighed on that case's garbage collection.)
 */
const runCase = (name: string): Measurement[] => {
  const [maxSurge, maxUnavailable] = name === 'a' ? ['25%', '25%'] : [1, 0]
  const setupStart = performance.now()
  const cluster = createCluster({ nodes: Array.from({ length: NODES }, (_, i) => ({ name: `node-${i + 1}`, capacity: { cpu: '64', pods: '250' } })), traceRetention: 'none' })
  let s = unwrap(apply(cluster, deployment('nginx:1', maxSurge, maxUnavailable)))
  s = unwrap(settle(s))
  for (let i = 0; i < 10 && !unwrap(rolloutStatus(s, REF)).done; i++) {
    const wake = nextWakeup(s)
    if (O.isNone(wake)) break
    s = unwrap(settle({ ...s, now: wake.value }))
  }
  if (!unwrap(rolloutStatus(s, REF)).done) throw new Error('initial rollout did not finish')
  const setupMs = performance.now() - setupStart
  const changed = unwrap(apply(s, deployment('nginx:2', maxSurge, maxUnavailable)))
  const t0 = performance.now()
  const { state, steps } = rollOut(changed, maxSurge, maxUnavailable)
  const wallMs = performance.now() - t0
  const label = name === 'a' ? 'maxSurge 25%/maxUnavailable 25%' : 'maxSurge 1/maxUnavailable 0'
  return [
    { name: `${REPLICAS}-replica rollout, ${label}: wall time`, value: wallMs / 1000, unit: 's', target: name === 'a' ? '<= 1 s (10,000 replicas)' : '<= 10 s (10,000 replicas)' },
    { name: `${REPLICAS}-replica rollout, ${label}: engine steps`, value: steps, unit: 'steps' },
    { name: `${REPLICAS}-replica rollout, ${label}: virtual time`, value: (state.now - changed.now) / 1000, unit: 's' },
    { name: `${REPLICAS}-replica rollout, ${label}: set-up (create and first rollout)`, value: setupMs / 1000, unit: 's' },
    { name: `${REPLICAS}-replica rollout, ${label}: heap after`, value: heapMiB(), unit: 'MiB' },
  ]
}

/**
 * Each case runs in a process of its own, as bench/run.ts runs each benchmark: run after case
 * (a) in the same process, (b) took 12.0-13.0 s against 10.4-11.4 s alone (measured back to back,
 * 2026-11-29): a cost of running the cases one after the other that no single rollout pays.
 */
const inChild = process.env['KUBESIM_BENCH_ROLLOUT_CHILD'] === '1'
const measurements: Measurement[] = []
for (const name of CASES) {
  if (inChild || CASES.length === 1) {
    measurements.push(...runCase(name))
    continue
  }
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] ?? ''], {
    env: { ...process.env, KUBESIM_BENCH_ROLLOUT_CASES: name, KUBESIM_BENCH_ROLLOUT_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  })
  if (child.status !== 0) throw new Error(`rollout case ${name} failed (exit ${child.status ?? child.signal})`)
  measurements.push(...(JSON.parse(child.stdout) as Measurement[]))
}
if (inChild) process.stdout.write(JSON.stringify(measurements))
else report('rollout', measurements)
