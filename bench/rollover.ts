/**
 * S2 rollover (issue 9): a 10,000-replica Deployment (maxSurge 25% / maxUnavailable 25%) gets
 * three template changes a second apart, each before the previous rollout finished, and is
 * scaled to 15,000 replicas in the middle of the third rollout, so the Deployment controller
 * scales every ReplicaSet still holding pods proportionally. Timed from the first change until
 * the rollout is done and only the newest template's 15,000 pods are left, all Running and
 * Ready. After every engine step the surge bound (the ReplicaSets' replicas add up to at most
 * the Deployment's replicas plus maxSurge) is checked. Reports wall time, simulated time, the
 * ratio and peak heap.
 *
 * KUBESIM_BENCH_ROLLOUT_REPLICAS sets the starting size (default 10,000, or 10,000 x
 * KUBESIM_BENCH_SCALE); the scale-up is to 1.5 times that. Run: `npx tsx bench/rollover.ts` or
 * `npm run bench -- rollover`.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { advance, apply, type ClusterState, createCluster, get, resolveFenceposts, rolloutStatus, runUntil, scale } from '../src/index.js'
import { heapMiB, heapPeak, report, simMeasurements } from './harness.js'

const REPLICAS = Number(process.env['KUBESIM_BENCH_ROLLOUT_REPLICAS'] ?? Math.max(4, Math.round(10_000 * Number(process.env['KUBESIM_BENCH_SCALE'] ?? 1))))
const SCALED = Math.round(REPLICAS * 1.5)
const NODES = Math.max(1, Math.ceil(SCALED / 100))
const REF = { kind: 'Deployment', namespace: 'default', name: 'web' }

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m' } } }] } })
const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: REPLICAS, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, template: template(image) },
})

const unwrap = <A>(e: E.Either<unknown, A>, what = 'step'): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left).slice(0, 500)}`)
  return e.right
}
type Json = Record<string, unknown>

/** Surge bound against the Deployment's replicas at this step (they change at the scale-up). */
const checkSurge = (state: ClusterState): void => {
  const d = get(state, 'Deployment', 'default', 'web')
  if (O.isNone(d)) throw new Error('no deployment')
  const desired = Number((d.value['spec'] as Json)['replicas'])
  const [surge] = resolveFenceposts('25%', '25%', desired)
  let total = 0
  for (const rs of state.objects.kinds.get('ReplicaSet')?.values() ?? []) total += Number((rs['spec'] as Json)['replicas'] ?? 0)
  if (total > desired + surge) throw new Error(`surge bound broken: ReplicaSets want ${total} > ${desired} + ${surge}`)
}

const podsOf = (s: ClusterState) => [...(s.objects.kinds.get('Pod')?.values() ?? [])]
const finished = (s: ClusterState): boolean => unwrap(rolloutStatus(s, REF)).done && (s.objects.kinds.get('Pod')?.size ?? 0) === SCALED

const cluster = createCluster({ nodes: Array.from({ length: NODES }, (_, i) => ({ name: `node-${i + 1}`, capacity: { cpu: '64', pods: '250' } })), traceRetention: 'none' })
const setupStart = performance.now()
let s = unwrap(runUntil(unwrap(apply(cluster, deployment('nginx:1'))), (x) => unwrap(rolloutStatus(x, REF)).done && (x.objects.kinds.get('Pod')?.size ?? 0) === REPLICAS, { timeout: '1h' }), 'first rollout')
const setupSeconds = (performance.now() - setupStart) / 1000

const peak = heapPeak()
const t0 = s.now
const start = performance.now()
const observe = (x: ClusterState): void => {
  checkSurge(x)
  peak.sample()
}
s = unwrap(apply(s, deployment('nginx:2')))
s = unwrap(advance(s, '1s', { observe }), 'rollout to nginx:2')
s = unwrap(apply(s, deployment('nginx:3')))
s = unwrap(advance(s, '1s', { observe }), 'rollover to nginx:3')
s = unwrap(apply(s, deployment('nginx:4')))
s = unwrap(advance(s, '1s', { observe }), 'rollover to nginx:4')
const midRollout = !unwrap(rolloutStatus(s, REF)).done
s = unwrap(scale(s, REF, SCALED), 'scale')
s = unwrap(runUntil(s, finished, { timeout: '1h', observe }), 'rollover')
const wallSeconds = (performance.now() - start) / 1000
if (!midRollout) throw new Error('the rollout to nginx:4 had finished before the scale-up: no rollover measured')

// Honest end state: only nginx:4 pods, all Running and Ready; every older ReplicaSet at 0.
const imageOf = (o: { readonly [k: string]: unknown }): string | undefined => ((o['spec'] as Json)['containers'] as ReadonlyArray<{ image?: string }> | undefined)?.[0]?.image
let good = 0
for (const pod of podsOf(s)) {
  const st = (pod['status'] ?? {}) as { phase?: string; conditions?: ReadonlyArray<{ type: string; status: string }> }
  const ready = st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  if (imageOf(pod) === 'nginx:4' && st.phase === 'Running' && ready && pod.metadata.deletionTimestamp === undefined) good++
}
if (good !== SCALED) throw new Error(`after the rollover ${good} of ${SCALED} pods are nginx:4, Running and Ready`)
const replicaSets = [...(s.objects.kinds.get('ReplicaSet')?.values() ?? [])]
if (replicaSets.length !== 4) throw new Error(`${replicaSets.length} ReplicaSets, expected one per template (4)`)
for (const rs of replicaSets) {
  const want = Number((rs['spec'] as Json)['replicas'])
  const image = imageOf((rs['spec'] as Json)['template'] as Json)
  if (image === 'nginx:4' ? want !== SCALED : want !== 0) throw new Error(`ReplicaSet ${rs.metadata.name} (${image}) wants ${want} pods`)
}
console.log(`rollover: ${REPLICAS} -> ${SCALED} replicas through nginx:2, :3, :4: done in ${wallSeconds.toFixed(2)} s wall, ${((s.now - t0) / 1000).toFixed(0)} s simulated (set-up ${setupSeconds.toFixed(1)} s)`)

report('rollover', [
  ...simMeasurements(`S2 rollover, ${REPLICAS} replicas, three template changes, scaled to ${SCALED} mid-rollout`, { wallSeconds, simulatedSeconds: (s.now - t0) / 1000, peakHeapMiB: peak.mib() }),
  { name: `S2 rollover, ${REPLICAS} replicas: set-up (create and first rollout, not timed)`, value: setupSeconds, unit: 's' },
  { name: `S2 rollover, ${REPLICAS} replicas: heap held after`, value: heapMiB(), unit: 'MiB' },
])
