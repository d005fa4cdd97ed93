import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  advance,
  applyManifests,
  type ClusterState,
  type Controller,
  createCluster,
  defaultControllers,
  failNode,
  killPod,
  scheduler,
  traceEntries,
} from '../../src/index.js'
import { advanceChecked, checkInvariants, CORE_INVARIANTS, formatViolation } from '../../src/testing/index.js'
import { right } from '../helpers.js'
import { deleteObject, putObject } from '../../src/store/objectStore.js'

const pod = (name: string, cpu: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }], ...extra },
})

const arbCluster = fc.record({
  nodes: fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 4 }), pods: fc.integer({ min: 1, max: 5 }), tainted: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  pods: fc.array(fc.record({ millis: fc.integer({ min: 100, max: 3000 }), tolerates: fc.boolean(), crash: fc.boolean() }), { minLength: 1, maxLength: 10 }),
  failed: fc.option(fc.nat(3), { nil: undefined }),
  seed: fc.nat(),
})

const build = (c: {
  nodes: ReadonlyArray<{ cpu: number; pods: number; tainted: boolean }>
  pods: ReadonlyArray<{ millis: number; tolerates: boolean; crash: boolean }>
  seed: number
}): ClusterState => {
  const s0 = createCluster({
    seed: c.seed,
    nodes: c.nodes.map((n, i) => ({
      name: `n${i}`,
      capacity: { cpu: String(n.cpu), pods: String(n.pods) },
      ...(n.tainted ? { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] } : {}),
    })),
  })
  const manifests = c.pods.map((p, i) => {
    const base = pod(`p${i}`, `${p.millis}m`, p.tolerates ? { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] } : {})
    return p.crash ? { ...base, metadata: { ...base.metadata, annotations: { 'kubesim.dev/crash-after': '20s' } } } : base
  })
  return right(applyManifests(s0, manifests))
}

describe('core invariants', () => {
  it('hold after every step of random clusters, with crashing pods and a failed node', () => {
    fc.assert(
      fc.property(arbCluster, (c) => {
        let s = build(c)
        const first = advanceChecked(s, '2m')
        if (E.isLeft(first)) expect.fail(first.left.violations.map(formatViolation).join('\n'))
        s = first.right
        if (c.failed !== undefined && c.failed < c.nodes.length) {
          s = right(failNode(s, `n${c.failed}`))
          const second = advanceChecked(s, '10m')
          if (E.isLeft(second)) expect.fail(second.left.violations.map(formatViolation).join('\n'))
        }
      }),
      { numRuns: 30 },
    )
  })

  it('checked mode reaches the same state as advance', () => {
    fc.assert(
      fc.property(arbCluster, (c) => {
        const s = build(c)
        const checked = right(advanceChecked(s, '3m'))
        const plain = right(advance(s, '3m'))
        expect(traceEntries(checked)).toEqual(traceEntries(plain))
        expect(checked.now).toBe(plain.now)
      }),
      { numRuns: 15 },
    )
  })

  it('catches a scheduler that ignores capacity and taints', () => {
    // A broken scheduler: binds every pending pod to the first node, ignoring everything.
    const greedy: Controller = {
      name: 'greedy-scheduler',
      reconcile: (state) =>
        [...state.objects.unbound].flatMap((key) => {
          const [namespace, name] = key.split('/')
          return [{ type: 'bind' as const, by: 'greedy-scheduler', ref: { kind: 'Pod', namespace, name: name ?? '' }, nodeName: 'n0' }]
        }),
      nextWakeup: () => ({ _tag: 'None' }),
    }
    const s0 = createCluster({ nodes: [{ name: 'n0', capacity: { cpu: '1' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }] }], controllers: defaultControllers.map((c) => (c === scheduler ? greedy : c)) })
    const s1 = right(applyManifests(s0, [pod('a', '800m'), pod('b', '800m')]))
    const run = advanceChecked(s1, '10s')
    expect(E.isLeft(run) && run.left.violations.map(formatViolation)).toEqual([
      'I10 node capacity: Node n0 status.allocatable.cpu: expected requests <= 1000, got 1600',
      'I10 bindings respect the node: Pod default/a spec.nodeName: expected a node whose NoSchedule/NoExecute taints the pod tolerates, got n0 (taint gpu:NoSchedule)',
      'I10 bindings respect the node: Pod default/b spec.nodeName: expected a node whose NoSchedule/NoExecute taints the pod tolerates, got n0 (taint gpu:NoSchedule)',
    ])
  })

  it('catches changed immutable fields and invalid objects a controller writes', () => {
    const s0 = createCluster({ nodes: 1 })
    const s1 = right(advance(right(applyManifests(s0, [pod('web', '100m')])), '5s'))
    const web = s1.objects.kinds.get('Pod')?.get('default/web')
    if (web === undefined) return expect.fail('no pod')
    // Forge a state as a buggy controller writing straight into the store would leave it.
    const forged: ClusterState = {
      ...s1,
      objects: {
        ...s1.objects,
        kinds: s1.objects.kinds.setIn(['Pod', 'default/web'], {
          ...web,
          metadata: { ...web.metadata, name: 'Web_1' },
          spec: { ...(web['spec'] as object), nodeName: 'elsewhere', containers: [{ name: 'c', image: 'nginx:2' }] },
        }),
      },
    }
    const found = checkInvariants(forged, s1, CORE_INVARIANTS).map((v) => v.invariant)
    expect(found).toContain('I2 nodeName never changes')
    expect(found).toContain('I2 immutable fields')
    expect(found).toContain('I15 validation closure')
  })

  it('finds nothing wrong with killed and restarted pods', () => {
    let s = right(advance(right(applyManifests(createCluster({ nodes: 1 }), [pod('web', '100m')])), '5s'))
    s = right(killPod(s, { name: 'web' }, 1))
    expect(E.isRight(advanceChecked(s, '5m'))).toBe(true)
  })
})

