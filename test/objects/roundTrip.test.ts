/**
 * Codec laws over generated manifests: every arbitrary's values pass decoding and validation,
 * decoding keeps every field (unknown ones included), and a stored object survives YAML and
 * JSON round trips unchanged.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import { apply, applyManifests, createCluster, get, type KubeObject, parseManifests, toJson, toYaml } from '../../src/index.js'
import { modelFor } from '../../src/objects/models.js'
import { configMapManifest, deploymentManifest, jobManifest, manifestSet, serviceManifest } from '../../src/testing/index.js'

const anyManifest = fc.oneof(configMapManifest('default'), deploymentManifest('default'), serviceManifest('default'), jobManifest('default'))

describe('codec laws', () => {
  it('decoding a manifest returns it unchanged, extra fields included', () => {
    fc.assert(
      fc.property(anyManifest, fc.dictionary(fc.constantFrom('x-extra', 'annotations2'), fc.jsonValue()), (manifest, extra) => {
        const withExtra = { ...manifest, ...extra }
        const decoded = modelFor(manifest.kind)?.codec.decode(withExtra)
        expect(decoded !== undefined && E.isRight(decoded) && decoded.right).toEqual(withExtra)
      }),
    )
  })

  it('every generated manifest set passes admission', () => {
    fc.assert(
      fc.property(manifestSet('default'), (set) => {
        const applied = applyManifests(createCluster(), set)
        expect(E.isRight(applied) ? [] : applied.left.map((e) => e.message)).toEqual([])
      }),
      { numRuns: 100 },
    )
  })

  it('stored objects survive YAML and JSON round trips, and re-applying them changes nothing', () => {
    fc.assert(
      fc.property(anyManifest, (manifest) => {
        const state = apply(createCluster(), manifest)
        if (E.isLeft(state)) return expect.fail(state.left.message)
        const stored = get(state.right, manifest.kind, 'default', manifest.metadata.name)
        if (O.isNone(stored)) return expect.fail('not stored')
        for (const text of [toYaml(stored.value), toJson(stored.value)]) {
          const parsed = parseManifests(text)
          expect(E.isRight(parsed) && parsed.right[0]?.object).toEqual(stored.value)
        }
        const { status: _status, ...withoutStatus } = stored.value as KubeObject & { status?: unknown }
        const reapplied = apply(state.right, withoutStatus)
        expect(E.isRight(reapplied) && reapplied.right.objects.kinds.get(manifest.kind)?.get(`default/${manifest.metadata.name}`)?.['spec']).toEqual(
          stored.value['spec'],
        )
      }),
      { numRuns: 100 },
    )
  })
})
