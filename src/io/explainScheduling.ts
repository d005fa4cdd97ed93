/**
 * Printing a scheduling explanation for people: one row per node with the filter that
 * rejected it (and why) or its weighted score, then the message the scheduler would post.
 *
 * @module
 */
import type { SchedulingExplanation } from '../scheduling/explain.js'
import { formatColumns } from './columns.js'

/**
 * Formats `explainScheduling`'s answer as a table: NODE, FIT (the rejecting filter, or `yes`),
 * SCORE (Σ weight × normalised score, best nodes marked `*`) and REASON or the per-plugin
 * scores, followed by the scheduler's message.
 *
 * @category cli-output
 * @since 0.1.0
 * @example
 * ```ts
 * import { applyManifests, createCluster, explainScheduling, formatSchedulingExplanation } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster({ nodes: [{ name: 'big', capacity: { cpu: '8' } }, { name: 'small', capacity: { cpu: '1' } }] })
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' } } }] } }
 * const applied = applyManifests(s, [pod])
 * const explained = E.isRight(applied) ? explainScheduling(applied.right, { kind: 'Pod', namespace: 'default', name: 'web' }) : O.none
 * const text = O.isSome(explained) ? formatSchedulingExplanation(explained.value) : ''
 * expect(text.split('\n')[0]).toMatch(/^NODE\s+FIT\s+SCORE\s+DETAILS$/)
 * expect(text).toMatch(/\nsmall\s+NodeResourcesFit\s+-\s+Insufficient cpu\n/)
 * expect(text).toMatch(/\nbig\s+yes\s+\d+\*\s+/)
 * expect(text.trimEnd().split('\n').at(-1)).toBe('Successfully assigned default/web to big')
 * ```
 */
export const formatSchedulingExplanation = (explanation: SchedulingExplanation): string => {
  const best = new Set(explanation.bestNodes)
  const rows = [
    ['NODE', 'FIT', 'SCORE', 'DETAILS'],
    ...explanation.nodes.map((n) =>
      n.feasible
        ? [
            n.node,
            'yes',
            `${Math.round(n.total ?? 0)}${best.has(n.node) ? '*' : ''}`,
            n.scores.filter((s) => s.weight > 0).map((s) => `${s.plugin}=${s.normalized}x${s.weight}`).join(' '),
          ]
        : [n.node, n.filter ?? 'no', '-', n.reasons.join('; ')],
    ),
  ]
  return `${formatColumns(rows)}\n${explanation.message}\n`
}
