/**
 * StatefulSet (apps/v1): pods with stable identities (`<name>-<ordinal>`), stable storage from
 * volume claim templates, and ordered creation, deletion and rolling updates. Only a few spec
 * fields may change after creation; the rest are fixed for the set's lifetime.
 *
 * @module
 */
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import { IntOrString, intOrPercentValue, validateIntOrPercent, validateNotMoreThan100Percent } from './intOrString.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta, LooseObject } from './meta.js'
import type { KubeObject } from './object.js'
import { PodTemplateSpec, defaultPodTemplateSpec, validatePodTemplateSpec } from './pod.js'
import { validateLongRunningTemplate, validateNonNegative, validateSelectorForTemplate } from './replicaSet.js'
import { LabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Rolling-update settings: ordinals below `partition` keep the current revision. */
export const RollingUpdateStatefulSetStrategy = optionalFields({ partition: Int32, maxUnavailable: IntOrString })
/** Rolling-update settings: ordinals below `partition` keep the current revision. */
export type RollingUpdateStatefulSetStrategy = t.TypeOf<typeof RollingUpdateStatefulSetStrategy>

/** How a StatefulSet updates pods: `RollingUpdate` (default) or `OnDelete`. */
export const StatefulSetUpdateStrategy = optionalFields({ type: t.string, rollingUpdate: RollingUpdateStatefulSetStrategy })
/** How a StatefulSet updates pods: `RollingUpdate` (default) or `OnDelete`. */
export type StatefulSetUpdateStrategy = t.TypeOf<typeof StatefulSetUpdateStrategy>

/** What happens to claims from volumeClaimTemplates when the set is deleted or scaled down. */
export const PersistentVolumeClaimRetentionPolicy = optionalFields({ whenDeleted: t.string, whenScaled: t.string })
/** What happens to claims from volumeClaimTemplates when the set is deleted or scaled down. */
export type PersistentVolumeClaimRetentionPolicy = t.TypeOf<typeof PersistentVolumeClaimRetentionPolicy>

/** A claim template: each pod gets a PVC `<template>-<pod>` made from it. */
export const PersistentVolumeClaimTemplate = optionalFields({ metadata: ObjectMeta, spec: LooseObject })
/** A claim template: each pod gets a PVC `<template>-<pod>` made from it. */
export type PersistentVolumeClaimTemplate = t.TypeOf<typeof PersistentVolumeClaimTemplate>

/** A StatefulSet condition. */
export const StatefulSetCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ lastTransitionTime: t.string, reason: t.string, message: t.string }),
])
/** A StatefulSet condition. */
export type StatefulSetCondition = t.TypeOf<typeof StatefulSetCondition>

/** The StatefulSet spec. `selector` is required; validation reports it when missing. */
export const StatefulSetSpec = t.intersection([
  t.type({ template: PodTemplateSpec }),
  optionalFields({
    replicas: Int32,
    selector: LabelSelector,
    serviceName: t.string,
    podManagementPolicy: t.string,
    updateStrategy: StatefulSetUpdateStrategy,
    revisionHistoryLimit: Int32,
    minReadySeconds: Int32,
    volumeClaimTemplates: t.array(PersistentVolumeClaimTemplate),
    ordinals: optionalFields({ start: Int32 }),
    persistentVolumeClaimRetentionPolicy: PersistentVolumeClaimRetentionPolicy,
  }),
])
/** The StatefulSet spec. */
export type StatefulSetSpec = t.TypeOf<typeof StatefulSetSpec>

/** What the StatefulSet controller reports. */
export const StatefulSetStatus = optionalFields({
  observedGeneration: Int64,
  replicas: Int32,
  readyReplicas: Int32,
  currentReplicas: Int32,
  updatedReplicas: Int32,
  availableReplicas: Int32,
  currentRevision: t.string,
  updateRevision: t.string,
  collisionCount: Int32,
  conditions: t.array(StatefulSetCondition),
})
/** What the StatefulSet controller reports. */
export type StatefulSetStatus = t.TypeOf<typeof StatefulSetStatus>

/** A StatefulSet. */
export const StatefulSet = t.intersection([
  t.type({ apiVersion: t.literal('apps/v1'), kind: t.literal('StatefulSet'), metadata: ObjectMeta, spec: StatefulSetSpec }),
  optionalFields({ status: StatefulSetStatus }),
])
/** A StatefulSet. */
export type StatefulSet = t.TypeOf<typeof StatefulSet>

