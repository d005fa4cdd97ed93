/**
 * `kubectl rollout` as pure functions of the cluster state: undo (copy an earlier ReplicaSet's
 * template back into the Deployment), restart (stamp the restartedAt template annotation),
 * pause and resume, status (kubectl's exact messages) and history. Writes go through the API
 * reducer as the user; client-side refusals are `BadRequest` errors carrying kubectl's text.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { controllerRefOf } from '../controllers/replicaSet.js'
import { equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from '../controllers/deployment/podTemplateHash.js'
import { ANNOTATIONS_TO_SKIP, CHANGE_CAUSE_ANNOTATION, RESTARTED_AT_ANNOTATION, revisionOf } from '../controllers/deployment/revisions.js'
import type { Deployment } from '../objects/deployment.js'
import { kindInfo, type KindInfo, resolveKindAlias } from '../objects/kinds.js'
import type { KubeObject, ObjectRef } from '../objects/object.js'
import type { PodTemplateSpec } from '../objects/pod.js'
import type { ReplicaSet } from '../objects/replicaSet.js'
import { formatTimestamp } from '../sim/clock.js'
import { type ApiError, badRequestError, notFoundError } from '../validation/apiError.js'
import { dependentsOf, getObject } from './objectStore.js'
import { applyAction } from './reducer.js'
import type { ClusterState } from './state.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** What `rolloutStatus` reports: kubectl's line, and whether the rollout is done. */
export interface RolloutStatus {
  readonly message: string
  readonly done: boolean
}

type StoredDeployment = Deployment & KubeObject
type StoredReplicaSet = ReplicaSet & KubeObject

const DEPLOYMENT = kindInfo('Deployment') as KindInfo
const RESOURCE = 'deployments.apps'

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const fail = (message: string, name = ''): E.Either<ApiError, never> => E.left(badRequestError(message, [], { kind: 'Deployment', group: 'apps', name }))

const findDeployment = (state: ClusterState, ref: ObjectRef): E.Either<ApiError, StoredDeployment> => {
  const kind = resolveKindAlias(ref.kind)?.kind ?? ref.kind
  if (kind !== 'Deployment') return fail(`rollout is simulated for Deployments only, not ${JSON.stringify(ref.kind)}`, ref.name)
  const namespace = ref.namespace ?? 'default'
  const d = getObject(state.objects, { kind: 'Deployment', namespace, name: ref.name })
  return d === undefined ? E.left(notFoundError(DEPLOYMENT, ref.name, namespace)) : E.right(d as StoredDeployment)
}

/** The ReplicaSets a Deployment controls, as kubectl's `GetAllReplicaSets` finds them. */
const replicaSetsOf = (state: ClusterState, d: StoredDeployment): ReadonlyArray<StoredReplicaSet> =>
  dependentsOf(state.objects, d.metadata.uid ?? '').filter(
    (o): o is StoredReplicaSet => o.kind === 'ReplicaSet' && controllerRefOf(o)?.uid === d.metadata.uid,
  )

