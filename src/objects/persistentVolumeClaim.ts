/**
 * PersistentVolumeClaims: a pod's request for storage (size, access modes, class), bound by
 * the volume controller to a PersistentVolume. The spec is immutable once created, except that
 * a bound claim may grow and an unbound claim may get its `volumeName`.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { deepEqual } from '../internal/deepEqual.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { isDns1123Subdomain } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, LooseObject } from './meta.js'
import { validateAccessModes } from './persistentVolume.js'
import { ResourceList } from './pod.js'
import { compareQuantity, parseQuantity, validateResourceQuantities } from './quantity.js'
import { LabelSelector, validateLabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The claim spec. */
export const PersistentVolumeClaimSpec = optionalFields({
  accessModes: t.array(t.string),
  resources: optionalFields({ requests: ResourceList, limits: ResourceList }),
  storageClassName: t.string,
  volumeName: t.string,
  volumeMode: t.string,
  selector: LabelSelector,
  dataSource: LooseObject,
})
/** The claim spec. */
export type PersistentVolumeClaimSpec = t.TypeOf<typeof PersistentVolumeClaimSpec>

/** A PersistentVolumeClaim. */
export const PersistentVolumeClaim = t.intersection([
  t.type({
    apiVersion: t.literal('v1'),
    kind: t.literal('PersistentVolumeClaim'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    spec: PersistentVolumeClaimSpec,
  }),
  optionalFields({
    status: optionalFields({
      phase: t.string,
      accessModes: t.array(t.string),
      capacity: ResourceList,
      conditions: t.array(t.intersection([t.type({ type: t.string, status: t.string }), optionalFields({ reason: t.string, message: t.string })])),
    }),
  }),
])
/** A PersistentVolumeClaim. */
export type PersistentVolumeClaim = t.TypeOf<typeof PersistentVolumeClaim>

const VOLUME_MODES: ReadonlyArray<string> = ['Block', 'Filesystem']
const SPEC_IMMUTABLE =
  'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies the claim defaults: volume mode `Filesystem`, status phase `Pending`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultPersistentVolumeClaim } from 'kubesim'
 * const pvc = defaultPersistentVolumeClaim({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })
 * expect(pvc.status?.phase).toBe('Pending')
 * expect(pvc.spec.volumeMode).toBe('Filesystem')
 * expect(defaultPersistentVolumeClaim(pvc)).toBe(pvc)
 * ```
 */
export const defaultPersistentVolumeClaim = (pvc: PersistentVolumeClaim): PersistentVolumeClaim =>
  produce(pvc, (d) => {
    if (d.spec.volumeMode === undefined || d.spec.volumeMode === '') d.spec.volumeMode = 'Filesystem'
    if (d.status === undefined) d.status = {}
    if (d.status.phase === undefined || d.status.phase === '') d.status.phase = 'Pending'
  })

/**
 * Validates a claim spec (`ValidatePersistentVolumeClaimSpec`) under `path`: access modes,
 * a positive `resources.requests.storage`, storage class name, volume mode, selector.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePersistentVolumeClaimSpec, formatFieldError } from 'kubesim'
 * expect(validatePersistentVolumeClaimSpec({}, 'spec').map(formatFieldError)).toEqual([
 *   'spec.accessModes: Required value: at least 1 access mode is required',
 *   'spec.resources[storage]: Required value',
 * ])
 * ```
 */
export const validatePersistentVolumeClaimSpec = (spec: PersistentVolumeClaimSpec, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  errors.push(...validateAccessModes(spec.accessModes, `${path}.accessModes`, 'at least 1 access mode is required'))
  const requests = spec.resources?.requests ?? {}
  const storage = requests['storage']
  if (storage === undefined) errors.push(required(`${path}.resources[storage]`))
  else {
    const q = parseQuantity(storage)
    if (q._tag === 'Right' && q.right.nanos <= 0n)
      errors.push(invalid(`${path}.resources.requests[storage]`, storage, 'must be greater than zero'))
  }
  errors.push(...validateResourceQuantities(requests, `${path}.resources.requests`))
  errors.push(...validateResourceQuantities(spec.resources?.limits ?? {}, `${path}.resources.limits`))
  if (spec.storageClassName !== undefined && spec.storageClassName !== '')
    for (const msg of isDns1123Subdomain(spec.storageClassName)) errors.push(invalid(`${path}.storageClassName`, spec.storageClassName, msg))
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode))
    errors.push(unsupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES))
  if (spec.selector !== undefined) errors.push(...validateLabelSelector(spec.selector, `${path}.selector`))
  return errors
}

/**
 * Update rules for claims (`ValidatePersistentVolumeClaimUpdate`): the spec is immutable,
 * except that `volumeName` may be set once and a Bound claim's storage request may grow.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePersistentVolumeClaimUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } }, status: { phase: 'Bound' } }
 * const shrink = { ...old, spec: { ...old.spec, resources: { requests: { storage: '1Gi' } } } }
 * expect(validatePersistentVolumeClaimUpdate(shrink, old).map(formatFieldError)).toEqual([
 *   'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
 * ])
 * ```
 */
export const validatePersistentVolumeClaimUpdate = (
  next: PersistentVolumeClaim,
  previous: PersistentVolumeClaim,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const bound = (next.status?.phase ?? previous.status?.phase) === 'Bound'
  // RetroactiveDefaultStorageClass (GA in 1.28): an unset storageClassName may be set once.
  const storageClassName = previous.spec.storageClassName === undefined ? next.spec.storageClassName : previous.spec.storageClassName
  const comparable = (spec: PersistentVolumeClaimSpec, volumeName: string | undefined, storage: string | undefined, className: string | undefined) => {
    const requests = { ...(spec.resources?.requests ?? {}) }
    if (storage !== undefined) requests['storage'] = storage
    else delete requests['storage']
    return { ...spec, volumeName, storageClassName: className, resources: { ...spec.resources, requests } }
  }
  const oldStorage = previous.spec.resources?.requests?.['storage']
  const newStorage = next.spec.resources?.requests?.['storage']
  const oldVolume = previous.spec.volumeName ?? ''
  const volumeName = oldVolume === '' ? next.spec.volumeName : previous.spec.volumeName
  const a = comparable(next.spec, next.spec.volumeName, bound ? oldStorage : newStorage, next.spec.storageClassName)
  const b = comparable(previous.spec, volumeName, oldStorage, storageClassName)
  if (!deepEqual(a, b)) errors.push(forbidden('spec', SPEC_IMMUTABLE))
  if (bound && oldStorage !== undefined && newStorage !== undefined) {
    const o = parseQuantity(oldStorage)
    const n = parseQuantity(newStorage)
    if (o._tag === 'Right' && n._tag === 'Right' && compareQuantity(n.right, o.right) < 0)
      errors.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'))
  }
  return errors
}

/**
 * The admission pipeline for PersistentVolumeClaims.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { persistentVolumeClaimModel } from 'kubesim'
 * const pvc = persistentVolumeClaimModel.applyDefaults({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })
 * expect(persistentVolumeClaimModel.validate(pvc)).toEqual([])
 * ```
 */
export const persistentVolumeClaimModel: KindModel<PersistentVolumeClaim> = {
  info: kindInfo('PersistentVolumeClaim') as KindInfo,
  codec: PersistentVolumeClaim,
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  applyDefaults: defaultPersistentVolumeClaim,
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc.spec, 'spec'),
  validateUpdate: validatePersistentVolumeClaimUpdate,
  hasStatusSubresource: true,
}
