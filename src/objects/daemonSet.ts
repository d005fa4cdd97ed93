/**
 * DaemonSet (apps/v1): one pod per eligible node (node selector, affinity, taints), replaced
 * node by node on template changes within maxUnavailable/maxSurge budgets, or only when deleted
 * (OnDelete).
 *
 * @module
 */
import * as t from 'io-ts'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, invalid, required, unsupported } from '../validation/fieldError.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import { IntOrString, intOrPercentValue, validateIntOrPercent, validateNotMoreThan100Percent } from './intOrString.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { PodTemplateSpec, defaultPodTemplateSpec, validatePodTemplateSpec } from './pod.js'
import { validateImmutable, validateLongRunningTemplate, validateNonNegative, validateSelectorForTemplate } from './replicaSet.js'
import { LabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Rolling-update budgets, resolved against the number of nodes that should run the pod. */
export const RollingUpdateDaemonSet = optionalFields({ maxUnavailable: IntOrString, maxSurge: IntOrString })
/** Rolling-update budgets, resolved against the number of nodes that should run the pod. */
export type RollingUpdateDaemonSet = t.TypeOf<typeof RollingUpdateDaemonSet>

/** How a DaemonSet updates pods: `RollingUpdate` (default) or `OnDelete`. */
export const DaemonSetUpdateStrategy = optionalFields({ type: t.string, rollingUpdate: RollingUpdateDaemonSet })
/** How a DaemonSet updates pods: `RollingUpdate` (default) or `OnDelete`. */
export type DaemonSetUpdateStrategy = t.TypeOf<typeof DaemonSetUpdateStrategy>

/** A DaemonSet condition. */
export const DaemonSetCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ lastTransitionTime: t.string, reason: t.string, message: t.string }),
])
/** A DaemonSet condition. */
export type DaemonSetCondition = t.TypeOf<typeof DaemonSetCondition>

/** The DaemonSet spec. `selector` is required; validation reports it when missing. */
export const DaemonSetSpec = t.intersection([
  t.type({ template: PodTemplateSpec }),
  optionalFields({
    selector: LabelSelector,
    updateStrategy: DaemonSetUpdateStrategy,
    minReadySeconds: Int32,
    revisionHistoryLimit: Int32,
  }),
])
/** The DaemonSet spec. */
export type DaemonSetSpec = t.TypeOf<typeof DaemonSetSpec>

/** What the DaemonSet controller reports. */
export const DaemonSetStatus = optionalFields({
  currentNumberScheduled: Int32,
  numberMisscheduled: Int32,
  desiredNumberScheduled: Int32,
  numberReady: Int32,
  observedGeneration: Int64,
  updatedNumberScheduled: Int32,
  numberAvailable: Int32,
  numberUnavailable: Int32,
  collisionCount: Int32,
  conditions: t.array(DaemonSetCondition),
})
/** What the DaemonSet controller reports. */
export type DaemonSetStatus = t.TypeOf<typeof DaemonSetStatus>

/** A DaemonSet. */
export const DaemonSet = t.intersection([
  t.type({ apiVersion: t.literal('apps/v1'), kind: t.literal('DaemonSet'), metadata: ObjectMeta, spec: DaemonSetSpec }),
  optionalFields({ status: DaemonSetStatus }),
])
/** A DaemonSet. */
export type DaemonSet = t.TypeOf<typeof DaemonSet>

