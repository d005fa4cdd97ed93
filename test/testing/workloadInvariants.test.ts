import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { apply, applyAction, applyManifests, type ClusterState, createCluster, failNode, killPod, type KubeObject, list, recoverNode, scale, step } from '../../src/index.js'
import { advanceChecked, ALL_INVARIANTS, checkInvariants, formatViolation } from '../../src/testing/index.js'
import { right } from '../helpers.js'
import { putObject } from '../../src/store/objectStore.js'

const RUNS = process.env['KUBESIM_LONG'] === '1' ? 100 : 12
const labels = (app: string) => ({ matchLabels: { app } })
const template = (app: string, image: string, annotations: Record<string, string> = {}) => ({
  metadata: { labels: { app }, annotations },
  spec: { containers: [{ name: 'c', image, resources: { requests: { cpu: '100m' } } }] },
})

const deployment = (replicas: number, image: string, recreate: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: labels('web'),
    template: template('web', image),
    strategy: recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
  },
})
const statefulSet = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: { replicas, serviceName: 'db', selector: labels('db'), template: template('db', 'postgres', { 'kubesim.dev/ready-delay': '5s' }) },
})
const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: { selector: labels('agent'), template: template('agent', 'agent') },
}
const job = (parallelism: number, fail: boolean) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'batch', namespace: 'default' },
  spec: {
    completions: 4,
    parallelism,
    backoffLimit: 2,
    template: { metadata: { annotations: fail ? { 'kubesim.dev/exit-code': '1' } : {} }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
  },
})
const cronJob = (policy: string) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'default' },
  spec: {
    schedule: '*/1 * * * *',
    concurrencyPolicy: policy,
    jobTemplate: { spec: { template: { metadata: { annotations: { 'kubesim.dev/run-duration': '90s' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
  },
})
const services = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
]

type Op =
  | { readonly tag: 'scale'; readonly replicas: number }
  | { readonly tag: 'image'; readonly version: number }
  | { readonly tag: 'kill'; readonly index: number }
  | { readonly tag: 'fail'; readonly node: number }
  | { readonly tag: 'recover'; readonly node: number }
  | { readonly tag: 'scaleDb'; readonly replicas: number }

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ tag: fc.constant('scale' as const), replicas: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ tag: fc.constant('image' as const), version: fc.integer({ min: 2, max: 4 }) }),
  fc.record({ tag: fc.constant('kill' as const), index: fc.nat(20) }),
  fc.record({ tag: fc.constant('fail' as const), node: fc.nat(2) }),
  fc.record({ tag: fc.constant('recover' as const), node: fc.nat(2) }),
  fc.record({ tag: fc.constant('scaleDb' as const), replicas: fc.integer({ min: 0, max: 4 }) }),
)

const applyOp = (s: ClusterState, op: Op, recreate: boolean, replicas: number): ClusterState => {
  const or = (r: E.Either<unknown, ClusterState>) => (E.isRight(r) ? r.right : s)
  switch (op.tag) {
    case 'scale':
      return or(scale(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, op.replicas))
    case 'image':
      return or(apply(s, deployment(replicas, `nginx:${op.version}`, recreate)))
    case 'kill': {
      const pods = list(s, 'Pod', { namespace: 'default' })
      const pod = pods[op.index % Math.max(1, pods.length)]
      return pod === undefined ? s : or(killPod(s, { namespace: 'default', name: pod.metadata.name }, 1))
    }
    case 'fail':
      return or(failNode(s, `node-${op.node + 1}`))
    case 'recover':
      return or(recoverNode(s, `node-${op.node + 1}`))
    case 'scaleDb':
      return or(scale(s, { kind: 'StatefulSet', namespace: 'default', name: 'db' }, op.replicas))
  }
}

const checked = (s: ClusterState, duration: string): ClusterState => {
  const run = advanceChecked(s, duration, { invariants: ALL_INVARIANTS })
  if (E.isLeft(run)) return expect.fail(`${run.left.message}:\n${run.left.violations.map(formatViolation).join('\n')}`)
  return run.right
}

