/**
 * CronJob (batch/v1): creates a Job from its job template at each time its cron schedule
 * fires, in `timeZone` (UTC when unset), honouring a concurrency policy, a starting deadline,
 * suspension and history limits for finished Jobs.
 *
 * @module
 */
import * as t from 'io-ts'
import { produceCopy as produce } from '../internal/immer.js'
import { type FieldError, invalid, required, unsupported } from '../validation/fieldError.js'
import { isKnownTimeZone, parseCronSchedule } from './cronSchedule.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import { JobSpec, validateJobSpecAt } from './job.js'
import type { KindModel } from './kindModel.js'
import { type KindInfo, kindInfo } from './kinds.js'
import { ObjectMeta } from './meta.js'
import type { KubeObject } from './object.js'
import { defaultPodTemplateSpec } from './pod.js'
import { validateNonNegative } from './replicaSet.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** The Job a CronJob creates at each run: metadata for the Job and its spec. */
export const JobTemplateSpec = t.intersection([t.type({ spec: JobSpec }), optionalFields({ metadata: ObjectMeta })])
/** The Job a CronJob creates at each run: metadata for the Job and its spec. */
export type JobTemplateSpec = t.TypeOf<typeof JobTemplateSpec>

/** The CronJob spec. */
export const CronJobSpec = t.intersection([
  t.type({ schedule: t.string, jobTemplate: JobTemplateSpec }),
  optionalFields({
    timeZone: t.string,
    startingDeadlineSeconds: Int64,
    concurrencyPolicy: t.string,
    suspend: t.boolean,
    successfulJobsHistoryLimit: Int32,
    failedJobsHistoryLimit: Int32,
  }),
])
/** The CronJob spec. */
export type CronJobSpec = t.TypeOf<typeof CronJobSpec>

/** A reference to a running Job (`status.active[]`). */
export const CronJobActiveRef = optionalFields({
  apiVersion: t.string,
  kind: t.string,
  namespace: t.string,
  name: t.string,
  uid: t.string,
  resourceVersion: t.string,
})
/** A reference to a running Job (`status.active[]`). */
export type CronJobActiveRef = t.TypeOf<typeof CronJobActiveRef>

/** What the CronJob controller reports. */
export const CronJobStatus = optionalFields({
  active: t.array(CronJobActiveRef),
  lastScheduleTime: t.string,
  lastSuccessfulTime: t.string,
})
/** What the CronJob controller reports. */
export type CronJobStatus = t.TypeOf<typeof CronJobStatus>

/** A CronJob. */
export const CronJob = t.intersection([
  t.type({ apiVersion: t.literal('batch/v1'), kind: t.literal('CronJob'), metadata: ObjectMeta, spec: CronJobSpec }),
  optionalFields({ status: CronJobStatus }),
])
/** A CronJob. */
export type CronJob = t.TypeOf<typeof CronJob>

const CONCURRENCY_POLICIES: ReadonlyArray<string> = ['Allow', 'Forbid', 'Replace']
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Fills in the API server's defaults: concurrencyPolicy Allow, suspend false,
 * successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1, and the pod template's defaults inside
 * the job template (the Job defaults themselves apply when each Job is created).
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultCronJob } from 'kubesim'
 * const cj = defaultCronJob({
 *   apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup' },
 *   spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'b', image: 'backup' }] } } } } },
 * })
 * expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 })
 * expect(defaultCronJob(cj)).toBe(cj)
 * ```
 */
export const defaultCronJob = (cronJob: CronJob): CronJob => {
  const template = defaultPodTemplateSpec(cronJob.spec.jobTemplate.spec.template)
  return produce(cronJob, (draft) => {
    const spec = draft.spec
    if (spec.concurrencyPolicy === undefined || spec.concurrencyPolicy === '') spec.concurrencyPolicy = 'Allow'
    if (spec.suspend === undefined) spec.suspend = false
    if (spec.successfulJobsHistoryLimit === undefined) spec.successfulJobsHistoryLimit = 3
    if (spec.failedJobsHistoryLimit === undefined) spec.failedJobsHistoryLimit = 1
    if (template !== cronJob.spec.jobTemplate.spec.template)
      spec.jobTemplate.spec.template = template as typeof spec.jobTemplate.spec.template
  })
}

/**
 * Validates a time zone name as the API server does for `spec.timeZone`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateTimeZone, formatFieldError } from 'kubesim'
 * expect(validateTimeZone('Europe/Paris', 'spec.timeZone')).toEqual([])
 * expect(validateTimeZone('Europe/Pariss', 'spec.timeZone').map(formatFieldError))
 *   .toEqual(['spec.timeZone: Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss'])
 * ```
 */
export const validateTimeZone = (timeZone: string | undefined, path: string): ReadonlyArray<FieldError> => {
  if (timeZone === undefined) return []
  if (timeZone === '') return [invalid(path, timeZone, 'timeZone must be nil or non-empty string')]
  for (const part of timeZone.split('/'))
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part))
      return [invalid(path, timeZone, `unknown time zone ${timeZone}`)]
  if (timeZone.toLowerCase() === 'local')
    return [invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')]
  return isKnownTimeZone(timeZone) ? [] : [invalid(path, timeZone, `unknown time zone ${timeZone}`)]
}

