/**
 * bench/services: Kubernetes' published limits for Services: 10,000 Services, 150,000 pods, at
 * most 250 backends behind one Service. Each Service selects its own app (as most do): one in 50
 * has 250 pods, the rest 1 to 19. Reports DNS lookups per second (`resolveDns`, a short name
 * through the search path and a fully qualified name), routes per second (`route` to a
 * ClusterIP:port), and the cost of one pod readiness flip in a 250-pod Service (slices full at
 * 100 endpoints): the EndpointSlice controller's reconcile, and reconcile plus the slice write
 * through the API reducer. A flip costs one slice write per Service selecting the pod, so the
 * flip is also measured for a pod behind 8 Services. Targets (issue 7): >= 1,000,000 lookups/s,
 * >= 200,000 routes/s, a flip reflected in <= 50 µs.
 */
import * as E from 'fp-ts/lib/Either.js'
import { applyAction, createCluster, endpointSliceController, podModel, resolveDns, route, step, type ClusterState, type KubeObject } from '../src/index.js'
import { getObject, putObject } from '../src/store/objectStore.js'
import { heapMiB, microsPerCall, report } from './harness.js'

const SERVICES = Number(process.env['KUBESIM_BENCH_SERVICES'] ?? 10_000)
const PODS = Number(process.env['KUBESIM_BENCH_PODS'] ?? 150_000)
const NODES = 5000
const BIG_APP = 250
const SHARED_BY = 8
/** Untimed flips first: the path settles in the JIT after about 10,000 (measured round by round). */
const FLIP_WARMUP = 15_000

// One app per Service: every 50th has 250 pods, the others 1 to 19, until the pod budget is used.
const apps: number[] = []
for (let total = 0, i = 0; i < SERVICES && total < PODS; i++) {
  const size = Math.min(i % 50 === 0 ? BIG_APP : ((i * 37) % 19) + 1, PODS - total)
  apps.push(size)
  total += size
}
const bigApps = apps.flatMap((size, app) => (size === BIG_APP ? [app] : []))

