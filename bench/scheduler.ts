/**
 * Scheduler throughput: KUBESIM_BENCH_PODS pods (default 100,000) onto KUBESIM_BENCH_NODES nodes
 * (default 5,000), created directly, then one `settle` with only the scheduler registered.
 * Reports bound pods per second of that settle (filters, scores, binds and events through the
 * reducer) and the heap after it. Run: `npx tsx bench/scheduler.ts`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { applyAction, createCluster, type KubeObject, settle } from '../src/index.js'
import { scheduler } from '../src/controllers/scheduler.js'
import { heapMiB, report } from './harness.js'

const PODS = Number(process.env['KUBESIM_BENCH_PODS'] ?? 100_000)
const NODES = Number(process.env['KUBESIM_BENCH_NODES'] ?? 5_000)

const nodes = Array.from({ length: NODES }, (_, i) => ({
  name: `node-${String(i).padStart(5, '0')}`,
  labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` },
  capacity: { cpu: '32', memory: '128Gi', pods: '110' },
}))
let s = createCluster({ nodes, controllers: [scheduler], traceRetention: 'none', podCidr: '10.0.0.0/8', nodeCidr: '172.16.0.0/12' })
for (let i = 0; i < PODS; i++) {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: `app-${i % 1000}` } },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '256Mi' } } }] },
  }
  const r = applyAction(s, { type: 'create', object: pod, by: 'bench' })
  if (E.isLeft(r)) throw new Error(r.left.message)
  s = r.right.state
}
const heapBefore = heapMiB()
const start = process.hrtime.bigint()
const settled = settle(s)
const seconds = Number(process.hrtime.bigint() - start) / 1e9
if (E.isLeft(settled)) throw new Error(settled.left.message)
const bound = settled.right.objects.podsByNode.reduce((n, set) => n + set.size, 0)
if (bound !== PODS) throw new Error(`bound ${bound} of ${PODS}`)
const heapAfter = heapMiB()
report('scheduler', [
  { name: `bind throughput (${PODS} pods, ${NODES} nodes)`, value: PODS / seconds, unit: 'pods/s', target: '>= 20000' },
  { name: 'settle time', value: seconds, unit: 's' },
  { name: 'heap before settle', value: heapBefore, unit: 'MiB' },
  { name: 'heap after settle', value: heapAfter, unit: 'MiB' },
])