describe('invariants kept from changes', () => {
  it('report a shared uid when it appears and stop when it goes', () => {
    const I2 = CORE_INVARIANTS.filter((i) => i.name === 'I2 unique uids')
    const withUid = (name: string) => {
      const p = pod(name, '100m')
      return { ...p, metadata: { ...p.metadata, uid: 'same' } }
    }
    let state = createCluster({ nodes: 1 })
    expect(checkInvariants(state, undefined, I2)).toEqual([])
    state = { ...state, objects: putObject(state.objects, withUid('a')) }
    expect(checkInvariants(state, undefined, I2)).toEqual([])
    state = { ...state, objects: putObject(state.objects, withUid('b')) }
    expect(checkInvariants(state, undefined, I2).map(formatViolation)).toEqual(['I2 unique uids: Pod default/b metadata.uid: expected unique, got shared with Pod default/a'])
    state = { ...state, objects: deleteObject(state.objects, { kind: 'Pod', namespace: 'default', name: 'a' }) }
    expect(checkInvariants(state, undefined, I2)).toEqual([])
  })

  // Writes straight into the store (as a buggy controller could), so uids repeat and nodes overfill.
  const write = fc.record({
    remove: fc.constantFrom(false, false, true),
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    uid: fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', ''),
    node: fc.constantFrom(undefined, 'n0', 'n1'),
    millis: fc.constantFrom(300, 600, 1000),
    finished: fc.boolean(),
  })
  const nodeWrite = fc.record({ node: fc.constantFrom('n0', 'n1'), cpu: fc.constantFrom('1', '2'), gone: fc.boolean() })

  /** What a walk over every object finds: the reference for the kept tallies. */
  const walked = (state: ClusterState): string[] => {
    const found: string[] = []
    const seen = new Map<string, string>()
    const used = new Map<string, number>()
    state.objects.kinds.forEach((objects) =>
      objects.forEach((o) => {
        const uid = o.metadata.uid
        const name = `${o.kind} ${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name}`
        if (uid === undefined || uid === '') found.push(`uid missing: ${name}`)
        else if (seen.has(uid)) found.push(`uid shared: ${name}`)
        else seen.set(uid, name)
        const spec = o['spec'] as { nodeName?: string; containers?: Array<{ resources?: { requests?: { cpu?: string } } }> } | undefined
        const phase = (o['status'] as { phase?: string } | undefined)?.phase
        if (o.kind === 'Pod' && spec?.nodeName !== undefined && phase !== 'Succeeded' && phase !== 'Failed')
          used.set(spec.nodeName, (used.get(spec.nodeName) ?? 0) + Number.parseInt(spec.containers?.[0]?.resources?.requests?.cpu ?? '0', 10))
      }),
    )
    for (const node of state.objects.kinds.get('Node')?.values() ?? []) {
      const limit = Number(((node['status'] as { allocatable?: { cpu?: string } }).allocatable?.cpu ?? '0')) * 1000
      if ((used.get(node.metadata.name) ?? 0) > limit) found.push(`over: ${node.metadata.name}`)
    }
    return found.sort()
  }
  const reported = (state: ClusterState): string[] =>
    checkInvariants(state, undefined, CORE_INVARIANTS.filter((i) => i.name === 'I2 unique uids' || i.name === 'I10 node capacity'))
      .map((v) => (v.invariant === 'I10 node capacity' ? `over: ${v.object.replace('Node ', '')}` : v.actual === 'none' ? `uid missing: ${v.object}` : `uid shared: ${v.object}`))
      .sort()

  it('report exactly what a walk over every object finds, after every write', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(write, write, write, nodeWrite), { minLength: 5, maxLength: 40 }), (writes) => {
        let state = createCluster({ nodes: [{ name: 'n0', capacity: { cpu: '2' } }, { name: 'n1', capacity: { cpu: '2' } }] })
        const base = state.objects.kinds.get('Node')?.get('n0')
        if (base === undefined) return
        for (const w of writes) {
          let objects = state.objects
          if ('gone' in w) {
            const node = { ...base, metadata: { ...base.metadata, name: w.node, uid: `node-${w.node}` }, status: { ...(base['status'] as object), allocatable: { cpu: w.cpu, pods: '110' } } }
            objects = w.gone ? deleteObject(objects, { kind: 'Node', name: w.node }) : putObject(objects, node)
          } else if (w.remove) objects = deleteObject(objects, { kind: 'Pod', namespace: 'default', name: w.name })
          else {
            const p = pod(w.name, `${w.millis}m`, w.node === undefined ? {} : { nodeName: w.node })
            objects = putObject(objects, { ...p, metadata: { ...p.metadata, uid: w.uid }, ...(w.finished ? { status: { phase: 'Succeeded' } } : {}) })
          }
          state = { ...state, objects }
          expect(reported(state)).toEqual(walked(state))
        }
      }),
    )
  })
})
