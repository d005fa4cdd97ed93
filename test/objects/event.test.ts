import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type Event, eventModel, validateEvent } from '../../src/objects/event.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const ev = (extra: Partial<Event> = {}): Event => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
  reason: 'Scheduled',
  message: 'Successfully assigned default/web to node-1',
  type: 'Normal',
  count: 1,
  firstTimestamp: '2024-01-01T00:00:00Z',
  lastTimestamp: '2024-01-01T00:00:00Z',
  source: { component: 'default-scheduler' },
  ...extra,
})

describe('event', () => {
  it('accepts a scheduler event and an event about a cluster-scoped object', () => {
    expect(validateEvent(ev())).toEqual([])
    expect(validateEvent(ev({ involvedObject: { kind: 'Node', name: 'node-1' } }))).toEqual([])
  })
  it('involvedObject.namespace must match', () => {
    expect(validateEvent(ev({ involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })).map(formatFieldError)).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ])
  })
  it('type must be Normal or Warning', () => {
    expect(validateEvent(ev({ type: 'Warning' }))).toEqual([])
    expect(validateEvent(ev({ type: 'Error' })).map(formatFieldError)).toEqual(['type: Unsupported value: "Error": supported values: "Normal", "Warning"'])
  })
  it('count may not be negative and reason is bounded', () => {
    expect(validateEvent(ev({ count: -1 })).map(formatFieldError)).toEqual(['count: Invalid value: -1: must be greater than or equal to 0'])
    expect(validateEvent(ev({ reason: 'x'.repeat(129) }))).toHaveLength(1)
  })
  it('requires involvedObject when decoding', () => {
    const { involvedObject: _, ...rest } = ev()
    expect(E.isLeft(eventModel.codec.decode(rest))).toBe(true)
    expect(eventModel.applyDefaults(ev())).toEqual(ev())
  })
})
