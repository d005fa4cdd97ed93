import { describe, expect, it } from 'vitest'
import {
  type Job,
  JOB_CONTROLLER_UID_LABEL,
  MAX_INT32,
  defaultJob,
  isIndexedJob,
  jobModel,
  validateJob,
  validateJobUpdate,
  withGeneratedJobSelector,
} from '../../src/objects/job.js'
import { formatFieldError } from '../../src/validation/fieldError.js'
import { template } from './workloadFixtures.js'

const job = (spec: Partial<Job['spec']> = {}, uid?: string): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', ...(uid === undefined ? {} : { uid }) },
  spec: { template: template({ app: 'pi' }, 'Never'), ...spec },
})
/** Create-time pipeline: defaults, selector generation, uid stamped, validation. */
const created = (j: Job): Job => {
  const g = withGeneratedJobSelector(defaultJob(j), 'uid-1')
  return { ...g, metadata: { ...g.metadata, uid: 'uid-1' } }
}
const errs = (j: Job) => validateJob(created(j)).map(formatFieldError)

describe('Job defaults', () => {
  it('defaults a non-parallel job', () => {
    const j = defaultJob(job())
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    })
    expect(defaultJob(j)).toBe(j)
  })
  it('leaves completions unset for a work queue', () => {
    const j = defaultJob(job({ parallelism: 3 }))
    expect(j.spec.completions).toBeUndefined()
    expect(j.spec.parallelism).toBe(3)
  })
  it('defaults parallelism to 1 when only completions is set', () => {
    const j = defaultJob(job({ completions: 5 }))
    expect([j.spec.completions, j.spec.parallelism]).toEqual([5, 1])
  })
  it('uses MaxInt32 backoffLimit with backoffLimitPerIndex', () => {
    expect(defaultJob(job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 })).spec.backoffLimit).toBe(MAX_INT32)
  })
  it('uses Failed replacement with a pod failure policy, and True condition status', () => {
    const j = defaultJob(job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] } }))
    expect(j.spec.podReplacementPolicy).toBe('Failed')
    expect(j.spec.podFailurePolicy?.rules[0]?.onPodConditions?.[0]?.status).toBe('True')
  })
  it('copies template labels to a label-less job', () => {
    expect(defaultJob(job()).metadata.labels).toEqual({ app: 'pi' })
    expect(defaultJob({ ...job(), metadata: { name: 'pi', labels: { own: 'x' } } }).metadata.labels).toEqual({ own: 'x' })
  })
})

describe('selector generation', () => {
  it('adds the four labels and the uid selector', () => {
    const j = withGeneratedJobSelector(job(), 'u1')
    expect(j.spec.selector).toEqual({ matchLabels: { [JOB_CONTROLLER_UID_LABEL]: 'u1' } })
    expect(j.spec.template.metadata?.labels).toEqual({
      app: 'pi',
      'batch.kubernetes.io/controller-uid': 'u1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u1',
      'job-name': 'pi',
    })
  })
  it('does nothing with manualSelector', () => {
    const j = job({ manualSelector: true, selector: { matchLabels: { app: 'pi' } } })
    expect(withGeneratedJobSelector(j, 'u1')).toBe(j)
  })
  it('keeps labels the user set, and validation then rejects them', () => {
    const t = template({ app: 'pi', 'job-name': 'other' }, 'Never')
    const j = withGeneratedJobSelector(job({ template: t }), 'uid-1')
    expect(j.spec.template.metadata?.labels?.['job-name']).toBe('other')
    expect(errs(job({ template: t }))).toEqual([
      `spec.template.metadata.labels[job-name]: Invalid value: {"app":"pi","job-name":"other","batch.kubernetes.io/job-name":"pi","controller-uid":"uid-1","batch.kubernetes.io/controller-uid":"uid-1"}: must be 'pi'`,
    ])
  })
})

