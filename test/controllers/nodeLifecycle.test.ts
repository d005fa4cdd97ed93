import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  applyAction,
  applyManifests,
  type ClusterState,
  cordon,
  createCluster,
  deleteNode,
  drain,
  failNode,
  get,
  type KubeObject,
  type Action,
  recoverNode,
  uncordon,
} from '../../src/index.js'
import { right } from '../helpers.js'
import { orphanedPodActions } from '../../src/controllers/nodeLifecycle.js'
import { deleteObject, putObject } from '../../src/store/objectStore.js'

type Cond = { type: string; status: string }
const node = (s: ClusterState, name: string): KubeObject => {
  const n = get(s, 'Node', undefined, name)
  if (O.isNone(n)) return expect.fail(`no node ${name}`)
  return n.value
}
const ready = (s: ClusterState, name: string) => ((node(s, name)['status'] as { conditions: Cond[] }).conditions.find((c) => c.type === 'Ready')?.status)
const taints = (s: ClusterState, name: string) =>
  ((node(s, name)['spec'] as { taints?: { key: string; effect: string }[] }).taints ?? []).map((t) => `${t.key}:${t.effect}`)
const pod = (s: ClusterState, name: string) => {
  const p = get(s, 'Pod', 'default', name)
  return O.isSome(p) ? p.value : undefined
}

const boundPod = (name: string, nodeName: string, tolerations?: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }], ...(tolerations === undefined ? {} : { tolerations }) },
})

const T0 = Date.UTC(2025, 0, 1)

describe('node lifecycle', () => {
  it('a failed node turns Unknown after exactly 50 s and gets the unreachable taints', () => {
    const s = right(failNode(createCluster({ nodes: 3, now: T0 }), 'node-1'))
    const at49 = right(advance(s, '49s'))
    expect(ready(at49, 'node-1')).toBe('True')
    const at50 = right(advance(s, '50s'))
    expect(ready(at50, 'node-1')).toBe('Unknown')
    expect(taints(at50, 'node-1')).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute'])
    expect(ready(at50, 'node-2')).toBe('True')
  })

  it('admission gives pods the default 300 s tolerations, so they are evicted 300 s after the NoExecute taint', () => {
    let s = createCluster({ nodes: 3, now: T0 })
    s = right(applyManifests(s, [boundPod('web', 'node-1')]))
    const tolerations = (pod(s, 'web')?.['spec'] as { tolerations: unknown[] }).tolerations
    expect(tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ])
    s = right(failNode(s, 'node-1'))
    const before = right(advance(s, `${50 + 299}s`))
    expect(pod(before, 'web')?.metadata.deletionTimestamp).toBeUndefined()
    const after = right(advance(s, `${50 + 300}s`))
    expect(pod(after, 'web')?.metadata.deletionTimestamp).toBeDefined()
  })

  it('honours a shorter tolerationSeconds and evicts untolerating pods of a user NoExecute taint at once', () => {
    let s = createCluster({ nodes: 3, now: T0 })
    s = right(
      applyManifests(s, [
        boundPod('short', 'node-1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]),
        boundPod('victim', 'node-2'),
        boundPod('tolerant', 'node-2', [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute' }]),
      ]),
    )
    const failed = right(advance(right(failNode(s, 'node-1')), '110s'))
    expect(pod(failed, 'short')?.metadata.deletionTimestamp).toBeDefined()
    const n2 = node(s, 'node-2')
    const tainted = right(applyAction(s, { type: 'update', by: 'user', object: { ...n2, spec: { ...(n2['spec'] as object), taints: [{ key: 'maintenance', effect: 'NoExecute' }] } } })).state
    const settled = right(advance(tainted, '1s'))
    // Evicted at once; its containers exit on SIGTERM, so the kubelet has already removed it.
    expect(pod(settled, 'victim')).toBeUndefined()
    expect(pod(settled, 'tolerant')?.metadata.deletionTimestamp).toBeUndefined()
  })

  it('marks pods on an unreachable node not ready', () => {
    let s = createCluster({ nodes: 2, now: T0 })
    s = right(applyManifests(s, [boundPod('web', 'node-1')]))
    const p = pod(s, 'web') as KubeObject
    s = right(applyAction(s, { type: 'updateStatus', by: 'kubelet', object: { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } })).state
    const later = right(advance(right(failNode(s, 'node-1')), '50s'))
    expect((pod(later, 'web')?.['status'] as { conditions: Cond[] }).conditions.find((c) => c.type === 'Ready')?.status).toBe('False')
  })

  it('recovery makes the node Ready and removes the taints', () => {
    const down = right(advance(right(failNode(createCluster({ nodes: 3, now: T0 }), 'node-1')), '2m'))
    const up = right(advance(right(recoverNode(down, 'node-1')), '1s'))
    expect(ready(up, 'node-1')).toBe('True')
    expect(taints(up, 'node-1')).toEqual([])
  })

  it('rate-limits NoExecute taints to one node per 10 s in a healthy zone', () => {
    let s = createCluster({ nodes: 10, now: T0 })
    s = right(failNode(s, 'node-1'))
    s = right(failNode(s, 'node-2'))
    const at50 = right(advance(s, '50s'))
    const noExecute = (x: ClusterState) => ['node-1', 'node-2'].filter((n) => taints(x, n).includes('node.kubernetes.io/unreachable:NoExecute')).length
    expect(noExecute(at50)).toBe(1)
    expect(noExecute(right(advance(s, '59s')))).toBe(1)
    expect(noExecute(right(advance(s, '60s')))).toBe(2)
  })

  it('stops NoExecute tainting when every zone is fully disrupted', () => {
    let s = createCluster({ nodes: 2, now: T0 })
    s = right(failNode(s, 'node-1'))
    s = right(failNode(s, 'node-2'))
    const later = right(advance(s, '10m'))
    expect(taints(later, 'node-1')).toEqual(['node.kubernetes.io/unreachable:NoSchedule'])
    expect(taints(later, 'node-2')).toEqual(['node.kubernetes.io/unreachable:NoSchedule'])
  })

  it('cordon adds the unschedulable taint, uncordon removes it', () => {
    const cordoned = right(advance(right(cordon(createCluster({ nodes: 1, now: T0 }), 'node-1')), '1s'))
    expect(taints(cordoned, 'node-1')).toEqual(['node.kubernetes.io/unschedulable:NoSchedule'])
    const back = right(advance(right(uncordon(cordoned, 'node-1')), '1s'))
    expect(taints(back, 'node-1')).toEqual([])
  })

  it('drain evicts pods but not DaemonSet pods; deleting a node deletes its pods', () => {
    let s = createCluster({ nodes: 2, now: T0 })
    s = right(
      applyManifests(s, [
        boundPod('app', 'node-1'),
        { ...boundPod('agent', 'node-1'), metadata: { name: 'agent', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'ds-uid', controller: true }] } },
        boundPod('other', 'node-2'),
      ]),
    )
    const drained = right(drain(s, 'node-1'))
    expect(pod(drained, 'app')?.metadata.deletionTimestamp).toBeDefined()
    expect(pod(drained, 'agent')?.metadata.deletionTimestamp).toBeUndefined()
    const gone = right(advance(right(deleteNode(s, 'node-2')), '1s'))
    expect(pod(gone, 'other')).toBeUndefined()
  })

  it('nodes get a pod CIDR, an InternalIP and a heartbeat Lease', () => {
    const s = createCluster({ nodes: 3 })
    expect((node(s, 'node-3')['spec'] as { podCIDR: string }).podCIDR).toBe('10.244.2.0/24')
    expect((node(s, 'node-1')['status'] as { addresses: { type: string; address: string }[] }).addresses[0]).toEqual({ type: 'InternalIP', address: '172.18.0.2' })
    expect(O.isSome(get(s, 'Lease', 'kube-node-lease', 'node-2'))).toBe(true)
    expect(E.isLeft(failNode(s, 'nope'))).toBe(true)
  })
})

