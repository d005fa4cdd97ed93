/**
 * Rollout history shared by the StatefulSet and DaemonSet controllers: a ControllerRevision is an
 * immutable snapshot of the owner's pod template (stored, as upstream does, as the patch
 * `{"spec":{"template":{...,"$patch":"replace"}}}`), named `<owner>-<hash>` and numbered by
 * `revision`. Equal templates give equal data, so going back to an old template reuses its
 * revision (with a new number) instead of creating one. Old revisions are pruned to
 * `revisionHistoryLimit`, never one a live pod still uses.
 *
 * Hashes are FNV-32a over the revision data in sorted-key JSON, decimal-formatted and
 * safe-encoded with Kubernetes' vowel-free alphabet, as `HashControllerRevision` does. Go's byte
 * stream cannot be reproduced, so the hashes differ from a real cluster's; equal data gives an
 * equal hash and a different collisionCount gives a different one, which is what matters.
 *
 * @module
 */
import { deepEqual } from '../internal/deepEqual.js'
import type { OwnerReference } from '../objects/meta.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { PodTemplateSpec } from '../objects/pod.js'
import { matchesSelector, type Selector } from '../objects/selector.js'
import { NAME_SUFFIX_ALPHABET } from '../store/identity.js'
import { dependentsOf, listObjects } from '../store/objectStore.js'
import { stableJson } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import type { Action } from './controller.js'
import { controllerRef, newControllerRef } from './podReadiness.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/**
 * The label naming a pod's revision: for StatefulSet pods the revision's name, for DaemonSet
 * pods its hash.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { CONTROLLER_REVISION_HASH_LABEL } from 'kubesim'
 * expect(CONTROLLER_REVISION_HASH_LABEL).toBe('controller-revision-hash')
 * ```
 */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash'

/** The hash label StatefulSet revisions carry (`history.ControllerRevisionHashLabel`). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash'

/** A stored ControllerRevision, as the controllers read it. */
export interface StoredRevision extends KubeObject {
  readonly revision: number
  readonly data?: unknown
}

/** Names longer than this are cut before `-<hash>` is appended (`ControllerRevisionName`). */
const MAX_PREFIX = 223

// ---------------------------------------------------------------------------------------------
// operations: hashing and naming
// ---------------------------------------------------------------------------------------------

/** FNV-32a over the UTF-8 bytes of a string, continuing from `hash`. */
const fnv32a = (text: string, hash = 0x811c9dc5): number => {
  let h = hash
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, 0x01000193) >>> 0
  }
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0
    if (c < 0x80) byte(c)
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6))
      byte(0x80 | (c & 0x3f))
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12))
      byte(0x80 | ((c >> 6) & 0x3f))
      byte(0x80 | (c & 0x3f))
    } else {
      byte(0xf0 | (c >> 18))
      byte(0x80 | ((c >> 12) & 0x3f))
      byte(0x80 | ((c >> 6) & 0x3f))
      byte(0x80 | (c & 0x3f))
    }
  }
  return h
}

/** `rand.SafeEncodeString` of the decimal hash: digits map into the vowel-free alphabet. */
const safeEncode = (n: number): string => {
  let out = ''
  for (const d of String(n)) out += NAME_SUFFIX_ALPHABET[d.charCodeAt(0) % NAME_SUFFIX_ALPHABET.length] ?? ''
  return out
}

/**
 * The hash of a revision's data, with the collision count mixed in when there is one: equal
 * data gives an equal hash; a different collisionCount a different one.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { hashControllerRevision } from 'kubesim'
 * const data = { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] }, $patch: 'replace' } } }
 * const hash = hashControllerRevision(data)
 * expect(hash).toMatch(/^[4-9bcdf]{1,10}$/)
 * expect(hashControllerRevision(JSON.parse(JSON.stringify(data)))).toBe(hash)
 * expect(hashControllerRevision(data, 1)).not.toBe(hash)
 * ```
 */
export const hashControllerRevision = (data: unknown, collisionCount?: number): string => {
  let h = fnv32a(stableJson(data))
  if (collisionCount !== undefined) h = fnv32a(String(collisionCount), h)
  return safeEncode(h)
}

/**
 * `<owner>-<hash>`, the owner's name cut to 223 characters first so the result stays a valid name.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { controllerRevisionName } from 'kubesim'
 * expect(controllerRevisionName('web', '6b8f9c7d5')).toBe('web-6b8f9c7d5')
 * expect(controllerRevisionName('x'.repeat(300), '5').length).toBe(225)
 * ```
 */
export const controllerRevisionName = (owner: string, hash: string): string => `${owner.slice(0, MAX_PREFIX)}-${hash}`

/**
 * The revision data for a pod template: the strategic-merge patch that replaces the owner's
 * template, as both upstream controllers store it.
 *
 * @internal
 */
export const templatePatch = (template: PodTemplateSpec): unknown => ({ spec: { template: { ...template, $patch: 'replace' } } })

/**
 * The pod template a revision holds (the inverse of `templatePatch`).
 *
 * @internal
 */
export const templateOfRevision = (revision: StoredRevision): PodTemplateSpec | undefined => {
  const template = (revision.data as { readonly spec?: { readonly template?: Record<string, unknown> } } | undefined)?.spec?.template
  if (template === undefined || template === null || typeof template !== 'object') return undefined
  const { $patch: _patch, ...rest } = template
  return rest as PodTemplateSpec
}