const writeDeployment = (state: ClusterState, d: StoredDeployment): E.Either<ApiError, ClusterState> => {
  const result = applyAction(state, { type: 'update', object: d, by: 'user' })
  return E.isLeft(result) ? result : E.right(result.right.state)
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * `kubectl rollout undo`: copies the template (without the pod-template-hash label) and the
 * annotations of the ReplicaSet at `toRevision` (default: the previous revision) back into the
 * Deployment; the controller then rolls to it and raises that ReplicaSet's revision. Returns the
 * same state when the template already matches (kubectl's "skipped rollback"). Errors carry
 * kubectl's text: `unable to find specified revision 5 in history`,
 * `no rollout history found for deployment "web"`, and the paused-deployment refusal.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, apply, advance, rolloutUndo, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const web = (image: string) => ({
 *   apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { replicas: 2, selector: { matchLabels: { app: 'web' } },
 *     template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
 * })
 * type S = ReturnType<typeof createCluster>
 * const v2 = E.chain((s: S) => advance(s, '1m'))(E.chain((s: S) => apply(s, web('nginx:1.27')))(E.chain((s: S) => advance(s, '1m'))(applyManifests(createCluster({ nodes: 1 }), web('nginx:1.26')))))
 * const undone = E.chain((s: S) => advance(s, '1m'))(E.chain((s: S) => rolloutUndo(s, { kind: 'Deployment', namespace: 'default', name: 'web' }))(v2))
 * const d = E.isRight(undone) ? get(undone.right, 'Deployment', 'default', 'web') : O.none
 * const spec = O.isSome(d) ? (d.value['spec'] as { template: { spec: { containers: { image: string }[] } } }) : undefined
 * expect(spec?.template.spec.containers[0]?.image).toBe('nginx:1.26')
 * expect(O.isSome(d) && d.value.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3')
 * const missing = E.chain((s: S) => rolloutUndo(s, { kind: 'Deployment', namespace: 'default', name: 'web' }, 9))(undone)
 * expect(E.isLeft(missing) && missing.left.message).toBe('unable to find specified revision 9 in history')
 * ```
 */
export const rolloutUndo = (state: ClusterState, ref: ObjectRef, toRevision = 0): E.Either<ApiError, ClusterState> => {
  const found = findDeployment(state, ref)
  if (E.isLeft(found)) return found
  const d = found.right
  const name = d.metadata.name
  if (!Number.isInteger(toRevision) || toRevision < 0) return fail(`unable to find specified revision ${toRevision} in history`, name)
  let target: StoredReplicaSet | undefined
  let latest: { rs: StoredReplicaSet | undefined; v: number } = { rs: undefined, v: -1 }
  let previous: { rs: StoredReplicaSet | undefined; v: number } = { rs: undefined, v: -1 }
  for (const rs of replicaSetsOf(state, d)) {
    const v = revisionOf(rs)
    if (v === undefined) continue
    if (toRevision === 0) {
      if (latest.v < v) {
        previous = latest
        latest = { rs, v }
      } else if (previous.v < v) previous = { rs, v }
    } else if (toRevision === v) target = rs
  }
  if (toRevision > 0 && target === undefined) return fail(`unable to find specified revision ${toRevision} in history`, name)
  if (toRevision === 0) target = previous.rs
  if (target === undefined) return fail(`no rollout history found for deployment ${JSON.stringify(name)}`, name)
  if (d.spec.paused === true) return fail("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again", name)
  if (equalIgnoreHash(target.spec.template, d.spec.template)) return E.right(state)
  const labels = { ...(target.spec.template.metadata?.labels ?? {}) }
  delete labels[POD_TEMPLATE_HASH_LABEL]
  const template: PodTemplateSpec = { ...target.spec.template, metadata: { ...(target.spec.template.metadata ?? {}), labels } }
  const annotations: Record<string, string> = {}
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v
  for (const [k, v] of Object.entries(target.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v
  const { annotations: _drop, ...meta } = d.metadata
  return writeDeployment(state, {
    ...d,
    metadata: Object.keys(annotations).length === 0 ? meta : { ...meta, annotations },
    spec: { ...d.spec, template },
  } as StoredDeployment)
}

/**
 * `kubectl rollout restart`: sets the pod template annotation `kubectl.kubernetes.io/restartedAt`
 * to the current virtual time, so the controller rolls every pod.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, rolloutRestart, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const s = E.chain((x: ReturnType<typeof createCluster>) => rolloutRestart(x, { kind: 'deploy', name: 'web' }))(applyManifests(createCluster({ now: '2025-03-01T12:00:00Z' }), web))
 * const d = E.isRight(s) ? get(s.right, 'Deployment', 'default', 'web') : O.none
 * const template = O.isSome(d) ? (d.value['spec'] as { template: { metadata: { annotations: Record<string, string> } } }).template : undefined
 * expect(template?.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe('2025-03-01T12:00:00Z')
 * ```
 */
export const rolloutRestart = (state: ClusterState, ref: ObjectRef): E.Either<ApiError, ClusterState> => {
  const found = findDeployment(state, ref)
  if (E.isLeft(found)) return found
  const d = found.right
  const name = d.metadata.name
  if (d.spec.paused === true) return fail(`${RESOURCE} ${JSON.stringify(name)} can't restart paused deployment (run rollout resume first)`, name)
  const at = formatTimestamp(state.now)
  const tm = d.spec.template.metadata ?? {}
  if (tm.annotations?.[RESTARTED_AT_ANNOTATION] === at)
    return fail(`failed to create patch for ${name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`, name)
  const template: PodTemplateSpec = { ...d.spec.template, metadata: { ...tm, annotations: { ...(tm.annotations ?? {}), [RESTARTED_AT_ANNOTATION]: at } } }
  return writeDeployment(state, { ...d, spec: { ...d.spec, template } })
}

const setPaused = (state: ClusterState, ref: ObjectRef, paused: boolean): E.Either<ApiError, ClusterState> => {
  const found = findDeployment(state, ref)
  if (E.isLeft(found)) return found
  const d = found.right
  if ((d.spec.paused === true) === paused)
    return fail(`${RESOURCE} ${JSON.stringify(d.metadata.name)} ${paused ? 'is already paused' : 'is not paused'}`, d.metadata.name)
  return writeDeployment(state, { ...d, spec: { ...d.spec, paused } })
}

/**
 * `kubectl rollout pause`: the controller stops rolling out template changes (it still scales)
 * and reports Progressing=Unknown/DeploymentPaused.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, rolloutPause } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const ref = { kind: 'Deployment', namespace: 'default', name: 'web' }
 * const paused = E.chain((s: ReturnType<typeof createCluster>) => rolloutPause(s, ref))(applyManifests(createCluster(), web))
 * const again = E.chain((s: ReturnType<typeof createCluster>) => rolloutPause(s, ref))(paused)
 * expect(E.isLeft(again) && again.left.message).toBe('deployments.apps "web" is already paused')
 * ```
 */
export const rolloutPause = (state: ClusterState, ref: ObjectRef): E.Either<ApiError, ClusterState> => setPaused(state, ref, true)

/**
 * `kubectl rollout resume`: the controller picks up template changes made while paused.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, rolloutResume } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const resumed = E.chain((s: ReturnType<typeof createCluster>) => rolloutResume(s, { kind: 'Deployment', name: 'web' }))(applyManifests(createCluster(), web))
 * expect(E.isLeft(resumed) && resumed.left.message).toBe('deployments.apps "web" is not paused')
 * ```
 */
export const rolloutResume = (state: ClusterState, ref: ObjectRef): E.Either<ApiError, ClusterState> => setPaused(state, ref, false)

/**
 * `kubectl rollout status` (one look, no watching): kubectl's message and whether the rollout
 * is done. A rollout past its progress deadline is an error, as in kubectl
 * (`deployment "web" exceeded its progress deadline`).
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, rolloutStatus } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const ref = { kind: 'Deployment', namespace: 'default', name: 'web' }
 * const applied = applyManifests(createCluster({ nodes: 1 }), web)
 * const before = E.chain((s: ReturnType<typeof createCluster>) => rolloutStatus(s, ref))(applied)
 * expect(E.isRight(before) && before.right.message).toBe('Waiting for deployment spec update to be observed...')
 * const after = E.chain((s: ReturnType<typeof createCluster>) => rolloutStatus(s, ref))(E.chain((s: ReturnType<typeof createCluster>) => advance(s, '10s'))(applied))
 * expect(E.isRight(after) && after.right).toEqual({ message: 'deployment "web" successfully rolled out', done: true })
 * ```
 */
export const rolloutStatus = (state: ClusterState, ref: ObjectRef, options: { readonly revision?: number } = {}): E.Either<ApiError, RolloutStatus> => {
  const found = findDeployment(state, ref)
  if (E.isLeft(found)) return found
  const d = found.right
  const name = JSON.stringify(d.metadata.name)
  const status = d.status ?? {}
  if (options.revision !== undefined && options.revision > 0) {
    const current = revisionOf(d) ?? 0
    if (current !== options.revision) return fail(`desired revision (${options.revision}) is different from the running revision (${current})`, d.metadata.name)
  }
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return E.right({ message: 'Waiting for deployment spec update to be observed...', done: false })
  if (status.conditions?.find((c) => c.type === 'Progressing')?.reason === 'ProgressDeadlineExceeded')
    return fail(`deployment ${name} exceeded its progress deadline`, d.metadata.name)
  const replicas = d.spec.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  const total = status.replicas ?? 0
  const available = status.availableReplicas ?? 0
  if (updated < replicas) return E.right({ message: `Waiting for deployment ${name} rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false })
  if (total > updated) return E.right({ message: `Waiting for deployment ${name} rollout to finish: ${total - updated} old replicas are pending termination...`, done: false })
  if (available < updated) return E.right({ message: `Waiting for deployment ${name} rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false })
  return E.right({ message: `deployment ${name} successfully rolled out`, done: true })
}

/** Columns padded as Go's tabwriter (minwidth 0, padding 2) pads kubectl's tables. */
const tabbed = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2))).join('')).join('\n') + '\n'
}

