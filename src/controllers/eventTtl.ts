/**
 * Event expiry, as the API server stores Events with a time-to-live (`--event-ttl`, 1 hour by
 * default): an Event disappears once that long has passed since it was last written. Expiry is
 * batched to the minute, as the API server shares one etcd lease among the Events written in
 * the same minute, so a long run wakes up once a minute at most for it.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { refOf } from '../objects/object.js'
import { expiredEvents } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

const NAME = 'event-ttl'
const MINUTE = 60_000

/** The next whole minute at or after `t`. */
const ceilMinute = (t: number): number => Math.ceil(t / MINUTE) * MINUTE

/**
 * Deletes Events whose time-to-live (`ClusterConfig.eventTtlMs`) has run out; it wakes up at the
 * whole minute after the oldest Event's expiry. A TTL of 0 keeps Events forever.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, list } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
 * const s = applyManifests(createCluster({ nodes: 1, eventTtl: '10m' }), [pod])
 * const events = (t: string) => { const r = E.isRight(s) ? advance(s.right, t) : s; return E.isRight(r) ? list(r.right, 'Event', { namespace: 'default' }).length : -1 }
 * expect(events('5m')).toBeGreaterThan(0)
 * expect(events('11m')).toBe(0)
 * ```
 */
export const eventTtlController: Controller = {
  name: NAME,
  watches: ['Event'],
  reconcile: (state: ClusterState): ReadonlyArray<Action> => {
    const ttl = state.config.eventTtlMs
    if (!(ttl > 0)) return []
    // A lease ends on a whole minute: what expires within a minute goes at its end.
    const { expired } = expiredEvents(state.objects, Math.floor(state.now / MINUTE) * MINUTE, ttl)
    return expired.map((event): Action => ({ type: 'delete', by: NAME, ref: refOf(event), gracePeriodSeconds: 0 }))
  },
  nextWakeup: (state) => {
    const ttl = state.config.eventTtlMs
    if (!(ttl > 0)) return O.none
    // Events that expired since the minute began go when the minute ends, with the rest of
    // their lease: the next expiry counts from the minute's start, not from now (which also
    // keeps this from walking every Event written in the last minute).
    const { next } = expiredEvents(state.objects, Math.floor(state.now / MINUTE) * MINUTE, ttl)
    return next === undefined ? O.none : O.some(Math.max(ceilMinute(next), state.now + 1))
  },
}
