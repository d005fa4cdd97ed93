/**
 * Job (batch/v1): runs pods to completion, `parallelism` at a time, until `completions` succeed
 * (or, in Indexed mode, every index succeeds), retrying failures up to `backoffLimit`. The API
 * server generates a selector from the Job's uid on create, so Job pods can never be claimed by
 * another Job; `withGeneratedJobSelector` performs that step for the reducer.
 *
 * @module
 */
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, duplicate, invalid, required, tooMany, unsupported } from '../validation/fieldError.js'
import { isDns1123Label, isQualifiedName } from '../validation/names.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { type PodSpec, PodTemplateSpec, defaultPodTemplateSpec, templatePodSpec, validatePodTemplateSpec } from './pod.js'
import { validateImmutable, validateNonNegative } from './replicaSet.js'
import { LabelSelector, fromLabelSelector, matchesSelector, validateLabelSelector } from './selector.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One rule of a pod failure policy: an action for failures matching exit codes or conditions. */
export const PodFailurePolicyRule = t.intersection([
  t.type({ action: t.string }),
  optionalFields({
    onExitCodes: t.intersection([
      t.type({ operator: t.string, values: t.array(Int32) }),
      optionalFields({ containerName: t.string }),
    ]),
    onPodConditions: t.array(t.intersection([t.type({ type: t.string }), optionalFields({ status: t.string })])),
  }),
])
/** One rule of a pod failure policy: an action for failures matching exit codes or conditions. */
export type PodFailurePolicyRule = t.TypeOf<typeof PodFailurePolicyRule>

/** How pod failures count against the Job. */
export const PodFailurePolicy = t.type({ rules: t.array(PodFailurePolicyRule) })
/** How pod failures count against the Job. */
export type PodFailurePolicy = t.TypeOf<typeof PodFailurePolicy>

/** When an Indexed Job counts as succeeded before every index has. */
export const SuccessPolicy = t.type({
  rules: t.array(optionalFields({ succeededIndexes: t.string, succeededCount: Int32 })),
})
/** When an Indexed Job counts as succeeded before every index has. */
export type SuccessPolicy = t.TypeOf<typeof SuccessPolicy>

/** The Job spec. */
export const JobSpec = t.intersection([
  t.type({ template: PodTemplateSpec }),
  optionalFields({
    parallelism: Int32,
    completions: Int32,
    completionMode: t.string,
    activeDeadlineSeconds: Int64,
    backoffLimit: Int32,
    backoffLimitPerIndex: Int32,
    maxFailedIndexes: Int32,
    ttlSecondsAfterFinished: Int32,
    suspend: t.boolean,
    selector: LabelSelector,
    manualSelector: t.boolean,
    podFailurePolicy: PodFailurePolicy,
    successPolicy: SuccessPolicy,
    podReplacementPolicy: t.string,
    managedBy: t.string,
  }),
])
/** The Job spec. */
export type JobSpec = t.TypeOf<typeof JobSpec>

/** A Job condition (`Complete`, `Failed`, `Suspended`, `FailureTarget`, `SuccessCriteriaMet`). */
export const JobCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ lastProbeTime: t.string, lastTransitionTime: t.string, reason: t.string, message: t.string }),
])
/** A Job condition (`Complete`, `Failed`, `Suspended`, `FailureTarget`, `SuccessCriteriaMet`). */
export type JobCondition = t.TypeOf<typeof JobCondition>

/** What the Job controller reports. */
export const JobStatus = optionalFields({
  conditions: t.array(JobCondition),
  startTime: t.string,
  completionTime: t.string,
  active: Int32,
  succeeded: Int32,
  failed: Int32,
  terminating: Int32,
  ready: Int32,
  completedIndexes: t.string,
  failedIndexes: t.string,
  uncountedTerminatedPods: optionalFields({ succeeded: t.array(t.string), failed: t.array(t.string) }),
})
/** What the Job controller reports. */
export type JobStatus = t.TypeOf<typeof JobStatus>

/** A Job. */
export const Job = t.intersection([
  t.type({ apiVersion: t.literal('batch/v1'), kind: t.literal('Job'), metadata: ObjectMeta, spec: JobSpec }),
  optionalFields({ status: JobStatus }),
])
/** A Job. */
export type Job = t.TypeOf<typeof Job>

/** The label (and selector key) carrying the Job's uid. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid'
/** The label carrying the Job's name. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name'
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid'
const LEGACY_JOB_NAME_LABEL = 'job-name'
/** The largest int32: backoffLimit's default when backoffLimitPerIndex is set. */
export const MAX_INT32 = 2147483647

