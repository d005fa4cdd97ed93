/**
 * Deployment (apps/v1): declarative updates for stateless pods. A Deployment owns one ReplicaSet
 * per template revision and moves replicas from old to new ones, either all at once (Recreate)
 * or within surge/unavailability budgets (RollingUpdate), reporting progress in conditions.
 *
 * @module
 */
import * as t from 'io-ts'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, forbidden, invalid, required, unsupported } from '../validation/fieldError.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import {
  IntOrString,
  intOrPercentValue,
  validateIntOrPercent,
  validateNotMoreThan100Percent,
} from './intOrString.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { PodTemplateSpec, defaultPodTemplateSpec, validatePodTemplateSpec } from './pod.js'
import {
  validateImmutable,
  validateLongRunningTemplate,
  validateNonNegative,
  validateSelectorForTemplate,
} from './replicaSet.js'
import { LabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Rolling-update budgets: how far above and below `replicas` a rollout may go. */
export const RollingUpdateDeployment = optionalFields({ maxSurge: IntOrString, maxUnavailable: IntOrString })
/** Rolling-update budgets: how far above and below `replicas` a rollout may go. */
export type RollingUpdateDeployment = t.TypeOf<typeof RollingUpdateDeployment>

/** How a Deployment replaces pods: `RollingUpdate` (default) or `Recreate`. */
export const DeploymentStrategy = optionalFields({ type: t.string, rollingUpdate: RollingUpdateDeployment })
/** How a Deployment replaces pods: `RollingUpdate` (default) or `Recreate`. */
export type DeploymentStrategy = t.TypeOf<typeof DeploymentStrategy>

/** A Deployment condition (`Available`, `Progressing`, `ReplicaFailure`). */
export const DeploymentCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ lastUpdateTime: t.string, lastTransitionTime: t.string, reason: t.string, message: t.string }),
])
/** A Deployment condition (`Available`, `Progressing`, `ReplicaFailure`). */
export type DeploymentCondition = t.TypeOf<typeof DeploymentCondition>

/** The Deployment spec. `selector` is required; validation reports it when missing. */
export const DeploymentSpec = t.intersection([
  t.type({ template: PodTemplateSpec }),
  optionalFields({
    replicas: Int32,
    selector: LabelSelector,
    minReadySeconds: Int32,
    strategy: DeploymentStrategy,
    revisionHistoryLimit: Int32,
    progressDeadlineSeconds: Int32,
    paused: t.boolean,
  }),
])
/**
 * The Deployment spec as stored: admission rejects a Deployment without a selector, so the type
 * of an admitted object has one (the codec alone lets it through, for validation to report).
 */
export type DeploymentSpec = Omit<t.TypeOf<typeof DeploymentSpec>, 'selector'> & { selector: LabelSelector }

/** What the Deployment controller reports. */
export const DeploymentStatus = optionalFields({
  observedGeneration: Int64,
  replicas: Int32,
  updatedReplicas: Int32,
  readyReplicas: Int32,
  availableReplicas: Int32,
  unavailableReplicas: Int32,
  terminatingReplicas: Int32,
  collisionCount: Int32,
  conditions: t.array(DeploymentCondition),
})
/** What the Deployment controller reports. */
export type DeploymentStatus = t.TypeOf<typeof DeploymentStatus>

/** A Deployment. */
export const Deployment = t.intersection([
  t.type({ apiVersion: t.literal('apps/v1'), kind: t.literal('Deployment'), metadata: ObjectMeta, spec: DeploymentSpec }),
  optionalFields({ status: DeploymentStatus }),
])
/** A Deployment as stored (its spec always has a selector; see `DeploymentSpec`). */
export type Deployment = Omit<t.TypeOf<typeof Deployment>, 'spec'> & { spec: DeploymentSpec }

