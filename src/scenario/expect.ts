/**
 * Checking a scenario's `expect` assertions against a cluster state. Each assertion gives
 * either nothing (it holds) or one sentence that says what was expected and what was found.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { deepEqual } from '../internal/deepEqual.js'
import { formatRef, type KubeObject, type ObjectRef } from '../objects/object.js'
import { kindInfo } from '../objects/kinds.js'
import { parseSelector } from '../objects/selector.js'
import { resolveDns } from '../network/dns.js'
import { route } from '../network/route.js'
import { getObject, listObjects } from '../store/objectStore.js'
import { rolloutStatus } from '../store/rollout.js'
import type { ClusterState } from '../store/state.js'
import type { Check, Expectation } from './model.js'
import { valueAtPath } from './path.js'

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value))

const resolveRef = (ref: ObjectRef): ObjectRef => {
  const namespaced = kindInfo(ref.kind)?.namespaced ?? true
  return { kind: ref.kind, name: ref.name, ...(namespaced ? { namespace: ref.namespace ?? 'default' } : {}) }
}

/** The failed parts of a check on a value, as phrases ("to equal 3"), each with what was found. */
const failedChecks = (check: Check, value: unknown): ReadonlyArray<string> => {
  const failed: string[] = []
  if ('equals' in check && !deepEqual(value, check.equals)) failed.push(`to equal ${show(check.equals)}`)
  if (check.matches !== undefined && !(value !== undefined && new RegExp(check.matches).test(typeof value === 'string' ? value : JSON.stringify(value))))
    failed.push(`to match /${check.matches}/`)
  // On a list (DNS answers, route backends) the bounds count its items.
  const amount = Array.isArray(value) ? value.length : value
  if (check.atLeast !== undefined && !(typeof amount === 'number' && amount >= check.atLeast)) failed.push(`to be at least ${check.atLeast}${Array.isArray(value) ? ' long' : ''}`)
  if (check.atMost !== undefined && !(typeof amount === 'number' && amount <= check.atMost)) failed.push(`to be at most ${check.atMost}${Array.isArray(value) ? ' long' : ''}`)
  if (check.exists !== undefined && (value !== undefined) !== check.exists) failed.push(check.exists ? 'to be set' : 'to be absent')
  return failed
}

const countMatching = (state: ClusterState, e: Extract<Expectation, { type: 'count' }>): number => {
  const selector = e.selector === undefined ? undefined : parseSelector(e.selector)
  const objects = listObjects(state.objects, e.kind, {
    ...(e.namespace === undefined || kindInfo(e.kind)?.namespaced === false ? {} : { namespace: e.namespace }),
    ...(selector === undefined || E.isLeft(selector) ? {} : { selector: selector.right }),
  })
  return objects.filter((o) => e.where.every((w) => deepEqual(valueAtPath(o, w.path), w.equals))).length
}