const validateSchedule = (schedule: string): ReadonlyArray<FieldError> => {
  if (schedule === '') return [required('spec.schedule')]
  const errors: FieldError[] = []
  const parsed = parseCronSchedule(schedule)
  if (parsed._tag === 'Left') errors.push(invalid('spec.schedule', schedule, parsed.left))
  if (schedule.includes('TZ'))
    errors.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'))
  return errors
}

const validateCronJobSpec = (spec: CronJobSpec): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = [...validateSchedule(spec.schedule)]
  errors.push(...validateNonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'))
  errors.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'))
  const policy = spec.concurrencyPolicy ?? ''
  if (policy === '') errors.push(required('spec.concurrencyPolicy'))
  else if (!CONCURRENCY_POLICIES.includes(policy)) errors.push(unsupported('spec.concurrencyPolicy', policy, CONCURRENCY_POLICIES))
  const jobSpec = spec.jobTemplate.spec
  errors.push(...validateJobSpecAt(jobSpec, 'spec.jobTemplate.spec'))
  if (jobSpec.selector !== undefined)
    errors.push(invalid('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'))
  if (jobSpec.manualSelector === true) errors.push(unsupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']))
  errors.push(...validateNonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'))
  errors.push(...validateNonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'))
  return errors
}

/**
 * Validates a defaulted CronJob on create: the schedule parses with robfig/cron's standard
 * parser and carries no `TZ=`/`CRON_TZ=`, timeZone is a known IANA zone (not `Local`),
 * startingDeadlineSeconds and history limits are non-negative, concurrencyPolicy is Allow,
 * Forbid or Replace, and the job template is a valid Job spec without a selector. (The
 * 52-character name limit is a naming rule in the kind table.)
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultCronJob, validateCronJob, formatFieldError } from 'kubesim'
 * const cj = defaultCronJob({
 *   apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup' },
 *   spec: { schedule: 'CRON_TZ=UTC 0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'b', image: 'backup' }] } } } } },
 * })
 * expect(validateCronJob(cj).map(formatFieldError)).toEqual([
 *   'spec.schedule: Invalid value: "CRON_TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
 * ])
 * ```
 */
export const validateCronJob = (cronJob: CronJob): ReadonlyArray<FieldError> => validateCronJobSpec(cronJob.spec)

/**
 * Extra rules on update, on top of `validateCronJob` (the store runs both): a schedule that
 * still carries `TZ=`/`CRON_TZ=` may not be combined with `timeZone`. (Upstream also lets an
 * object that already had `TZ=` keep it on update; kubesim rejects `TZ=` on create, so no
 * stored CronJob has one.)
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateCronJobUpdate, formatFieldError } from 'kubesim'
 * const cj = { apiVersion: 'batch/v1', kind: 'CronJob' as const, metadata: { name: 'b' },
 *   spec: { schedule: 'TZ=UTC 0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } }
 * expect(validateCronJobUpdate(cj, cj)).toEqual([])
 * expect(validateCronJobUpdate({ ...cj, spec: { ...cj.spec, timeZone: 'UTC' } }, cj).map(formatFieldError)).toEqual([
 *   'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
 * ])
 * ```
 */
export const validateCronJobUpdate = (next: CronJob, previous: CronJob): ReadonlyArray<FieldError> =>
  previous.spec.schedule.includes('TZ') && next.spec.schedule.includes('TZ') && next.spec.timeZone !== undefined
    ? [invalid('spec.schedule', next.spec.schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule')]
    : []

// ---------------------------------------------------------------------------------------------
// instances
// ---------------------------------------------------------------------------------------------

// The codec types metadata as ObjectMeta (name optional: `generateName` alone is valid input);
// the reducer checks name/generateName and fills in the name before the object is stored, so at
// the model boundary the object is a KubeObject. The casts below state that contract.
type StoredCronJob = CronJob & KubeObject

/**
 * The admission pipeline for CronJobs.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { cronJobModel } from 'kubesim'
 * expect(cronJobModel.info.kind).toBe('CronJob')
 * expect(cronJobModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const cronJobModel: KindModel<StoredCronJob> = {
  // The kind table lists every simulated kind, so the lookup cannot miss.
  info: kindInfo('CronJob') as KindInfo,
  codec: CronJob as unknown as t.Decoder<unknown, StoredCronJob>,
  schema: 'io.k8s.api.batch.v1.CronJob',
  applyDefaults: (cronJob) => defaultCronJob(cronJob) as StoredCronJob,
  validate: validateCronJob,
  podTemplate: (cronJob) => cronJob.spec.jobTemplate.spec.template,
  validateUpdate: validateCronJobUpdate,
  hasStatusSubresource: true,
}
