import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { applyAction, type ClusterState, createCluster, get, type KubeObject, remove } from '../../src/index.js'
import { nodeUsage } from '../../src/store/objectStore.js'
import { left, right } from '../helpers.js'

const pod = (name: string, cpu = '250m'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu, memory: '64Mi' } } }] },
})

const withPods = (...names: string[]): ClusterState =>
  names.reduce((s, n) => right(applyAction(s, { type: 'create', object: pod(n), by: 'user' })).state, createCluster({ nodes: 2 }))

describe('bind (pods/binding)', () => {
  it('sets nodeName and PodScheduled=True in one write, and counts the pod on the node', () => {
    const s = withPods('a')
    const bound = right(applyAction(s, { type: 'bind', ref: { kind: 'Pod', namespace: 'default', name: 'a' }, nodeName: 'node-1', by: 'default-scheduler' }))
    const p = get(bound.state, 'Pod', 'default', 'a')
    expect(O.isSome(p) && (p.value['spec'] as { nodeName: string }).nodeName).toBe('node-1')
    expect(O.isSome(p) && (p.value['status'] as { conditions: unknown[] }).conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    )
    expect(bound.state.revision).toBe(s.revision + 1)
    expect(nodeUsage(bound.state.objects, 'node-1')).toEqual({ cpu: 250, memory: 64 * 1024 * 1024, pods: 1 })
    expect(nodeUsage(bound.state.objects, 'node-2')).toEqual({})
  })

  it('refuses to bind a pod twice', () => {
    const s = withPods('a')
    const once = right(applyAction(s, { type: 'bind', ref: { kind: 'Pod', namespace: 'default', name: 'a' }, nodeName: 'node-1', by: 'x' })).state
    const err = left(applyAction(once, { type: 'bind', ref: { kind: 'Pod', namespace: 'default', name: 'a' }, nodeName: 'node-2', by: 'x' }))
    expect(err.message).toBe('Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "node-1"')
  })

  it('releases node usage when the pod finishes or is removed', () => {
    let s = withPods('a', 'b')
    for (const n of ['a', 'b']) s = right(applyAction(s, { type: 'bind', ref: { kind: 'Pod', namespace: 'default', name: n }, nodeName: 'node-1', by: 'x' })).state
    expect(nodeUsage(s.objects, 'node-1')['pods']).toBe(2)
    const a = get(s, 'Pod', 'default', 'a')
    if (O.isNone(a)) return expect.fail('missing pod')
    s = right(applyAction(s, { type: 'updateStatus', object: { ...a.value, status: { phase: 'Succeeded' } }, by: 'kubelet' })).state
    expect(nodeUsage(s.objects, 'node-1')).toMatchObject({ pods: 1, cpu: 250 })
    s = right(remove(s, { kind: 'Pod', namespace: 'default', name: 'b' }, { gracePeriodSeconds: 0 }))
    expect(nodeUsage(s.objects, 'node-1')).toMatchObject({ pods: 0, cpu: 0 })
  })
})
