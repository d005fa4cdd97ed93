import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Action, applyAction, apply, type ClusterState, createCluster, get, type KubeObject } from '../../src/index.js'
import { cronJobManifest, daemonSetManifest, deploymentWithStrategy, jobWithPolicies, mutatedManifest, podManifest, replicaSetManifest, serviceOfAnyType } from '../../src/testing/index.js'
import { decodeWithFieldErrors } from '../../src/objects/decodeErrors.js'
import { modelFor } from '../../src/objects/models.js'
import { deepFreeze } from '../../src/internal/immer.js'
import { podModel } from '../../src/objects/pod.js'
import { right } from '../helpers.js'

type Json = Record<string, unknown>

const stored = (s: ClusterState, object: KubeObject): KubeObject => {
  const found = get(s, object.kind, object.metadata.namespace ?? 'default', object.metadata.name)
  if (O.isNone(found)) throw new Error(`${object.kind} ${object.metadata.name} is not stored`)
  return found.value
}

const update = (s: ClusterState, object: unknown) => applyAction(s, { type: 'update', object, by: 'user' } as Action)

/** What a write did, without the state: outcome, stored object and warnings, or the error. */
const outcome = (result: ReturnType<typeof update>): unknown =>
  E.isLeft(result) ? { error: result.left } : { outcome: result.right.outcome, object: result.right.object, warnings: result.right.warnings }

// structuredClone keeps what JSON would change (holes, undefined): only the identities differ.
const copy = <T>(value: T): T => structuredClone(value)

// Edits outside the template: valid, warned about, or refused (an immutable selector).
const edits: ReadonlyArray<(object: Json) => Json> = [
  (o) => ({ ...o, metadata: { ...(o['metadata'] as Json), labels: { ...((o['metadata'] as Json)['labels'] as Json), edited: 'yes' } } }),
  (o) => ({ ...o, spec: { ...(o['spec'] as Json), bogusField: 1 } }),
  (o) => ({ ...o, spec: { ...(o['spec'] as Json), selector: { matchLabels: { other: 'x' } } } }),
  (o) => ({ ...o, metadata: { ...(o['metadata'] as Json), annotations: { 'bad key!': 'v' } } }),
]

const workloads = fc.oneof(
  replicaSetManifest('default'),
  deploymentWithStrategy('default'),
  daemonSetManifest('default'),
  jobWithPolicies('default'),
  cronJobManifest('default'),
)

