/**
 * `--watch`: a running timeline of what the cluster does as virtual time passes, one line per
 * notable change, like `kubectl get pods --watch` and `kubectl get events --watch` merged. A
 * watcher is fed every intermediate state through the engine's `observe` option; each state is
 * diffed against the previous one (Pods, Deployments, Events), so a sample costs what changed.
 * Lines of one instant are ordered by object, so the output is the same on every run.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Map as IMap } from 'immutable'
import { revisionOf } from '../controllers/deployment/revisions.js'
import { diffMaps, type MapChange } from '../internal/mapDiff.js'
import type { KubeObject } from '../objects/object.js'
import { rolloutStatus } from '../store/rollout.js'
import type { ClusterState } from '../store/state.js'
import { type Palette, palette } from './colour.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One change, before it is formatted. */
interface Change {
  /** `shop/pod/web-5d8f7-abcde`, `node/node-1`: the object naming of `kubesim advance`. */
  readonly object: string
  readonly what: string
}

type Rec = Readonly<Record<string, unknown>>

/** Pod facts the timeline reports on; a pod that does not exist yet has none of them. */
interface PodFacts {
  readonly nodeName: string | undefined
  readonly phase: string | undefined
  readonly ready: boolean
  readonly restarts: number
  readonly deleting: boolean
}

/** The rollout facts last reported for a Deployment. */
interface RolloutFacts {
  readonly revision: number
  readonly state: 'progressing' | 'done' | 'deadline'
  /** The last revision seen fully rolled out (0: none yet). */
  readonly completed: number
}

/**
 * Pod events that say what the pod lines already say (assigned, started, stopping): dropped to
 * keep one line per change.
 */
const REDUNDANT_POD_EVENTS: ReadonlySet<string> = new Set(['Scheduled', 'Pulled', 'Created', 'Started', 'Killing'])

/** A ReplicaSet's or Job's SuccessfulCreate / SuccessfulDelete about one pod: the pod lines tell it. */
const POD_COUNTING = /^(Created|Deleted) pod: /

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const record = (value: unknown): Rec | undefined => (typeof value === 'object' && value !== null ? (value as Rec) : undefined)

const label = (kind: string, namespace: string | undefined, name: string): string =>
  namespace === undefined || namespace === '' ? `${kind.toLowerCase()}/${name}` : `${namespace}/${kind.toLowerCase()}/${name}`

const NO_POD: PodFacts = { nodeName: undefined, phase: undefined, ready: false, restarts: 0, deleting: false }

const podFacts = (pod: KubeObject | undefined): PodFacts => {
  if (pod === undefined) return NO_POD
  const status = record(pod['status'])
  const conditions = Array.isArray(status?.['conditions']) ? (status['conditions'] as ReadonlyArray<unknown>) : []
  const containers = Array.isArray(status?.['containerStatuses']) ? (status['containerStatuses'] as ReadonlyArray<unknown>) : []
  const nodeName = record(pod['spec'])?.['nodeName']
  const phase = status?.['phase']
  return {
    nodeName: typeof nodeName === 'string' && nodeName !== '' ? nodeName : undefined,
    phase: typeof phase === 'string' ? phase : undefined,
    ready: conditions.some((c) => record(c)?.['type'] === 'Ready' && record(c)?.['status'] === 'True'),
    restarts: containers.reduce<number>((sum, c) => sum + (typeof record(c)?.['restartCount'] === 'number' ? (record(c)?.['restartCount'] as number) : 0), 0),
    deleting: pod.metadata.deletionTimestamp !== undefined,
  }
}