const COMPLETION_MODES: ReadonlyArray<string> = ['NonIndexed', 'Indexed']
const POD_FAILURE_ACTIONS: ReadonlyArray<string> = ['Count', 'FailIndex', 'FailJob', 'Ignore']
const EXIT_CODE_OPERATORS: ReadonlyArray<string> = ['In', 'NotIn']
const CONDITION_STATUSES: ReadonlyArray<string> = ['False', 'True', 'Unknown']
const REPLACEMENT_POLICIES: ReadonlyArray<string> = ['Failed', 'TerminatingOrFailed']
const MAX_PARALLELISM_INDEXED = 100000
const MAX_FAILED_INDEXES = 100000
const COMPLETIONS_SOFT_LIMIT = 100000
const PARALLELISM_LIMIT_HIGH_COMPLETIONS = 10000
const MAX_FAILED_INDEXES_HIGH_COMPLETIONS = 10000

// ---------------------------------------------------------------------------------------------
// guards
// ---------------------------------------------------------------------------------------------

/**
 * Whether a Job runs in Indexed completion mode.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { isIndexedJob } from 'kubesim'
 * const job = { apiVersion: 'batch/v1', kind: 'Job' as const, metadata: { name: 'j' }, spec: { completionMode: 'Indexed', template: { spec: { containers: [] } } } }
 * expect(isIndexedJob(job)).toBe(true)
 * ```
 */
