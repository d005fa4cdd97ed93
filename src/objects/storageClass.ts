/**
 * StorageClasses: named provisioners of PersistentVolumes, with a reclaim policy for the
 * volumes they create and a binding mode (`Immediate` or `WaitForFirstConsumer`). The
 * provisioner, its parameters and the reclaim policy cannot change after creation.
 *
 * @module
 */
import * as t from 'io-ts'
import { optionalFields } from './decodeErrors.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { isQualifiedName } from '../validation/names.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, StringMap, LooseObject } from './meta.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A StorageClass. */
export const StorageClass = t.intersection([
  t.type({
    apiVersion: t.literal('storage.k8s.io/v1'),
    kind: t.literal('StorageClass'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    provisioner: t.string,
  }),
  optionalFields({
    parameters: StringMap,
    reclaimPolicy: t.string,
    volumeBindingMode: t.string,
    allowVolumeExpansion: t.boolean,
    mountOptions: t.array(t.string),
    allowedTopologies: t.array(LooseObject),
  }),
])
/** A StorageClass. */
export type StorageClass = t.TypeOf<typeof StorageClass>

const RECLAIM_POLICIES: ReadonlyArray<string> = ['Delete', 'Retain']
const BINDING_MODES: ReadonlyArray<string> = ['Immediate', 'WaitForFirstConsumer']

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Applies the StorageClass defaults: reclaim policy `Delete`, binding mode `Immediate`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultStorageClass } from 'kubesim'
 * const sc = defaultStorageClass({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'kubesim.dev/hostpath' })
 * expect(sc.reclaimPolicy).toBe('Delete')
 * expect(sc.volumeBindingMode).toBe('Immediate')
 * expect(defaultStorageClass(sc)).toBe(sc)
 * ```
 */
export const defaultStorageClass = (sc: StorageClass): StorageClass =>
  produce(sc, (d) => {
    if (d.reclaimPolicy === undefined || d.reclaimPolicy === '') d.reclaimPolicy = 'Delete'
    if (d.volumeBindingMode === undefined || d.volumeBindingMode === '') d.volumeBindingMode = 'Immediate'
  })

/**
 * Validates a StorageClass: provisioner required and a qualified name, reclaim policy Delete or
 * Retain, binding mode Immediate or WaitForFirstConsumer.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateStorageClass, formatFieldError } from 'kubesim'
 * const errors = validateStorageClass({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: '', reclaimPolicy: 'Recycle' })
 * expect(errors.map(formatFieldError)).toEqual([
 *   'provisioner: Required value',
 *   'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
 * ])
 * ```
 */
export const validateStorageClass = (sc: StorageClass): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  if (sc.provisioner === '') errors.push(required('provisioner'))
  else for (const msg of isQualifiedName(sc.provisioner.toLowerCase())) errors.push(invalid('provisioner', sc.provisioner, msg))
  if (sc.reclaimPolicy !== undefined && !RECLAIM_POLICIES.includes(sc.reclaimPolicy))
    errors.push(unsupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES))
  if (sc.volumeBindingMode !== undefined && !BINDING_MODES.includes(sc.volumeBindingMode))
    errors.push(unsupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES))
  return errors
}

const sameMap = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean => {
  const ka = Object.keys(a ?? {})
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => b !== undefined && Object.hasOwn(b, k) && b[k] === a?.[k])
}

/**
 * Update rules for StorageClasses (`ValidateStorageClassUpdate`): parameters, provisioner and
 * reclaim policy are forbidden to change; volume binding mode is immutable.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateStorageClassUpdate, formatFieldError } from 'kubesim'
 * const old = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 's' }, provisioner: 'a.io/x', parameters: { type: 'ssd' } }
 * const errors = validateStorageClassUpdate({ ...old, provisioner: 'b.io/y', parameters: { type: 'hdd' } }, old)
 * expect(errors.map(formatFieldError)).toEqual([
 *   'parameters: Forbidden: updates to parameters are forbidden.',
 *   'provisioner: Forbidden: updates to provisioner are forbidden.',
 * ])
 * ```
 */
export const validateStorageClassUpdate = (next: StorageClass, previous: StorageClass): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  if (!sameMap(next.parameters, previous.parameters)) errors.push(forbidden('parameters', 'updates to parameters are forbidden.'))
  if (next.provisioner !== previous.provisioner) errors.push(forbidden('provisioner', 'updates to provisioner are forbidden.'))
  if (next.reclaimPolicy !== previous.reclaimPolicy) errors.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'))
  if (next.volumeBindingMode !== previous.volumeBindingMode)
    errors.push(invalid('volumeBindingMode', next.volumeBindingMode ?? null, 'field is immutable'))
  return errors
}

/**
 * The admission pipeline for StorageClasses.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { storageClassModel } from 'kubesim'
 * const sc = storageClassModel.applyDefaults({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'kubesim.dev/hostpath' })
 * expect(storageClassModel.validate(sc)).toEqual([])
 * expect(storageClassModel.info.namespaced).toBe(false)
 * ```
 */
export const storageClassModel: KindModel<StorageClass> = {
  info: kindInfo('StorageClass') as KindInfo,
  codec: StorageClass,
  schema: 'io.k8s.api.storage.v1.StorageClass',
  applyDefaults: defaultStorageClass,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  hasStatusSubresource: false,
}