/** `+00:01:05`: hours keep growing past a day, so offsets sort as text within a run. */
export const formatOffset = (ms: number): string => {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  const two = (n: number): string => String(n).padStart(2, '0')
  return `+${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const podChanges = (change: MapChange<string, KubeObject>): Change[] => {
  const pod = change.after ?? change.before
  if (pod === undefined) return []
  const object = label('Pod', pod.metadata.namespace, pod.metadata.name)
  if (change.after === undefined) return [{ object, what: 'deleted' }]
  const was = podFacts(change.before)
  const now = podFacts(change.after)
  const out: Change[] = []
  const say = (what: string): void => {
    out.push({ object, what })
  }
  if (change.before === undefined) say('created')
  if (now.nodeName !== undefined && now.nodeName !== was.nodeName) say(`assigned to ${now.nodeName}`)
  // A new pod is Pending; say so only when a pod goes back to it.
  if (now.phase !== undefined && now.phase !== was.phase && !(now.phase === 'Pending' && change.before === undefined)) say(now.phase)
  if (now.restarts > was.restarts) say(`restarted (restarts: ${now.restarts})`)
  if (now.ready && !was.ready) say('Ready')
  if (!now.ready && was.ready) say('not ready')
  if (now.deleting && !was.deleting) {
    const grace = change.after.metadata.deletionGracePeriodSeconds
    say(grace === undefined ? 'terminating' : `terminating (grace ${grace}s)`)
  }
  return out
}

const eventChange = (change: MapChange<string, KubeObject>, colours: Palette): Change | undefined => {
  const event = change.after
  if (event === undefined) return undefined
  const count = (e: KubeObject | undefined): number => (typeof e?.['count'] === 'number' ? e['count'] : e === undefined ? 0 : 1)
  // A repeat of a known event raises its count; any other update (or a GC) is not news.
  if (count(event) <= count(change.before)) return undefined
  const involved = record(event['involvedObject']) ?? {}
  const kind = typeof involved['kind'] === 'string' ? involved['kind'] : 'Unknown'
  const reason = typeof event['reason'] === 'string' ? event['reason'] : ''
  if (kind === 'Pod' && REDUNDANT_POD_EVENTS.has(reason)) return undefined
  const message = typeof event['message'] === 'string' ? event['message'] : ''
  if (POD_COUNTING.test(message)) return undefined
  const namespace = typeof involved['namespace'] === 'string' ? involved['namespace'] : undefined
  const name = typeof involved['name'] === 'string' ? involved['name'] : ''
  const what = `${reason}: ${message}`
  return { object: label(kind, namespace, name), what: event['type'] === 'Warning' ? colours.yellow(`Warning ${what}`) : what }
}

/** The rollout a Deployment is in, from `kubectl rollout status`'s point of view. */
const rolloutFacts = (state: ClusterState, deployment: KubeObject, before: RolloutFacts | undefined): RolloutFacts => {
  const ref = { kind: 'Deployment', namespace: deployment.metadata.namespace ?? 'default', name: deployment.metadata.name }
  const status = rolloutStatus(state, ref)
  const revision = revisionOf(deployment) ?? 0
  const completed = before?.completed ?? 0
  if (E.isLeft(status)) return { revision, state: 'deadline', completed }
  return status.right.done ? { revision, state: 'done', completed: revision } : { revision, state: 'progressing', completed }
}

const rolloutChange = (before: RolloutFacts | undefined, after: RolloutFacts): string | undefined => {
  // Revision 0: the controller has not seen the Deployment yet.
  if (after.revision === 0) return undefined
  if (before !== undefined && before.revision === after.revision && before.state === after.state) return undefined
  switch (after.state) {
    case 'progressing':
      return before?.revision === after.revision ? undefined : `rolling out revision ${after.revision}`
    case 'done':
      // A revision that had rolled out already: pods were lost (a node died, a pod was deleted) and replaced.
      return before?.completed === after.revision ? `all replicas available again (revision ${after.revision})` : `rolled out revision ${after.revision}`
    case 'deadline':
      return `revision ${after.revision} exceeded its progress deadline`
  }
}

/**
 * A watcher: feed `observe` to the engine (and call it with states changed outside it); it
 * calls `emit` with each timeline line, `+HH:MM:SS  object  what`, the offset counted from the
 * first state it saw. Pods: created, assigned to a node, phase, Ready and not ready, restarts,
 * terminating, deleted. Deployments: a rollout starting, finishing, or hitting its progress
 * deadline. Events: every new Event or repeat, except the pod events the pod lines already tell.
 */
export const timelineWatcher = (emit: (line: string) => void, colours: Palette = palette(false)): { readonly observe: (state: ClusterState) => void } => {
  let last: ClusterState | undefined
  let start = 0
  let width = 0
  const rollouts = new Map<string, RolloutFacts>()

  const diff = (kind: string, state: ClusterState): ReadonlyArray<MapChange<string, KubeObject>> => {
    const before: IMap<string, KubeObject> | undefined = last?.objects.kinds.get(kind)
    const after: IMap<string, KubeObject> | undefined = state.objects.kinds.get(kind)
    if (before === after) return []
    if (before === undefined) return after === undefined ? [] : [...after.entries()].map(([key, value]) => ({ key, before: undefined, after: value }))
    if (after === undefined) return [...before.entries()].map(([key, value]) => ({ key, before: value, after: undefined }))
    return diffMaps(before, after)
  }

  const observe = (state: ClusterState): void => {
    if (last === undefined) start = state.now
    if (last !== undefined && last.objects === state.objects) {
      last = state
      return
    }
    const changes: Change[] = []
    for (const change of diff('Pod', state)) changes.push(...podChanges(change))
    for (const change of diff('Deployment', state)) {
      const key = String(change.key)
      if (change.after === undefined) {
        rollouts.delete(key)
        continue
      }
      const previous = rollouts.get(key)
      const facts = rolloutFacts(state, change.after, previous)
      const what = rolloutChange(previous, facts)
      rollouts.set(key, facts)
      if (what !== undefined) changes.push({ object: label('Deployment', change.after.metadata.namespace, change.after.metadata.name), what })
    }
    for (const change of diff('Event', state)) {
      const line = eventChange(change, colours)
      if (line !== undefined) changes.push(line)
    }
    last = state
    if (changes.length === 0) return
    // Stable: one object's lines keep their order (its own changes, then its events).
    changes.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0))
    for (const c of changes) width = Math.max(width, c.object.length)
    const offset = formatOffset(state.now - start)
    for (const c of changes) emit(`${offset}  ${c.object.padEnd(width)}  ${c.what}\n`)
  }
  return { observe }
}