const kv = (map: Readonly<Record<string, string>> | undefined): ReadonlyArray<string> =>
  Object.keys(map ?? {}).sort().map((k) => `${k}=${(map ?? {})[k] ?? ''}`)

/** kubectl's `printTemplate` for one revision, with the fields kubesim models. */
const printTemplate = (template: PodTemplateSpec): string => {
  const lines: string[] = ['Pod Template:']
  const field = (indent: string, label: string, values: ReadonlyArray<string>) => {
    const [first, ...rest] = values.length === 0 ? ['<none>'] : values
    lines.push(`${indent}${label}\t${first}`)
    for (const v of rest) lines.push(`${indent}${' '.repeat(label.length)}\t${v}`)
  }
  field('  ', 'Labels:', kv(template.metadata?.labels))
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0) field('  ', 'Annotations:', kv(template.metadata?.annotations))
  lines.push('  Containers:')
  for (const c of template.spec?.containers ?? []) {
    lines.push(`   ${c.name}:`)
    lines.push(`    Image:\t${c.image ?? ''}`)
    const ports = c.ports ?? []
    lines.push(`    Port${ports.length > 1 ? 's' : ''}:\t${ports.length === 0 ? '<none>' : ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')}`)
    lines.push(`    Host Port${ports.length > 1 ? 's' : ''}:\t${ports.length === 0 ? '<none>' : ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ')}`)
    const env = c.env ?? []
    if (env.length === 0) lines.push('    Environment:\t<none>')
    else {
      lines.push('    Environment:')
      for (const e of env) lines.push(`      ${e.name}:\t${e.value ?? ''}`)
    }
    const mounts = c.volumeMounts ?? []
    if (mounts.length === 0) lines.push('    Mounts:\t<none>')
    else {
      lines.push('    Mounts:')
      for (const m of mounts) lines.push(`      ${m.mountPath} from ${m.name} (${m.readOnly === true ? 'ro' : 'rw'})`)
    }
  }
  lines.push(`  Volumes:\t${(template.spec?.volumes ?? []).length === 0 ? '<none>' : (template.spec?.volumes ?? []).map((v) => v.name).join(', ')}`)
  field('  ', 'Node-Selectors:', kv(template.spec?.nodeSelector))
  lines.push(`  Tolerations:\t${(template.spec?.tolerations ?? []).length === 0 ? '<none>' : (template.spec?.tolerations ?? []).map((t) => `${t.key ?? ''}${t.value === undefined ? '' : `=${t.value}`}${t.effect === undefined ? '' : `:${t.effect}`}`).join(', ')}`)
  // Align each `label:\tvalue` pair on its indentation level, as kubectl's tabwriter does.
  const width = Math.max(...lines.filter((l) => l.includes('\t')).map((l) => l.indexOf('\t')))
  return lines.map((l) => (l.includes('\t') ? l.slice(0, l.indexOf('\t')).padEnd(width + 2) + l.slice(l.indexOf('\t') + 1) : l)).join('\n') + '\n'
}