describe('vetted pod templates', () => {
  it('an update carrying the stored template over does what the same update with a fresh copy of it does', () => {
    fc.assert(
      fc.property(fc.oneof(workloads, mutatedManifest(workloads)), fc.nat(edits.length - 1), (manifest, pick) => {
        const created = apply(createCluster(), manifest)
        if (E.isLeft(created)) return
        const s = created.right
        const object = stored(s, manifest as KubeObject) as unknown as Json
        const edit = edits[pick]!
        // Carried over: the stored (frozen, maybe vetted) template objects. Fresh: equal copies.
        expect(outcome(update(s, edit(object)))).toEqual(outcome(update(s, edit(copy(object)))))
      }),
      { numRuns: 150 },
    )
  })

  it("a pod created with a stored template's spec is admitted as one with a fresh copy of it", () => {
    fc.assert(
      fc.property(workloads, fc.oneof(fc.constant({}), fc.record({ enableServiceLinks: fc.boolean() }), fc.record({ bogus: fc.nat() })), (manifest, extra) => {
        const created = apply(createCluster(), manifest)
        if (E.isLeft(created)) return
        const s = created.right
        const object = stored(s, manifest as KubeObject) as unknown as { spec: Json }
        const template = (object.spec['jobTemplate'] === undefined ? object.spec['template'] : ((object.spec['jobTemplate'] as Json)['spec'] as Json)['template']) as Json
        const pod = (spec: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { ...(spec as Json), ...extra } }) as KubeObject
        const carried = pod(template['spec'])
        const fresh = pod(copy(template['spec']))
        const create = (p: KubeObject) => outcome(applyAction(s, { type: 'create', object: p, by: 'user' }))
        expect(create(carried)).toEqual(create(fresh))
        // The spec itself, not a spread of it: the pod's decode and unknown-field walk skip it.
        const whole = { ...carried, spec: template['spec'] } as KubeObject
        expect(create(whole)).toEqual(create({ ...whole, spec: copy(template['spec']) } as KubeObject))
      }),
      { numRuns: 100 },
    )
  })

  it('a template with an unknown field is not vetted: every update carrying it warns again', () => {
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', imagee: 'typo' }] } } },
    }
    const first = right(applyAction(createCluster(), { type: 'create', object: rs, by: 'user' }))
    expect(first.warnings).toEqual(['ReplicaSet "web": unknown field "spec.template.spec.containers[0].imagee"'])
    const object = first.object as KubeObject & { spec: Json }
    for (let replicas = 2; replicas <= 3; replicas++) {
      const again = right(update(first.state, { ...object, spec: { ...object.spec, replicas } }))
      expect(again.warnings).toEqual(first.warnings)
    }
  })

  it("only admission's frozen copy is vetted: the caller's template, changed afterwards, is checked again", () => {
    const container = { name: 'web', image: 'nginx' }
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } }
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } }
    const created = right(applyAction(createCluster(), { type: 'create', object: rs, by: 'user' }))
    const storedRs = created.object as KubeObject & { spec: Json }
    expect(storedRs.spec['template']).not.toBe(template)
    template.spec.containers = []
    const refused = update(created.state, { ...storedRs, spec: { ...storedRs.spec, template } })
    expect(E.isLeft(refused) && refused.left.message).toContain('spec.template.spec.containers: Required value')
  })
})

describe('pod specs remembered as decoded and valid', () => {
  it("a frozen pod's decode and validation give, every time, what a fresh copy of it gives", () => {
    fc.assert(
      fc.property(fc.oneof(podManifest('default'), mutatedManifest(podManifest('default'))), (manifest) => {
        const frozen = deepFreeze(structuredClone(manifest)) as KubeObject
        const verdict = (pod: unknown) => {
          const decoded = podModel.codec.decode(pod)
          return E.isLeft(decoded) ? { decodeErrors: decoded.left.length } : { errors: podModel.validate(decoded.right as never) }
        }
        const fresh = verdict(structuredClone(manifest))
        expect(verdict(frozen)).toEqual(fresh)
        expect(verdict(frozen)).toEqual(fresh)
        // A status write keeps the spec object: the new version is judged as its copy is.
        const written = deepFreeze({ ...(frozen as Json), status: { phase: 'Running' } })
        expect(verdict(written)).toEqual(verdict(structuredClone(written)))
      }),
      { numRuns: 150 },
    )
  })
})

describe('decoded-as-is memo of optional-field codecs', () => {
  it('decoding a frozen object gives, every time, what decoding a fresh copy of it gives', () => {
    const manifests = fc.oneof(workloads, podManifest('default'), serviceOfAnyType('default'), mutatedManifest(fc.oneof(workloads, podManifest('default'))))
    fc.assert(
      fc.property(manifests, (manifest) => {
        const kind = (manifest as { kind?: unknown } | null)?.kind
        const model = typeof kind === 'string' ? modelFor(kind) : undefined
        if (model === undefined) return
        const outcome = (value: unknown) => {
          const decoded = decodeWithFieldErrors(model.codec, value)
          return E.isLeft(decoded) ? { errors: decoded.left } : { value: decoded.right }
        }
        const fresh = outcome(structuredClone(manifest))
        const frozen = deepFreeze(structuredClone(manifest))
        expect(outcome(frozen)).toEqual(fresh)
        expect(outcome(frozen)).toEqual(fresh)
      }),
      { numRuns: 200 },
    )
  })
})