const STRATEGY_TYPES: ReadonlyArray<string> = ['Recreate', 'RollingUpdate']

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: replicas 1, strategy RollingUpdate with maxSurge and
 * maxUnavailable 25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, and the pod
 * template's defaults. Returns the same reference when nothing changes.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultDeployment } from 'kubesim'
 * const d = defaultDeployment({
 *   apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
 * })
 * expect(d.spec).toMatchObject({
 *   replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
 *   strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
 * })
 * expect(defaultDeployment(d)).toBe(d)
 * ```
 */
export const defaultDeployment = (deployment: Deployment): Deployment => {
  const template = defaultPodTemplateSpec(deployment.spec.template)
  return produce(deployment, (draft) => {
    const spec = draft.spec
    if (spec.replicas === undefined) spec.replicas = 1
    const strategy = (spec.strategy ??= {})
    if (strategy.type === undefined || strategy.type === '') strategy.type = 'RollingUpdate'
    if (strategy.type === 'RollingUpdate') {
      const rolling = (strategy.rollingUpdate ??= {})
      if (rolling.maxUnavailable === undefined) rolling.maxUnavailable = '25%'
      if (rolling.maxSurge === undefined) rolling.maxSurge = '25%'
    }
    if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10
    if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600
    if (template !== deployment.spec.template) spec.template = template as typeof spec.template
  })
}

const validateStrategy = (strategy: DeploymentStrategy | undefined): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const type = strategy?.type ?? ''
  switch (type) {
    case 'Recreate':
      if (strategy?.rollingUpdate !== undefined)
        errors.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"))
      break
    case 'RollingUpdate': {
      const rolling = strategy?.rollingUpdate
      if (rolling === undefined) {
        errors.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'))
        break
      }
      const maxUnavailable = rolling.maxUnavailable ?? 0
      const maxSurge = rolling.maxSurge ?? 0
      errors.push(...validateIntOrPercent(maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'))
      errors.push(...validateIntOrPercent(maxSurge, 'spec.strategy.rollingUpdate.maxSurge'))
      if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0)
        errors.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', maxUnavailable, 'may not be 0 when `maxSurge` is 0'))
      errors.push(...validateNotMoreThan100Percent(maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'))
      break
    }
    default:
      errors.push(unsupported('spec.strategy', type, STRATEGY_TYPES))
  }
  return errors
}

/**
 * Validates a defaulted Deployment as the API server does: replicas, a non-empty selector that
 * matches the template labels, the pod template (restartPolicy Always), the strategy (budgets
 * not both 0, percentages, maxUnavailable ≤ 100%, no rollingUpdate with Recreate),
 * minReadySeconds, revisionHistoryLimit and progressDeadlineSeconds > minReadySeconds.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultDeployment, validateDeployment, formatFieldError } from 'kubesim'
 * const d = defaultDeployment({
 *   apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: {
 *     selector: { matchLabels: { app: 'web' } },
 *     strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
 *     template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
 *   },
 * })
 * expect(validateDeployment(d).map(formatFieldError)).toEqual([
 *   'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
 * ])
 * ```
 */
export const validateDeployment = (deployment: Deployment): ReadonlyArray<FieldError> => {
  const spec = deployment.spec
  const errors: FieldError[] = [
    ...validateNonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorForTemplate(spec.selector, spec.template, 'empty selector is invalid for deployment', 'invalid label selector'),
    ...validatePodTemplateSpec(spec.template, 'spec.template'),
    ...validateLongRunningTemplate(spec.template, 'ReplicaSet'),
    ...validateStrategy(spec.strategy),
    ...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ]
  if (spec.progressDeadlineSeconds !== undefined) {
    errors.push(...validateNonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'))
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0))
      errors.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'))
  }
  return errors
}

/**
 * Update rules: the selector is immutable (apps/v1).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateDeploymentUpdate, formatFieldError } from 'kubesim'
 * const d = { apiVersion: 'apps/v1', kind: 'Deployment' as const, metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [] } } } }
 * const next = { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'api' } } } }
 * expect(validateDeploymentUpdate(next, d).map(formatFieldError)).toEqual([
 *   'spec.selector: Invalid value: {"matchLabels":{"app":"api"}}: field is immutable',
 * ])
 * ```
 */
export const validateDeploymentUpdate = (next: Deployment, previous: Deployment): ReadonlyArray<FieldError> =>
  validateImmutable(next.spec.selector, previous.spec.selector, 'spec.selector')

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredDeployment = Deployment & KubeObject

/**
 * The admission pipeline for Deployments.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { deploymentModel } from 'kubesim'
 * expect(deploymentModel.info.kind).toBe('Deployment')
 * expect(deploymentModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const deploymentModel: KindModel<StoredDeployment> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('Deployment') as KindInfo,
  codec: Deployment as unknown as t.Decoder<unknown, StoredDeployment>,
  schema: 'io.k8s.api.apps.v1.Deployment',
  applyDefaults: (deployment) => defaultDeployment(deployment) as StoredDeployment,
  validate: validateDeployment,
  podTemplate: (deployment) => deployment.spec.template,
  validateUpdate: validateDeploymentUpdate,
  hasStatusSubresource: true,
}
