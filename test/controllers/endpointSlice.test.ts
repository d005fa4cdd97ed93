import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  applyAction,
  type ClusterState,
  createCluster,
  endpointSliceController,
  get,
  type KubeObject,
  list,
  remove,
  resolveDns,
  settle,
  step,
  traceEntries,
} from '../../src/index.js'
import { right } from '../helpers.js'

type Ep = { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; hostname?: string; nodeName?: string; zone?: string; targetRef: { kind: string; namespace: string; name: string; uid: string } }

const ZONE = 'topology.kubernetes.io/zone'
const base = (seed = 0): ClusterState =>
  createCluster({ seed, nodes: [{ name: 'n1', labels: { [ZONE]: 'z1' } }, { name: 'n2', labels: { [ZONE]: 'z2' } }], controllers: [endpointSliceController] })

interface PodOptions {
  readonly labels?: Record<string, string>
  readonly node?: string
  readonly ip?: string
  readonly ready?: boolean
  readonly hostname?: string
  readonly subdomain?: string
  readonly ports?: ReadonlyArray<{ name: string; containerPort: number }>
  readonly phase?: string
  readonly namespace?: string
}

/** Creates (or replaces the status of) a pod bound to a node, as the scheduler and kubelet would leave it. */
const putPod = (s: ClusterState, name: string, o: PodOptions = {}): ClusterState => {
  const namespace = o.namespace ?? 'default'
  let state = s
  if (O.isNone(get(state, 'Pod', namespace, name)))
    state = right(
      applyAction(state, {
        type: 'create',
        by: 'user',
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace, labels: o.labels ?? { app: 'web' } },
          spec: {
            nodeName: o.node ?? 'n1',
            ...(o.hostname === undefined ? {} : { hostname: o.hostname }),
            ...(o.subdomain === undefined ? {} : { subdomain: o.subdomain }),
            containers: [{ name: 'c', image: 'nginx', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }],
          },
        },
      }),
    ).state
  const pod = get(state, 'Pod', namespace, name)
  if (O.isNone(pod)) return expect.fail('pod missing')
  const status = {
    phase: o.phase ?? 'Running',
    ...(o.ip === undefined ? {} : { podIP: o.ip, podIPs: [{ ip: o.ip }] }),
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
  }
  return right(applyAction(state, { type: 'updateStatus', by: 'kubelet', object: { ...pod.value, status } })).state
}

const putService = (s: ClusterState, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): ClusterState =>
  right(
    applyAction(s, {
      type: O.isSome(get(s, 'Service', 'default', name)) ? 'update' : 'create',
      by: 'user',
      object: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ...(labels === undefined ? {} : { labels }) }, spec },
    }),
  ).state

const slicesOf = (s: ClusterState, service: string): ReadonlyArray<KubeObject> => list(s, 'EndpointSlice', { namespace: 'default', labelSelector: `kubernetes.io/service-name=${service}` })
const endpointsOf = (s: ClusterState, service: string): Ep[] => slicesOf(s, service).flatMap((x) => (x['endpoints'] as Ep[] | undefined) ?? [])
const settled = (s: ClusterState): ClusterState => right(settle(s))

