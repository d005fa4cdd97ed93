/**
 * client-go's EventCorrelator, which every component recording core/v1 Events runs before an
 * Event reaches the API server (k8s.io/client-go/tools/record, events_cache.go):
 *
 * - **aggregation**: when 10 Events that differ only in their message come from one source
 *   about one object with no gap over 10 minutes, the 10th and later are replaced by one Event
 *   whose message is `(combined from similar events): <message>`, counted up on each repeat;
 * - **spam filtering**: a source may send 25 Events about one object, then one every 5 minutes
 *   (a token bucket per source and object); the others are dropped, never written. Dropped
 *   repeats are still counted: the next written copy of the same Event carries them, unless the
 *   object's bucket has filled up again first (7,500 s without an Event about it written).
 *
 * Each recorder's caches are part of the cluster state (see `recorderMemoryKey`), so the
 * correlation is as deterministic as the rest of the simulation. Where client-go leaves a
 * choice to chance (which message leaves a full set of similar ones: Go's `PopAny`), this takes
 * the one seen first.
 *
 * Not modelled: client-go's caches are LRU lists of 4,096 entries per recorder; here an entry
 * lives until it can no longer change an outcome (a full bucket, a set of similar Events older
 * than 10 minutes), so a recorder with over 4,096 recently active objects drops somewhat more
 * than client-go would. kube-scheduler records through events.k8s.io/v1, which has no spam
 * filter, and is not correlated.
 *
 * @internal
 * @module
 */
import { Map as IMap } from 'immutable'
import type { EventRecord } from '../controllers/controller.js'

/** Events a source may send about one object at once (client-go's `defaultSpamBurst`). */
export const SPAM_BURST = 25
/** How long the spam filter's bucket takes to earn one Event back (`defaultSpamQPS`, 1/300 s). */
export const SPAM_REFILL_MS = 300_000
/** Distinct messages of similar Events that make the next ones combined (`defaultAggregateMaxEvents`). */
export const AGGREGATE_MAX_EVENTS = 10
/** The gap after which similar Events start a new set (`defaultAggregateIntervalInSeconds`). */
export const AGGREGATE_INTERVAL_MS = 600_000
/** The prefix of a combined Event's message (`EventAggregatorByReasonMessageFunc`). */
export const COMBINED_PREFIX = '(combined from similar events): '

/** The distinct messages of similar Events (same source, object, type and reason), in the order first seen. */
interface Similar {
  readonly type: string
  readonly reason: string
  readonly messages: ReadonlyArray<string>
  readonly last: number
}

/** What a recorder remembers of one object: its token bucket, dropped repeats and sets of similar Events. */
interface Remembered {
  /** When the bucket is full again: until then it holds `SPAM_BURST - (fullAt - now) / SPAM_REFILL_MS` tokens. */
  readonly fullAt: number
  /** Event name -> repeats dropped since the last written copy. */
  readonly dropped: Readonly<Record<string, number>> | undefined
  /** The open sets of similar Events, one per type and reason. */
  readonly similar: ReadonlyArray<Similar>
}

/** One recorder's correlation caches. */
export interface RecorderCaches {
  /** The involved object (client-go's spam key) -> what is remembered of it. */
  readonly objects: IMap<string, Remembered>
  /** Entries at which the next write sweeps out those that no longer change an outcome. */
  readonly sweepAt: number
}

/** What the correlator made of an Event. */
export type Correlated =
  | { readonly dropped: true; readonly caches: RecorderCaches }
  | {
      readonly dropped: false
      readonly caches: RecorderCaches
      /** The Event to write: the one given, or its combined form. */
      readonly event: EventRecord
      /** Its name: the same for every repeat of an Event, and for every combined Event of one set. */
      readonly name: string
      /** Earlier repeats the spam filter dropped, to add to the written Event's count. */
      readonly droppedRepeats: number
    }

const EMPTY: RecorderCaches = { objects: IMap(), sweepAt: 256 }

/**
 * The memory key (see `ClusterState.memory`) under which the recorder of the component `by`
 * keeps its caches: lost with the component's other memory when it restarts.
 */
export const recorderMemoryKey = (by: string): string => `events/${by}`

/**
 * The name of an Event about an object: `<object name>.<hash>`, the hash over the fields that
 * make two Events the same one (client-go's `getEventKey`; for a combined Event, its aggregate
 * key), so a repeat is found and counted up instead of written anew.
 */
