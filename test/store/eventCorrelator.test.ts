import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { EventRecord } from '../../src/controllers/controller.js'
import { applyAction, createCluster, type ClusterState, type KubeObject } from '../../src/index.js'
import {
  AGGREGATE_INTERVAL_MS,
  COMBINED_PREFIX,
  correlateEvent,
  eventName,
  type RecorderCaches,
  recorderMemoryKey,
  SPAM_BURST,
  SPAM_REFILL_MS,
} from '../../src/store/eventCorrelator.js'
import { formatTimestamp } from '../../src/sim/clock.js'
import { getObject } from '../../src/store/objectStore.js'
import { longRuns } from '../helpers.js'


const event = (object: string, reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): EventRecord => ({
  involvedObject: { kind: 'Deployment', namespace: 'default', name: object, uid: `uid-${object}` },
  type,
  reason,
  message,
})

/** Feeds events to one recorder at the given times; returns what each became (its message, or `dropped`). */
const feed = (inputs: ReadonlyArray<readonly [EventRecord, number]>): string[] => {
  let caches: RecorderCaches | undefined
  return inputs.map(([e, now]) => {
    const c = correlateEvent(caches, e, now)
    caches = c.caches
    return c.dropped ? 'dropped' : c.event.message
  })
}

/**
 * client-go's EventCorrelator written out as plainly as events_cache.go has it: mutable maps, a
 * token count that refills (kept in ms-tokens so that it stays exact), a logger counting every
 * observation by key. The one rule added is kubesim's documented one: a full bucket forgets the
 * repeats it dropped (see `correlateEvent`).
 */
class ReferenceCorrelator {
  private readonly similar = new Map<string, { localKeys: string[]; last: number }>()
  private readonly logger = new Map<string, number>()
  private readonly spam = new Map<string, { tokens: number; last: number }>()
  private readonly unwrittenSince = new Map<string, Map<string, number>>()

  observe(e: EventRecord, now: number): { readonly dropped: boolean; readonly message: string; readonly key: string; readonly count: number } {
    const o = e.involvedObject
    const spamKey = [o.kind, o.namespace, o.name, o.uid].join('|')
    const aggregateKey = [spamKey, e.type, e.reason].join('|')
    const eventKey = [aggregateKey, e.message].join('|')
    let record = this.similar.get(aggregateKey)
    if (record === undefined || now - record.last > AGGREGATE_INTERVAL_MS) record = { localKeys: [], last: 0 }
    if (!record.localKeys.includes(e.message)) record.localKeys.push(e.message)
    record.last = now
    this.similar.set(aggregateKey, record)
    let key = eventKey
    let message = e.message
    if (record.localKeys.length >= 10) {
      record.localKeys.shift()
      key = aggregateKey + '|combined'
      message = COMBINED_PREFIX + e.message
    }
    const scale = SPAM_REFILL_MS
    const bucket = this.spam.get(spamKey) ?? { tokens: SPAM_BURST * scale, last: now }
    bucket.tokens = Math.min(SPAM_BURST * scale, bucket.tokens + (now - bucket.last))
    bucket.last = now
    this.spam.set(spamKey, bucket)
    // A full bucket is a fresh one: its dropped repeats are forgotten (kubesim's rule).
    if (bucket.tokens === SPAM_BURST * scale) {
      for (const [k, n] of this.unwrittenSince.get(spamKey) ?? []) this.logger.set(k, (this.logger.get(k) ?? 0) - n)
      this.unwrittenSince.delete(spamKey)
    }
    const count = (this.logger.get(key) ?? 0) + 1
    this.logger.set(key, count)
    if (bucket.tokens < scale) {
      const unwritten = this.unwrittenSince.get(spamKey) ?? new Map<string, number>()
      unwritten.set(key, (unwritten.get(key) ?? 0) + 1)
      this.unwrittenSince.set(spamKey, unwritten)
      return { dropped: true, message, key, count }
    }
    bucket.tokens -= scale
    this.unwrittenSince.get(spamKey)?.delete(key)
    return { dropped: false, message, key, count }
  }
}

const recordAt = (state: ClusterState, e: EventRecord, now: number, by = 'deployment-controller'): ClusterState => {
  const result = applyAction({ ...state, now }, { type: 'event', event: e, by })
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
  return result.right.state
}

