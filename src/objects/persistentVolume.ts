/**
 * PersistentVolumes: cluster-scoped pieces of storage with a capacity, access modes and a
 * reclaim policy, bound one-to-one to a PersistentVolumeClaim through `claimRef`. Also home of
 * the access mode rule claims share.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { isDns1123Subdomain } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, LooseObject } from './meta.js'
import { ResourceList } from './pod.js'
import { ObjectReference } from './event.js'
import { parseQuantity, validateResourceQuantities } from './quantity.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The PersistentVolume spec. Volume sources (`hostPath`, `csi`, `nfs`, ...) pass through. */
export const PersistentVolumeSpec = optionalFields({
  capacity: ResourceList,
  accessModes: t.array(t.string),
  persistentVolumeReclaimPolicy: t.string,
  storageClassName: t.string,
  claimRef: ObjectReference,
  volumeMode: t.string,
  mountOptions: t.array(t.string),
  nodeAffinity: LooseObject,
})
/** The PersistentVolume spec. */
export type PersistentVolumeSpec = t.TypeOf<typeof PersistentVolumeSpec>

/** A PersistentVolume. */
export const PersistentVolume = t.intersection([
  t.type({
    apiVersion: t.literal('v1'),
    kind: t.literal('PersistentVolume'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    spec: PersistentVolumeSpec,
  }),
  optionalFields({
    status: optionalFields({ phase: t.string, message: t.string, reason: t.string, lastPhaseTransitionTime: t.string }),
  }),
])
/** A PersistentVolume. */
export type PersistentVolume = t.TypeOf<typeof PersistentVolume>

/** The access modes a volume or claim may ask for, as Kubernetes lists them (sorted). */
export const ACCESS_MODES: ReadonlyArray<string> = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']
const RECLAIM_POLICIES: ReadonlyArray<string> = ['Delete', 'Recycle', 'Retain']
const VOLUME_MODES: ReadonlyArray<string> = ['Block', 'Filesystem']
/** The volume source fields Kubernetes knows; a PersistentVolume must set exactly one. */
const VOLUME_SOURCES: ReadonlyArray<string> = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'csi',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'glusterfs',
  'hostPath',
  'iscsi',
  'local',
  'nfs',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
]

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates a list of access modes: at least one, each supported, and `ReadWriteOncePod` alone.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateAccessModes, formatFieldError } from 'kubesim'
 * expect(validateAccessModes(['ReadWriteOnce'], 'spec.accessModes', '')).toEqual([])
 * expect(validateAccessModes(['RWO'], 'spec.accessModes', '').map(formatFieldError)).toEqual([
 *   'spec.accessModes: Unsupported value: "RWO": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
 * ])
 * ```
 */
export const validateAccessModes = (
  modes: ReadonlyArray<string> | undefined,
  path: string,
  requiredDetail: string,
): ReadonlyArray<FieldError> => {
  const list = modes ?? []
  if (list.length === 0) return [required(path, requiredDetail)]
  const errors: FieldError[] = []
  for (const mode of list) if (!ACCESS_MODES.includes(mode)) errors.push(unsupported(path, mode, ACCESS_MODES))
  if (list.includes('ReadWriteOncePod') && list.length > 1)
    errors.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'))
  return errors
}

/**
 * Applies the PersistentVolume defaults: reclaim policy `Retain`, volume mode `Filesystem`,
 * status phase `Pending`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultPersistentVolume } from 'kubesim'
 * const pv = defaultPersistentVolume({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' } } })
 * expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain')
 * expect(pv.status?.phase).toBe('Pending')
 * expect(defaultPersistentVolume(pv)).toBe(pv)
 * ```
 */
export const defaultPersistentVolume = (pv: PersistentVolume): PersistentVolume =>
  produce(pv, (d) => {
    if (d.spec.persistentVolumeReclaimPolicy === undefined || d.spec.persistentVolumeReclaimPolicy === '')
      d.spec.persistentVolumeReclaimPolicy = 'Retain'
    if (d.spec.volumeMode === undefined || d.spec.volumeMode === '') d.spec.volumeMode = 'Filesystem'
    if (d.status === undefined) d.status = {}
    if (d.status.phase === undefined || d.status.phase === '') d.status.phase = 'Pending'
  })