const STRATEGY_TYPES: ReadonlyArray<string> = ['RollingUpdate', 'OnDelete']

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: updateStrategy RollingUpdate with maxUnavailable 1 and
 * maxSurge 0, revisionHistoryLimit 10, and the pod template's defaults.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultDaemonSet } from 'kubesim'
 * const ds = defaultDaemonSet({
 *   apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
 *   spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } } },
 * })
 * expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } })
 * expect(ds.spec.revisionHistoryLimit).toBe(10)
 * expect(defaultDaemonSet(ds)).toBe(ds)
 * ```
 */
export const defaultDaemonSet = (ds: DaemonSet): DaemonSet => {
  const template = defaultPodTemplateSpec(ds.spec.template)
  return produce(ds, (draft) => {
    const spec = draft.spec
    const strategy = (spec.updateStrategy ??= {})
    if (strategy.type === undefined || strategy.type === '') strategy.type = 'RollingUpdate'
    if (strategy.type === 'RollingUpdate') {
      const rolling = (strategy.rollingUpdate ??= {})
      if (rolling.maxUnavailable === undefined) rolling.maxUnavailable = 1
      if (rolling.maxSurge === undefined) rolling.maxSurge = 0
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10
    if (template !== ds.spec.template) spec.template = template as typeof spec.template
  })
}

const validateUpdateStrategy = (strategy: DaemonSetUpdateStrategy | undefined): ReadonlyArray<FieldError> => {
  const type = strategy?.type ?? ''
  if (type === 'OnDelete') return []
  if (type !== 'RollingUpdate') return [unsupported('spec.updateStrategy', type, STRATEGY_TYPES)]
  const rolling = strategy?.rollingUpdate
  if (rolling === undefined) return [required('spec.updateStrategy.rollingUpdate')]
  const path = 'spec.updateStrategy.rollingUpdate'
  const maxUnavailable = rolling.maxUnavailable ?? 0
  const maxSurge = rolling.maxSurge ?? 0
  const errors: FieldError[] = [
    ...validateIntOrPercent(maxUnavailable, `${path}.maxUnavailable`),
    ...validateIntOrPercent(maxSurge, `${path}.maxSurge`),
    ...validateNotMoreThan100Percent(maxUnavailable, `${path}.maxUnavailable`),
    ...validateNotMoreThan100Percent(maxSurge, `${path}.maxSurge`),
  ]
  const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0
  const hasSurge = intOrPercentValue(maxSurge) !== 0
  if (hasUnavailable && hasSurge) errors.push(invalid(`${path}.maxSurge`, maxSurge, 'may not be set when maxUnavailable is non-zero'))
  else if (!hasUnavailable && !hasSurge) errors.push(required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'))
  return errors
}

/**
 * Validates a defaulted DaemonSet: a non-empty selector matching the template labels, the pod
 * template (restartPolicy Always, no activeDeadlineSeconds), minReadySeconds, the update
 * strategy (exactly one of maxUnavailable and maxSurge non-zero, each ≤ 100%) and
 * revisionHistoryLimit.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultDaemonSet, validateDaemonSet, formatFieldError } from 'kubesim'
 * const ds = defaultDaemonSet({
 *   apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
 *   spec: {
 *     selector: { matchLabels: { app: 'agent' } },
 *     updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
 *     template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } },
 *   },
 * })
 * expect(validateDaemonSet(ds).map(formatFieldError)).toEqual([
 *   'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
 * ])
 * ```
 */
export const validateDaemonSet = (ds: DaemonSet): ReadonlyArray<FieldError> => [
  ...validateSelectorForTemplate(ds.spec.selector, ds.spec.template, 'empty selector is invalid for daemonset', 'none'),
  ...validatePodTemplateSpec(ds.spec.template, 'spec.template'),
  ...validateLongRunningTemplate(ds.spec.template, 'DaemonSet'),
  ...validateNonNegative(ds.spec.minReadySeconds, 'spec.minReadySeconds'),
  ...validateUpdateStrategy(ds.spec.updateStrategy),
  ...validateNonNegative(ds.spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
]

/**
 * Update rules: the selector is immutable (apps/v1).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateDaemonSetUpdate } from 'kubesim'
 * const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet' as const, metadata: { name: 'agent' },
 *   spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [] } } } }
 * expect(validateDaemonSetUpdate(ds, ds)).toEqual([])
 * expect(validateDaemonSetUpdate({ ...ds, spec: { ...ds.spec, selector: { matchLabels: { app: 'x' } } } }, ds)[0]?.detail)
 *   .toBe('field is immutable')
 * ```
 */
export const validateDaemonSetUpdate = (next: DaemonSet, previous: DaemonSet): ReadonlyArray<FieldError> =>
  validateImmutable(next.spec.selector, previous.spec.selector, 'spec.selector')

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredDaemonSet = DaemonSet & KubeObject

/**
 * The admission pipeline for DaemonSets.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { daemonSetModel } from 'kubesim'
 * expect(daemonSetModel.info.kind).toBe('DaemonSet')
 * expect(daemonSetModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const daemonSetModel: KindModel<StoredDaemonSet> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('DaemonSet') as KindInfo,
  codec: DaemonSet as unknown as t.Decoder<unknown, StoredDaemonSet>,
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  applyDefaults: (ds) => defaultDaemonSet(ds) as StoredDaemonSet,
  validate: validateDaemonSet,
  podTemplate: (ds) => ds.spec.template,
  validateUpdate: validateDaemonSetUpdate,
  hasStatusSubresource: true,
}
