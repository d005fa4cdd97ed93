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