describe('workload invariants', () => {
  it('hold at every step of every controller, under scaling, rollouts, pod kills and node failures', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.constantFrom('Allow', 'Forbid', 'Replace'),
        fc.array(arbOp, { maxLength: 5 }),
        fc.nat(),
        (replicas, recreate, parallelism, failing, policy, ops, seed) => {
          const manifests = [deployment(replicas, 'nginx:1', recreate), statefulSet(2), daemonSet, job(parallelism, failing), cronJob(policy), ...services]
          let s = checked(right(applyManifests(createCluster({ nodes: 3, seed }), manifests)), '30s')
          for (const op of ops) s = checked(applyOp(s, op, recreate, replicas), '40s')
          checked(s, '5m')
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('catch a ReplicaSet with too many pods, a double daemon pod and duplicate ClusterIPs', () => {
    const s = right(applyManifests(createCluster({ nodes: 1 }), [services[0], { ...services[0], metadata: { name: 'web2', namespace: 'default' } }]))
    const [a, b] = list(s, 'Service', { namespace: 'default' }).filter((x) => x.metadata.name.startsWith('web'))
    if (a === undefined || b === undefined) return expect.fail('no services')
    const forged: ClusterState = {
      ...s,
      objects: { ...s.objects, kinds: s.objects.kinds.setIn(['Service', 'default/web2'], { ...b, spec: { ...(b['spec'] as object), clusterIP: (a['spec'] as { clusterIP: string }).clusterIP } }) },
    }
    expect(checkInvariants(forged, undefined, ALL_INVARIANTS).map((v) => v.invariant)).toContain('I12 service addresses')
  })
})

describe('I6 statefulset ordering', () => {
  const I6 = ALL_INVARIANTS.filter((i) => i.name === 'I6 statefulset ordering')
  /** db-0 created and Pending (it is ready 5 s after starting), db-1 not created yet. */
  const early = (): ClusterState => {
    let s = right(applyManifests(createCluster({ nodes: 1 }), [statefulSet(2)]))
    for (let i = 0; i < 3; i++) s = step(s).state
    return s
  }
  const withPod = (s: ClusterState, pod: KubeObject): ClusterState => ({ ...s, objects: putObject(s.objects, pod) })

  it('catches a pod created before the lower ordinals are Running and Ready, and only while it is new', () => {
    const s = early()
    const db0 = list(s, 'Pod').find((p) => p.metadata.name === 'db-0')
    if (db0 === undefined) return expect.fail('db-0 was not created')
    const db1 = { ...db0, metadata: { ...db0.metadata, name: 'db-1', uid: 'forged-uid-1', labels: { ...db0.metadata.labels, 'statefulset.kubernetes.io/pod-name': 'db-1' } } } as KubeObject
    const forged = withPod(s, db1)
    expect(checkInvariants(forged, s, I6).map(formatViolation)).toEqual([
      'I6 statefulset ordering: Pod default/db-1 metadata.name: expected created only after db-0..db-0 are Running and Ready, got not ready: db-0',
    ])
    // Not new any more: the same pod one step later is not reported again.
    expect(checkInvariants(forged, forged, I6)).toEqual([])
    // Recreated under the same name (a new uid) it is new again.
    const recreated = withPod(forged, { ...db1, metadata: { ...db1.metadata, uid: 'forged-uid-2' } } as KubeObject)
    expect(checkInvariants(recreated, forged, I6).map((v) => v.object)).toEqual(['Pod default/db-1'])
  })
})

describe('I5 replicaset size at scale', () => {
  it('allows what one sync of 500 deletions could not remove after a large scale-down, and no more', () => {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'big', namespace: 'default' },
      spec: { replicas: 1200, selector: labels('big'), template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    }
    const started = right(advanceChecked(right(applyManifests(createCluster({ nodes: 12, traceRetention: 'none' }), [rs])), '30s', { invariants: ALL_INVARIANTS }))
    expect(list(started, 'Pod').length).toBe(1200)
    const scaled = right(scale(started, { kind: 'ReplicaSet', namespace: 'default', name: 'big' }, 100))
    // 1,100 surplus: 500 go per sync, and I5 accepts the rest until the next sync takes them.
    const done = right(advanceChecked(scaled, '1m', { invariants: ALL_INVARIANTS }))
    expect(list(done, 'Pod').filter((p) => p.metadata.deletionTimestamp === undefined).length).toBe(100)
    // A ReplicaSet whose sync counted 1,200 pods but deleted none breaks I5: at most 700 may remain.
    const stalled = right(scale(started, { kind: 'ReplicaSet', namespace: 'default', name: 'big' }, 100))
    const stored = list(stalled, 'ReplicaSet')[0] as KubeObject
    const status = { ...(stored['status'] as object), replicas: 1200, observedGeneration: stored.metadata.generation }
    const forged = right(applyAction(stalled, { type: 'updateStatus', by: 'test', object: { ...stored, status } })).state
    expect(checkInvariants(forged, undefined, ALL_INVARIANTS).filter((v) => v.invariant.startsWith('I5')).map(formatViolation)).toEqual([
      'I5 replicaset size: ReplicaSet default/big spec.replicas: expected at most 700 active pods, got 1200',
    ])
  })
})
