import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { equalIgnoreHash } from '../../src/controllers/deployment/podTemplateHash.js'
import { deepFreeze } from '../../src/internal/immer.js'
import type { PodTemplateSpec } from '../../src/objects/pod.js'

const template = fc.record({
  metadata: fc.record({ labels: fc.dictionary(fc.constantFrom('app', 'tier', 'pod-template-hash'), fc.constantFrom('web', 'db', '5d4f7c')) }, { requiredKeys: [] }),
  spec: fc.record({ containers: fc.array(fc.record({ name: fc.constantFrom('a', 'b'), image: fc.constantFrom('nginx:1', 'nginx:2') }), { minLength: 1, maxLength: 2 }) }),
}) as fc.Arbitrary<PodTemplateSpec>

describe('equalIgnoreHash', () => {
  it('answers the same for frozen templates (remembered per pair) as for plain copies, asked twice', () => {
    fc.assert(
      fc.property(template, template, fc.boolean(), (a, b, same) => {
        const second = same ? structuredClone(a) : b
        const expected = equalIgnoreHash(structuredClone(a), structuredClone(second))
        const frozenA = deepFreeze(structuredClone(a))
        const frozenB = deepFreeze(structuredClone(second))
        expect(equalIgnoreHash(frozenA, frozenB)).toBe(expected)
        expect(equalIgnoreHash(frozenA, frozenB)).toBe(expected)
        if (same) expect(expected).toBe(true)
      }),
    )
  })

  it('ignores only the pod-template-hash label', () => {
    const base = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } as PodTemplateSpec
    const hashed = deepFreeze({ ...base, metadata: { labels: { app: 'web', 'pod-template-hash': '5d4f7c' } } }) as PodTemplateSpec
    expect(equalIgnoreHash(deepFreeze(structuredClone(base)), hashed)).toBe(true)
    expect(equalIgnoreHash(deepFreeze({ ...base, metadata: { labels: { app: 'db' } } }) as PodTemplateSpec, hashed)).toBe(false)
  })
})
