/**
 * The pod-template-hash: the label that gives each template revision of a Deployment its own
 * ReplicaSet (`<deployment>-<hash>`) and keeps the ReplicaSets' selectors disjoint. Upstream
 * hashes a spew dump of the template with FNV-32a; a TypeScript simulator cannot reproduce that
 * dump, so the template's canonical JSON (sorted keys) is hashed instead. What matters holds:
 * equal templates give equal hashes, a different collisionCount gives a different hash, and the
 * result is 1 to 10 characters of the safe alphabet.
 *
 * @module
 */
import { deepEqual } from '../../internal/deepEqual.js'
import type { PodTemplateSpec } from '../../objects/pod.js'
import { NAME_SUFFIX_ALPHABET } from '../../store/identity.js'
import { stableJson } from '../../store/reducer.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * The label a Deployment adds to each ReplicaSet's template, selector and pods.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { POD_TEMPLATE_HASH_LABEL } from 'kubesim'
 * expect(POD_TEMPLATE_HASH_LABEL).toBe('pod-template-hash')
 * ```
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash'

const encoder = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const fnv32a = (hash: number, bytes: Uint8Array): number => {
  let h = hash
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0
  return h
}

/**
 * `rand.SafeEncodeString`: each character becomes `alphabet[code % 27]`, so a hash never spells
 * words or uses look-alike glyphs.
 *
 * @internal
 */
export const safeEncodeString = (text: string): string =>
  [...text].map((c) => NAME_SUFFIX_ALPHABET[c.charCodeAt(0) % NAME_SUFFIX_ALPHABET.length] ?? '').join('')

/**
 * `controller.ComputeHash`: FNV-32a over the template (canonical JSON), then the collision count
 * as 8 little-endian bytes when set, printed in decimal and safe-encoded.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { computePodTemplateHash } from 'kubesim'
 * const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
 * const hash = computePodTemplateHash(template)
 * expect(hash).toMatch(/^[456789bcdf]{1,10}$/)
 * expect(computePodTemplateHash({ spec: template.spec, metadata: template.metadata })).toBe(hash)
 * expect(computePodTemplateHash(template, 1)).not.toBe(hash)
 * ```
 */
export const computePodTemplateHash = (template: PodTemplateSpec, collisionCount?: number): string => {
  let h = fnv32a(0x811c9dc5, encoder.encode(stableJson(template)))
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8)
    const n = collisionCount >>> 0
    bytes[0] = n & 0xff
    bytes[1] = (n >>> 8) & 0xff
    bytes[2] = (n >>> 16) & 0xff
    bytes[3] = (n >>> 24) & 0xff
    h = fnv32a(h, bytes)
  }
  return safeEncodeString(String(h))
}

const withoutHash = (template: PodTemplateSpec): unknown => {
  const labels = { ...(template.metadata?.labels ?? {}) }
  delete labels[POD_TEMPLATE_HASH_LABEL]
  const metadata: Record<string, unknown> = { ...(template.metadata ?? {}) }
  if (Object.keys(labels).length === 0) delete metadata['labels']
  else metadata['labels'] = labels
  if (Object.keys(metadata).length === 0) return { ...template, metadata: undefined }
  return { ...template, metadata }
}

/**
 * `EqualIgnoreHash`: two pod templates are the same revision when they are equal once the
 * pod-template-hash label is dropped from both (an empty label map equals none, as in Go's
 * semantic equality).
 *
 * @internal
 */
export const equalIgnoreHash = (a: PodTemplateSpec, b: PodTemplateSpec): boolean => {
  // Frozen (stored) templates cannot change: the answer for a pair is kept while both live.
  if (!Object.isFrozen(a) || !Object.isFrozen(b)) return deepEqual(withoutHash(a), withoutHash(b))
  let known = equalIgnoringHash.get(a)
  if (known === undefined) equalIgnoringHash.set(a, (known = new WeakMap()))
  const hit = known.get(b)
  if (hit !== undefined) return hit
  const equal = deepEqual(withoutHash(a), withoutHash(b))
  known.set(b, equal)
  return equal
}

/** A Deployment's template -> a ReplicaSet's template -> whether they are equal but for the hash. */
const equalIgnoringHash = new WeakMap<object, WeakMap<object, boolean>>()
