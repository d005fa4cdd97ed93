/**
 * Scheduler and kubelet throughput (issue 3): KUBESIM_BENCH_PODS pods (default 100,000) onto
 * KUBESIM_BENCH_NODES nodes (default 5,000), from Pending to Running. The pods are created
 * through the API reducer first (not timed). Then two timed phases on the same state:
 *  1. schedule: `settle` with only the scheduler registered (filters, scores, binds and the
 *     Scheduled events through the reducer);
 *  2. kubelet: the scheduler and the kubelet registered, `advance` until no timed work is left
 *     (pod IPs, startTime, ContainerCreating, then containers started: Running and Ready, with
 *     the Pulled/Created/Started events).
 * Every pod must end Running and Ready, and two runs with the same seed must place every pod
 * on the same node (checked with KUBESIM_BENCH_CHECK_DETERMINISM=1 at any size). Reports pods/s
 * for Pending -> Running (both phases), each phase's time, the heap held afterwards and the
 * peak RSS of the process. Run: `npx tsx bench/scheduler.ts` or `npm run bench -- scheduler`.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { advance, applyAction, type ClusterState, createCluster, type KubeObject, nextWakeup, settle } from '../src/index.js'
import { kubelet } from '../src/controllers/kubelet.js'
import { scheduler } from '../src/controllers/scheduler.js'
import { heapMiB, report } from './harness.js'

const PODS = Number(process.env['KUBESIM_BENCH_PODS'] ?? 100_000)
const NODES = Number(process.env['KUBESIM_BENCH_NODES'] ?? 5_000)
const CHECK_DETERMINISM = process.env['KUBESIM_BENCH_CHECK_DETERMINISM'] === '1'

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9
const withControllers = (s: ClusterState, controllers: ClusterState['config']['controllers']): ClusterState => ({ ...s, config: { ...s.config, controllers } })

const pendingCluster = (): ClusterState => {
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` },
    capacity: { cpu: '32', memory: '128Gi', pods: '110' },
  }))
  let s = createCluster({ nodes, seed: 7, controllers: [scheduler], traceRetention: 'none', podCidr: '10.0.0.0/8', nodeCidr: '172.16.0.0/12' })
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
  return s
}

const run = (pending: ClusterState): { readonly state: ClusterState; readonly schedule: number; readonly kubelet: number } => {
  let start = process.hrtime.bigint()
  const scheduled = settle(withControllers(pending, [scheduler]))
  if (E.isLeft(scheduled)) throw new Error(scheduled.left.message)
  const schedule = seconds(start)
  start = process.hrtime.bigint()
  let s = withControllers(scheduled.right, [scheduler, kubelet])
  // Until time alone gives no controller more to do; every pod starts within a few seconds.
  for (let wake = O.some(s.now); O.isSome(wake); wake = nextWakeup(s)) {
    const advanced = advance(s, wake.value - s.now)
    if (E.isLeft(advanced)) throw new Error(advanced.left.message)
    s = advanced.right
  }
  return { state: s, schedule, kubelet: seconds(start) }
}

const placements = (s: ClusterState): Map<string, string> => {
  const out = new Map<string, string>()
  for (const pod of s.objects.kinds.get('Pod')?.values() ?? []) out.set(pod.metadata.name, String((pod['spec'] as { nodeName?: string }).nodeName))
  return out
}

const pending = pendingCluster()
const heapBefore = heapMiB()
const result = run(pending)

// Count honestly: every pod bound, Running and Ready.
let running = 0
for (const pod of result.state.objects.kinds.get('Pod')?.values() ?? []) {
  const status = pod['status'] as { phase?: string; conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined
  const ready = status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
  if (status?.phase === 'Running' && ready && typeof (pod['spec'] as { nodeName?: string }).nodeName === 'string') running++
}
if (running !== PODS) throw new Error(`only ${running} of ${PODS} pods are Running and Ready`)
const bound = result.state.objects.podsByNode.reduce((n, set) => n + set.size, 0)
if (bound !== PODS) throw new Error(`bound ${bound} of ${PODS}`)
const heapAfter = heapMiB()
const peakRss = process.resourceUsage().maxRSS / 1024

if (CHECK_DETERMINISM) {
  const again = placements(run(pending).state)
  const first = placements(result.state)
  for (const [name, node] of first) if (again.get(name) !== node) throw new Error(`not deterministic: ${name} on ${node}, then on ${String(again.get(name))}`)
  console.log(`scheduler: determinism: ${first.size} placements identical across two runs`)
}

const total = result.schedule + result.kubelet
report('scheduler', [
  { name: `Pending -> Running (${PODS} pods, ${NODES} nodes)`, value: PODS / total, unit: 'pods/s', target: '>= 20000' },
  { name: 'schedule (bind) throughput', value: PODS / result.schedule, unit: 'pods/s' },
  { name: 'schedule time', value: result.schedule, unit: 's' },
  { name: 'kubelet time (to Running)', value: result.kubelet, unit: 's' },
  { name: 'heap with the pending pods', value: heapBefore, unit: 'MiB' },
  { name: 'heap after, holding both states', value: heapAfter, unit: 'MiB' },
  { name: 'peak RSS', value: peakRss, unit: 'MiB' },
])
