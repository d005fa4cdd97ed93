/**
 * S1 "big bang" (issue 9): 5,000 nodes; 1,000 Deployments x 100 replicas (100,000 pods) in 10
 * namespaces; 1,000 ClusterIP Services, one per Deployment. Timed from the empty cluster (nodes
 * registered, nothing else) through applying the manifests to converged: every pod Running and
 * Ready, every Deployment rolled out, every EndpointSlice complete (checked over every object
 * at the end; the bench fails when it is not). Reports wall time, simulated time, the ratio,
 * peak heap (sampled after every engine step) and peak RSS. Targets: <= 10 s wall, <= 1.5 GB.
 *
 * KUBESIM_BENCH_SCALE=0.05 runs 1/20 of it (250 nodes, 50 x 100, 50 Services); see
 * bench/bigCluster.ts for the other knobs. Run: `npx tsx bench/bigbang.ts` or
 * `npm run bench -- bigbang` (full size takes minutes and ~2.5 GB: give node the memory with
 * NODE_OPTIONS=--max-old-space-size=6144).
 */
import { applyWorkloads, converge, describeSize, emptyCluster, sizeFromEnv, verifyConverged } from './bigCluster.js'
import { heapMiB, heapPeak, peakRssMiB, report, simMeasurements } from './harness.js'

const size = sizeFromEnv()
const pods = size.deployments * size.replicas
const full = size.nodes === 5_000 && pods === 100_000 && size.services === 1_000

const setupStart = performance.now()
const empty = emptyCluster(size)
const setupSeconds = (performance.now() - setupStart) / 1000
const peak = heapPeak()
peak.sample()

const start = performance.now()
const applied = applyWorkloads(empty, size)
const appliedAt = performance.now()
const converged = converge(applied, size, peak.sample)
const wallSeconds = (performance.now() - start) / 1000
const applySeconds = (appliedAt - start) / 1000

const problems = verifyConverged(converged, size)
if (problems.length > 0) throw new Error(`S1 did not converge:\n  ${problems.join('\n  ')}`)
const simulatedSeconds = (converged.now - empty.now) / 1000
console.log(`bigbang: ${describeSize(size)}: converged in ${wallSeconds.toFixed(2)} s wall, ${simulatedSeconds.toFixed(0)} s simulated (applying the manifests ${applySeconds.toFixed(2)} s)`)

const label = `S1 ${describeSize(size)}`
report('bigbang', [
  ...simMeasurements(label, { wallSeconds, simulatedSeconds, peakHeapMiB: peak.mib() }, full ? { wall: '<= 10 s', heap: '<= 1536 MiB' } : {}),
  { name: `${label}: pods Running and Ready per wall second`, value: pods / wallSeconds, unit: 'pods/s' },
  { name: `${label}: applying the manifests (in the wall time)`, value: applySeconds, unit: 's' },
  { name: `${label}: set-up (nodes, not timed)`, value: setupSeconds, unit: 's' },
  { name: `${label}: heap held after`, value: heapMiB(), unit: 'MiB' },
  { name: `${label}: peak RSS`, value: peakRssMiB(), unit: 'MiB' },
])
