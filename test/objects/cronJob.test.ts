import { describe, expect, it } from 'vitest'
import { type CronJob, cronJobModel, defaultCronJob, validateCronJob, validateCronJobUpdate, validateTimeZone } from '../../src/objects/cronJob.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { template } from './workloadFixtures.js'

const cj = (spec: Partial<CronJob['spec']> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'backup' },
  spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: template({ app: 'backup' }, 'OnFailure') } }, ...spec },
})
const errs = (c: CronJob) => validateCronJob(defaultCronJob(c)).map(formatFieldError)

describe('CronJob defaults', () => {
  it('fills every default', () => {
    const c = defaultCronJob(cj())
    expect(c.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 })
    expect(c.spec.jobTemplate.spec.template.spec?.dnsPolicy).toBe('ClusterFirst')
    expect(c.spec.jobTemplate.spec.backoffLimit).toBeUndefined()
    expect(defaultCronJob(c)).toBe(c)
  })
  it('keeps given values', () => {
    expect(defaultCronJob(cj({ concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 0 })).spec).toMatchObject({
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 0,
    })
  })
})

describe('CronJob validation', () => {
  it('accepts a defaulted object', () => expect(errs(cj())).toEqual([]))
  it('requires and parses the schedule', () => {
    expect(errs(cj({ schedule: '' }))).toEqual(['spec.schedule: Required value'])
    expect(errs(cj({ schedule: '61 * * * *' }))).toEqual(['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'])
  })
  it('rejects TZ and CRON_TZ in the schedule', () => {
    expect(errs(cj({ schedule: 'TZ=UTC 0 3 * * *' }))).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ])
  })
  it('validates timeZone', () => {
    expect(errs(cj({ timeZone: 'Europe/Paris' }))).toEqual([])
    expect(errs(cj({ timeZone: 'Local' }))).toEqual([
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ])
    expect(errs(cj({ timeZone: 'Europe/Pariss' }))).toEqual(['spec.timeZone: Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss'])
    expect(errs(cj({ timeZone: '' }))).toEqual(['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string'])
    expect(validateTimeZone('../etc/passwd', 'tz')[0]?.detail).toBe('unknown time zone ../etc/passwd')
  })
  it('rejects unsupported concurrency policies and negative numbers', () => {
    expect(errs(cj({ concurrencyPolicy: 'Sometimes' }))).toEqual([
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ])
    expect(errs(cj({ startingDeadlineSeconds: -1, successfulJobsHistoryLimit: -1, failedJobsHistoryLimit: -1 }))).toEqual([
      'spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ])
  })
  it('validates the job template without a selector', () => {
    const base = cj()
    const withJobSpec = (spec: Partial<CronJob['spec']['jobTemplate']['spec']>) =>
      cj({ jobTemplate: { spec: { ...base.spec.jobTemplate.spec, ...spec } } })
    expect(errs(withJobSpec({ backoffLimit: -1 }))).toEqual([
      'spec.jobTemplate.spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    ])
    expect(errs(withJobSpec({ selector: { matchLabels: { a: 'b' } } }))).toEqual([
      'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
    ])
    expect(errs(withJobSpec({ manualSelector: true }))).toEqual([
      'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"',
    ])
    expect(errs(withJobSpec({ template: template({ app: 'backup' }, 'Always') }))).toEqual([
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ])
  })
})

describe('CronJob update', () => {
  it('rejects combining a TZ schedule with timeZone', () => {
    const old = defaultCronJob(cj({ schedule: 'TZ=UTC 0 3 * * *' }))
    expect(validateCronJobUpdate(old, old)).toEqual([])
    const withZone = { ...old, spec: { ...old.spec, timeZone: 'UTC' } }
    expect(validateCronJobUpdate(withZone, old).map(formatFieldError)).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC 0 3 * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule',
    ])
  })
  it('adds nothing for ordinary updates (validate covers them)', () => {
    const old = defaultCronJob(cj())
    expect(validateCronJobUpdate({ ...old, spec: { ...old.spec, schedule: '0 4 * * *' } }, old)).toEqual([])
  })
  it('has a model', () => expect(cronJobModel.info.maxNameLength).toBe(52))
})