const storedEvent = (state: ClusterState, e: EventRecord, combined: boolean): KubeObject | undefined =>
  getObject(state.objects, { kind: 'Event', namespace: 'default', name: eventName(e, combined) })

describe('correlateEvent', () => {
  it('lets a source send 25 Events about one object at once, then one every 5 minutes', () => {
    const burst = Array.from({ length: 30 }, (_, i) => [event('web', `Reason${i}`, 'm'), 0] as const)
    const out = feed([...burst, [event('web', 'Late', 'm'), SPAM_REFILL_MS - 1], [event('web', 'Late', 'm'), SPAM_REFILL_MS], [event('web', 'Later', 'm'), SPAM_REFILL_MS + 1]])
    expect(out.slice(0, SPAM_BURST)).toEqual(Array(SPAM_BURST).fill('m'))
    expect(out.slice(SPAM_BURST, 30)).toEqual(Array(5).fill('dropped'))
    // One token earned back after exactly 300 s, and spent.
    expect(out.slice(30)).toEqual(['dropped', 'm', 'dropped'])
  })

  it('keeps one bucket per object: another object has its own burst', () => {
    const out = feed([...Array.from({ length: 26 }, (_, i) => [event('a', `R${i}`, 'm'), 0] as const), [event('b', 'R', 'm'), 0]])
    expect(out.at(-2)).toBe('dropped')
    expect(out.at(-1)).toBe('m')
  })

  it('combines the 10th and later of similar Events (same reason, other messages) into one', () => {
    const inputs = Array.from({ length: 12 }, (_, i) => [event('web', 'ScalingReplicaSet', `Scaled to ${i + 1}`), i * 1000] as const)
    const out = feed(inputs)
    expect(out.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, i) => `Scaled to ${i + 1}`))
    expect(out.slice(9)).toEqual([10, 11, 12].map((i) => `${COMBINED_PREFIX}Scaled to ${i}`))
    // Another reason or type is another set.
    expect(feed([...inputs, [event('web', 'Other', 'Scaled to 99'), 20_000]]).at(-1)).toBe('Scaled to 99')
  })

  it('starts a new set of similar Events after a gap over 10 minutes, not at exactly 10', () => {
    const at = (gap: number) => Array.from({ length: 10 }, (_, i) => [event('web', 'R', `m${i}`), i * gap] as const)
    expect(feed(at(AGGREGATE_INTERVAL_MS)).at(-1)).toBe(`${COMBINED_PREFIX}m9`)
    expect(feed(at(AGGREGATE_INTERVAL_MS + 1)).at(-1)).toBe('m9')
  })

  it('lets the first message seen leave a full set of similar Events', () => {
    // client-go's PopAny leaves it to chance; kubesim takes the first message seen, so m0 is new again.
    const inputs = Array.from({ length: 10 }, (_, i) => [event('web', 'R', `m${i}`), 0] as const)
    expect(feed([...inputs, [event('web', 'R', 'm0'), 0]]).at(-1)).toBe(`${COMBINED_PREFIX}m0`)
    expect(feed([...inputs, [event('web', 'R', 'm5'), 0]]).at(-1)).toBe('m5')
  })

  it('keeps what can still change an outcome when it sweeps its caches', () => {
    // 'busy' spends its burst and 9 messages of a set at 0; 300 other objects make the caches sweep.
    const start = Array.from({ length: SPAM_BURST }, (_, i) => [event('busy', 'R', `m${i % 9}`), 0] as const)
    const crowd = (now: number) => Array.from({ length: 300 }, (_, i) => [event(`other${i}`, 'R', 'm'), now] as const)
    // Just short of full again: 24 tokens and a fraction, so the 25th Event of a burst is dropped.
    const nearlyFull = SPAM_BURST * SPAM_REFILL_MS - 500
    const burst = Array.from({ length: SPAM_BURST }, (_, i) => [event('busy', `B${i}`, 'm'), nearlyFull] as const)
    expect(feed([...start, ...crowd(nearlyFull), ...burst]).slice(-2)).toEqual(['m', 'dropped'])
    // A set 599 s old is still open: the 10th distinct message is combined.
    const open = AGGREGATE_INTERVAL_MS - 1000
    const set = Array.from({ length: 9 }, (_, i) => [event('busy', 'R', `m${i}`), 0] as const)
    expect(feed([...set, ...crowd(open), [event('busy', 'R', 'm9'), open]]).at(-1)).toBe(`${COMBINED_PREFIX}m9`)
    // A full bucket with an open set is kept too: 9 messages 300 s apart leave the bucket full at
    // 2,700 s and the set open until 3,000 s.
    const spaced = Array.from({ length: 9 }, (_, i) => [event('busy', 'R', `m${i}`), i * SPAM_REFILL_MS] as const)
    const later = 9 * SPAM_REFILL_MS + 100_000
    expect(feed([...spaced, ...crowd(later), [event('busy', 'R', 'm9'), later]]).at(-1)).toBe(`${COMBINED_PREFIX}m9`)
  })

  it('names every combined Event of a set alike, apart from plain Events with the same message', () => {
    const e = event('web', 'R', 'x')
    expect(eventName(e, true)).toBe(eventName({ ...e, message: 'y' }, true))
    expect(eventName(e, true)).not.toBe(eventName(e, false))
    expect(eventName(e, false)).not.toBe(eventName({ ...e, message: 'y' }, false))
    expect(eventName(e, false)).toMatch(/^web\.[0-9a-f]{16}$/)
  })

  it('counts the repeats it dropped into the next written copy of the same Event', () => {
    const e = event('web', 'BackOff', 'Back-off restarting failed container')
    let s = createCluster()
    for (let i = 0; i < 30; i++) s = recordAt(s, e, 0)
    expect(storedEvent(s, e, false)?.['count']).toBe(SPAM_BURST)
    s = recordAt(s, e, SPAM_REFILL_MS)
    expect(storedEvent(s, e, false)?.['count']).toBe(31)
    // A dropped Event writes nothing, and a restart of its recorder forgets the caches.
    const dropped = applyAction({ ...s, now: SPAM_REFILL_MS }, { type: 'event', event: e, by: 'deployment-controller' })
    expect(E.isRight(dropped) && dropped.right.outcome).toBe('dropped')
    expect(E.isRight(dropped) && dropped.right.state.objects).toBe(s.objects)
  })

  it('does not correlate Events recorded through events.k8s.io (kube-scheduler)', () => {
    const e = event('web', 'Scheduled', 'assigned')
    let s = createCluster()
    for (let i = 0; i < 40; i++) {
      const r = applyAction({ ...s, now: 0 }, { type: 'event', event: e, by: 'default-scheduler', viaEventsApi: true })
      if (E.isLeft(r)) throw new Error('refused')
      s = r.right.state
    }
    expect(storedEvent(s, e, false)?.['count']).toBe(40)
    expect(s.memory.has(recorderMemoryKey('default-scheduler'))).toBe(false)
  })

  it('matches client-go written plainly, Event by Event, in what it writes, drops, combines and counts, across its sweeps', () => {
    const anEvent = fc.record({
      // A few busy objects, and enough others that the caches outgrow a sweep.
      object: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'b', 'c') }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 299 }).map((i) => `o${i}`) }),
      reason: fc.constantFrom('R1', 'R2'),
      message: fc.integer({ min: 0, max: 11 }).map((i) => `m${i}`),
      type: fc.constantFrom<'Normal' | 'Warning'>('Normal', 'Warning'),
      // Mostly bursts, sometimes a gap long enough to refill a token, end a set or fill a bucket.
      gap: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 * AGGREGATE_INTERVAL_MS }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 * SPAM_REFILL_MS }) }),
    })
    fc.assert(
      fc.property(fc.array(anEvent, { minLength: 1, maxLength: 600 }), (inputs) => {
        const reference = new ReferenceCorrelator()
        let s = createCluster()
        let now = 0
        for (const input of inputs) {
          now += input.gap
          const e = event(input.object, input.reason, input.message, input.type)
          const expected = reference.observe(e, now)
          const before = s
          s = recordAt(s, e, now)
          if (expected.dropped) {
            expect(s.objects).toBe(before.objects)
            continue
          }
          const combined = expected.message !== e.message
          const stored = storedEvent(s, e, combined)
          expect(stored?.['message']).toBe(expected.message)
          expect(stored?.['count']).toBe(expected.count)
          expect(stored?.['lastTimestamp']).toBe(formatTimestamp(now))
        }
      }),
      { numRuns: longRuns(150) },
    )
  })
})
