import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { type Action, addNode, advance, applyManifests, type ClusterState, createCluster, daemonSetController, type KubeObject, list, step } from '../../src/index.js'
import { createFaultDriver, driverAdvance, injectFault } from '../../src/testing/index.js'
import { right } from '../helpers.js'

const T0 = Date.UTC(2025, 0, 1)
const FIVE_MINUTES = 5 * 60 * 1000

const agent: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'agent:1' }] } } },
}

const dsPods = (s: ClusterState): KubeObject[] => list(s, 'Pod', { namespace: 'default', labelSelector: 'app=agent' }) as KubeObject[]
const podCreates = (actions: ReadonlyArray<Action>): number => actions.filter((a) => a.type === 'create' && a.object.kind === 'Pod').length
const targetNode = (p: KubeObject): string | undefined => {
  const spec = p['spec'] as { nodeName?: string; affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { values?: string[] }[] }[] } } } }
  return spec.nodeName ?? spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0]
}

describe('DaemonSet expectations', () => {
  it('a stale view of its own creates makes it wait, not create a second pod per node', () => {
    const before = right(applyManifests(createCluster({ now: T0, nodes: 3, seed: 1 }), [agent]))
    const after = step(before).state
    expect(dsPods(after)).toHaveLength(3)
    // The informer lags: the controller sees the objects from before its creates, with its memory.
    const stale: ClusterState = { ...after, objects: before.objects }
    expect(podCreates(daemonSetController.reconcile(stale))).toBe(0)
    // That memory is what stops it: after a restart (memory lost) the same view creates 3 again.
    expect(podCreates(daemonSetController.reconcile({ ...stale, memory: stale.memory.delete(daemonSetController.name) }))).toBe(3)
    // Once it observes the pods, the expectations are fulfilled and forgotten.
    const observed = daemonSetController.reconcile(after)
    expect(podCreates(observed)).toBe(0)
    expect(observed.filter((a) => a.type === 'remember')).toEqual([{ type: 'remember', by: daemonSetController.name, value: {} }])
  })

  it('a lost create is retried when the expectations expire, 5 minutes later, at a wakeup', () => {
    let s = right(advance(right(applyManifests(createCluster({ now: T0, nodes: 2, seed: 1 }), [agent])), '10s'))
    s = right(addNode(s, { name: 'node-3' }))
    const lostAt = s.now
    // The create for the new node is refused; the controller is never told, so it waits.
    let d = injectFault(createFaultDriver(s), { type: 'writeFailures', controller: daemonSetController.name, count: 1, reason: 'InternalError' })
    d = right(driverAdvance(d, 60_000))
    expect(dsPods(d.state).filter((p) => targetNode(p) === 'node-3')).toEqual([])
    expect(daemonSetController.nextWakeup(d.state)).toEqual(O.some(lostAt + FIVE_MINUTES))
    d = right(driverAdvance(d, FIVE_MINUTES))
    const retried = dsPods(d.state).filter((p) => targetNode(p) === 'node-3')
    expect(retried).toHaveLength(1)
    expect(Date.parse(retried[0]?.metadata.creationTimestamp ?? '')).toBe(lostAt + FIVE_MINUTES)
    expect(dsPods(d.state)).toHaveLength(3)
  })

  it('without satisfied expectations it writes status but does not raise observedGeneration', () => {
    const before = right(applyManifests(createCluster({ now: T0, nodes: 2, seed: 1 }), [agent]))
    const after = step(before).state
    const stale: ClusterState = { ...after, objects: before.objects }
    const statusOf = (actions: ReadonlyArray<Action>) => actions.flatMap((a) => (a.type === 'updateStatus' ? [a.object['status'] as Record<string, unknown>] : []))
    // The first pass acted on generation 1 and says so.
    expect(statusOf(daemonSetController.reconcile(before))).toMatchObject([{ observedGeneration: 1, desiredNumberScheduled: 2 }])
    // The stale pass counts what it sees but did not act on the generation.
    const waiting = statusOf(daemonSetController.reconcile(stale))
    expect(waiting).toMatchObject([{ desiredNumberScheduled: 2, currentNumberScheduled: 0 }])
    expect(waiting[0]).not.toHaveProperty('observedGeneration')
  })
})
