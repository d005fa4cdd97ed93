import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, list, tryCreateCluster } from '../../src/index.js'
import { rebuildStore } from '../../src/store/objectStore.js'
import { right } from '../helpers.js'

const T0 = '2025-01-01T00:00:00Z'
const pod = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', annotations },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
})
const eventNames = (s: ClusterState) => list(s, 'Event', { namespace: 'default' }).map((e) => `${String(e['reason'])}:${String((e['involvedObject'] as { name: string }).name)}`)

describe('event TTL', () => {
  it('deletes Events an hour after their last write, at the next whole minute', () => {
    const s = right(applyManifests(createCluster({ nodes: 1, now: T0 }), [pod('web')]))
    // Scheduled at 0 s expires at 1:00:00; Pulled/Created/Started at 1 s expire at 1:00:01 and
    // are collected with the next minute's lease, at 1:01:00.
    expect(eventNames(right(advance(s, '59m59s'))).length).toBe(4)
    expect(eventNames(right(advance(s, '60m'))).sort()).toEqual(['Created:web', 'Pulled:web', 'Started:web'])
    expect(eventNames(right(advance(s, '60m30s'))).length).toBe(3)
    expect(eventNames(right(advance(s, '61m')))).toEqual([])
  })

  it('collects an Event that expired earlier in the current minute at the end of that minute', () => {
    // web's events are written at 0 s and 1 s, late's at 1m30s and 1m31s; TTL 10 minutes.
    const s = right(applyManifests(createCluster({ nodes: 1, now: T0, eventTtl: '10m' }), [pod('web')]))
    const late = right(applyManifests(right(advance(s, '1m30s')), [pod('late')]))
    // Stopped mid-minute, after web's 1 s events expired (10:01) but before their lease ends.
    const midMinute = right(advance(late, '8m50s'))
    expect(eventNames(midMinute).filter((n) => n.endsWith(':web')).sort()).toEqual(['Created:web', 'Pulled:web', 'Started:web'])
    // Their lease ends at 11:00, before late's events expire (11:30).
    const afterLease = right(advance(midMinute, '50s'))
    expect(eventNames(afterLease).filter((n) => n.endsWith(':web'))).toEqual([])
    expect(eventNames(afterLease).filter((n) => n.endsWith(':late')).length).toBe(4)
  })

  it('keeps an Event that is written again alive for another TTL', () => {
    // A container that crashes every 20 minutes keeps writing its BackOff/Started events.
    const s = right(applyManifests(createCluster({ nodes: 1, now: T0, eventTtl: '30m' }), [pod('crashy', { 'kubesim.dev/crash-after': '20m' })]))
    const later = right(advance(s, '2h'))
    const names = eventNames(later)
    expect(names).toContain('Started:crashy')
    expect(names).not.toContain('Scheduled:crashy')
  })

  it('keeps Events forever with a TTL of 0, and rejects a bad TTL', () => {
    const s = right(applyManifests(createCluster({ nodes: 1, now: T0, eventTtl: 0 }), [pod('web')]))
    expect(eventNames(right(advance(s, '3h'))).length).toBe(4)
    const bad = tryCreateCluster({ eventTtl: 'soon' })
    expect(E.isLeft(bad) && bad.left.message).toMatch(/^eventTtl: invalid duration "soon"/)
  })

  it('keeps the event queue bounded by the writes of one TTL, and rebuilds it in time order', () => {
    const s = right(applyManifests(createCluster({ nodes: 2, now: T0, eventTtl: '10m' }), [pod('a'), pod('b', { 'kubesim.dev/crash-after': '3m' })]))
    const at2h = right(advance(s, '2h'))
    const later = right(advance(at2h, '6h'))
    expect(later.objects.eventQueue.size).toBeLessThanOrEqual(at2h.objects.eventQueue.size + 5)
    const times = rebuildStore(later.objects).eventQueue.map((e) => e[1]).toArray()
    expect(times).toEqual([...times].sort((a, b) => a - b))
  })
})
