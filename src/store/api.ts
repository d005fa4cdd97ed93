/**
 * The public API over the reducer: `applyManifests` (atomic, like `kubectl apply -f`), `apply`
 * (create or three-way update of one object), `remove`, `get`, `list` and `scale`. Each takes
 * a state and returns a new one, or the API errors and the old state untouched.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import type { PropagationPolicy } from '../controllers/controller.js'
import { produce } from '../internal/immer.js'
import { manifestsFromValue, parseManifests, type ManifestDocument } from '../io/yaml.js'
import { kindInfo, qualifiedResource, resolveKindAlias, resourceInfoFor } from '../objects/kinds.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import { parseSelector, type Selector } from '../objects/selector.js'
import { type ApiError, badRequestError, notFoundError, withDocumentIndex } from '../validation/apiError.js'
import { invalid } from '../validation/fieldError.js'
import { invalidError } from '../validation/apiError.js'
import { checkEnvelope } from './admission.js'
import { threeWayMerge } from './merge.js'
import { getObject, listObjects } from './objectStore.js'
import { type Applied, applyAction, LAST_APPLIED_ANNOTATION, type Outcome, stableJson } from './reducer.js'
import type { ClusterState } from './state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What `applyManifests` may be given: YAML or JSON text, one object, or an array of objects. */
export type ManifestInput = string | unknown

/** One object's fate in an apply, for kubectl-style output (`deployment.apps/web created`). */
export interface ApplyItem {
  readonly ref: ObjectRef
  /** kubectl's resource name, e.g. `deployment.apps/web`. */
  readonly display: string
  readonly outcome: Outcome
}

/** A successful apply: the new state, what happened to each object, and warnings. */
export interface ApplyResult {
  readonly state: ClusterState
  readonly items: ReadonlyArray<ApplyItem>
  readonly warnings: ReadonlyArray<string>
}

/** Options for `remove`. */
export interface RemoveOptions {
  /** Default: as the API server (Orphan for Job, Background for everything else). */
  readonly propagation?: PropagationPolicy
  /** Pods only: overrides terminationGracePeriodSeconds (0 deletes at once). */
  readonly gracePeriodSeconds?: number
}

/** Filters for `list`. */
export interface ListOptions {
  readonly namespace?: string
  /** kubectl selector syntax (`app=web,tier in (fe,be),!canary`) or a compiled selector. */
  readonly labelSelector?: string | Selector
}

const USER = 'user'

const displayName = (ref: ObjectRef, apiVersion: string): string => {
  const info = resourceInfoFor(apiVersion, ref.kind)
  const resource = info.group === '' ? info.kind.toLowerCase() : `${info.kind.toLowerCase()}.${info.group}`
  return `${resource}/${ref.name}`
}

