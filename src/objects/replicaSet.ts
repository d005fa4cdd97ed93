/**
 * ReplicaSet (apps/v1): keeps `replicas` pods matching its selector running, stamped from its pod
 * template. Deployments manage ReplicaSets; the ReplicaSet controller manages pods. This module
 * also holds the selector-and-template rules every workload kind shares (upstream's
 * `ValidatePodTemplateSpecForReplicaSet` and friends).
 *
 * @module
 */
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { PodTemplateSpec, defaultPodTemplateSpec, templatePodSpec, validatePodTemplateSpec } from './pod.js'
import { LabelSelector, fromLabelSelector, matchesSelector, validateLabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A condition on a ReplicaSet (`ReplicaFailure`). */
export const ReplicaSetCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ lastTransitionTime: t.string, reason: t.string, message: t.string }),
])
/** A condition on a ReplicaSet (`ReplicaFailure`). */
export type ReplicaSetCondition = t.TypeOf<typeof ReplicaSetCondition>

/** The ReplicaSet spec. `selector` is required; validation reports it when missing. */
export const ReplicaSetSpec = t.intersection([
  t.type({ template: PodTemplateSpec }),
  optionalFields({ replicas: Int32, selector: LabelSelector, minReadySeconds: Int32 }),
])
/** The ReplicaSet spec. */
export type ReplicaSetSpec = t.TypeOf<typeof ReplicaSetSpec>

/** What the ReplicaSet controller reports. */
export const ReplicaSetStatus = optionalFields({
  replicas: Int32,
  fullyLabeledReplicas: Int32,
  readyReplicas: Int32,
  availableReplicas: Int32,
  terminatingReplicas: Int32,
  observedGeneration: Int64,
  conditions: t.array(ReplicaSetCondition),
})
/** What the ReplicaSet controller reports. */
export type ReplicaSetStatus = t.TypeOf<typeof ReplicaSetStatus>

/** A ReplicaSet. */
export const ReplicaSet = t.intersection([
  t.type({ apiVersion: t.literal('apps/v1'), kind: t.literal('ReplicaSet'), metadata: ObjectMeta, spec: ReplicaSetSpec }),
  optionalFields({ status: ReplicaSetStatus }),
])
/** A ReplicaSet. */
export type ReplicaSet = t.TypeOf<typeof ReplicaSet>

const NONNEGATIVE = 'must be greater than or equal to 0'

// ---------------------------------------------------------------------------------------------
// operations (shared by the workload kinds)
// ---------------------------------------------------------------------------------------------

/**
 * `ValidateNonnegativeField`: `value` must be ≥ 0 (nothing to report when unset).
 *
 * @internal
 */
export const validateNonNegative = (value: number | undefined, path: string): ReadonlyArray<FieldError> =>
  value !== undefined && value < 0 ? [invalid(path, value, NONNEGATIVE)] : []


/**
 * `ValidateImmutableField`: `Invalid value: <new>: field is immutable` when the value changed.
 *
 * @internal
 */
export const validateImmutable = (next: unknown, previous: unknown, path: string): ReadonlyArray<FieldError> =>
  deepEqual(next, previous) ? [] : [invalid(path, next ?? null, 'field is immutable')]

/** How a kind reacts to a selector that fails to compile (`LabelSelectorAsSelector` error). */
export type SelectorCompileError = 'invalid label selector' | '' | 'none'

/**
 * The selector rules of the apps kinds: required, syntactically valid, not empty (`emptyMessage`)
 * and matching the template's labels.
 *
 * @internal
 */
export const validateSelectorForTemplate = (
  selector: LabelSelector | undefined,
  template: PodTemplateSpec,
  emptyMessage: string,
  onCompileError: SelectorCompileError,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  if (selector === undefined) {
    errors.push(required('spec.selector'))
    return errors
  }
  const syntax = validateLabelSelector(selector, 'spec.selector')
  errors.push(...syntax)
  const empty = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0
  if (empty) errors.push(invalid('spec.selector', selector, emptyMessage))
  if (syntax.length > 0) {
    if (onCompileError !== 'none') errors.push(invalid('spec.selector', selector, onCompileError))
  } else if (!empty && !matchesSelector(fromLabelSelector(selector), template.metadata?.labels)) {
    errors.push(
      invalid('spec.template.metadata.labels', template.metadata?.labels ?? {}, '`selector` does not match template `labels`'),
    )
  }
  return errors
}