const heapBefore = heapMiB()
let state: ClusterState = createCluster({ traceRetention: 'none', controllers: [endpointSliceController] })
let objects = state.objects
const fillStart = process.hrtime.bigint()
let podIndex = 0
apps.forEach((size, app) => {
  for (let j = 0; j < size; j++, podIndex++) {
    const ip = `10.${64 + Math.floor(podIndex / 65536)}.${Math.floor(podIndex / 256) % 256}.${podIndex % 256}`
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `app-${app}-${j}`, namespace: 'default', uid: `uid-${podIndex}`, resourceVersion: '1', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: `app-${app}` } },
      spec: { nodeName: `node-${podIndex % NODES}`, containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    }
    objects = putObject(objects, Object.freeze(podModel.applyDefaults(pod as never) as KubeObject))
  }
})
state = { ...state, objects }
for (let i = 0; i < SERVICES; i++) {
  const created = applyAction(state, {
    type: 'create',
    by: 'bench',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { selector: { app: `app-${i % apps.length}` }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  })
  if (E.isLeft(created)) throw new Error(created.left.message)
  state = created.right.state
}
const syncStart = process.hrtime.bigint()
state = step(state).state
state = step(state).state
const syncMs = Number(process.hrtime.bigint() - syncStart) / 1e6
const fillMs = Number(process.hrtime.bigint() - fillStart) / 1e6
const slices = state.objects.kinds.get('EndpointSlice')?.size ?? 0
console.log(`services: ${SERVICES} Services, ${podIndex} pods in ${apps.length} apps, ${slices} EndpointSlices; built in ${fillMs.toFixed(0)} ms (initial slice sync ${syncMs.toFixed(0)} ms)`)

const clusterIps: string[] = []
for (let i = 0; i < SERVICES; i++) {
  const svc = getObject(state.objects, { kind: 'Service', namespace: 'default', name: `svc-${i}` })
  clusterIps.push((svc?.['spec'] as { clusterIP: string }).clusterIP)
}

const shortNames = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`)
const fqdns = shortNames.map((n) => `${n}.default.svc.cluster.local.`)
let sink = 0
const lookupShort = microsPerCall((i) => {
  sink += resolveDns(state, shortNames[i % SERVICES] as string).records.length
}, 200_000)
const lookupFqdn = microsPerCall((i) => {
  sink += resolveDns(state, fqdns[i % SERVICES] as string).records.length
}, 200_000)
// Warm the per-Service endpoint views once (they are memoised per EndpointSlice map).
for (let i = 0; i < SERVICES; i++) route(state, { host: clusterIps[i] as string, port: 80 })
const routeCost = microsPerCall((i) => {
  const r = route(state, { host: clusterIps[(i * 7919) % SERVICES] as string, port: 80 })
  sink += E.isRight(r) ? r.right.backends.length : 0
}, 100_000)
const routeByName = microsPerCall((i) => {
  const r = route(state, { host: shortNames[(i * 7919) % SERVICES] as string, port: 80 })
  sink += E.isRight(r) ? r.right.backends.length : 0
}, 100_000)

// One readiness flip: the kubelet's status write, then the controller's pass.
const flipState = (from: ClusterState, app: number): ClusterState => {
  const pod = getObject(from.objects, { kind: 'Pod', namespace: 'default', name: `app-${app}-${BIG_APP >> 1}` }) as KubeObject
  const ready = (pod['status'] as { conditions: Array<{ status: string }> }).conditions[0]?.status === 'True'
  const written = applyAction(from, { type: 'updateStatus', by: 'kubelet', object: { ...pod, status: { ...(pod['status'] as object), conditions: [{ type: 'Ready', status: ready ? 'False' : 'True' }] } } })
  if (E.isLeft(written)) throw new Error(written.left.message)
  return written.right.state
}
const flipCosts = (from: ClusterState, flipApps: ReadonlyArray<number>): { readonly reconcile: number; readonly reflect: number } => {
  const flips = Array.from({ length: 200 }, (_, i) => flipState(from, flipApps[i % flipApps.length] as number))
  // Start from a collected heap, not the garbage the lookups and routes left.
  ;(globalThis as { gc?: () => void }).gc?.()
  const reconcile = microsPerCall((i) => {
    sink += endpointSliceController.reconcile(flips[i % flips.length] as ClusterState).length
  }, 1000, 21, FLIP_WARMUP)
  const reflect = microsPerCall((i) => {
    let s = flips[i % flips.length] as ClusterState
    for (const action of endpointSliceController.reconcile(s)) {
      const applied = applyAction(s, action)
      if (E.isRight(applied)) s = applied.right.state
    }
    sink += s.revision
  }, 1000, 21, FLIP_WARMUP)
  return { reconcile, reflect }
}
if (bigApps.length === 0) throw new Error(`no ${BIG_APP}-pod app at ${PODS} pods`)
const flip = flipCosts(state, bigApps)
// The same flip when 8 Services select the pod: 7 more Services over the first big app.
let shared = state
for (let i = 1; i < SHARED_BY; i++) {
  const created = applyAction(shared, {
    type: 'create',
    by: 'bench',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `shared-${i}`, namespace: 'default' }, spec: { selector: { app: `app-${bigApps[0]}` }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  })
  if (E.isLeft(created)) throw new Error(created.left.message)
  shared = created.right.state
}
shared = step(step(shared).state).state
const sharedFlip = flipCosts(shared, [bigApps[0] as number])
const heap = heapMiB() - heapBefore
if (sink === -1) console.log('unreachable')

report('services', [
  { name: `resolveDns short name (search path), ${SERVICES} Services`, value: 1e6 / lookupShort, unit: 'lookups/s', target: '>= 1,000,000 lookups/s' },
  { name: 'resolveDns FQDN with trailing dot', value: 1e6 / lookupFqdn, unit: 'lookups/s', target: '>= 1,000,000 lookups/s' },
  { name: 'route to ClusterIP:port', value: 1e6 / routeCost, unit: 'routes/s', target: '>= 200,000 routes/s' },
  { name: 'route to a Service name (DNS + route)', value: 1e6 / routeByName, unit: 'routes/s' },
  { name: `readiness flip in a ${BIG_APP}-pod Service: EndpointSlice controller reconcile`, value: flip.reconcile, unit: 'µs', target: '<= 50 µs' },
  { name: `readiness flip in a ${BIG_APP}-pod Service: reconcile + slice write through the reducer`, value: flip.reflect, unit: 'µs', target: '<= 50 µs' },
  { name: `readiness flip of a pod behind ${SHARED_BY} Services: reconcile`, value: sharedFlip.reconcile, unit: 'µs' },
  { name: `readiness flip of a pod behind ${SHARED_BY} Services: reconcile + ${SHARED_BY} slice writes`, value: sharedFlip.reflect, unit: 'µs' },
  { name: `heap with ${podIndex} pods, ${SERVICES} Services, ${slices} slices`, value: heap, unit: 'MiB' },
])