export const eventName = (event: EventRecord, combined: boolean): string => {
  const o = event.involvedObject
  // The fields, hashed as they are read instead of joined first; a combined Event leaves its
  // message out (its set shares one Event) and is marked so it never meets a plain one.
  const fields = [o.kind, o.namespace ?? '', o.name, o.uid ?? '', event.type, event.reason, combined ? '\u0000combined' : event.message]
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let f = 0; f < fields.length; f++) {
    if (f > 0) {
      h1 = Math.imul(h1, 0x01000193) >>> 0
      h2 = Math.imul(h2, 0x85ebca6b) >>> 0
    }
    const field = fields[f]!
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
      h2 = Math.imul(h2 ^ c, 0x85ebca6b) >>> 0
    }
  }
  return `${o.name}.${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`
}

const spamKey = (event: EventRecord): string => {
  const o = event.involvedObject
  return `${o.kind}\u0000${o.namespace ?? ''}\u0000${o.name}\u0000${o.uid ?? ''}\u0000${o.apiVersion ?? ''}`
}

/** Whether a set of similar Events is still open at `now`: its last one came at most the interval ago. */
const isOpen = (set: Similar, now: number): boolean => now - set.last <= AGGREGATE_INTERVAL_MS

/**
 * The object's open sets after one more Event, and whether that Event is combined: a set reaching
 * the maximum of distinct messages combines it and gives up its first message.
 */
const withEvent = (sets: ReadonlyArray<Similar>, event: EventRecord, now: number): { readonly similar: ReadonlyArray<Similar>; readonly combine: boolean } => {
  const similar: Similar[] = []
  let seen: ReadonlyArray<string> = []
  for (const set of sets) {
    if (set.type === event.type && set.reason === event.reason) {
      if (isOpen(set, now)) seen = set.messages
    } else if (isOpen(set, now)) similar.push(set)
  }
  const messages = seen.includes(event.message) ? seen : [...seen, event.message]
  const combine = messages.length >= AGGREGATE_MAX_EVENTS
  similar.push({ type: event.type, reason: event.reason, messages: combine ? messages.slice(1) : messages, last: now })
  return { similar, combine }
}

/** The caches without the entries that no longer change an outcome, once they have grown enough since the last sweep. */
const swept = (caches: RecorderCaches, now: number): RecorderCaches => {
  if (caches.objects.size < caches.sweepAt) return caches
  // A full bucket behaves as no bucket, and a closed set as no set.
  const objects = caches.objects.filter((r) => r.fullAt > now || r.similar.some((set) => isOpen(set, now)))
  return { objects, sweepAt: Math.max(EMPTY.sweepAt, 4 * objects.size) }
}

/**
 * Runs an Event through a recorder's correlator at virtual time `now`: it is combined with
 * similar ones or not, then written or dropped. Returns the recorder's new caches either way.
 */
export const correlateEvent = (caches: RecorderCaches | undefined, event: EventRecord, now: number): Correlated => {
  const current = swept(caches ?? EMPTY, now)
  const key = spamKey(event)
  const remembered = current.objects.get(key)
  // Aggregation and counting come first and remember the Event even when the filter then drops it.
  const { similar, combine } = withEvent(remembered?.similar ?? [], event, now)
  const written: EventRecord = combine ? { ...event, message: COMBINED_PREFIX + event.message } : event
  const name = eventName(event, combine)
  // A full bucket is a fresh one: what it counted of dropped repeats is forgotten with it.
  const filling = remembered !== undefined && remembered.fullAt > now
  const fullAt = filling ? remembered.fullAt : now
  const before = filling ? remembered.dropped : undefined
  const dropped = before?.[name] ?? 0
  if (fullAt - now > (SPAM_BURST - 1) * SPAM_REFILL_MS) {
    const counted: Remembered = { fullAt, dropped: { ...before, [name]: dropped + 1 }, similar }
    return { dropped: true, caches: { ...current, objects: current.objects.set(key, counted) } }
  }
  const others = dropped === 0 ? [] : Object.entries(before ?? {}).filter(([n]) => n !== name)
  const rest = dropped === 0 ? before : others.length === 0 ? undefined : Object.fromEntries(others)
  const taken: Remembered = { fullAt: fullAt + SPAM_REFILL_MS, dropped: rest, similar }
  return { dropped: false, caches: { ...current, objects: current.objects.set(key, taken) }, event: written, name, droppedRepeats: dropped }
}