/**
 * The template rules of kinds whose pods run forever: restartPolicy Always, and no
 * activeDeadlineSeconds (`<kind> is not Supported`).
 *
 * @internal
 */
export const validateLongRunningTemplate = (template: PodTemplateSpec, kind: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const spec = templatePodSpec(template)
  const policy = spec.restartPolicy ?? ''
  if (policy !== 'Always') errors.push(unsupported('spec.template.spec.restartPolicy', policy, ['Always']))
  if (spec.activeDeadlineSeconds !== undefined)
    errors.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`))
  return errors
}

/**
 * Fills in the API server's defaults: `replicas: 1` and the pod template's defaults. Returns the
 * same reference when nothing changes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultReplicaSet } from 'kubesim'
 * const rs = defaultReplicaSet({
 *   apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
 * })
 * expect(rs.spec.replicas).toBe(1)
 * expect(rs.spec.template.spec.restartPolicy).toBe('Always')
 * expect(defaultReplicaSet(rs)).toBe(rs)
 * ```
 */
export const defaultReplicaSet = (rs: ReplicaSet): ReplicaSet => {
  const template = defaultPodTemplateSpec(rs.spec.template)
  // A ReplicaSet written back with its defaults in place (a scale) keeps its identity.
  if (template === rs.spec.template && rs.spec.replicas !== undefined) return rs
  return produce(rs, (draft) => {
    if (draft.spec.replicas === undefined) draft.spec.replicas = 1
    if (template !== rs.spec.template) draft.spec.template = template as typeof draft.spec.template
  })
}

/**
 * Validates a defaulted ReplicaSet: non-negative replicas and minReadySeconds, a non-empty
 * selector matching the template labels, the pod template, restartPolicy Always.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultReplicaSet, validateReplicaSet, formatFieldError } from 'kubesim'
 * const rs = defaultReplicaSet({
 *   apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
 *   spec: { replicas: -1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
 * })
 * expect(validateReplicaSet(rs).map(formatFieldError)).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0'])
 * ```
 */
export const validateReplicaSet = (rs: ReplicaSet): ReadonlyArray<FieldError> => [
  ...validateNonNegative(rs.spec.replicas, 'spec.replicas'),
  ...validateNonNegative(rs.spec.minReadySeconds, 'spec.minReadySeconds'),
  // Upstream's ReplicaSet validation reuses the Deployment message.
  ...validateSelectorForTemplate(rs.spec.selector, rs.spec.template, 'empty selector is invalid for deployment', 'invalid label selector'),
  ...validatePodTemplateSpec(rs.spec.template, 'spec.template'),
  ...validateLongRunningTemplate(rs.spec.template, 'ReplicaSet'),
]

/**
 * Update rules: the selector is immutable (apps/v1).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateReplicaSetUpdate } from 'kubesim'
 * const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet' as const, metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } }
 * const next = { ...rs, spec: { ...rs.spec, selector: { matchLabels: { app: 'api' } } } }
 * expect(validateReplicaSetUpdate(next, rs)[0]?.detail).toBe('field is immutable')
 * ```
 */
export const validateReplicaSetUpdate = (next: ReplicaSet, previous: ReplicaSet): ReadonlyArray<FieldError> =>
  validateImmutable(next.spec.selector, previous.spec.selector, 'spec.selector')

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredReplicaSet = ReplicaSet & KubeObject

/**
 * The admission pipeline for ReplicaSets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { replicaSetModel } from 'kubesim'
 * expect(replicaSetModel.info.kind).toBe('ReplicaSet')
 * expect(replicaSetModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const replicaSetModel: KindModel<StoredReplicaSet> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('ReplicaSet') as KindInfo,
  codec: ReplicaSet as unknown as t.Decoder<unknown, StoredReplicaSet>,
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  applyDefaults: (rs) => defaultReplicaSet(rs) as StoredReplicaSet,
  validate: validateReplicaSet,
  podTemplate: (rs) => rs.spec.template,
  validateUpdate: validateReplicaSetUpdate,
  hasStatusSubresource: true,
}