describe('EndpointSlice controller', () => {
  it('lists matching pods with conditions, node, zone, targetRef and the labels and owner upstream sets', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }, { team: 'a' })
    s = putPod(s, 'web-1', { ip: '10.244.0.5', node: 'n1' })
    s = putPod(s, 'web-2', { ip: '10.244.1.5', node: 'n2', ready: false })
    s = putPod(s, 'other', { ip: '10.244.0.9', labels: { app: 'db' } })
    s = putPod(s, 'no-ip', {})
    s = putPod(s, 'done', { ip: '10.244.0.7', phase: 'Succeeded' })
    s = settled(s)
    const [slice] = slicesOf(s, 'web')
    expect(slicesOf(s, 'web')).toHaveLength(1)
    expect(slice?.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' })
    expect(slice?.metadata.name).toMatch(/^web-[a-z0-9]{5}$/)
    const svc = get(s, 'Service', 'default', 'web')
    expect(slice?.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: O.isSome(svc) ? svc.value.metadata.uid : '', controller: true, blockOwnerDeletion: true }])
    expect(slice?.['addressType']).toBe('IPv4')
    expect(slice?.['ports']).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }])
    const web1 = get(s, 'Pod', 'default', 'web-1')
    expect(endpointsOf(s, 'web')).toEqual([
      { addresses: ['10.244.0.5'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: O.isSome(web1) ? web1.value.metadata.uid : '' }, nodeName: 'n1', zone: 'z1' },
      expect.objectContaining({ addresses: ['10.244.1.5'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'n2', zone: 'z2' }),
    ])
    // Settled means a fixed point.
    expect(step(s).state).toBe(s)
  })

  it('includes terminating pods, marks publishNotReadyAddresses endpoints ready, and sets hostname only for the matching subdomain', () => {
    let s = putService(base(), 'nginx', { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'web' }, ports: [{ name: 'web', port: 80 }] })
    s = putPod(s, 'web-0', { ip: '10.244.0.5', hostname: 'web-0', subdomain: 'nginx', ready: false })
    s = putPod(s, 'web-1', { ip: '10.244.0.6', hostname: 'web-1', subdomain: 'other' })
    s = settled(s)
    s = settled(right(remove(s, { kind: 'Pod', namespace: 'default', name: 'web-1' })))
    const eps = endpointsOf(s, 'nginx')
    expect(eps.map((e) => [e.targetRef.name, e.hostname, e.conditions])).toEqual([
      ['web-0', 'web-0', { ready: true, serving: false, terminating: false }],
      ['web-1', undefined, { ready: true, serving: true, terminating: true }],
    ])
    expect(slicesOf(s, 'nginx')[0]?.metadata.labels?.['service.kubernetes.io/headless']).toBe('')
  })

  it('caps slices at 100 endpoints and rewrites exactly one slice on a readiness flip', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    for (let i = 0; i < 250; i++) s = putPod(s, `web-${i}`, { ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 2}` })
    s = settled(s)
    const sizes = slicesOf(s, 'web').map((x) => ((x['endpoints'] as Ep[]) ?? []).length).sort((a, b) => a - b)
    expect(sizes).toEqual([50, 100, 100])
    const before = traceEntries(s).length
    s = putPod(s, 'web-17', { ip: '10.244.0.19', ready: false })
    const after = step(s).state
    const writes = traceEntries(after).slice(before).filter((t) => t.kind === 'EndpointSlice')
    expect(writes.map((t) => t.op)).toEqual(['update'])
    expect(endpointsOf(after, 'web').find((e) => e.targetRef.name === 'web-17')?.conditions.ready).toBe(false)
  })

  it('puts pods whose named targetPort resolves differently in different slices', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] })
    s = putPod(s, 'a', { ip: '10.244.0.2', ports: [{ name: 'http', containerPort: 8080 }] })
    s = putPod(s, 'b', { ip: '10.244.0.3', ports: [{ name: 'http', containerPort: 9090 }] })
    s = settled(s)
    const byPort = slicesOf(s, 'web').map((x) => [(x['ports'] as Array<{ port: number }>)[0]?.port, ((x['endpoints'] as Ep[]) ?? []).map((e) => e.targetRef.name)]).sort()
    expect(byPort).toEqual([[8080, ['a']], [9090, ['b']]])
  })

  it('keeps one empty placeholder slice for a Service without endpoints, and none for ExternalName or selector-less Services', () => {
    let s = putService(base(), 'empty', { selector: { app: 'nothing' }, ports: [{ port: 80 }] })
    s = putService(s, 'ext', { type: 'ExternalName', externalName: 'db.example.com' })
    s = putService(s, 'manual', { ports: [{ port: 80 }] })
    s = settled(s)
    expect(slicesOf(s, 'empty').map((x) => [x['endpoints'], x['ports']])).toEqual([[[], []]])
    expect(slicesOf(s, 'ext')).toEqual([])
    expect(slicesOf(s, 'manual')).toEqual([])
    // A pod arriving replaces the placeholder; the pod leaving brings it back.
    s = settled(putPod(s, 'p', { ip: '10.244.0.2', labels: { app: 'nothing' } }))
    expect(slicesOf(s, 'empty').map((x) => ((x['endpoints'] as Ep[]) ?? []).length)).toEqual([1])
    s = settled(right(remove(s, { kind: 'Pod', namespace: 'default', name: 'p' }, { gracePeriodSeconds: 0 })))
    expect(slicesOf(s, 'empty').map((x) => ((x['endpoints'] as Ep[]) ?? []).length)).toEqual([0])
    // Turning a Service into an ExternalName removes its slices.
    s = settled(putService(s, 'empty', { type: 'ExternalName', externalName: 'x.example.com' }))
    expect(slicesOf(s, 'empty')).toEqual([])
  })

  it('treats its own landed update as its own: the next pass neither resyncs nor writes', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    for (let i = 0; i < 3; i++) s = putPod(s, `web-${i}`, { ip: `10.244.0.${i + 2}` })
    s = settled(s)
    s = putPod(s, 'web-1', { ip: '10.244.0.3', ready: false })
    const flipped = step(s).state
    const next = endpointSliceController.reconcile(flipped)
    expect(next.map((a) => a.type)).toEqual(['remember'])
    const memory = next[0]?.type === 'remember' ? (next[0].value as { retry: { size: number }; expected: { size: number } }) : undefined
    expect([memory?.retry.size, memory?.expected.size]).toEqual([0, 0])
  })

  it('repairs an edit that lands on a slice right after its own update, and retries a refused update', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    for (let i = 0; i < 3; i++) s = putPod(s, `web-${i}`, { ip: `10.244.0.${i + 2}` })
    s = settled(putPod(settled(s), 'web-1', { ip: '10.244.0.3', ready: false }))
    s = putPod(s, 'web-2', { ip: '10.244.0.4', ready: false })
    const actions = endpointSliceController.reconcile(s)
    const update = actions.find((a) => a.type === 'update')
    if (update?.type !== 'update') return expect.fail('no slice update')
    const remembered = actions.filter((a) => a.type === 'remember')
    // Applied, then a user relabels the slice (the endpoint list stays the very one sent).
    let landed = right(applyAction(s, update)).state
    for (const a of remembered) landed = right(applyAction(landed, a)).state
    const stored = slicesOf(landed, 'web')[0] as KubeObject
    landed = right(applyAction(landed, { type: 'update', by: 'user', object: { ...stored, metadata: { ...stored.metadata, labels: { ...stored.metadata.labels, extra: 'x' } } } })).state
    landed = settled(landed)
    expect(slicesOf(landed, 'web')[0]?.metadata.labels?.['extra']).toBeUndefined()
    // Refused: only the controller's memory lands; the next pass sends the update again.
    let refused = s
    for (const a of remembered) refused = right(applyAction(refused, a)).state
    const again = endpointSliceController.reconcile(refused).filter((a) => a.type === 'update')
    expect(again.map((a) => (a.type === 'update' ? a.object.metadata.name : ''))).toEqual([update.object.metadata.name])
  })

  it('repairs a slice a user edits or deletes', () => {
    let s = putService(base(), 'web', { selector: { app: 'web' }, ports: [{ port: 80 }] })
    s = settled(putPod(s, 'a', { ip: '10.244.0.2' }))
    const [slice] = slicesOf(s, 'web')
    if (slice === undefined) return expect.fail('no slice')
    s = settled(right(applyAction(s, { type: 'update', by: 'user', object: { ...slice, endpoints: [] } })).state)
    expect(endpointsOf(s, 'web').map((e) => e.targetRef.name)).toEqual(['a'])
    s = settled(right(remove(s, { kind: 'EndpointSlice', namespace: 'default', name: slice.metadata.name })))
    expect(endpointsOf(s, 'web').map((e) => e.targetRef.name)).toEqual(['a'])
  })
})

// -------------------------------------------------------------------------------------------
// properties
// -------------------------------------------------------------------------------------------

type Op =
  | { readonly t: 'pods'; readonly from: number; readonly count: number; readonly app: 'a' | 'b'; readonly ready: boolean }
  | { readonly t: 'flip'; readonly index: number }
  | { readonly t: 'delete'; readonly index: number; readonly force: boolean }
  | { readonly t: 'relabel'; readonly index: number; readonly app: 'a' | 'b' }
  | { readonly t: 'selector'; readonly service: 'sa' | 'sh'; readonly app: 'a' | 'b' }
  | { readonly t: 'publish'; readonly on: boolean }
  | { readonly t: 'type'; readonly service: 'sa'; readonly external: boolean }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('pods' as const), from: fc.integer({ min: 0, max: 140 }), count: fc.integer({ min: 1, max: 60 }), app: fc.constantFrom('a' as const, 'b' as const), ready: fc.boolean() }),
  fc.record({ t: fc.constant('flip' as const), index: fc.integer({ min: 0, max: 199 }) }),
  fc.record({ t: fc.constant('delete' as const), index: fc.integer({ min: 0, max: 199 }), force: fc.boolean() }),
  fc.record({ t: fc.constant('relabel' as const), index: fc.integer({ min: 0, max: 199 }), app: fc.constantFrom('a' as const, 'b' as const) }),
  fc.record({ t: fc.constant('selector' as const), service: fc.constantFrom('sa' as const, 'sh' as const), app: fc.constantFrom('a' as const, 'b' as const) }),
  fc.record({ t: fc.constant('publish' as const), on: fc.boolean() }),
  fc.record({ t: fc.constant('type' as const), service: fc.constant('sa' as const), external: fc.boolean() }),
)

const podName = (i: number) => `p-${i}`
const ipOf = (i: number) => `10.244.${Math.floor(i / 200)}.${(i % 200) + 2}`

const applyOp = (s: ClusterState, op: Op): ClusterState => {
  switch (op.t) {
    case 'pods': {
      let out = s
      for (let i = op.from; i < Math.min(200, op.from + op.count); i++)
        if (O.isNone(get(out, 'Pod', 'default', podName(i)))) out = putPod(out, podName(i), { ip: ipOf(i), labels: { app: op.app }, ready: op.ready, node: i % 2 === 0 ? 'n1' : 'n2', hostname: podName(i), subdomain: 'sh' })
      return out
    }
    case 'flip': {
      const pod = get(s, 'Pod', 'default', podName(op.index))
      if (O.isNone(pod)) return s
      const ready = ((pod.value['status'] as { conditions?: Array<{ status: string }> }).conditions ?? [])[0]?.status === 'True'
      return right(applyAction(s, { type: 'updateStatus', by: 'kubelet', object: { ...pod.value, status: { ...(pod.value['status'] as object), conditions: [{ type: 'Ready', status: ready ? 'False' : 'True' }] } } })).state
    }
    case 'delete': {
      const r = remove(s, { kind: 'Pod', namespace: 'default', name: podName(op.index) }, op.force ? { gracePeriodSeconds: 0 } : {})
      return E.isRight(r) ? r.right : s
    }
    case 'relabel': {
      const pod = get(s, 'Pod', 'default', podName(op.index))
      if (O.isNone(pod)) return s
      const r = applyAction(s, { type: 'update', by: 'user', object: { ...pod.value, metadata: { ...pod.value.metadata, labels: { app: op.app } } } })
      return E.isRight(r) ? r.right.state : s
    }
    case 'selector': {
      const svc = get(s, 'Service', 'default', op.service)
      if (O.isNone(svc)) return s
      return right(applyAction(s, { type: 'update', by: 'user', object: { ...svc.value, spec: { ...(svc.value['spec'] as object), selector: { app: op.app } } } })).state
    }
    case 'publish': {
      const svc = get(s, 'Service', 'default', 'sh')
      if (O.isNone(svc)) return s
      return right(applyAction(s, { type: 'update', by: 'user', object: { ...svc.value, spec: { ...(svc.value['spec'] as object), publishNotReadyAddresses: op.on } } })).state
    }
    case 'type':
      return op.external
        ? putService(s, 'sa', { type: 'ExternalName', externalName: 'x.example.com' })
        : putService(s, 'sa', { type: 'ClusterIP', selector: { app: 'a' }, ports: [{ port: 80 }] })
  }
}

/** What the slices of a Service must say: every matching pod with an IP, with its conditions. */
const expected = (s: ClusterState, service: string): Map<string, Ep['conditions']> => {
  const out = new Map<string, Ep['conditions']>()
  const svc = get(s, 'Service', 'default', service)
  if (O.isNone(svc)) return out
  const spec = svc.value['spec'] as { type?: string; selector?: Record<string, string>; publishNotReadyAddresses?: boolean }
  if (spec.type === 'ExternalName' || spec.selector === undefined) return out
  for (const pod of list(s, 'Pod', { namespace: 'default' })) {
    const status = pod['status'] as { podIP?: string; phase?: string; conditions?: Array<{ type: string; status: string }> } | undefined
    if (status?.podIP === undefined || status.phase === 'Succeeded' || status.phase === 'Failed') continue
    if (!Object.entries(spec.selector).every(([k, v]) => pod.metadata.labels?.[k] === v)) continue
    const serving = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
    const terminating = pod.metadata.deletionTimestamp !== undefined
    out.set(status.podIP, { ready: spec.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating })
  }
  return out
}

const checkSlices = (s: ClusterState, service: string, converged: boolean): void => {
  const eps = endpointsOf(s, service)
  for (const slice of slicesOf(s, service)) expect(((slice['endpoints'] as Ep[]) ?? []).length).toBeLessThanOrEqual(100)
  const ips = eps.map((e) => e.addresses[0])
  expect(new Set(ips).size).toBe(ips.length)
  if (!converged) return
  const want = expected(s, service)
  expect(new Map(eps.map((e) => [e.addresses[0] as string, e.conditions]))).toEqual(want)
  const svc = get(s, 'Service', 'default', service)
  const spec = O.isSome(svc) ? (svc.value['spec'] as { type?: string; clusterIP?: string }) : {}
  if (spec.type === 'ExternalName') expect(slicesOf(s, service)).toEqual([])
  const answer = resolveDns(s, `${service}.default.svc.cluster.local`)
  if (spec.clusterIP === 'None') {
    const ready = [...want.entries()].filter(([, c]) => c.ready).map(([ip]) => ip).sort()
    if (ready.length === 0) expect(answer.rcode).toBe('NXDOMAIN')
    else expect(answer.records.map((r) => r.data).sort()).toEqual(ready)
  } else if (spec.type !== 'ExternalName') expect(answer.records.map((r) => r.data)).toEqual([spec.clusterIP])
}

const scenario = (seed: number, ops: ReadonlyArray<Op>): ClusterState[] => {
  let s = base(seed)
  s = putService(s, 'sa', { selector: { app: 'a' }, ports: [{ port: 80 }] })
  s = putService(s, 'sh', { clusterIP: 'None', selector: { app: 'b' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] })
  const states: ClusterState[] = []
  for (const op of ops) {
    s = applyOp(s, op)
    // Invariants at every step, convergence once settled.
    for (let i = 0; i < 20; i++) {
      const next = step(s)
      for (const svc of ['sa', 'sh']) checkSlices(next.state, svc, false)
      const done = !next.changed
      s = next.state
      if (done) break
    }
    for (const svc of ['sa', 'sh']) checkSlices(s, svc, true)
    states.push(s)
  }
  return states
}

describe('EndpointSlice controller properties', () => {
  it('slices equal the matching pods with IPs and their conditions after every settle, at most 100 each, no duplicates, DNS agreeing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(opArb, { minLength: 1, maxLength: 10 }), (seed, ops) => {
        scenario(seed, ops)
      }),
      { numRuns: process.env['KUBESIM_LONG'] === undefined ? 25 : 300 },
    )
  })

  it('is deterministic: the same seed and operations give the same slices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(opArb, { minLength: 1, maxLength: 6 }), (seed, ops) => {
        const a = scenario(seed, ops)
        const b = scenario(seed, ops)
        expect(list(a[a.length - 1] as ClusterState, 'EndpointSlice')).toEqual(list(b[b.length - 1] as ClusterState, 'EndpointSlice'))
      }),
      { numRuns: 10 },
    )
  })

  it('with the memory wiped (a controller restart) it converges to the same endpoint sets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(opArb, { minLength: 1, maxLength: 6 }), (seed, ops) => {
        const states = scenario(seed, ops)
        const last = states[states.length - 1] as ClusterState
        const restarted = settled({ ...last, memory: last.memory.remove('endpointslice-controller') })
        for (const svc of ['sa', 'sh']) checkSlices(restarted, svc, true)
      }),
      { numRuns: 10 },
    )
  })
})