export const isIndexedJob = (job: Job): boolean => job.spec.completionMode === 'Indexed'

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: completions and parallelism 1 when both are unset
 * (parallelism 1 alone when only completions is set), backoffLimit 6 (2147483647 with
 * backoffLimitPerIndex), completionMode NonIndexed, suspend false, manualSelector false,
 * podReplacementPolicy TerminatingOrFailed (Failed with a podFailurePolicy), status True on
 * pod-condition rules, the Job's labels from the template's when it has none, and the pod
 * template's defaults.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultJob } from 'kubesim'
 * const job = defaultJob({
 *   apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' },
 *   spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
 * })
 * expect(job.spec).toMatchObject({
 *   completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed',
 *   suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed',
 * })
 * expect(defaultJob(job)).toBe(job)
 * ```
 */
export const defaultJob = (job: Job): Job => {
  const template = defaultPodTemplateSpec(job.spec.template)
  return produce(job, (draft) => {
    const spec = draft.spec
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1
      spec.parallelism = 1
    }
    if (spec.parallelism === undefined) spec.parallelism = 1
    if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6
    const templateLabels = job.spec.template.metadata?.labels
    if (templateLabels !== undefined && Object.keys(draft.metadata.labels ?? {}).length === 0)
      draft.metadata.labels = { ...templateLabels }
    if (spec.completionMode === undefined) spec.completionMode = 'NonIndexed'
    if (spec.suspend === undefined) spec.suspend = false
    for (const rule of spec.podFailurePolicy?.rules ?? [])
      for (const pattern of rule.onPodConditions ?? []) if (pattern.status === undefined || pattern.status === '') pattern.status = 'True'
    if (spec.podReplacementPolicy === undefined)
      spec.podReplacementPolicy = spec.podFailurePolicy !== undefined ? 'Failed' : 'TerminatingOrFailed'
    if (spec.manualSelector === undefined) spec.manualSelector = false
    if (template !== job.spec.template) spec.template = template as typeof spec.template
  })
}

/**
 * The API server's selector generation on create (unless `manualSelector`): the template gets
 * the labels `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and the legacy
 * `controller-uid` and `job-name` (labels the user set are kept, and validation then rejects
 * conflicting ones), and the selector matches `batch.kubernetes.io/controller-uid: <uid>`. A Job
 * without labels of its own takes the template's, as defaulting does when the object is read.
 * The reducer calls this with the uid it assigns.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { withGeneratedJobSelector } from 'kubesim'
 * const job = withGeneratedJobSelector({
 *   apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' },
 *   spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
 * }, 'uid-1')
 * expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } })
 * expect(job.spec.template.metadata?.labels).toEqual({
 *   'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi',
 *   'controller-uid': 'uid-1', 'batch.kubernetes.io/controller-uid': 'uid-1',
 * })
 * ```
 */
export const withGeneratedJobSelector = (job: Job, uid: string): Job => {
  if (job.spec.manualSelector === true) return job
  const name = job.metadata.name ?? ''
  return produce(job, (draft) => {
    const templateMeta = (draft.spec.template.metadata ??= {})
    const labels = (templateMeta.labels ??= {})
    for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name
    for (const key of [LEGACY_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid
    const selector = (draft.spec.selector ??= {})
    const matchLabels = (selector.matchLabels ??= {})
    if (!(JOB_CONTROLLER_UID_LABEL in matchLabels)) matchLabels[JOB_CONTROLLER_UID_LABEL] = uid
    if (Object.keys(draft.metadata.labels ?? {}).length === 0) draft.metadata.labels = { ...labels }
  })
}

const hasLabel = (labels: Readonly<Record<string, string>> | undefined, key: string, expected: string): ReadonlyArray<FieldError> => {
  const path = `spec.template.metadata.labels[${key}]`
  const actual = labels?.[key]
  if (actual === undefined) return [required(path, `must be '${expected}'`)]
  return actual === expected ? [] : [invalid(path, labels ?? {}, `must be '${expected}'`)]
}

/** `validateGeneratedSelector`, when the uid and name are known (the reducer stamps them). */
const validateGeneratedSelector = (job: Job): ReadonlyArray<FieldError> => {
  const { uid, name } = job.metadata
  if (job.spec.manualSelector === true || job.spec.selector === undefined || uid === undefined || name === undefined) return []
  const labels = job.spec.template.metadata?.labels
  const errors: FieldError[] = [
    ...hasLabel(labels, LEGACY_CONTROLLER_UID_LABEL, uid),
    ...hasLabel(labels, LEGACY_JOB_NAME_LABEL, name),
    ...hasLabel(labels, JOB_CONTROLLER_UID_LABEL, uid),
    ...hasLabel(labels, JOB_NAME_LABEL, name),
  ]
  const expected = {
    [JOB_CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: name,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: name,
  }
  if (validateLabelSelector(job.spec.selector, 'spec.selector').length === 0 && !matchesSelector(fromLabelSelector(job.spec.selector), expected))
    errors.push(invalid('spec.selector', job.spec.selector, '`selector` not auto-generated'))
  return errors
}

/** Parses an index list such as `1,3-5` as upstream's `validateIndexesFormat`; returns the count. */
const parseIndexes = (indexes: string, completions: number): { count: number } | { error: string } => {
  if (indexes === '') return { count: 0 }
  let previous = -1
  let count = 0
  for (const interval of indexes.split(',')) {
    const limits = interval.split('-')
    if (limits.length > 2) return { error: `the fragment "${interval}" violates the requirement that an index interval can have at most two parts separated by '-'` }
    const bounds: number[] = []
    for (const limit of limits) {
      if (!/^[0-9]+$/.test(limit)) return { error: `cannot convert string to integer for index: "${limit}"` }
      const value = Number(limit)
      if (value >= completions) return { error: `too large index: "${limit}"` }
      bounds.push(value)
    }
    const [first = 0, last = first] = bounds
    if (first <= previous) return { error: `non-increasing order, previous: ${previous}, current: ${first}` }
    if (bounds.length === 2 && first >= last)
      return { error: `the fragment "${interval}" violates the requirement that the first index is smaller than the last` }
    count += last - first + 1
    previous = last
  }
  return { count }
}

const validatePodFailurePolicy = (spec: JobSpec, path: string): ReadonlyArray<FieldError> => {
  const policy = spec.podFailurePolicy
  if (policy === undefined) return []
  const errors: FieldError[] = []
  if (policy.rules.length > 20) errors.push(tooMany(`${path}.rules`, policy.rules.length, 20))
  const podSpec = templatePodSpec(spec.template)
  const containers = new Set([...podSpec.containers, ...(podSpec.initContainers ?? [])].map((c) => c.name))
  policy.rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`
    if (rule.action === '') errors.push(required(`${at}.action`, `valid values: ${JSON.stringify(POD_FAILURE_ACTIONS)}`))
    else if (rule.action === 'FailIndex') {
      if (spec.backoffLimitPerIndex === undefined) errors.push(invalid(`${at}.action`, rule.action, 'requires the backoffLimitPerIndex to be set'))
    } else if (!POD_FAILURE_ACTIONS.includes(rule.action)) errors.push(unsupported(`${at}.action`, rule.action, POD_FAILURE_ACTIONS))
    const exit = rule.onExitCodes
    if (exit !== undefined) {
      const ep = `${at}.onExitCodes`
      if (exit.operator === '') errors.push(required(`${ep}.operator`, `valid values: ${JSON.stringify(EXIT_CODE_OPERATORS)}`))
      else if (!EXIT_CODE_OPERATORS.includes(exit.operator)) errors.push(unsupported(`${ep}.operator`, exit.operator, EXIT_CODE_OPERATORS))
      if (exit.containerName !== undefined && !containers.has(exit.containerName))
        errors.push(invalid(`${ep}.containerName`, exit.containerName, 'must be one of the container or initContainer names in the pod template'))
      if (exit.values.length === 0) errors.push(invalid(`${ep}.values`, exit.values, 'at least one value is required'))
      else if (exit.values.length > 255) errors.push(tooMany(`${ep}.values`, exit.values.length, 255))
      const seen = new Set<number>()
      let ordered = true
      exit.values.forEach((value, j) => {
        if (exit.operator === 'In' && value === 0) errors.push(invalid(`${ep}.values[${j}]`, value, 'must not be 0 for the In operator'))
        if (seen.has(value)) errors.push(duplicate(`${ep}.values[${j}]`, value))
        seen.add(value)
        if (j > 0 && (exit.values[j - 1] ?? 0) > value) ordered = false
      })
      if (!ordered) errors.push(invalid(`${ep}.values`, exit.values, 'must be ordered'))
    }
    const conditions = rule.onPodConditions ?? []
    if (conditions.length > 20) errors.push(tooMany(`${at}.onPodConditions`, conditions.length, 20))
    conditions.forEach((pattern, j) => {
      const cp = `${at}.onPodConditions[${j}]`
      for (const msg of isQualifiedName(pattern.type)) errors.push(invalid(`${cp}.type`, pattern.type, msg))
      const status = pattern.status ?? ''
      if (status === '') errors.push(required(`${cp}.status`, `valid values: ${JSON.stringify(CONDITION_STATUSES)}`))
      else if (!CONDITION_STATUSES.includes(status)) errors.push(unsupported(`${cp}.status`, status, CONDITION_STATUSES))
    })
    if (exit !== undefined && conditions.length > 0)
      errors.push(invalid(at, null, 'specifying both OnExitCodes and OnPodConditions is not supported'))
    if (exit === undefined && conditions.length === 0)
      errors.push(invalid(at, null, 'specifying one of OnExitCodes and OnPodConditions is required'))
  })
  return errors
}

