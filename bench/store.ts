/**
 * bench/store: 150,000 pods in the store (Kubernetes' published limit). Reports the cost of one
 * object update through the API reducer and through the store alone, of a label-selector query
 * through the index, and the heap. Targets (issue "Foundation"): update < 50 µs, query < 50 µs.
 */
import * as E from 'fp-ts/lib/Either.js'
import { applyAction, createCluster, fromLabelSelector, type KubeObject, podModel } from '../src/index.js'
import { listObjects, putObject } from '../src/store/objectStore.js'
import { heapMiB, microsPerCall, report } from './harness.js'

const PODS = Number(process.env['KUBESIM_BENCH_PODS'] ?? 150_000)
const NAMESPACES = 10
const APPS = 1000

const heapBefore = heapMiB()
let state = createCluster({ traceRetention: 'none' })
let objects = state.objects
for (let ns = 0; ns < NAMESPACES; ns++) {
  const created = applyAction(state, { type: 'create', by: 'bench', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${ns}` } } })
  if (E.isRight(created)) state = created.right.state
}
objects = state.objects
const podAt = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: `pod-${i}`,
    namespace: `ns-${i % NAMESPACES}`,
    uid: `uid-${i}`,
    resourceVersion: '1',
    creationTimestamp: '2025-01-01T00:00:00Z',
    labels: { app: `app-${i % APPS}`, tier: i % 2 === 0 ? 'fe' : 'be' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${i % APPS}`, uid: `rs-uid-${i % APPS}`, controller: true }],
  },
  spec: { nodeName: `node-${i % 5000}`, containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  status: { phase: 'Running' },
})
const fillStart = process.hrtime.bigint()
// Stored pods are defaulted, as the reducer would have stored them.
for (let i = 0; i < PODS; i++) objects = putObject(objects, Object.freeze(podModel.applyDefaults(podAt(i) as never) as KubeObject))
const fillMs = Number(process.hrtime.bigint() - fillStart) / 1e6
state = { ...state, objects, revision: 1 }
const heapAfter = heapMiB()

const podKeyed = (i: number) => objects.kinds.get('Pod')?.get(`ns-${i % NAMESPACES}/pod-${i}`) as KubeObject

const storePut = microsPerCall((i) => {
  const pod = podKeyed((i * 7919) % PODS)
  putObject(objects, { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, touched: String(i) } } })
}, 2000)

const reducerUpdate = microsPerCall((i) => {
  const pod = podKeyed((i * 7919) % PODS)
  const result = applyAction(state, {
    type: 'update',
    by: 'bench',
    object: { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, touched: String(i) } } },
  })
  if (E.isLeft(result)) throw new Error(result.left.message)
}, 1000)

const selectors = Array.from({ length: 64 }, (_, i) => fromLabelSelector({ matchLabels: { app: `app-${(i * 37) % APPS}`, tier: 'fe' } }))
const indexedQuery = microsPerCall((i) => {
  const ns = `ns-${i % NAMESPACES}`
  listObjects(objects, 'Pod', { namespace: ns, selector: selectors[i % selectors.length] })
}, 2000)

report('store', [
  { name: `fill ${PODS} pods (putObject)`, value: fillMs, unit: 'ms' },
  { name: 'update one pod, store only', value: storePut, unit: 'µs' },
  { name: 'update one pod through the API reducer', value: reducerUpdate, unit: 'µs', target: '< 50 µs' },
  { name: 'label-selector query through the index', value: indexedQuery, unit: 'µs', target: '< 50 µs' },
  { name: `heap for ${PODS} pods`, value: heapAfter - heapBefore, unit: 'MiB' },
])
