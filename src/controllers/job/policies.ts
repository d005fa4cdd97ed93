/**
 * The Job's failure and success policies (upstream pod_failure_policy.go and
 * success_policy.go): which rule a failed pod matches, whether its failure counts, the message
 * a FailJob rule gives, and when a successPolicy declares an Indexed Job succeeded.
 *
 * @module
 */
import type { Job, PodFailurePolicy, SuccessPolicy } from '../../objects/job.js'
import type { KubeObject } from '../../objects/object.js'
import { type Intervals, overlapCount, parseIntervals, totalOf } from './indexes.js'
import { podStatus } from './pods.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What a pod failure policy says about one failed pod. */
export interface PolicyMatch {
  /** The rule's action, when a rule matched. */
  readonly action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex' | undefined
  /** Whether the failure counts against backoffLimit (and backoffLimitPerIndex). */
  readonly counts: boolean
  /** The Job failure message of a FailJob match. */
  readonly failJobMessage: string | undefined
}

const NO_MATCH: PolicyMatch = { action: undefined, counts: true, failJobMessage: undefined }

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

type Rule = PodFailurePolicy['rules'][number]
type ExitRule = NonNullable<Rule['onExitCodes']>

const exitCodeMatches = (code: number, rule: ExitRule): boolean =>
  rule.operator === 'In' ? rule.values.includes(code) : rule.operator === 'NotIn' ? !rule.values.includes(code) : false

/** The first terminated container with a non-zero exit code the rule matches (app containers, then init). */
const matchOnExitCodes = (pod: KubeObject, rule: ExitRule): { readonly name: string; readonly code: number } | undefined => {
  const s = podStatus(pod)
  for (const list of [s.containerStatuses ?? [], s.initContainerStatuses ?? []])
    for (const c of list) {
      const code = c.state?.terminated?.exitCode
      if (code === undefined || code === 0) continue
      if (rule.containerName !== undefined && rule.containerName !== c.name) continue
      if (exitCodeMatches(code, rule)) return { name: c.name ?? '', code }
    }
  return undefined
}

/**
 * Matches a failed pod against the rules in order; the first match wins (upstream
 * `matchPodFailurePolicy`, with its FailJob messages).
 */
export const matchPodFailurePolicy = (policy: PodFailurePolicy | undefined, pod: KubeObject): PolicyMatch => {
  if (policy === undefined) return NO_MATCH
  const ns = pod.metadata.namespace ?? 'default'
  for (const [index, rule] of policy.rules.entries()) {
    let described: string | undefined
    if (rule.onExitCodes !== undefined) {
      const hit = matchOnExitCodes(pod, rule.onExitCodes)
      if (hit !== undefined) described = `Container ${hit.name} for pod ${ns}/${pod.metadata.name} failed with exit code ${hit.code} matching ${rule.action} rule at index ${index}`
    } else if (rule.onPodConditions !== undefined) {
      const conditions = podStatus(pod).conditions ?? []
      const hit = conditions.find((c) => rule.onPodConditions?.some((p) => p.type === c.type && (p.status ?? 'True') === c.status))
      if (hit !== undefined) described = `Pod ${ns}/${pod.metadata.name} has condition ${hit.type ?? ''} matching ${rule.action} rule at index ${index}`
    }
    if (described === undefined) continue
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', counts: false, failJobMessage: undefined }
      case 'Count':
        return { action: 'Count', counts: true, failJobMessage: undefined }
      case 'FailIndex':
        return { action: 'FailIndex', counts: true, failJobMessage: undefined }
      case 'FailJob':
        return { action: 'FailJob', counts: true, failJobMessage: described }
      default:
        // An unknown action (validation prevents it) falls through to the next rule, as Go's switch does.
        continue
    }
  }
  return NO_MATCH
}

/**
 * Whether a successPolicy is met by the succeeded indexes, and the condition message
 * (`Matched rules at index N`), as upstream `matchSuccessPolicy`.
 */
export const matchSuccessPolicy = (policy: SuccessPolicy | undefined, completions: number, succeeded: Intervals): string | undefined => {
  if (policy === undefined || succeeded.length === 0) return undefined
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      const required = parseIntervals(rule.succeededIndexes, completions)
      if (required.length === 0) continue
      const contains = overlapCount(required, succeeded)
      if (contains === totalOf(required) || (rule.succeededCount !== undefined && contains >= rule.succeededCount)) return `Matched rules at index ${index}`
    } else if (rule.succeededCount !== undefined && totalOf(succeeded) >= rule.succeededCount) return `Matched rules at index ${index}`
  }
  return undefined
}

/** Whether a Job uses per-index back-off. */
export const hasBackoffLimitPerIndex = (job: Job): boolean => job.spec.completionMode === 'Indexed' && job.spec.backoffLimitPerIndex !== undefined