const RETENTION_TYPES: ReadonlyArray<string> = ['Retain', 'Delete']
/** The spec fields a StatefulSet update may change. */
const MUTABLE_FIELDS = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
] as const
const FORBIDDEN_UPDATE_MESSAGE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: replicas 1, podManagementPolicy OrderedReady,
 * updateStrategy RollingUpdate with partition 0 (a given `type: RollingUpdate` without
 * `rollingUpdate` stays as it is, as upstream), revisionHistoryLimit 10,
 * persistentVolumeClaimRetentionPolicy Retain/Retain, and the pod template's defaults.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultStatefulSet } from 'kubesim'
 * const s = defaultStatefulSet({
 *   apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
 *   spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres' }] } } },
 * })
 * expect(s.spec).toMatchObject({
 *   replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
 *   updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
 *   persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
 * })
 * expect(defaultStatefulSet(s)).toBe(s)
 * ```
 */
export const defaultStatefulSet = (sts: StatefulSet): StatefulSet => {
  const template = defaultPodTemplateSpec(sts.spec.template)
  return produce(sts, (draft) => {
    const spec = draft.spec
    if (spec.podManagementPolicy === undefined || spec.podManagementPolicy === '') spec.podManagementPolicy = 'OrderedReady'
    const strategy = (spec.updateStrategy ??= {})
    if (strategy.type === undefined || strategy.type === '') {
      strategy.type = 'RollingUpdate'
      strategy.rollingUpdate ??= {}
    }
    if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate.partition === undefined)
      strategy.rollingUpdate.partition = 0
    const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {})
    if (retention.whenDeleted === undefined || retention.whenDeleted === '') retention.whenDeleted = 'Retain'
    if (retention.whenScaled === undefined || retention.whenScaled === '') retention.whenScaled = 'Retain'
    if (spec.replicas === undefined) spec.replicas = 1
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10
    if (template !== sts.spec.template) spec.template = template as typeof spec.template
  })
}

const validateUpdateStrategy = (strategy: StatefulSetUpdateStrategy | undefined): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const type = strategy?.type ?? ''
  const rolling = strategy?.rollingUpdate
  switch (type) {
    case '':
      errors.push(required('spec.updateStrategy'))
      break
    case 'OnDelete':
      if (rolling !== undefined)
        errors.push(invalid('spec.updateStrategy.rollingUpdate', rolling, "only allowed for updateStrategy 'RollingUpdate'"))
      break
    case 'RollingUpdate':
      if (rolling !== undefined) {
        errors.push(...validateNonNegative(rolling.partition, 'spec.updateStrategy.rollingUpdate.partition'))
        if (rolling.maxUnavailable !== undefined) {
          const path = 'spec.updateStrategy.rollingUpdate.maxUnavailable'
          errors.push(...validateIntOrPercent(rolling.maxUnavailable, path))
          if (intOrPercentValue(rolling.maxUnavailable) === 0) errors.push(invalid(path, rolling.maxUnavailable, 'cannot be 0'))
          errors.push(...validateNotMoreThan100Percent(rolling.maxUnavailable, path))
        }
      }
      break
    default:
      errors.push(invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"))
  }
  return errors
}

/**
 * Validates a defaulted StatefulSet: podManagementPolicy, updateStrategy and partition,
 * claim retention policy, replicas, minReadySeconds, ordinals.start, a non-empty selector
 * matching the template labels, the pod template (restartPolicy Always, no
 * activeDeadlineSeconds), revisionHistoryLimit and the claim templates' names.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultStatefulSet, validateStatefulSet, formatFieldError } from 'kubesim'
 * const s = defaultStatefulSet({
 *   apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
 *   spec: { podManagementPolicy: 'Random', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres' }] } } },
 * })
 * expect(validateStatefulSet(s).map(formatFieldError)).toEqual([
 *   `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`,
 * ])
 * ```
 */