const eventMatches = (event: KubeObject, e: Extract<Expectation, { type: 'event' }>): boolean => {
  const involved = (event['involvedObject'] ?? {}) as { kind?: string; name?: string; namespace?: string }
  if (e.reason !== undefined && event['reason'] !== e.reason) return false
  if (e.eventType !== undefined && event['type'] !== e.eventType) return false
  if (e.message !== undefined && !String(event['message'] ?? '').includes(e.message)) return false
  if (e.involved !== undefined && (involved.kind !== e.involved.kind || involved.name !== e.involved.name)) return false
  return true
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Checks one expectation; undefined when it holds, otherwise the reason it does not.
 *
 * @category scenarios
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, checkExpectation, parseScenario } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const parsed = parseScenario('steps:\n  - expect:\n      - count: Node\n        equals: 3\n')
 * if (E.isLeft(parsed)) throw new Error('bad scenario')
 * const step = parsed.right.steps[0]
 * const expectation = step?.type === 'expect' ? step.expectations[0] : undefined
 * if (expectation === undefined) throw new Error('no expectation')
 * expect(checkExpectation(createCluster({ nodes: 3 }), expectation)).toBeUndefined()
 * expect(checkExpectation(createCluster({ nodes: 2 }), expectation)).toBe('expected the number of Node objects to equal 3, got 2')
 * ```
 */
export const checkExpectation = (state: ClusterState, expectation: Expectation): string | undefined => {
  switch (expectation.type) {
    case 'get': {
      const ref = resolveRef(expectation.ref)
      const object = getObject(state.objects, ref)
      const name = formatRef(ref)
      if (object === undefined) return expectation.check.exists === false && expectation.path === undefined ? undefined : `expected ${name} to exist, but it was not found`
      if (expectation.path === undefined) {
        if (expectation.check.exists === false) return `expected ${name} to be absent, but it exists`
        const failed = failedChecks(expectation.check, object)
        return failed.length === 0 ? undefined : `expected ${name} ${failed.join(' and ')}, got ${show(object)}`
      }
      const value = valueAtPath(object, expectation.path)
      const failed = failedChecks(expectation.check, value)
      return failed.length === 0 ? undefined : `expected ${name} ${expectation.pathText ?? ''} ${failed.join(' and ')}, got ${show(value)}`
    }
    case 'count': {
      const n = countMatching(state, expectation)
      const failed = failedChecks(expectation.check, n)
      const where = [
        ...(expectation.selector === undefined ? [] : [`selected by ${expectation.selector}`]),
        ...expectation.where.map((w) => `with ${w.pathText}=${show(w.equals)}`),
        ...(expectation.namespace === undefined ? [] : [`in namespace ${expectation.namespace}`]),
      ]
      const subject = `the number of ${expectation.kind} objects${where.length === 0 || kindInfo(expectation.kind)?.namespaced === false ? '' : ` ${where.join(', ')}`}`
      return failed.length === 0 ? undefined : `expected ${subject} ${failed.join(' and ')}, got ${n}`
    }
    case 'resolve': {
      const answer = resolveDns(state, expectation.name, {
        type: expectation.recordType,
        ...(expectation.from === undefined ? {} : { fromPod: expectation.from }),
        ...(expectation.namespace === undefined ? {} : { fromNamespace: expectation.namespace }),
      })
      const value = answer.rcode === 'NOERROR' ? answer.records.map((r) => r.data).sort() : undefined
      const failed = failedChecks(expectation.check, value)
      return failed.length === 0 ? undefined : `expected ${expectation.recordType} ${expectation.name} ${failed.join(' and ')}, got ${value === undefined ? answer.rcode : show(value)}`
    }
    case 'route': {
      const routed = route(state, {
        host: expectation.host,
        port: expectation.port,
        ...(expectation.from === undefined ? {} : { from: expectation.from }),
        ...(expectation.protocol === undefined ? {} : { protocol: expectation.protocol }),
        ...(expectation.path === undefined ? {} : { path: expectation.path }),
      })
      const value = E.isLeft(routed) ? routed.left.reason : routed.right.backends.map((b) => b.pod?.name ?? b.ip).sort()
      const failed = failedChecks(expectation.check, value)
      const detail = E.isLeft(routed) ? ` (${routed.left.message})` : ''
      return failed.length === 0 ? undefined : `expected the route to ${expectation.host}:${expectation.port} ${failed.join(' and ')}, got ${show(value)}${detail}`
    }
    case 'rolloutStatus': {
      const status = rolloutStatus(state, resolveRef(expectation.ref))
      const value = E.isLeft(status) ? status.left.message : status.right.message
      const failed = failedChecks(expectation.check, value)
      return failed.length === 0 ? undefined : `expected the rollout status of ${expectation.ref.kind}/${expectation.ref.name} ${failed.join(' and ')}, got ${show(value)}`
    }
    case 'event': {
      const events = listObjects(state.objects, 'Event', expectation.namespace === undefined ? {} : { namespace: expectation.namespace })
      const n = events.filter((ev) => eventMatches(ev, expectation)).length
      const { exists, ...rest } = expectation.check
      const check: Check = exists === undefined ? rest : exists ? { ...rest, atLeast: 1 } : { ...rest, atMost: 0 }
      const failed = failedChecks(check, n)
      const parts = [
        expectation.eventType,
        expectation.reason,
        'events',
        expectation.involved === undefined ? undefined : `about ${expectation.involved.kind}/${expectation.involved.name}`,
        expectation.message === undefined ? undefined : `saying ${show(expectation.message)}`,
      ].filter((p) => p !== undefined)
      return failed.length === 0 ? undefined : `expected the number of ${parts.join(' ')} ${failed.join(' and ')}, got ${n}`
    }
  }
}