describe('Job validation', () => {
  it('accepts a created job', () => expect(errs(job())).toEqual([]))
  it('accepts a job before its selector is generated, but requires one with manualSelector', () => {
    expect(validateJob(defaultJob(job()))).toEqual([])
    expect(validateJob(defaultJob(job({ manualSelector: true }))).map(formatFieldError)).toEqual(['spec.selector: Required value'])
  })
  it('generates the selector in prepareForCreate from the stamped uid', () => {
    const j = jobModel.prepareForCreate?.({ ...defaultJob(job()), metadata: { name: 'pi', uid: 'u9' } } as Parameters<typeof jobModel.validate>[0])
    expect(j?.spec.selector).toEqual({ matchLabels: { [JOB_CONTROLLER_UID_LABEL]: 'u9' } })
    expect(j === undefined ? [] : validateJob(j)).toEqual([])
  })
  it('rejects negative counts and deadlines', () => {
    expect(errs(job({ parallelism: -1, completions: -1, backoffLimit: -1, activeDeadlineSeconds: -1, ttlSecondsAfterFinished: -1 }))).toEqual([
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Invalid value: -1: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0',
    ])
  })
  it('requires restartPolicy OnFailure or Never', () => {
    expect(errs(job({ template: template({ app: 'pi' }) }))).toEqual([
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ])
    expect(errs(job({ template: template({ app: 'pi' }, 'OnFailure') }))).toEqual([])
  })
  it('checks completion modes', () => {
    expect(errs(job({ completionMode: 'Sometimes' }))).toEqual([
      'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
    ])
    expect(errs(job({ completionMode: 'Indexed', parallelism: 2 }))).toEqual([
      'spec.completions: Required value: when completion mode is Indexed',
    ])
    expect(errs(job({ backoffLimitPerIndex: 1 }))).toEqual([
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
    ])
    expect(errs(job({ completionMode: 'Indexed', completions: 3, maxFailedIndexes: 1 }))).toEqual([
      'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
    ])
  })
  it('rejects an Indexed job whose last pod hostname is not a DNS label', () => {
    const long = { ...job({ completionMode: 'Indexed', completions: 10 }), metadata: { name: 'a'.repeat(62) } }
    expect(errs(long)).toContain(`metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-9`)
  })
  it('validates pod failure policies', () => {
    const rules = [
      { action: 'Explode', onExitCodes: { operator: 'In', values: [0, 2, 1, 1] } },
      { action: 'FailJob' },
    ]
    expect(errs(job({ podFailurePolicy: { rules } }))).toEqual([
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Explode": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 1',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [0,2,1,1]: must be ordered',
      'spec.podFailurePolicy.rules[1]: Invalid value: null: specifying one of OnExitCodes and OnPodConditions is required',
    ])
    expect(errs(job({ podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] }, template: template({ app: 'pi' }, 'OnFailure') }))).toEqual([
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ])
  })
  it('validates podReplacementPolicy and successPolicy', () => {
    expect(errs(job({ podReplacementPolicy: 'Sometimes' }))).toEqual([
      'spec.podReplacementPolicy: Unsupported value: "Sometimes": supported values: "Failed", "TerminatingOrFailed"',
    ])
    expect(errs(job({ successPolicy: { rules: [{ succeededCount: 1 }] } }))).toEqual([
      'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
    ])
    expect(errs(job({ completionMode: 'Indexed', completions: 3, successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 5 }] } }))).toEqual([
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 3 (the number of specified completions)',
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ])
    expect(errs(job({ completionMode: 'Indexed', completions: 3, successPolicy: { rules: [{ succeededIndexes: '5' }] } }))[0]).toContain(
      'error parsing succeededIndexes: too large index: "5"',
    )
  })
  it('rejects a manual selector that does not match the template', () => {
    expect(errs(job({ manualSelector: true, selector: { matchLabels: { app: 'other' } } }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"pi"}: `selector` does not match template `labels`',
    ])
  })
  it('detects Indexed jobs', () => expect(isIndexedJob(job({ completionMode: 'Indexed' }))).toBe(true))
})

describe('Job update', () => {
  const old = created(job({ completions: 3 }))
  const change = (spec: Partial<Job['spec']>, base: Job = old): Job => ({ ...base, spec: { ...base.spec, ...spec } })
  it('allows parallelism and suspend changes', () => {
    expect(validateJobUpdate(change({ parallelism: 5, suspend: true }), old)).toEqual([])
  })
  it('makes completions, selector, completionMode immutable', () => {
    expect(validateJobUpdate(change({ completions: 4 }), old).map(formatFieldError)).toEqual([
      'spec.completions: Invalid value: 4: field is immutable',
    ])
    expect(validateJobUpdate(change({ selector: { matchLabels: { a: 'b' } } }), old).map((e) => e.field)).toEqual(['spec.selector'])
    expect(validateJobUpdate(change({ completionMode: 'Indexed' }), old).map((e) => e.field)).toEqual(['spec.completionMode'])
  })
  it('lets Indexed completions change in tandem with parallelism', () => {
    const indexed = created(job({ completionMode: 'Indexed', completions: 3, parallelism: 3 }))
    expect(validateJobUpdate(change({ completions: 5, parallelism: 5 }, indexed), indexed)).toEqual([])
    expect(validateJobUpdate(change({ completions: 5 }, indexed), indexed).map(formatFieldError)).toEqual([
      'spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism',
    ])
  })
  it('makes the template immutable', () => {
    const t = old.spec.template
    const next = change({ template: { ...t, spec: { ...t.spec, containers: [{ name: 'pi', image: 'perl:2' }] } } })
    expect(validateJobUpdate(next, old).map((e) => `${e.field}: ${e.detail}`)).toEqual(['spec.template: field is immutable'])
  })
  it('lets a suspended, never-started job change scheduling directives only', () => {
    const suspended = created(job({ suspend: true }))
    const t = suspended.spec.template
    const scheduling = change({ template: { ...t, metadata: { ...t.metadata, labels: { ...t.metadata?.labels, x: 'y' } }, spec: { containers: [], ...t.spec, nodeSelector: { zone: 'a' } } } }, suspended)
    expect(validateJobUpdate(scheduling, suspended)).toEqual([])
    const started: Job = { ...suspended, status: { startTime: '2024-01-01T00:00:00Z' } }
    expect(validateJobUpdate(scheduling, started)).toHaveLength(1)
    const image = change({ template: { ...t, spec: { ...t.spec, containers: [{ name: 'pi', image: 'perl:2' }] } } }, suspended)
    expect(validateJobUpdate(image, suspended)).toHaveLength(1)
  })
  it('has a model', () => expect(jobModel.info.kind).toBe('Job'))
})
