/**
 * Every public entry point is total: for any input it returns a value and never throws
 * (reliability.md B9). Fuzzed with arbitrary values, arbitrary strings, and almost-valid
 * manifests with one random mutation.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  apply,
  applyAction,
  applyManifests,
  type ClusterState,
  createCluster,
  formatApiError,
  get,
  list,
  parseSelector,
  remove,
  runUntil,
  scale,
  settle,
  tryCreateCluster,
} from '../../src/index.js'
import { configMapManifest, deploymentManifest, jobManifest, mutatedManifest, serviceManifest } from '../../src/testing/index.js'

const base: ClusterState = createCluster({ nodes: 2 })

const almostValid = fc.oneof(
  mutatedManifest(deploymentManifest('default')),
  mutatedManifest(serviceManifest('default')),
  mutatedManifest(jobManifest('default')),
  mutatedManifest(configMapManifest('default')),
)

const yamlish = fc.oneof(
  fc.string(),
  fc.constantFrom('---', 'kind: List\nitems: 3', 'a: &a [*a]', '- 1\n- 2', 'apiVersion: v1\nkind: Pod\nmetadata: []', '{"apiVersion":"v1"}'),
  almostValid.map((v) => {
    try {
      return JSON.stringify(v) ?? ''
    } catch {
      return ''
    }
  }),
)

const noThrowApply = (input: unknown): void => {
  const result = applyManifests(base, input)
  if (E.isLeft(result)) {
    expect(result.left.length).toBeGreaterThan(0)
    for (const error of result.left) expect(typeof formatApiError(error)).toBe('string')
  } else {
    const settled = settle(result.right, { maxSteps: 50 })
    expect(settled._tag).toMatch(/Left|Right/)
  }
}

describe('public entry points never throw', () => {
  it('applyManifests on arbitrary values', () => {
    fc.assert(fc.property(fc.anything(), noThrowApply), { numRuns: 300 })
  })

  it('applyManifests on arbitrary and almost-valid YAML/JSON text', () => {
    fc.assert(fc.property(yamlish, noThrowApply), { numRuns: 300 })
  })

  it('applyManifests and apply on almost-valid manifests', () => {
    fc.assert(
      fc.property(almostValid, (input) => {
        noThrowApply(input)
        expect(apply(base, input)._tag).toMatch(/Left|Right/)
      }),
      { numRuns: 300 },
    )
  })

  it('applyAction on arbitrary actions', () => {
    const action = fc.oneof(
      fc.record({ type: fc.constantFrom('create', 'update', 'updateStatus'), object: fc.oneof(fc.anything(), almostValid), by: fc.string() }),
      fc.record({
        type: fc.constant('delete'),
        ref: fc.record({ kind: fc.oneof(fc.string(), fc.constantFrom('Pod', 'Namespace', 'Service')), namespace: fc.option(fc.string(), { nil: undefined }), name: fc.string() }),
        by: fc.string(),
      }),
    )
    fc.assert(
      fc.property(action, (a) => {
        expect(applyAction(base, a as never)._tag).toMatch(/Left|Right/)
      }),
      { numRuns: 300 },
    )
  })

  it('get, list, remove, scale on arbitrary references and selectors', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), fc.integer(), (kind, ns, name, selector, replicas) => {
        expect(get(base, kind, ns, name)._tag).toMatch(/Some|None/)
        expect(Array.isArray(list(base, kind, { namespace: ns, labelSelector: selector }))).toBe(true)
        expect(parseSelector(selector)._tag).toMatch(/Left|Right/)
        expect(remove(base, { kind, namespace: ns, name })._tag).toMatch(/Left|Right/)
        expect(scale(base, { kind, namespace: ns, name }, replicas)._tag).toMatch(/Left|Right/)
      }),
      { numRuns: 300 },
    )
  })

  it('advance and runUntil on arbitrary durations; tryCreateCluster on arbitrary options', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -1000, max: 10_000_000 })), fc.anything(), (duration, options) => {
        expect(advance(base, duration)._tag).toMatch(/Left|Right/)
        expect(runUntil(base, () => false, { timeout: duration })._tag).toMatch(/Left|Right/)
        expect(tryCreateCluster(options as never)._tag).toMatch(/Left|Right/)
      }),
      { numRuns: 200 },
    )
  })

  it('never pollutes Object.prototype through __proto__ keys', () => {
    applyManifests(base, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    __proto__:\n      polluted: "yes"\n')
    applyManifests(base, JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y","__proto__":{"polluted":"yes"}}}'))
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})