const volumeSources = (spec: PersistentVolumeSpec): ReadonlyArray<string> =>
  VOLUME_SOURCES.filter((k) => (spec as Record<string, unknown>)[k] !== undefined && (spec as Record<string, unknown>)[k] !== null)

/**
 * Validates a PersistentVolume: capacity (only `storage`, positive), access modes, reclaim
 * policy, volume mode, storage class name and exactly one volume source.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePersistentVolume, formatFieldError } from 'kubesim'
 * const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/data' } } }
 * expect(validatePersistentVolume(pv)).toEqual([])
 * expect(validatePersistentVolume({ ...pv, spec: { ...pv.spec, capacity: {} } }).map(formatFieldError)[0]).toBe('spec.capacity: Required value')
 * ```
 */
export const validatePersistentVolume = (pv: PersistentVolume): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const spec = pv.spec
  const capacity = spec.capacity ?? {}
  const names = Object.keys(capacity)
  if (names.length === 0) errors.push(required('spec.capacity'))
  if (capacity['storage'] === undefined || names.length > 1) errors.push(unsupported('spec.capacity', capacity, ['storage']))
  errors.push(...validateResourceQuantities(capacity, 'spec.capacity'))
  for (const [name, value] of Object.entries(capacity)) {
    const q = parseQuantity(value)
    if (q._tag === 'Right' && q.right.nanos === 0n)
      errors.push(invalid(`spec.capacity[${name}]`, value, 'must be greater than zero'))
  }
  errors.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''))
  const policy = spec.persistentVolumeReclaimPolicy ?? ''
  if (policy !== '' && !RECLAIM_POLICIES.includes(policy))
    errors.push(unsupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES))
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode))
    errors.push(unsupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES))
  if (spec.storageClassName !== undefined && spec.storageClassName !== '')
    for (const msg of isDns1123Subdomain(spec.storageClassName)) errors.push(invalid('spec.storageClassName', spec.storageClassName, msg))
  const sources = volumeSources(spec)
  if (sources.length === 0) errors.push(required('spec', 'must specify a volume type'))
  else if (sources.length > 1) errors.push(forbidden(`spec.${sources[1] ?? ''}`, 'may not specify more than 1 volume type'))
  return errors
}

/**
 * Update rules for PersistentVolumes: the volume source and volume mode are immutable.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePersistentVolumeUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/a' } } }
 * const errors = validatePersistentVolumeUpdate({ ...old, spec: { ...old.spec, hostPath: { path: '/b' } } }, old)
 * expect(errors.map(formatFieldError)).toEqual(['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is forbidden.'])
 * ```
 */
export const validatePersistentVolumeUpdate = (next: PersistentVolume, previous: PersistentVolume): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const source = (spec: PersistentVolumeSpec): string =>
    JSON.stringify(Object.fromEntries(VOLUME_SOURCES.map((k) => [k, (spec as Record<string, unknown>)[k] ?? null])))
  if (source(next.spec) !== source(previous.spec))
    errors.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is forbidden.'))
  if ((next.spec.volumeMode ?? 'Filesystem') !== (previous.spec.volumeMode ?? 'Filesystem'))
    errors.push(invalid('spec.volumeMode', next.spec.volumeMode ?? null, 'field is immutable'))
  return errors
}

/**
 * The admission pipeline for PersistentVolumes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { persistentVolumeModel } from 'kubesim'
 * const pv = persistentVolumeModel.applyDefaults({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } })
 * expect(persistentVolumeModel.validate(pv)).toEqual([])
 * ```
 */
export const persistentVolumeModel: KindModel<PersistentVolume> = {
  info: kindInfo('PersistentVolume') as KindInfo,
  codec: PersistentVolume,
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  applyDefaults: defaultPersistentVolume,
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  hasStatusSubresource: true,
}