export const validateStatefulSet = (sts: StatefulSet): ReadonlyArray<FieldError> => {
  const spec = sts.spec
  const errors: FieldError[] = []
  const policy = spec.podManagementPolicy ?? ''
  if (policy === '') errors.push(required('spec.podManagementPolicy'))
  else if (policy !== 'OrderedReady' && policy !== 'Parallel')
    errors.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"))
  errors.push(...validateUpdateStrategy(spec.updateStrategy))
  const retention = spec.persistentVolumeClaimRetentionPolicy
  if (retention !== undefined)
    for (const key of ['whenDeleted', 'whenScaled'] as const) {
      const value = retention[key] ?? ''
      if (!RETENTION_TYPES.includes(value))
        errors.push(unsupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, RETENTION_TYPES))
    }
  errors.push(...validateNonNegative(spec.replicas, 'spec.replicas'))
  errors.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'))
  errors.push(...validateNonNegative(spec.ordinals?.start, 'spec.ordinals.start'))
  errors.push(...validateSelectorForTemplate(spec.selector, spec.template, 'empty selector is invalid for statefulset', ''))
  errors.push(...validatePodTemplateSpec(withClaimVolumes(spec.template, spec.volumeClaimTemplates), 'spec.template'))
  errors.push(...validateLongRunningTemplate(spec.template, 'StatefulSet'))
  errors.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'))
  ;(spec.volumeClaimTemplates ?? []).forEach((claim, i) => {
    if ((claim.metadata?.name ?? '') === '') errors.push(required(`spec.volumeClaimTemplates[${i}].metadata.name`))
  })
  return errors
}

/**
 * The template with a volume for each claim template it lacks: the controller adds them to every
 * pod, so volume mounts may name claim templates (upstream skips those mounts' check).
 */
const withClaimVolumes = (template: PodTemplateSpec, claims: ReadonlyArray<PersistentVolumeClaimTemplate> | undefined): PodTemplateSpec => {
  const spec = template.spec
  if (spec === undefined || claims === undefined || claims.length === 0) return template
  const have = new Set((spec.volumes ?? []).map((v) => v.name))
  const added = claims
    .map((c) => c.metadata?.name ?? '')
    .filter((name) => name !== '' && !have.has(name))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))
  return added.length === 0 ? template : { ...template, spec: { ...spec, volumes: [...(spec.volumes ?? []), ...added] } }
}

const withoutMutableFields = (spec: StatefulSetSpec): Record<string, unknown> => {
  const rest: Record<string, unknown> = { ...spec }
  for (const key of MUTABLE_FIELDS) delete rest[key]
  return rest
}

/**
 * Update rules: only replicas, ordinals, template, updateStrategy, revisionHistoryLimit,
 * persistentVolumeClaimRetentionPolicy and minReadySeconds may change; anything else (selector,
 * serviceName, podManagementPolicy, volumeClaimTemplates, ...) gives Kubernetes' one Forbidden
 * error on `spec`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateStatefulSetUpdate, formatFieldError } from 'kubesim'
 * const s = { apiVersion: 'apps/v1', kind: 'StatefulSet' as const, metadata: { name: 'db' },
 *   spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { spec: { containers: [] } } } }
 * expect(validateStatefulSetUpdate({ ...s, spec: { ...s.spec, replicas: 5 } }, s)).toEqual([])
 * expect(validateStatefulSetUpdate({ ...s, spec: { ...s.spec, serviceName: 'other' } }, s).map(formatFieldError)[0])
 *   .toContain('spec: Forbidden: updates to statefulset spec for fields other than')
 * ```
 */
export const validateStatefulSetUpdate = (next: StatefulSet, previous: StatefulSet): ReadonlyArray<FieldError> =>
  deepEqual(withoutMutableFields(next.spec), withoutMutableFields(previous.spec)) ? [] : [forbidden('spec', FORBIDDEN_UPDATE_MESSAGE)]

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredStatefulSet = StatefulSet & KubeObject

/**
 * The admission pipeline for StatefulSets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { statefulSetModel } from 'kubesim'
 * expect(statefulSetModel.info.kind).toBe('StatefulSet')
 * expect(statefulSetModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const statefulSetModel: KindModel<StoredStatefulSet> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('StatefulSet') as KindInfo,
  codec: StatefulSet as unknown as t.Decoder<unknown, StoredStatefulSet>,
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  applyDefaults: (sts) => defaultStatefulSet(sts) as StoredStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  hasStatusSubresource: true,
}