describe('pods on nodes that no longer exist', () => {
  /** Every pod bound to a node name with no Node, found by looking at every node name. */
  const byFullScan = (s: ClusterState): string[] =>
    [...s.objects.podsByNode.keys()]
      .filter((name) => s.objects.kinds.get('Node')?.get(name) === undefined)
      .flatMap((name) => [...(s.objects.podsByNode.get(name) ?? [])])
      .sort()
  const deleted = (actions: ReadonlyArray<Action>): string[] =>
    actions.flatMap((a) => (a.type === 'delete' ? [`${a.ref.namespace ?? ''}/${a.ref.name}`] : [])).sort()

  it('are found after any sequence of node and pod writes, as a scan of every node finds them', () => {
    const op = fc.record({ what: fc.constantFrom('addNode', 'removeNode', 'bind', 'removePod'), node: fc.constantFrom('node-1', 'node-2', 'node-9'), pod: fc.constantFrom('a', 'b', 'c', 'd') })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        let s = createCluster({ nodes: 2 })
        const template = get(s, 'Node', undefined, 'node-1')
        if (O.isNone(template)) return
        for (const o of ops) {
          const objects =
            o.what === 'addNode'
              ? putObject(s.objects, { ...template.value, metadata: { ...template.value.metadata, name: o.node, uid: `uid-${o.node}` } })
              : o.what === 'removeNode'
                ? deleteObject(s.objects, { kind: 'Node', name: o.node })
                : o.what === 'bind'
                  ? putObject(s.objects, { apiVersion: 'v1', kind: 'Pod', metadata: { name: o.pod, namespace: 'default', uid: `uid-${o.pod}` }, spec: { nodeName: o.node, containers: [{ name: 'c', image: 'x' }] } })
                  : deleteObject(s.objects, { kind: 'Pod', namespace: 'default', name: o.pod })
          s = { ...s, objects }
          expect(deleted(orphanedPodActions(s))).toEqual(byFullScan(s))
        }
      }),
    )
  })
})