/**
 * `kubectl rollout history`: the Deployment's revisions and their change causes
 * (`kubernetes.io/change-cause`), or one revision's pod template with `revision`. The text is
 * kubectl's output, starting with the `deployment.apps/<name>` line.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance, rolloutHistory } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
 *   spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const s = E.chain((x: ReturnType<typeof createCluster>) => advance(x, '5s'))(applyManifests(createCluster({ nodes: 1 }), web))
 * const history = E.chain((x: ReturnType<typeof createCluster>) => rolloutHistory(x, { kind: 'Deployment', name: 'web' }))(s)
 * expect(E.isRight(history) && history.right).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n')
 * ```
 */
export const rolloutHistory = (state: ClusterState, ref: ObjectRef, revision = 0): E.Either<ApiError, string> => {
  const found = findDeployment(state, ref)
  if (E.isLeft(found)) return found
  const d = found.right
  const history = new Map<number, StoredReplicaSet>()
  for (const rs of replicaSetsOf(state, d)) {
    const v = revisionOf(rs)
    if (v !== undefined) history.set(v, rs)
  }
  const header = `deployment.apps/${d.metadata.name}`
  if (history.size === 0) return E.right(`${header} \nNo rollout history found.\n`)
  if (revision > 0) {
    const rs = history.get(revision)
    if (rs === undefined) return fail('unable to find the specified revision', d.metadata.name)
    const template = rs.spec.template
    const cause = rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION]
    const withCause: PodTemplateSpec =
      cause === undefined ? template : { ...template, metadata: { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), [CHANGE_CAUSE_ANNOTATION]: cause } } }
    return E.right(`${header} with revision #${revision}\n${printTemplate(withCause)}\n`)
  }
  const rows = [...history.keys()]
    .sort((a, b) => a - b)
    .map((r) => [String(r), history.get(r)?.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'])
  return E.right(`${header} \n${tabbed([['REVISION', 'CHANGE-CAUSE'], ...rows])}\n`)
}
