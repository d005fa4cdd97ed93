/**
 * ControllerRevisions: immutable snapshots of a StatefulSet's or DaemonSet's pod template,
 * numbered by `revision`, used for rollout history and rollback.
 *
 * @module
 */
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { type FieldError, invalid, required } from '../validation/fieldError.js'
import { Int64, optionalFields } from './decodeErrors.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A ControllerRevision. `data` is the opaque snapshot (a patch of the owner's template). */
export const ControllerRevision = t.intersection([
  t.type({
    apiVersion: t.literal('apps/v1'),
    kind: t.literal('ControllerRevision'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    revision: Int64,
  }),
  optionalFields({ data: t.unknown }),
])
/** A ControllerRevision. */
export type ControllerRevision = t.TypeOf<typeof ControllerRevision>

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates a ControllerRevision: `data` is mandatory, `revision` not negative.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateControllerRevision, formatFieldError } from 'kubesim'
 * const errors = validateControllerRevision({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: -1 })
 * expect(errors.map(formatFieldError)).toEqual([
 *   'data: Required value: data is mandatory',
 *   'revision: Invalid value: -1: must be greater than or equal to 0',
 * ])
 * ```
 */
export const validateControllerRevision = (rev: ControllerRevision): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  if (rev.data === undefined || rev.data === null) errors.push(required('data', 'data is mandatory'))
  if (rev.revision < 0) errors.push(invalid('revision', rev.revision, 'must be greater than or equal to 0'))
  return errors
}

/**
 * Update rule: `data` is immutable (only `revision` and metadata may change).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateControllerRevisionUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { a: 1 } }
 * expect(validateControllerRevisionUpdate({ ...old, revision: 3 }, old)).toEqual([])
 * expect(validateControllerRevisionUpdate({ ...old, data: { a: 2 } }, old).map(formatFieldError)).toEqual(['data: Invalid value: {"a":2}: field is immutable'])
 * ```
 */
export const validateControllerRevisionUpdate = (next: ControllerRevision, previous: ControllerRevision): ReadonlyArray<FieldError> =>
  deepEqual(next.data, previous.data) ? [] : [invalid('data', next.data, 'field is immutable')]

/**
 * The admission pipeline for ControllerRevisions.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { controllerRevisionModel } from 'kubesim'
 * const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-7d9f', namespace: 'default' }, revision: 1, data: {} }
 * expect(controllerRevisionModel.validate(rev)).toEqual([])
 * ```
 */
export const controllerRevisionModel: KindModel<ControllerRevision> = {
  info: kindInfo('ControllerRevision') as KindInfo,
  codec: ControllerRevision,
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  applyDefaults: (rev) => rev,
  validate: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
  hasStatusSubresource: false,
}