const redactSecretValues = (secret: Record<string, unknown>): Record<string, unknown> => {
  const redact = (field: unknown) =>
    typeof field === 'object' && field !== null && !Array.isArray(field)
      ? Object.fromEntries(Object.keys(field).map((k) => [k, '<redacted>']))
      : field
  return {
    ...secret,
    ...(secret['data'] === undefined ? {} : { data: redact(secret['data']) }),
    ...(secret['stringData'] === undefined ? {} : { stringData: redact(secret['stringData']) }),
  }
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const applyOne = (state: ClusterState, input: unknown): E.Either<ApiError, Applied> => {
  const envelope = checkEnvelope(input)
  if (E.isLeft(envelope)) return envelope
  const { raw, info } = envelope.right
  const meta = raw['metadata'] as Record<string, unknown>
  const name = typeof meta['name'] === 'string' ? meta['name'] : ''
  if (name === '') {
    if (typeof meta['generateName'] === 'string' && meta['generateName'] !== '')
      return applyAction(state, { type: 'create', object: raw as unknown as KubeObject, by: USER })
    return E.left(invalidError(info, '', undefined, [{ field: 'metadata.name', type: 'Required value', detail: 'name or generateName is required' }]))
  }
  const namespace = info.namespaced ? (typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default') : undefined
  // kubectl keeps the manifest in an annotation; the merge only needs a Secret's keys, so its
  // values are not copied there (Secret contents never appear outside data and stringData).
  const lastApplied = stableJson(info.kind === 'Secret' ? redactSecretValues(raw) : raw)
  const annotate = (object: Record<string, unknown>): KubeObject => {
    const m = (object['metadata'] ?? {}) as Record<string, unknown>
    const annotations = { ...((m['annotations'] as Record<string, string> | undefined) ?? {}), [LAST_APPLIED_ANNOTATION]: lastApplied }
    return { ...object, metadata: { ...m, annotations } } as unknown as KubeObject
  }
  const live = getObject(state.objects, { kind: info.kind, namespace, name })
  if (live === undefined) return applyAction(state, { type: 'create', object: annotate(raw), by: USER })
  const previous = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION]
  let previousManifest: unknown = {}
  if (previous !== undefined) {
    try {
      previousManifest = JSON.parse(previous) as unknown
    } catch {
      previousManifest = {}
    }
  }
  const { status: _status, ...liveSpec } = live
  const merged = threeWayMerge(liveSpec, previousManifest, raw) as Record<string, unknown>
  return applyAction(state, { type: 'update', object: annotate(merged), by: USER })
}

/**
 * Applies every object in a manifest set, like `kubectl apply -f`, with full details: what
 * happened to each object and the warnings to show (unknown fields, kinds not simulated). The
 * apply is atomic: if any document is refused, every error is returned (each naming its
 * document index) and no object is changed.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifestsDetailed } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const yaml = `
 * apiVersion: v1
 * kind: ConfigMap
 * metadata: { name: settings }
 * data: { mode: fast }
 * ---
 * apiVersion: v1
 * kind: ServiceAccount
 * metadata: { name: robot }
 * `
 * const result = applyManifestsDetailed(createCluster(), yaml)
 * expect(E.isRight(result) && result.right.items.map((i) => `${i.display} ${i.outcome}`)).toEqual([
 *   'configmap/settings created',
 *   'serviceaccount/robot created',
 * ])
 * expect(E.isRight(result) && result.right.warnings[0]).toContain('not simulated')
 * ```
 */
export const applyManifestsDetailed = (state: ClusterState, input: ManifestInput): E.Either<ReadonlyArray<ApiError>, ApplyResult> => {
  const parsed: E.Either<ReadonlyArray<ApiError>, ReadonlyArray<ManifestDocument>> =
    typeof input === 'string' ? parseManifests(input, { maxBytes: state.config.maxManifestBytes }) : manifestsFromValue(input)
  if (E.isLeft(parsed)) return parsed
  const errors: ApiError[] = []
  const items: ApplyItem[] = []
  const warnings: string[] = []
  const seen = new Map<string, number>()
  let current = state
  for (const doc of parsed.right) {
    const envelope = checkEnvelope(doc.object)
    if (E.isRight(envelope)) {
      const { raw, info } = envelope.right
      const meta = raw['metadata'] as Record<string, unknown>
      // Only strings count here: anything else fails validation below, with its own message.
      const ns = info.namespaced ? (typeof meta['namespace'] === 'string' ? meta['namespace'] : 'default') : ''
      const key = `${info.kind}/${ns}/${typeof meta['name'] === 'string' ? meta['name'] : ''}`
      const first = seen.get(key)
      if (typeof meta['name'] === 'string' && first !== undefined) {
        errors.push(
          withDocumentIndex(
            badRequestError(`duplicate object ${info.kind} ${ns === '' ? '' : `${ns}/`}${meta['name']}: also in document ${first}`, [], {
              kind: info.kind,
              group: info.group,
              name: meta['name'],
            }),
            doc.index,
          ),
        )
        continue
      }
      seen.set(key, doc.index)
    }
    const result = applyOne(current, doc.object)
    if (E.isLeft(result)) {
      errors.push(withDocumentIndex(result.left, doc.index))
      continue
    }
    current = result.right.state
    warnings.push(...result.right.warnings)
    const object = result.right.object
    const meta = (doc.object['metadata'] ?? {}) as Record<string, unknown>
    const ref: ObjectRef = object
      ? { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }
      : { kind: String(doc.object['kind']), name: typeof meta['name'] === 'string' ? meta['name'] : '' }
    items.push({ ref, display: displayName(ref, String(doc.object['apiVersion'])), outcome: result.right.outcome })
  }
  if (errors.length > 0) return E.left(errors)
  return E.right({ state: current, items, warnings })
}

/**
 * Applies a manifest set (multi-document YAML, JSON, one object, an array, or a `List`)
 * atomically, like `kubectl apply -f`: all objects, or none and every error.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster()
 * const good = applyManifests(s, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n')
 * expect(E.isRight(good) && O.isSome(get(good.right, 'ConfigMap', 'default', 'a'))).toBe(true)
 * const bad = applyManifests(s, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: 9lives\n')
 * expect(E.isLeft(bad) && bad.left[0]?.documentIndex).toBe(1)
 * ```
 */
export const applyManifests = (state: ClusterState, input: ManifestInput): E.Either<ReadonlyArray<ApiError>, ClusterState> => {
  const result = applyManifestsDetailed(state, input)
  return E.isLeft(result) ? result : E.right(result.right.state)
}

/**
 * Creates or updates one object, as `kubectl apply` does for one manifest (a three-way merge
 * that keeps fields set by controllers).
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, apply, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }
 * const s = apply(createCluster(), cm)
 * expect(E.isRight(s) && O.isSome(get(s.right, 'ConfigMap', 'default', 'a'))).toBe(true)
 * ```
 */
export const apply = (state: ClusterState, object: unknown): E.Either<ApiError, ClusterState> => {
  const result = applyOne(state, object)
  return E.isLeft(result) ? result : E.right(result.right.state)
}

/**
 * Deletes an object with a propagation policy, as `kubectl delete` does.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, remove, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = applyManifests(createCluster(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } })
 * const removed = E.isRight(s) ? remove(s.right, { kind: 'ConfigMap', namespace: 'default', name: 'a' }) : s
 * expect(E.isRight(removed) && O.isNone(get(removed.right, 'ConfigMap', 'default', 'a'))).toBe(true)
 * ```
 */
export const remove = (state: ClusterState, ref: ObjectRef, options: RemoveOptions = {}): E.Either<ApiError, ClusterState> => {
  const result = applyAction(state, {
    type: 'delete',
    ref,
    by: USER,
    ...(options.propagation === undefined ? {} : { propagation: options.propagation }),
    ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
  })
  return E.isLeft(result) ? result : E.right(result.right.state)
}

const resolveKind = (kind: string): string => resolveKindAlias(kind)?.kind ?? kind

/**
 * Reads one object. `kind` may be a kind name or a kubectl alias (`deploy`, `svc`).
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, get } from 'kubesim'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s = createCluster()
 * expect(O.isSome(get(s, 'Service', 'default', 'kubernetes'))).toBe(true)
 * expect(O.isSome(get(s, 'svc', 'default', 'kubernetes'))).toBe(true)
 * expect(O.isNone(get(s, 'Service', 'default', 'missing'))).toBe(true)
 * ```
 */
export const get = (state: ClusterState, kind: string, namespace: string | undefined, name: string): O.Option<KubeObject> => {
  const resolved = resolveKind(kind)
  const namespaced = kindInfo(resolved)?.namespaced ?? true
  return O.fromNullable(getObject(state.objects, { kind: resolved, namespace: namespaced ? (namespace ?? 'default') : undefined, name }))
}

/**
 * Lists objects of a kind, optionally in one namespace and matching a label selector, sorted by
 * namespace and name. A selector string that does not parse matches nothing (check it first
 * with `parseSelector` to report the error).
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, list } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s = applyManifests(createCluster(), [
 *   { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'web', tier: 'fe' } } },
 *   { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { app: 'web', canary: 'true' } } },
 * ])
 * const names = E.isRight(s) ? list(s.right, 'ConfigMap', { labelSelector: 'app=web,!canary' }).map((o) => o.metadata.name) : []
 * expect(names).toEqual(['a'])
 * ```
 */
export const list = (state: ClusterState, kind: string, options: ListOptions = {}): ReadonlyArray<KubeObject> => {
  let selector: Selector | undefined
  if (typeof options.labelSelector === 'string') {
    const parsed = parseSelector(options.labelSelector)
    if (E.isLeft(parsed)) return []
    selector = parsed.right
  } else {
    selector = options.labelSelector
  }
  // A fresh array: the store may hand out a memoised (frozen) one, and callers may sort theirs.
  return listObjects(state.objects, resolveKind(kind), { namespace: options.namespace, selector }).slice()
}

const SCALABLE = ['Deployment', 'ReplicaSet', 'StatefulSet']

/**
 * Sets `spec.replicas` of a Deployment, ReplicaSet or StatefulSet, like `kubectl scale`.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, scale } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const missing = scale(createCluster(), { kind: 'Deployment', namespace: 'default', name: 'web' }, 3)
 * expect(E.isLeft(missing) && missing.left.message).toBe('deployments.apps "web" not found')
 * ```
 */
export const scale = (state: ClusterState, ref: ObjectRef, replicas: number): E.Either<ApiError, ClusterState> => {
  const kind = resolveKind(ref.kind)
  const info = kindInfo(kind) ?? resourceInfoFor('v1', kind)
  if (!SCALABLE.includes(kind))
    return E.left(badRequestError(`the server could not find the requested resource: ${qualifiedResource(info)} has no scale subresource`, [], info))
  const live = getObject(state.objects, { kind, namespace: ref.namespace ?? 'default', name: ref.name })
  if (live === undefined) return E.left(notFoundError(info, ref.name, ref.namespace ?? 'default'))
  if (!Number.isInteger(replicas) || replicas < 0)
    return E.left(invalidError(info, ref.name, ref.namespace, [invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]))
  const next = produce(live, (draft) => {
    const spec = (draft as Record<string, unknown>)['spec'] as Record<string, unknown>
    spec['replicas'] = replicas
  })
  const result = applyAction(state, { type: 'update', object: next, by: USER })
  return E.isLeft(result) ? result : E.right(result.right.state)
}
