/**
 * Checked mode on S2 (issue 9: "every invariant after every step costs <= 3x unchecked"): the
 * 10,000-replica maxSurge 25% / maxUnavailable 25% rollout of bench/rollout.ts, run from the
 * same state over the same virtual time (until the rollout is done) twice: with `advance`, and
 * with `advanceChecked` from kubesim/testing checking every invariant (`ALL_INVARIANTS` and
 * `DEPLOYMENT_AVAILABILITY`) after every engine step. Both must reach the same state (same
 * revision, rollout done). Rounds alternate; medians are reported, and the ratio of the medians.
 *
 * KUBESIM_BENCH_ROLLOUT_REPLICAS sets the size (default 10,000, or 10,000 x
 * KUBESIM_BENCH_SCALE); KUBESIM_BENCH_CHECKED_ROUNDS the rounds (default 3). Run:
 * `npx tsx bench/checked.ts` or `npm run bench -- checked`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { advance, apply, type ClusterState, createCluster, rolloutStatus, runUntil } from '../src/index.js'
import { advanceChecked, ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY, formatViolation } from '../src/testing/index.js'
import { heapPeak, report } from './harness.js'

const REPLICAS = Number(process.env['KUBESIM_BENCH_ROLLOUT_REPLICAS'] ?? Math.max(4, Math.round(10_000 * Number(process.env['KUBESIM_BENCH_SCALE'] ?? 1))))
const ROUNDS = Number(process.env['KUBESIM_BENCH_CHECKED_ROUNDS'] ?? 3)
const NODES = Math.max(1, Math.ceil(REPLICAS / 100))
const REF = { kind: 'Deployment', namespace: 'default', name: 'web' }
const INVARIANTS = [...ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY]

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas: REPLICAS,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m' } } }] } },
  },
})

const unwrap = <A>(e: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left, (k, v) => (k === 'state' || k === 'previous' ? undefined : v)).slice(0, 800)}`)
  return e.right
}
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
const done = (s: ClusterState): boolean => unwrap(rolloutStatus(s, REF), 'rollout status').done

const cluster = createCluster({ nodes: Array.from({ length: NODES }, (_, i) => ({ name: `node-${i + 1}`, capacity: { cpu: '64', pods: '250' } })), traceRetention: 'none' })
const ready = unwrap(runUntil(unwrap(apply(cluster, deployment('nginx:1')), 'apply'), (s) => done(s) && (s.objects.kinds.get('Pod')?.size ?? 0) === REPLICAS, { timeout: '1h' }), 'first rollout')
const changed = unwrap(apply(ready, deployment('nginx:2')), 'image change')
// The virtual time the rollout needs (to the instant it is done): both modes run exactly that.
const span = unwrap(runUntil(changed, done, { timeout: '1h' }), 'rollout').now - changed.now

const unchecked: number[] = []
const checked: number[] = []
const peak = heapPeak()
let steps = 0
for (let r = 0; r < ROUNDS; r++) {
  let t = performance.now()
  const plain = unwrap(advance(changed, span), 'unchecked rollout')
  unchecked.push(performance.now() - t)
  t = performance.now()
  const result = advanceChecked(changed, span, { invariants: INVARIANTS })
  checked.push(performance.now() - t)
  if (E.isLeft(result)) throw new Error(`checked rollout stopped: ${result.left.message}\n${result.left.violations.slice(0, 5).map(formatViolation).join('\n')}`)
  peak.sample()
  if (!done(plain) || !done(result.right)) throw new Error('the rollout is not done at the end of its span')
  if (plain.revision !== result.right.revision || plain.now !== result.right.now) throw new Error(`checked and unchecked runs differ: revision ${plain.revision} vs ${result.right.revision}`)
  steps = result.right.revision - changed.revision
}
const ratio = median(checked) / median(unchecked)
console.log(`checked: ${REPLICAS}-replica rollout over ${span / 1000} s simulated (${steps} writes): unchecked ${unchecked.map((x) => x.toFixed(0)).join(', ')} ms; checked ${checked.map((x) => x.toFixed(0)).join(', ')} ms; ratio ${ratio.toFixed(2)}`)

const label = `S2 ${REPLICAS}-replica rollout 25%/25%`
report('checked', [
  { name: `${label}: unchecked (advance), median of ${ROUNDS}`, value: median(unchecked) / 1000, unit: 's' },
  { name: `${label}: every invariant after every step (advanceChecked), median of ${ROUNDS}`, value: median(checked) / 1000, unit: 's' },
  { name: `${label}: checked / unchecked`, value: ratio, unit: 'x', target: '<= 3x' },
  { name: `${label}: simulated time`, value: span / 1000, unit: 's' },
  { name: `${label}: peak heap (sampled per round)`, value: peak.mib(), unit: 'MiB' },
])