const validateSuccessPolicy = (spec: JobSpec, path: string): ReadonlyArray<FieldError> => {
  const policy = spec.successPolicy
  if (policy === undefined) return []
  if (spec.completionMode !== 'Indexed') return [invalid(path, policy, 'requires indexed completion mode')]
  const errors: FieldError[] = []
  const completions = spec.completions ?? 0
  if (policy.rules.length === 0) errors.push(required(`${path}.rules`, 'at least one rules must be specified when the successPolicy is specified'))
  if (policy.rules.length > 20) errors.push(tooMany(`${path}.rules`, policy.rules.length, 20))
  policy.rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined)
      errors.push(required(at, 'at least one of succeededCount or succeededIndexes must be specified'))
    let total = 0
    if (rule.succeededIndexes !== undefined) {
      const parsed = parseIndexes(rule.succeededIndexes, completions)
      if ('error' in parsed)
        errors.push(invalid(`${at}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`))
      else total = parsed.count
    }
    if (rule.succeededCount !== undefined) {
      errors.push(...validateNonNegative(rule.succeededCount, `${at}.succeededCount`))
      if (rule.succeededCount > completions)
        errors.push(invalid(`${at}.succeededCount`, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`))
      if (rule.succeededIndexes !== undefined && rule.succeededCount > total)
        errors.push(
          invalid(`${at}.succeededCount`, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`),
        )
    }
  })
  return errors
}

/**
 * `validateJobSpec`: the rules a Job and a CronJob's job template share, under `path`
 * (`spec` or `spec.jobTemplate.spec`).
 *
 * @internal
 */
