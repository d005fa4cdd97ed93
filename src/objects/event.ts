/**
 * Events (core/v1): what controllers and the kubelet report about objects (`Scheduled`,
 * `SuccessfulCreate`, `BackOff`), with a count and first/last timestamps so repeats collapse
 * into one object, as `kubectl get events` shows them.
 *
 * @module
 */
import * as t from 'io-ts'
import { type FieldError, invalid, unsupported } from '../validation/fieldError.js'
import { Int32, optionalFields } from './decodeErrors.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A reference to the object an event is about. */
export const ObjectReference = optionalFields({
  apiVersion: t.string,
  kind: t.string,
  namespace: t.string,
  name: t.string,
  uid: t.string,
  resourceVersion: t.string,
  fieldPath: t.string,
})
/** A reference to the object an event is about. */
export type ObjectReference = t.TypeOf<typeof ObjectReference>

/** An Event. */
export const Event = t.intersection([
  t.type({
    apiVersion: t.literal('v1'),
    kind: t.literal('Event'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    involvedObject: ObjectReference,
  }),
  optionalFields({
    reason: t.string,
    message: t.string,
    type: t.string,
    count: Int32,
    firstTimestamp: t.string,
    lastTimestamp: t.string,
    eventTime: t.string,
    source: optionalFields({ component: t.string, host: t.string }),
    reportingComponent: t.string,
    reportingInstance: t.string,
    action: t.string,
  }),
])
/** An Event. */
export type Event = t.TypeOf<typeof Event>

/** The event types Kubernetes defines. */
export const EVENT_TYPES: ReadonlyArray<string> = ['Normal', 'Warning']

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates an event: the involved object's namespace must be the event's (or empty for
 * cluster-scoped objects), type is Normal or Warning, count is not negative, reason is at most
 * 128 characters.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateEvent, formatFieldError } from 'kubesim'
 * const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'a' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'b' }, type: 'Normal' }
 * expect(validateEvent(ev).map(formatFieldError)).toEqual(['involvedObject.namespace: Invalid value: "b": does not match event.namespace'])
 * ```
 */
export const validateEvent = (event: Event): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const ns = event.metadata.namespace ?? ''
  const involvedNs = event.involvedObject.namespace ?? ''
  if (involvedNs !== '' && involvedNs !== ns)
    errors.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'))
  if (event.type !== undefined && event.type !== '' && !EVENT_TYPES.includes(event.type))
    errors.push(unsupported('type', event.type, EVENT_TYPES))
  if (event.count !== undefined && event.count < 0) errors.push(invalid('count', event.count, 'must be greater than or equal to 0'))
  if (event.reason !== undefined && event.reason.length > 128)
    errors.push(invalid('reason', event.reason, 'can have at most 128 characters'))
  return errors
}

/**
 * The admission pipeline for Events (no defaults; the writer fills every field).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { eventModel } from 'kubesim'
 * const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'p.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Scheduled', type: 'Normal', count: 1, source: { component: 'default-scheduler' } }
 * expect(eventModel.validate(eventModel.applyDefaults(ev))).toEqual([])
 * ```
 */
export const eventModel: KindModel<Event> = {
  info: kindInfo('Event') as KindInfo,
  codec: Event,
  schema: 'io.k8s.api.core.v1.Event',
  applyDefaults: (event) => event,
  validate: validateEvent,
  hasStatusSubresource: false,
}
