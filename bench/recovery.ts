/**
 * S5 fault recovery and the incremental cost (issue 9), on the S1 cluster of bench/bigbang.ts
 * (built and converged first, not timed):
 *  1. incremental cost: one pod deleted (`remove`, default grace period), then (a) `settle` at
 *     the same instant (the ReplicaSet's replacement, its binding, the endpoint update) and (b)
 *     on to reconverged (the old pod gone, the replacement Ready, its Deployment and Service
 *     complete). Several deletions one after another in the running cluster, each once the
 *     last has reconverged; the median is reported. Target: <= 2 ms.
 *  2. recovery: 10% of the nodes fail (`failNode`, every tenth node) and the engine runs until
 *     the cluster has reconverged: after the 50 s grace the nodes go Unknown, after the 300 s
 *     tolerations their pods are evicted, replaced on the healthy nodes, and every Service's
 *     endpoints are its running pods again. The pods evicted from failed nodes stay Terminating
 *     (no kubelet confirms them, as upstream); the end state is checked over every object.
 *     Reports wall time, simulated time, the ratio and peak heap. Target: <= 5 s wall.
 *
 * KUBESIM_BENCH_SCALE=0.05 runs 1/20 of S1 (see bench/bigCluster.ts); KUBESIM_BENCH_DELETIONS
 * sets how many pod deletions are timed (default 9). Run: `npx tsx bench/recovery.ts` or
 * `npm run bench -- recovery` (full size: NODE_OPTIONS=--max-old-space-size=6144).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type ClusterState, failNode, list, remove, runUntil, settle } from '../src/index.js'
import { podsOnNode } from '../src/store/objectStore.js'
import { appLooksConverged, appRef, applyWorkloads, converge, describeSize, emptyCluster, looksConverged, sizeFromEnv, verifyConverged } from './bigCluster.js'
import { heapMiB, heapPeak, peakRssMiB, report, simMeasurements, type Measurement } from './harness.js'

const size = sizeFromEnv()
const DELETIONS = Number(process.env['KUBESIM_BENCH_DELETIONS'] ?? 9)
const full = size.nodes === 5_000 && size.deployments * size.replicas === 100_000 && size.services === 1_000

const unwrap = <A>(e: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left).slice(0, 500)}`)
  return e.right
}
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

const setupStart = performance.now()
const converged = converge(applyWorkloads(emptyCluster(size), size), size)
const setupProblems = verifyConverged(converged, size)
if (setupProblems.length > 0) throw new Error(`S1 did not converge:\n  ${setupProblems.join('\n  ')}`)
console.log(`recovery: S1 (${describeSize(size)}) built and converged in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (not timed)`)

// 1. One pod deletion at a time in the running cluster: delete, settle (timed), run on until
// reconverged (timed separately), then the next deletion from there. Each deletion happens
// later than the last, as in a live cluster: deleting again from one saved state would move the
// clock back, and the controllers' incremental passes (rightly) start afresh on a clock that
// went back.
const settleMs: number[] = []
const reconvergeMs: number[] = []
let live = converged
for (let k = 0; k < DELETIONS; k++) {
  const i = Math.floor((k * size.deployments) / DELETIONS)
  const { namespace, name } = appRef(size, i)
  const victim = list(live, 'Pod', { namespace, labelSelector: `app=${name}` })[k % size.replicas]
  if (victim === undefined) throw new Error(`no pod of ${name}`)
  const ref = { kind: 'Pod', namespace, name: victim.metadata.name }
  const t0 = performance.now()
  const settled = unwrap(settle(unwrap(remove(live, ref), 'delete')), 'settle')
  const t1 = performance.now()
  const gone = (s: ClusterState): boolean => list(s, 'Pod', { namespace, labelSelector: `app=${name}` }).every((p) => p.metadata.uid !== victim.metadata.uid)
  const after = unwrap(runUntil(settled, (s) => gone(s) && appLooksConverged(s, size, i), { timeout: '10m' }), 'reconverge after a deletion')
  const t2 = performance.now()
  settleMs.push(t1 - t0)
  reconvergeMs.push(t2 - t0)
  if (k === 0) {
    // Checked once over every object (not timed): the deletion really was undone.
    const problems = verifyConverged(after, size)
    if (problems.length > 0) throw new Error(`not converged after a pod deletion:\n  ${problems.join('\n  ')}`)
    console.log(`recovery: deleting ${ref.namespace}/${ref.name}: replaced and reconverged after ${((after.now - live.now) / 1000).toFixed(1)} s simulated`)
  }
  live = after
}

// 2. 10% of the nodes fail, in the cluster as the deletions left it (converged again).
const down = new Set<string>()
for (const node of list(converged, 'Node')) if (down.size < Math.ceil(size.nodes / 10) && Number(node.metadata.name.slice('node-'.length)) % 10 === 0) down.add(node.metadata.name)
const peak = heapPeak()
peak.sample()
const start = performance.now()
let failed = live
for (const name of down) failed = unwrap(failNode(failed, name), `failNode ${name}`)
// Reconverged: every Deployment and Service complete again, and no failed node still runs an
// active pod (until the evictions, the old pods would satisfy the first test alone).
const noActivePodOnDownNodes = (s: ClusterState): boolean => {
  for (const node of down) for (const pod of podsOnNode(s.objects, node)) if (pod.metadata.deletionTimestamp === undefined) return false
  return true
}
const recovered = unwrap(
  runUntil(failed, (s) => looksConverged(s, size) && noActivePodOnDownNodes(s), { timeout: '2h', observe: peak.sample }),
  'recovery',
)
const wallSeconds = (performance.now() - start) / 1000
const problems = verifyConverged(recovered, size, down)
if (problems.length > 0) throw new Error(`S5 did not reconverge:\n  ${problems.join('\n  ')}`)
let terminating = 0
for (const pod of recovered.objects.kinds.get('Pod')?.values() ?? []) if (pod.metadata.deletionTimestamp !== undefined) terminating++
const simulatedSeconds = (recovered.now - live.now) / 1000
console.log(`recovery: ${down.size} of ${size.nodes} nodes failed: reconverged in ${wallSeconds.toFixed(2)} s wall, ${simulatedSeconds.toFixed(0)} s simulated; ${terminating} evicted pods left Terminating on the failed nodes`)

const label = `S1 (${describeSize(size)})`
const measurements: Measurement[] = [
  { name: `${label}: one pod deletion, delete + settle (median of ${DELETIONS})`, value: median(settleMs), unit: 'ms', ...(full ? { target: '<= 2 ms' } : {}) },
  { name: `${label}: one pod deletion, to reconverged (median of ${DELETIONS})`, value: median(reconvergeMs), unit: 'ms' },
  ...simMeasurements(`S5 ${label}, ${down.size} nodes failed, to reconverged`, { wallSeconds, simulatedSeconds, peakHeapMiB: peak.mib() }, full ? { wall: '<= 5 s' } : {}),
  { name: `S5 ${label}: heap held after`, value: heapMiB(), unit: 'MiB' },
  { name: `S5 ${label}: peak RSS`, value: peakRssMiB(), unit: 'MiB' },
]
report('recovery', measurements)