export const validateJobSpecAt = (spec: JobSpec, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = [
    ...validateNonNegative(spec.parallelism, `${path}.parallelism`),
    ...validateNonNegative(spec.completions, `${path}.completions`),
    ...validateNonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`),
    ...validateNonNegative(spec.backoffLimit, `${path}.backoffLimit`),
    ...validateNonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
    ...validateNonNegative(spec.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`),
  ]
  if (spec.maxFailedIndexes !== undefined) {
    errors.push(...validateNonNegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`))
    if (spec.backoffLimitPerIndex === undefined) errors.push(required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'))
  }
  const mode = spec.completionMode
  if (mode !== undefined) {
    if (!COMPLETION_MODES.includes(mode)) errors.push(unsupported(`${path}.completionMode`, mode, COMPLETION_MODES))
    if (mode === 'Indexed') {
      if (spec.completions === undefined) errors.push(required(`${path}.completions`, 'when completion mode is Indexed'))
      if (spec.parallelism !== undefined && spec.parallelism > MAX_PARALLELISM_INDEXED)
        errors.push(invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`))
      if (spec.completions !== undefined && spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > spec.completions)
        errors.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'))
      if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > MAX_FAILED_INDEXES)
        errors.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES}`))
      if (spec.completions !== undefined && spec.completions > COMPLETIONS_SOFT_LIMIT && spec.backoffLimitPerIndex !== undefined) {
        const why = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`
        if (spec.maxFailedIndexes === undefined)
          errors.push(required(`${path}.maxFailedIndexes`, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`))
        if (spec.parallelism !== undefined && spec.parallelism > PARALLELISM_LIMIT_HIGH_COMPLETIONS)
          errors.push(invalid(`${path}.parallelism`, spec.parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_HIGH_COMPLETIONS} ${why}`))
        if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes > MAX_FAILED_INDEXES_HIGH_COMPLETIONS)
          errors.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_HIGH_COMPLETIONS} ${why}`))
      }
    }
  }
  if (mode === undefined || mode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex !== undefined)
      errors.push(invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'))
    if (spec.maxFailedIndexes !== undefined)
      errors.push(invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'))
  }
  errors.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`))
  errors.push(...validateSuccessPolicy(spec, `${path}.successPolicy`))
  if (spec.podReplacementPolicy !== undefined) {
    if (spec.podFailurePolicy !== undefined) {
      if (spec.podReplacementPolicy !== 'Failed') errors.push(unsupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']))
    } else if (!REPLACEMENT_POLICIES.includes(spec.podReplacementPolicy))
      errors.push(unsupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, REPLACEMENT_POLICIES))
  }
  errors.push(...validatePodTemplateSpec(spec.template, `${path}.template`))
  const restartPolicy = templatePodSpec(spec.template).restartPolicy ?? ''
  const restartPath = `${path}.template.spec.restartPolicy`
  if (restartPolicy === 'Always' || restartPolicy === '') errors.push(required(restartPath, 'valid values: "OnFailure", "Never"'))
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errors.push(unsupported(restartPath, restartPolicy, ['OnFailure', 'Never']))
  else if (spec.podFailurePolicy !== undefined && restartPolicy !== 'Never')
    errors.push(invalid(restartPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'))
  return errors
}

/**
 * Validates a defaulted Job: counts and deadlines non-negative, completion mode (Indexed needs
 * completions), per-index backoff, pod failure and success policies, podReplacementPolicy, the
 * pod template with restartPolicy OnFailure or Never, a selector matching the template labels,
 * and (once the uid is stamped) that a generated selector and its labels are intact.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultJob, withGeneratedJobSelector, validateJob, formatFieldError } from 'kubesim'
 * const job = withGeneratedJobSelector(defaultJob({
 *   apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' },
 *   spec: { backoffLimit: -1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
 * }), 'uid-1')
 * expect(validateJob(job).map(formatFieldError)).toEqual(['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'])
 * ```
 */
export const validateJob = (job: Job): ReadonlyArray<FieldError> => {
  const spec = job.spec
  const errors: FieldError[] = [...validateGeneratedSelector(job), ...validateJobSpecAt(spec, 'spec')]
  // Without manualSelector the selector is generated on create (prepareForCreate, after this
  // validation); it is only required when the user chose to manage it.
  if (spec.selector === undefined) {
    if (spec.manualSelector === true) errors.push(required('spec.selector'))
  } else {
    const syntax = validateLabelSelector(spec.selector, 'spec.selector')
    errors.push(...syntax)
    if (syntax.length === 0 && !matchesSelector(fromLabelSelector(spec.selector), spec.template.metadata?.labels))
      errors.push(invalid('spec.template.metadata.labels', spec.template.metadata?.labels ?? {}, '`selector` does not match template `labels`'))
  }
  const name = job.metadata.name
  if (spec.completionMode === 'Indexed' && spec.completions !== undefined && spec.completions > 0 && name !== undefined) {
    const hostname = `${name}-${spec.completions - 1}`
    if (isDns1123Label(hostname).length > 0)
      errors.push(invalid('metadata.name', name, `will not able to create pod with invalid DNS label: ${hostname}`))
  }
  return errors
}

const schedulingFreeTemplate = (template: PodTemplateSpec): unknown => {
  const { labels: _l, annotations: _a, ...metadata } = template.metadata ?? {}
  const { nodeSelector: _n, tolerations: _t, schedulingGates: _g, affinity, ...spec } = templatePodSpec(template) as PodSpec & {
    readonly schedulingGates?: unknown
  }
  const { nodeAffinity: _na, ...otherAffinity } = (affinity ?? {}) as Record<string, unknown>
  const keepAffinity = Object.values(otherAffinity).some((v) => v !== undefined)
  return { metadata, spec: keepAffinity ? { ...spec, affinity: otherAffinity } : spec }
}

/**
 * Update rules: the selector, completionMode, podFailurePolicy, backoffLimitPerIndex, managedBy
 * and successPolicy are immutable; completions too, except in Indexed mode where it may change
 * together with parallelism (equal to it); the pod template is immutable, except that a
 * suspended Job that never started may change its scheduling directives (node selector,
 * affinity, tolerations, scheduling gates, template labels and annotations).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateJobUpdate, formatFieldError } from 'kubesim'
 * const job = { apiVersion: 'batch/v1', kind: 'Job' as const, metadata: { name: 'pi' },
 *   spec: { completions: 3, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } }
 * expect(validateJobUpdate({ ...job, spec: { ...job.spec, completions: 4 } }, job).map(formatFieldError))
 *   .toEqual(['spec.completions: Invalid value: 4: field is immutable'])
 * ```
 */
export const validateJobUpdate = (next: Job, previous: Job): ReadonlyArray<FieldError> => {
  const spec = next.spec
  const old = previous.spec
  const errors: FieldError[] = []
  if (spec.completionMode === 'Indexed') {
    if (!deepEqual(spec.completions, old.completions) && spec.completions !== undefined && spec.completions !== spec.parallelism)
      errors.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'))
  } else errors.push(...validateImmutable(spec.completions, old.completions, 'spec.completions'))
  errors.push(...validateImmutable(spec.selector, old.selector, 'spec.selector'))
  const mutableScheduling = old.suspend === true && previous.status?.startTime === undefined
  const templateChanged = mutableScheduling
    ? !deepEqual(schedulingFreeTemplate(spec.template), schedulingFreeTemplate(old.template))
    : !deepEqual(spec.template, old.template)
  if (templateChanged) errors.push(invalid('spec.template', spec.template, 'field is immutable'))
  errors.push(...validateImmutable(spec.completionMode, old.completionMode, 'spec.completionMode'))
  errors.push(...validateImmutable(spec.podFailurePolicy, old.podFailurePolicy, 'spec.podFailurePolicy'))
  errors.push(...validateImmutable(spec.backoffLimitPerIndex, old.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'))
  errors.push(...validateImmutable(spec.managedBy, old.managedBy, 'spec.managedBy'))
  errors.push(...validateImmutable(spec.successPolicy, old.successPolicy, 'spec.successPolicy'))
  return errors
}

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredJob = Job & KubeObject

/**
 * The admission pipeline for Jobs. `prepareForCreate` generates the selector and pod labels
 * from the uid the reducer stamps (unless `manualSelector`).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { jobModel } from 'kubesim'
 * expect(jobModel.info.kind).toBe('Job')
 * expect(jobModel.hasStatusSubresource).toBe(true)
 * const job = { apiVersion: 'batch/v1', kind: 'Job' as const, metadata: { name: 'pi', uid: 'u1' },
 *   spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } }
 * expect(jobModel.prepareForCreate?.(job).spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } })
 * ```
 */
export const jobModel: KindModel<StoredJob> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('Job') as KindInfo,
  codec: Job as unknown as t.Decoder<unknown, StoredJob>,
  schema: 'io.k8s.api.batch.v1.Job',
  applyDefaults: (job) => defaultJob(job) as StoredJob,
  validate: validateJob,
  podTemplate: (job) => job.spec.template,
  validateUpdate: validateJobUpdate,
  prepareForCreate: (job) =>
    job.metadata.uid === undefined ? job : (withGeneratedJobSelector(job, job.metadata.uid) as StoredJob),
  hasStatusSubresource: true,
}