// ---------------------------------------------------------------------------------------------
// operations: history
// ---------------------------------------------------------------------------------------------

/**
 * Sorts revisions oldest first: by `revision`, then creation time, then name
 * (`history.SortControllerRevisions`).
 *
 * @internal
 */
export const sortRevisions = (revisions: ReadonlyArray<StoredRevision>): StoredRevision[] =>
  [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision
    const ta = a.metadata.creationTimestamp ?? ''
    const tb = b.metadata.creationTimestamp ?? ''
    if (ta !== tb) return ta < tb ? -1 : 1
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
  })

/** One more than the highest revision number (1 for an empty history). @internal */
export const nextRevisionNumber = (sorted: ReadonlyArray<StoredRevision>): number => (sorted.at(-1)?.revision ?? 0) + 1

/** Revisions whose data equals `data`, oldest first. @internal */
export const equalRevisions = (sorted: ReadonlyArray<StoredRevision>, data: unknown): StoredRevision[] => sorted.filter((r) => deepEqual(r.data, data))

/** The revisions an owner controls, and the writes that adopt or release revisions. */
export interface ClaimedRevisions {
  /** Owned revisions (after this pass's adoptions), oldest first. */
  readonly revisions: ReadonlyArray<StoredRevision>
  readonly actions: ReadonlyArray<Action>
}

const refOfObject = (o: KubeObject): ObjectRef => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name })

/**
 * The owner's ControllerRevisions, as `ClaimControllerRevisions` finds them: revisions it
 * controls (read through the owner index) whose labels still match its selector, plus matching
 * orphans, which it adopts. Controlled revisions that stopped matching are released.
 *
 * @internal
 */
export const claimRevisions = (state: ClusterState, owner: KubeObject, selector: Selector, by: string): ClaimedRevisions => {
  const uid = owner.metadata.uid ?? ''
  const actions: Action[] = []
  const revisions: StoredRevision[] = []
  for (const dep of dependentsOf(state.objects, uid)) {
    if (dep.kind !== 'ControllerRevision' || controllerRef(dep)?.uid !== uid) continue
    if (matchesSelector(selector, dep.metadata.labels)) revisions.push(dep as StoredRevision)
    else if (owner.metadata.deletionTimestamp === undefined)
      actions.push({ type: 'update', by, object: withoutOwner(dep, uid) })
  }
  if (owner.metadata.deletionTimestamp === undefined)
    for (const orphan of listObjects(state.objects, 'ControllerRevision', { namespace: owner.metadata.namespace ?? 'default', selector })) {
      if (controllerRef(orphan) !== undefined || orphan.metadata.deletionTimestamp !== undefined) continue
      const adopted = withOwner(orphan, newControllerRef(owner))
      actions.push({ type: 'update', by, object: adopted })
      revisions.push(adopted as StoredRevision)
    }
  return { revisions: sortRevisions(revisions), actions }
}

const withoutOwner = (object: KubeObject, uid: string): KubeObject => {
  const kept = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid)
  const { ownerReferences: _dropped, ...metadata } = object.metadata
  return { ...object, metadata: kept.length === 0 ? metadata : { ...metadata, ownerReferences: kept } }
}

const withOwner = (object: KubeObject, ref: OwnerReference): KubeObject => ({
  ...object,
  metadata: { ...object.metadata, ownerReferences: [...(object.metadata.ownerReferences ?? []), ref] },
})

/**
 * A new ControllerRevision object for an owner: its template labels plus `hashLabel: hash`,
 * a controller reference, the data and the revision number.
 *
 * @internal
 */
export const newRevision = (
  owner: KubeObject,
  name: string,
  data: unknown,
  revision: number,
  labels: Readonly<Record<string, string>>,
  annotations?: Readonly<Record<string, string>>,
): StoredRevision => ({
  apiVersion: 'apps/v1',
  kind: 'ControllerRevision',
  metadata: {
    name,
    namespace: owner.metadata.namespace ?? 'default',
    labels: { ...labels },
    ...(annotations === undefined || Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
    ownerReferences: [newControllerRef(owner)],
  },
  data,
  revision,
})

/**
 * Deletes for the revisions beyond the history limit, oldest first, never a live one.
 * `liveCount` says whether live revisions count toward the limit: they do for DaemonSets
 * (`cleanupHistory` counts every old revision and skips live ones), not for StatefulSets
 * (`truncateHistory` counts only non-live ones).
 *
 * @internal
 */
export const truncateHistory = (
  sortedOld: ReadonlyArray<StoredRevision>,
  isLive: (revision: StoredRevision) => boolean,
  limit: number,
  liveCount: boolean,
  by: string,
): ReadonlyArray<Action> => {
  const candidates = liveCount ? sortedOld : sortedOld.filter((r) => !isLive(r))
  let toKill = candidates.length - Math.max(0, limit)
  const actions: Action[] = []
  for (const revision of candidates) {
    if (toKill <= 0) break
    if (isLive(revision)) continue
    actions.push({ type: 'delete', by, ref: refOfObject(revision), ...(revision.metadata.uid === undefined ? {} : { preconditionUid: revision.metadata.uid }) })
    toKill--
  }
  return actions
}
