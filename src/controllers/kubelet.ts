/**
 * The kubelet: one controller acting for every node whose kubelet is up. It drives each bound
 * pod through its lifecycle (Pending -> Running -> Succeeded/Failed): pod IPs, init containers
 * in order, container states and restarts with CrashLoopBackOff, conditions, and graceful
 * termination. Every transition is computed from the timestamps already in the pod's status
 * and the pod's behaviour (see `resolveBehaviour`), so the kubelet keeps no memory of its own
 * and `nextWakeup` names the exact time of the next transition: nothing is polled.
 *
 * Cost: a pass walks the bound pods once (a memo lookup each) and plans only the nodes with a
 * pod that changed, or whose next transition is due, since a plan last found it quiet.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import type { Map as IMap } from 'immutable'
import { deepEqual } from '../internal/deepEqual.js'
import { parseDuration } from '../objects/duration.js'
import type { KubeObject } from '../objects/object.js'
import { type Container, type PodSpec, podQosClass } from '../objects/pod.js'
import { formatIpv4, type Ipv4Cidr, ipv4Value } from '../network/cidr.js'
import { type FamilyCidr, podCidrs } from '../network/ipFamilies.js'
import { formatIpv6 } from '../network/ipv6.js'
import { firstFreeIp, heldPodIp, nodeInternalIp, nodePodRange, nodePodRanges, usedPodIps, usedSecondaryPodIps } from '../network/podIps.js'
import { type BehaviourModel, containerReadyDelayMs, parseBehaviourAnnotations, type PodBehaviour, resolveBehaviour, runOutcome } from '../sim/behaviour.js'
import { formatTimestamp, timestampMs } from '../sim/clock.js'
import { diffMaps } from '../internal/mapDiff.js'
import { memoised } from '../internal/memo.js'
import { checkQuietSkip, verifyingQuiescence } from '../sim/quiescence.js'
import { listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller, EventRecord } from './controller.js'
import { KUBELET_STOPPED_ANNOTATION } from './nodeLifecycle.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

const BY = 'kubelet'
/** The first CrashLoopBackOff delay (kubelet's `initialDuration`). */
export const BACKOFF_INITIAL_MS = 10_000
/** The longest CrashLoopBackOff delay (kubelet's `MaxContainerBackOff`). */
export const BACKOFF_MAX_MS = 300_000
/** A container that ran longer than this restarts without back-off (kubelet: 2 x the maximum back-off). */
export const BACKOFF_RESET_MS = 2 * BACKOFF_MAX_MS
/** Transitions one pod may take in one pass; the next pass continues (a guard, never reached in practice). */
const MAX_TRANSITIONS = 1000

interface Terminated {
  readonly exitCode: number
  readonly reason: string
  readonly startedAt: number
  readonly finishedAt: number
}

type RunState =
  | { readonly tag: 'waiting'; readonly reason: string; readonly message: string | undefined }
  | { readonly tag: 'running'; readonly startedAt: number }
  | ({ readonly tag: 'terminated' } & Terminated)

/** A container as the kubelet works on it (times in ms, whole seconds as stored). */
interface Box {
  readonly name: string
  readonly image: string
  readonly sidecar: boolean
  readonly readyDelayMs: number
  restartCount: number
  state: RunState
  last: Terminated | undefined
  ready: boolean
  containerID: string | undefined
}

type Condition = Readonly<Record<string, unknown>> & { readonly type: string; readonly status: string }

/** The pod status as the kubelet works on it. */
interface Work {
  startTime: number | undefined
  hostIP: string | undefined
  podIP: string | undefined
  /** The pod's IP of the cluster's second family (dual-stack clusters only). */
  podIP2: string | undefined
  /** When the pod IP was assigned in this pass (containers cannot start before). */
  ipAt: number
  readonly init: Box[]
  readonly app: Box[]
  phase: string
  conditions: Condition[]
  terminationBegun: boolean
  remove: boolean
  readonly events: EventRecord[]
}

/** Allocates pod IPs on one node during a pass. */
interface IpPool {
  readonly peek: () => string | undefined
  readonly take: (ip: string) => void
  readonly rangeText: string
  /** The pool of the cluster's second IP family; undefined unless dual-stack. */
  readonly secondary?: IpPool
}

interface PodEnv {
  readonly now: number
  readonly node: KubeObject
  readonly pool: IpPool
  readonly model: BehaviourModel | undefined
}

interface PodPlan {
  readonly actions: ReadonlyArray<Action>
  /** The next transition after now, if any. */
  readonly next: number | undefined
  /** Whether the plan read the node's free pod IPs (it then depends on the other pods). */
  readonly readPool: boolean
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const sec = (ms: number): number => Math.floor(ms / 1000) * 1000

const fmt = memoised((ms: number): string => formatTimestamp(ms))

/**
 * Whether a node's kubelet is up: it is down while the node carries the
 * `kubesim.dev/kubelet-stopped-at` annotation (set by `failNode`).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { kubeletIsUp } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }
 * expect(kubeletIsUp(node)).toBe(true)
 * expect(kubeletIsUp({ ...node, metadata: { name: 'n', annotations: { 'kubesim.dev/kubelet-stopped-at': '2025-01-01T00:00:00Z' } } })).toBe(false)
 * ```
 */
export const kubeletIsUp = (node: KubeObject): boolean => node.metadata.annotations?.[KUBELET_STOPPED_ANNOTATION] === undefined

/**
 * 64 hex digits derived from a string (32-bit FNV-1a from eight seeds): a stand-in for a
 * sha256 digest. The eight hashes are taken in one pass over the text (every container start
 * draws one).
 */
const fakeDigest = (text: string): string => {
  const h = DIGEST_SEEDS.slice()
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    for (let k = 0; k < 8; k++) h[k] = Math.imul(h[k]! ^ c, 0x01000193) >>> 0
  }
  let out = ''
  for (let k = 0; k < 8; k++) out += h[k]!.toString(16).padStart(8, '0')
  return out
}
const DIGEST_SEEDS: ReadonlyArray<number> = Array.from({ length: 8 }, (_, i) => (0x811c9dc5 + i * 0x9e3779b9) >>> 0)

/**
 * The image ID the kubelet reports for an image: the fully qualified repository and a digest,
 * `docker.io/library/nginx@sha256:<64 hex>`. The digest is a fixed function of the image
 * reference (not a real sha256); an image given by digest keeps its own.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { fakeImageId } from 'kubesim'
 * expect(fakeImageId('nginx:1.27')).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/)
 * expect(fakeImageId('ghcr.io/acme/app@sha256:abc')).toBe('ghcr.io/acme/app@sha256:abc')
 * expect(fakeImageId('nginx')).toBe(fakeImageId('nginx'))
 * ```
 */
export const fakeImageId = (image: string): string => {
  const at = image.indexOf('@')
  const name = at < 0 ? image : image.slice(0, at)
  const lastSlash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  const repository = colon > lastSlash ? name.slice(0, colon) : name
  const first = repository.split('/')[0] ?? ''
  const qualified = !repository.includes('/')
    ? `docker.io/library/${repository}`
    : first.includes('.') || first.includes(':') || first === 'localhost'
      ? repository
      : `docker.io/${repository}`
  return at < 0 ? `${qualified}@sha256:${fakeDigest(image)}` : `${qualified}${image.slice(at)}`
}

/** Formats a duration as Go's `time.Duration.String` does for whole seconds: `10s`, `1m20s`, `5m0s`. */
const goDuration = (ms: number): string => {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${s % 60}s` : `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`
}

/**
 * The CrashLoopBackOff delay before restarting a container that has just exited, as the
 * kubelet's per-container back-off computes it: no delay for the first exit or after a run
 * longer than 10 minutes, then 10 s doubling up to 300 s. The previous delay is read from the
 * status (the gap between the previous exit and this run's start).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { crashLoopDelayMs } from 'kubesim'
 * const run = (startedAt: number, finishedAt: number) => ({ startedAt, finishedAt })
 * expect(crashLoopDelayMs(run(0, 5000), undefined)).toBe(0)
 * expect(crashLoopDelayMs(run(5000, 10000), run(0, 5000))).toBe(10000)
 * expect(crashLoopDelayMs(run(20000, 25000), run(5000, 10000))).toBe(20000)
 * expect(crashLoopDelayMs(run(0, 700000), run(0, 0))).toBe(0)
 * ```
 */
export const crashLoopDelayMs = (
  run: { readonly startedAt: number; readonly finishedAt: number },
  previous: { readonly finishedAt: number } | undefined,
): number => {
  if (previous === undefined || run.finishedAt - run.startedAt > BACKOFF_RESET_MS) return 0
  const gap = run.startedAt - previous.finishedAt
  if (gap < BACKOFF_INITIAL_MS) return BACKOFF_INITIAL_MS
  let applied = BACKOFF_INITIAL_MS
  while (applied * 2 <= gap && applied < BACKOFF_MAX_MS) applied *= 2
  return Math.min(applied * 2, BACKOFF_MAX_MS)
}

const backOffMessage = (delay: number, container: string, pod: KubeObject): string =>
  `back-off ${goDuration(delay)} restarting failed container=${container} pod=${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`

/** The delay a CrashLoopBackOff waiting message names (10 s when unreadable). */
const delayInMessage = (message: string | undefined): number => {
  const m = /^back-off (\S+) restarting/.exec(message ?? '')
  const parsed = m?.[1] === undefined ? undefined : parseDuration(m[1])
  return parsed !== undefined && parsed._tag === 'Right' ? parsed.right : BACKOFF_INITIAL_MS
}

const isTerminal = (phase: string): boolean => phase === 'Succeeded' || phase === 'Failed'

/** An init container is done when it exited 0, or, for a sidecar (restartPolicy Always), once started. */
const initDone = (c: Box): boolean =>
  c.sidecar ? c.state.tag === 'running' || c.last !== undefined : c.state.tag === 'terminated' && c.state.exitCode === 0

// ---------------------------------------------------------------------------------------------
// reading and writing the status
// ---------------------------------------------------------------------------------------------

type Raw = Readonly<Record<string, unknown>>

const readTerminated = (raw: unknown, fallback: number): Terminated | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined
  const t = raw as Raw
  const finishedAt = timestampMs(t['finishedAt']) ?? fallback
  const exitCode = typeof t['exitCode'] === 'number' ? t['exitCode'] : 0
  return {
    exitCode,
    reason: typeof t['reason'] === 'string' ? t['reason'] : exitCode === 0 ? 'Completed' : 'Error',
    startedAt: timestampMs(t['startedAt']) ?? finishedAt,
    finishedAt,
  }
}

const readBox = (container: Container, raw: Raw | undefined, sidecar: boolean, behaviour: PodBehaviour, defaultWaiting: string, fallback: number): Box => {
  const stateRaw = (raw?.['state'] ?? {}) as Raw
  let state: RunState = { tag: 'waiting', reason: defaultWaiting, message: undefined }
  if (stateRaw['running'] !== undefined) state = { tag: 'running', startedAt: timestampMs((stateRaw['running'] as Raw)['startedAt']) ?? fallback }
  else if (stateRaw['terminated'] !== undefined) {
    const t = readTerminated(stateRaw['terminated'], fallback)
    if (t !== undefined) state = { tag: 'terminated', ...t }
  } else if (stateRaw['waiting'] !== undefined) {
    const w = stateRaw['waiting'] as Raw
    state = { tag: 'waiting', reason: typeof w['reason'] === 'string' ? w['reason'] : defaultWaiting, message: typeof w['message'] === 'string' ? w['message'] : undefined }
  }
  const lastRaw = (raw?.['lastState'] ?? {}) as Raw
  return {
    name: container.name,
    image: container.image ?? '',
    sidecar,
    readyDelayMs: containerReadyDelayMs(container, behaviour),
    restartCount: typeof raw?.['restartCount'] === 'number' ? raw['restartCount'] : 0,
    state,
    last: readTerminated(lastRaw['terminated'], fallback),
    ready: raw?.['ready'] === true,
    containerID: typeof raw?.['containerID'] === 'string' ? raw['containerID'] : undefined,
  }
}

const writeTerminated = (t: Terminated): Raw => ({
  exitCode: t.exitCode,
  reason: t.reason,
  startedAt: fmt(t.startedAt),
  finishedAt: fmt(t.finishedAt),
})

const imageIdOf = memoised((image: string): string => fakeImageId(image))

const writeBox = (c: Box): Raw => {
  const s = c.state
  const state =
    s.tag === 'running'
      ? { running: { startedAt: fmt(s.startedAt) } }
      : s.tag === 'terminated'
        ? { terminated: writeTerminated(s) }
        : { waiting: s.message === undefined ? { reason: s.reason } : { reason: s.reason, message: s.message } }
  return {
    name: c.name,
    state,
    lastState: c.last === undefined ? {} : { terminated: writeTerminated(c.last) },
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: imageIdOf(c.image),
    ...(c.containerID === undefined ? {} : { containerID: c.containerID }),
    started: s.tag === 'running',
  }
}

// ---------------------------------------------------------------------------------------------
// the pod state machine
// ---------------------------------------------------------------------------------------------

const event = (pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): EventRecord => ({
  involvedObject: {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    ...(pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid }),
  },
  type,
  reason,
  message,
})

/** The phase from container states, as the kubelet's `getPhase`. */
const computePhase = (w: Work, restartPolicy: string): string => {
  if (w.startTime === undefined) return 'Pending'
  for (const c of w.init) {
    if (initDone(c)) continue
    if (!c.sidecar && c.state.tag === 'terminated' && restartPolicy === 'Never') return 'Failed'
    return 'Pending'
  }
  let running = 0
  let waiting = 0
  let stopped = 0
  let succeeded = 0
  for (const c of w.app) {
    if (c.state.tag === 'running') running++
    else if (c.state.tag === 'terminated') {
      stopped++
      if (c.state.exitCode === 0) succeeded++
    } else if (c.last !== undefined) stopped++
    else waiting++
  }
  if (waiting > 0) return 'Pending'
  if (running > 0) return 'Running'
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running'
    if (stopped === succeeded) return 'Succeeded'
    if (restartPolicy === 'Never') return 'Failed'
    return 'Running'
  }
  return 'Pending'
}

const setCondition = (conditions: Condition[], at: number, type: string, status: string, reason?: string, message?: string): void => {
  const i = conditions.findIndex((c) => c.type === type)
  const old = i < 0 ? undefined : conditions[i]
  const lastTransitionTime = old !== undefined && old.status === status && typeof old['lastTransitionTime'] === 'string' ? old['lastTransitionTime'] : fmt(at)
  // Most derivations leave a condition as it was: keep the object (fewer allocations, and the
  // status comparison after planning meets the same object).
  if (old !== undefined && isCondition(old, status, lastTransitionTime, reason, message)) return
  const next: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime,
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
  }
  if (i < 0) conditions.push(next)
  else conditions[i] = next
}

/** Whether `c` is exactly the condition `setCondition` would write: these fields, in this order, and no other. */
const isCondition = (c: Condition, status: string, lastTransitionTime: unknown, reason: string | undefined, message: string | undefined): boolean => {
  if (c.status !== status || c['lastProbeTime'] !== null || c['lastTransitionTime'] !== lastTransitionTime || c['reason'] !== reason || c['message'] !== message) return false
  const keys = Object.keys(c)
  const expected = 4 + (reason === undefined ? 0 : 1) + (message === undefined ? 0 : 1)
  if (keys.length !== expected || keys[0] !== 'type' || keys[1] !== 'status' || keys[2] !== 'lastProbeTime' || keys[3] !== 'lastTransitionTime') return false
  return (reason === undefined || keys[4] === 'reason') && (message === undefined || keys[expected - 1] === 'message')
}

const CONDITION_ORDER = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']

/** Recomputes phase and conditions after a transition at `at`. */
const derive = (w: Work, at: number, restartPolicy: string): void => {
  const computed = computePhase(w, restartPolicy)
  // Phases only move forward: a terminal phase is final, and a running pod never reads Pending again.
  if (!isTerminal(w.phase) && !(w.phase === 'Running' && computed === 'Pending')) w.phase = computed
  const conditions = [...w.conditions]
  const incomplete = w.init.filter((c) => !initDone(c)).map((c) => c.name)
  if (w.phase === 'Succeeded') setCondition(conditions, at, 'Initialized', 'True', 'PodCompleted')
  else if (incomplete.length === 0) setCondition(conditions, at, 'Initialized', 'True')
  else setCondition(conditions, at, 'Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`)
  const unready = [...w.init.filter((c) => c.sidecar), ...w.app].filter((c) => !c.ready).map((c) => c.name)
  for (const type of ['ContainersReady', 'Ready']) {
    if (isTerminal(w.phase)) setCondition(conditions, at, type, 'False', 'PodCompleted')
    else if (unready.length === 0) setCondition(conditions, at, type, 'True')
    else setCondition(conditions, at, type, 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`)
  }
  if (!conditions.some((c) => c.type === 'PodScheduled') && w.startTime !== undefined)
    setCondition(conditions, w.startTime, 'PodScheduled', 'True')
  // Already in order after the first derivation: sorted (stably) only when a condition is new.
  w.conditions = inConditionOrder(conditions) ? conditions : conditions.map((c, i) => [c, i] as const).sort((a, b) => conditionRank(a[0]) - conditionRank(b[0]) || a[1] - b[1]).map(([c]) => c)
}

const conditionRank = (c: Condition): number => {
  const i = CONDITION_ORDER.indexOf(c.type)
  return i < 0 ? CONDITION_ORDER.length : i
}

/** Whether the conditions' ranks never decrease, so the stable sort would leave them as they are. */
const inConditionOrder = (conditions: ReadonlyArray<Condition>): boolean => {
  for (let i = 1; i < conditions.length; i++) if (conditionRank(conditions[i - 1]!) > conditionRank(conditions[i]!)) return false
  return true
}

interface Transition {
  readonly at: number
  readonly run: () => void
}

/** Everything the state machine reads about one pod. */
interface PodContext {
  readonly pod: KubeObject
  readonly spec: PodSpec
  readonly behaviour: PodBehaviour
  readonly restartPolicy: string
  readonly hostNetwork: boolean
  readonly env: PodEnv
  /** Deletion start and the grace period in ms, when the kubelet has to terminate the pod. */
  readonly deletion: { readonly start: number; readonly graceMs: number } | undefined
}

const startContainer = (ctx: PodContext, w: Work, c: Box, at: number, restart: boolean): void => {
  const startedAt = sec(at)
  if (restart) {
    if (c.state.tag === 'terminated') c.last = c.state
    c.restartCount += 1
  }
  c.state = { tag: 'running', startedAt }
  c.ready = false
  c.containerID = `containerd://${fakeDigest(`${ctx.pod.metadata.uid ?? ''}/${c.name}/${c.restartCount}`)}`
  w.events.push(
    event(ctx.pod, 'Normal', 'Pulled', `Container image ${JSON.stringify(c.image)} already present on machine`),
    event(ctx.pod, 'Normal', 'Created', `Created container: ${c.name}`),
    event(ctx.pod, 'Normal', 'Started', `Started container ${c.name}`),
  )
}

const exitContainer = (c: Box, startedAt: number, at: number, exitCode: number): void => {
  c.state = { tag: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt: sec(at) }
  c.ready = false
}

const restarts = (policy: string, exitCode: number): boolean => policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0)

/** The restart (or back-off) of an exited container, if its restart policy asks for one. */
const restartTransition = (ctx: PodContext, w: Work, c: Box, policy: string): Transition | undefined => {
  const s = c.state
  if (s.tag === 'terminated') {
    if (!restarts(policy, s.exitCode)) return undefined
    const delay = crashLoopDelayMs(s, c.last)
    return {
      at: s.finishedAt,
      run: () => {
        if (delay === 0) return startContainer(ctx, w, c, s.finishedAt, true)
        c.last = s
        c.state = { tag: 'waiting', reason: 'CrashLoopBackOff', message: backOffMessage(delay, c.name, ctx.pod) }
        c.ready = false
        const pod = ctx.pod
        w.events.push(
          event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`),
        )
      },
    }
  }
  if (s.tag === 'waiting' && c.last !== undefined) {
    const last = c.last
    return { at: Math.max(last.finishedAt + delayInMessage(s.message), w.ipAt), run: () => startContainer(ctx, w, c, Math.max(last.finishedAt + delayInMessage(s.message), w.ipAt), true) }
  }
  return undefined
}

const readinessTransition = (ctx: PodContext, c: Box): Transition | undefined => {
  const s = c.state
  if (s.tag !== 'running' || c.ready || ctx.behaviour.neverReady) return undefined
  return { at: s.startedAt + c.readyDelayMs, run: () => void (c.ready = true) }
}

/** The first pool (and its range index, as the CNI numbers them) with no free address, if any. */
const fullPool = (pool: IpPool): { readonly pool: IpPool; readonly index: number } | undefined => {
  if (pool.peek() === undefined) return { pool, index: 0 }
  const second = pool.secondary
  return second !== undefined && second.peek() === undefined ? { pool: second, index: 1 } : undefined
}

/** Takes one address per family (the CNI assigns all or none); `fullPool` said there is room. */
const assignIps = (pool: IpPool, w: Work, now: number): void => {
  const ip = pool.peek()
  if (ip === undefined) return
  pool.take(ip)
  w.podIP = ip
  w.ipAt = now
  const second = pool.secondary
  if (second === undefined) return
  const ip2 = second.peek()
  if (ip2 === undefined) return
  second.take(ip2)
  w.podIP2 = ip2
}

const earliest = (candidates: ReadonlyArray<Transition | undefined>): Transition | undefined => {
  let best: Transition | undefined
  for (const t of candidates) if (t !== undefined && (best === undefined || t.at < best.at)) best = t
  return best
}

const initialize = (ctx: PodContext, w: Work): void => {
  const { pod, env } = ctx
  w.startTime = sec(env.now)
  w.hostIP = nodeInternalIp(env.node)
  if (ctx.hostNetwork) w.podIP = w.hostIP
  else {
    const full = fullPool(env.pool)
    if (full === undefined) assignIps(env.pool, w, env.now)
    else
      w.events.push(
        event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: failed to allocate for range ${full.index}: no IP addresses available in range set: ${full.pool.rangeText}`),
      )
  }
  for (const problem of parseBehaviourAnnotations(pod.metadata.annotations).problems)
    w.events.push(event(pod, 'Warning', 'InvalidBehaviourAnnotation', `${problem}; using the default`))
}

/** The pod's next transition, whether due or not. */
const nextTransition = (ctx: PodContext, w: Work): Transition | undefined => {
  const { behaviour, env } = ctx
  if (ctx.deletion !== undefined) {
    const { start, graceMs } = ctx.deletion
    if (!w.terminationBegun)
      return {
        at: start,
        run: () => {
          w.terminationBegun = true
          for (const c of [...w.init, ...w.app]) {
            c.ready = false
            if (c.state.tag === 'running') w.events.push(event(ctx.pod, 'Normal', 'Killing', `Stopping container ${c.name}`))
          }
        },
      }
    const anyRunning = [...w.init, ...w.app].some((c) => c.state.tag === 'running')
    return { at: start + (anyRunning ? Math.min(behaviour.terminationDelayMs, graceMs) : 0), run: () => void (w.remove = true) }
  }
  if (w.startTime === undefined) return { at: env.now, run: () => initialize(ctx, w) }
  if (isTerminal(w.phase)) return undefined
  const candidates: Array<Transition | undefined> = []
  if (!ctx.hostNetwork && w.podIP === undefined && fullPool(env.pool) === undefined) candidates.push({ at: env.now, run: () => assignIps(env.pool, w, env.now) })
  const canStart = ctx.hostNetwork || w.podIP !== undefined
  const startAt = (due: number): number => Math.max(due, w.ipAt)
  let ready = w.startTime + behaviour.startDelayMs
  let allInitDone = true
  for (const c of w.init) {
    if (c.sidecar) {
      if (c.state.tag === 'running') {
        candidates.push(readinessTransition(ctx, c))
        ready = Math.max(ready, c.state.startedAt)
        continue
      }
      if (c.last !== undefined) continue
    } else if (initDone(c)) {
      if (c.state.tag === 'terminated') ready = Math.max(ready, c.state.finishedAt)
      continue
    }
    allInitDone = false
    const s = c.state
    if (s.tag === 'waiting' && c.last === undefined) {
      const at = startAt(ready)
      if (canStart) candidates.push({ at, run: () => startContainer(ctx, w, c, at, false) })
    } else if (s.tag === 'running') {
      candidates.push({ at: s.startedAt + behaviour.initDurationMs, run: () => exitContainer(c, s.startedAt, s.startedAt + behaviour.initDurationMs, 0) })
    } else candidates.push(restartTransition(ctx, w, c, ctx.restartPolicy === 'Never' ? 'Never' : 'OnFailure'))
    break
  }
  if (allInitDone) {
    const outcome = runOutcome(behaviour)
    for (const c of w.app) {
      const s = c.state
      if (s.tag === 'waiting' && c.last === undefined) {
        const at = startAt(ready)
        if (canStart) candidates.push({ at, run: () => startContainer(ctx, w, c, at, false) })
      } else if (s.tag === 'running') {
        candidates.push(readinessTransition(ctx, c))
        if (outcome !== undefined) {
          const at = s.startedAt + outcome.afterMs
          candidates.push({ at, run: () => exitContainer(c, s.startedAt, at, outcome.exitCode) })
        }
      } else candidates.push(restartTransition(ctx, w, c, ctx.restartPolicy))
    }
    // Sidecars stop once every app container has stopped for good.
    const finished = w.app.every((c) => c.state.tag === 'terminated' && !restarts(ctx.restartPolicy, c.state.exitCode))
    const sidecars = w.init.filter((c) => c.sidecar && c.state.tag === 'running')
    if (finished && sidecars.length > 0 && w.app.length > 0) {
      const at = Math.max(...w.app.map((c) => (c.state.tag === 'terminated' ? c.state.finishedAt : 0)))
      candidates.push({
        at,
        run: () => {
          for (const c of sidecars) if (c.state.tag === 'running') exitContainer(c, c.state.startedAt, at, 0)
        },
      })
    }
  }
  return earliest(candidates)
}

const readWork = (ctx: PodContext): Work => {
  const { pod, spec, behaviour } = ctx
  const status = (pod['status'] ?? {}) as Raw
  const startTime = timestampMs(status['startTime'])
  const fallback = startTime ?? sec(ctx.env.now)
  const defaultWaiting = (spec.initContainers ?? []).length > 0 ? 'PodInitializing' : 'ContainerCreating'
  const byName = (list: unknown): Map<string, Raw> =>
    new Map((Array.isArray(list) ? (list as Raw[]) : []).map((r) => [String(r['name']), r]))
  const initRaw = byName(status['initContainerStatuses'])
  const appRaw = byName(status['containerStatuses'])
  const conditions = (Array.isArray(status['conditions']) ? (status['conditions'] as Condition[]) : []).filter(
    (c) => typeof c === 'object' && c !== null && typeof c.type === 'string',
  )
  const w: Work = {
    startTime,
    hostIP: typeof status['hostIP'] === 'string' && status['hostIP'] !== '' ? status['hostIP'] : undefined,
    podIP: typeof status['podIP'] === 'string' && status['podIP'] !== '' ? status['podIP'] : undefined,
    podIP2: ctx.env.pool.secondary === undefined ? undefined : secondIp(status),
    ipAt: -Infinity,
    init: (spec.initContainers ?? []).map((c) => readBox(c, initRaw.get(c.name), c.restartPolicy === 'Always', behaviour, defaultWaiting, fallback)),
    app: spec.containers.map((c) => readBox(c, appRaw.get(c.name), false, behaviour, defaultWaiting, fallback)),
    phase: typeof status['phase'] === 'string' ? status['phase'] : 'Pending',
    conditions,
    terminationBegun: false,
    remove: false,
    events: [],
  }
  if (ctx.deletion !== undefined) {
    const ready = conditions.find((c) => c.type === 'Ready')
    const since = timestampMs(ready?.['lastTransitionTime'])
    w.terminationBegun =
      [...w.init, ...w.app].every((c) => !c.ready) && ready?.status === 'False' && since !== undefined && since >= sec(ctx.deletion.start)
  }
  return w
}

const secondIp = (status: Raw): string | undefined => {
  const ips = status['podIPs']
  const ip = Array.isArray(ips) ? (ips[1] as Raw | undefined)?.['ip'] : undefined
  return typeof ip === 'string' && ip !== '' ? ip : undefined
}

const writeStatus = (ctx: PodContext, w: Work): Raw => {
  const existing = (ctx.pod['status'] ?? {}) as Raw
  return {
    ...existing,
    phase: w.phase,
    conditions: w.conditions,
    ...(w.hostIP === undefined ? {} : { hostIP: w.hostIP, hostIPs: [{ ip: w.hostIP }] }),
    ...(w.podIP === undefined ? {} : { podIP: w.podIP, podIPs: w.podIP2 === undefined ? [{ ip: w.podIP }] : [{ ip: w.podIP }, { ip: w.podIP2 }] }),
    ...(w.startTime === undefined ? {} : { startTime: fmt(w.startTime) }),
    ...(w.init.length === 0 ? {} : { initContainerStatuses: w.init.map(writeBox) }),
    containerStatuses: w.app.map(writeBox),
    qosClass: typeof existing['qosClass'] === 'string' ? existing['qosClass'] : podQosClass(ctx.spec),
  }
}

const podContext = (pod: KubeObject, env: PodEnv): PodContext | undefined => {
  const spec = pod['spec'] as PodSpec
  const behaviour = resolveBehaviour(pod, env.model)
  const dt = timestampMs(pod.metadata.deletionTimestamp)
  const grace = pod.metadata.deletionGracePeriodSeconds
  // Deleting with no grace left: the kubelet has finished; finalizers hold the pod now.
  if (dt !== undefined && (grace === undefined || grace <= 0)) return undefined
  return {
    pod,
    spec,
    behaviour,
    restartPolicy: spec.restartPolicy ?? 'Always',
    hostNetwork: spec.hostNetwork === true,
    env,
    deletion: dt === undefined || grace === undefined ? undefined : { start: dt - grace * 1000, graceMs: grace * 1000 },
  }
}

/**
 * Plans one pod: applies every transition due by `now`, in time order, and returns the writes
 * (one status update, the events, or the final delete) and the time of the next transition.
 */
const planPod = (pod: KubeObject, nodeEnv: PodEnv): PodPlan => {
  let readPool = false
  const watched = (inner: IpPool): IpPool => ({
    peek: () => {
      readPool = true
      return inner.peek()
    },
    take: inner.take,
    rangeText: inner.rangeText,
    ...(inner.secondary === undefined ? {} : { secondary: watched(inner.secondary) }),
  })
  const pool = watched(nodeEnv.pool)
  const env: PodEnv = { ...nodeEnv, pool }
  const ctx = podContext(pod, env)
  if (ctx === undefined) return { actions: [], next: undefined, readPool }
  const w = readWork(ctx)
  // Someone else may have written the status since our last pass: a container exited
  // (killPod), or the node lifecycle controller marked the pod not ready while the node was
  // unreachable. The kubelet reports what it sees, so phase and conditions are derived afresh.
  if (w.startTime !== undefined && !isTerminal(w.phase) && ctx.deletion === undefined) derive(w, env.now, ctx.restartPolicy)
  let next: number | undefined
  for (let i = 0; ; i++) {
    const t = nextTransition(ctx, w)
    if (t === undefined) break
    if (t.at > env.now || i >= MAX_TRANSITIONS) {
      next = t.at
      break
    }
    t.run()
    if (w.remove) break
    derive(w, t.at, ctx.restartPolicy)
    if (ctx.deletion !== undefined && w.terminationBegun)
      // The kubelet notes the termination on the Ready conditions (also when they were already False).
      w.conditions = w.conditions.map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, lastTransitionTime: fmt(Math.max(timestampMs(c['lastTransitionTime']) ?? 0, sec(t.at))) } : c))
  }
  const events: Action[] = w.events.map((e): Action => ({ type: 'event', event: e, by: BY }))
  const ref = { kind: 'Pod', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name }
  if (w.remove)
    return {
      actions: [...events, { type: 'delete', ref, gracePeriodSeconds: 0, ...(pod.metadata.uid === undefined ? {} : { preconditionUid: pod.metadata.uid }), by: BY }],
      next: undefined,
      readPool,
    }
  const status = writeStatus(ctx, w)
  if (deepEqual(status, pod['status'])) return { actions: events, next, readPool }
  return { actions: [{ type: 'updateStatus', object: { ...pod, status }, by: BY }, ...events], next, readPool }
}

// ---------------------------------------------------------------------------------------------
// the controller
// ---------------------------------------------------------------------------------------------

/** IPv4 addresses (as numbers) held by a node's pods, with how many pods hold each. */
type HeldIpv4 = ReadonlyMap<number, number>

/**
 * The IPv4 address a pod holds, as a number, as `usedPodIps` counts it (a podIP, the pod not
 * finished). An address not written as the API server formats one is skipped: no free address
 * of a range compares equal to it.
 */
const heldIpv4 = (pod: KubeObject | undefined): number | undefined => {
  const ip = heldPodIp(pod)
  return ip === undefined ? undefined : ipv4Value(ip)
}

const countHeld = (held: Map<number, number>, pod: KubeObject | undefined, by: 1 | -1): void => {
  const address = heldIpv4(pod)
  if (address === undefined) return
  const count = (held.get(address) ?? 0) + by
  if (count > 0) held.set(address, count)
  else held.delete(address)
}

const heldByPods = (pods: Iterable<KubeObject>): HeldIpv4 => {
  const held = new Map<number, number>()
  for (const pod of pods) countHeld(held, pod, 1)
  return held
}

/** A node's IPv4 pool; `held` (read on the first peek) gives the addresses its pods hold. */
const makePool = (held: () => HeldIpv4, range: Ipv4Cidr | undefined): IpPool => {
  let used: HeldIpv4 | undefined
  const taken = new Set<number>()
  // Addresses below the last one found free are all in use, and a pool only ever takes more:
  // each peek resumes there instead of looking at the node's used addresses again.
  let from = 2
  return {
    peek: () => {
      if (range === undefined) return undefined
      used ??= held()
      for (; from < range.size - 1; from++) {
        const address = range.network + from
        if (!used.has(address) && !taken.has(address)) return formatIpv4(address)
      }
      return undefined
    },
    take: (ip) => {
      const address = ipv4Value(ip)
      if (address !== undefined) taken.add(address)
    },
    rangeText: range === undefined ? '(none)' : formatRange(range),
  }
}

const formatRange = (range: Ipv4Cidr): string => `${formatIpv4(range.network + 2)}-${formatIpv4(range.network + range.size - 2)}`

/** The pool of one family of a dual-stack or IPv6 node; `second` reads the pods' second IPs. */
const makeFamilyPool = (pods: ReadonlyArray<KubeObject>, range: FamilyCidr | undefined, second: boolean): IpPool => {
  let used: Set<string> | undefined
  const set = (): Set<string> => (used ??= new Set(second ? usedSecondaryPodIps(pods) : usedPodIps(pods)))
  return {
    peek: () => (range === undefined ? undefined : firstFreeIp(range, set())),
    take: (ip) => void set().add(ip),
    rangeText:
      range === undefined
        ? '(none)'
        : range.family === 'IPv4'
          ? formatRange(range.cidr)
          : `${formatIpv6(range.cidr.network + 2n)}-${formatIpv6(range.cidr.network + range.cidr.size - 1n)}`,
  }
}

/** A node's pool: one per family of the cluster's pod range, primary first. */
const nodePool = (pods: ReadonlyArray<KubeObject>, node: KubeObject, podCidr: string, index: number): IpPool => {
  const [primary, secondary] = nodePodRanges(node, podCidr, index)
  const pool = makeFamilyPool(pods, primary, false)
  return podCidrs({ podCidr }).length < 2 ? pool : { ...pool, secondary: makeFamilyPool(pods, secondary, true) }
}

interface Plan {
  readonly actions: ReadonlyArray<Action>
  readonly next: number | undefined
}

// Memoised per state identity: the engine asks for reconcile and nextWakeup of the same state.
const plans = new WeakMap<ClusterState, Plan>()

interface NodeSlot {
  readonly node: KubeObject
  /** The node's position among the nodes sorted by name (places a derived pod range). */
  readonly index: number
}
interface NodeTable {
  readonly sorted: ReadonlyArray<NodeSlot>
  readonly byName: ReadonlyMap<string, NodeSlot>
}
// Memoised per Node map: it changes only when a Node is written.
const nodeTables = new WeakMap<IMap<string, KubeObject>, NodeTable>()
const NO_NODES: NodeTable = { sorted: [], byName: new Map() }

const nodeTable = (state: ClusterState): NodeTable => {
  const map = state.objects.kinds.get('Node')
  if (map === undefined) return NO_NODES
  const cached = nodeTables.get(map)
  if (cached !== undefined) return cached
  const sorted = listObjects(state.objects, 'Node').map((node, index) => ({ node, index }))
  const table = { sorted, byName: new Map(sorted.map((slot) => [slot.node.metadata.name, slot])) }
  nodeTables.set(map, table)
  return table
}

/**
 * A pod whose plan wrote nothing: planning the same pod object again on the same Node object,
 * with the same behaviour model, at any time from `at` until before `next`, writes nothing
 * either (a plan is a function of those and of the node's free pod IPs, which a quiet plan did
 * not read). Keyed by the pod object, so a changed pod is planned again.
 */
interface Quiet {
  readonly node: KubeObject
  readonly model: BehaviourModel | undefined
  readonly at: number
  readonly next: number | undefined
}
const quietPods = new WeakMap<KubeObject, Quiet>()

const quietAt = (pod: KubeObject, node: KubeObject, model: BehaviourModel | undefined, now: number): Quiet | undefined => {
  const q = quietPods.get(pod)
  return q !== undefined && q.node === node && q.model === model && q.at <= now && (q.next === undefined || q.next > now) ? q : undefined
}


/** What planning one node found: its actions, its next timed work, and whether every pod on it was quiet. */
interface NodeOutcome {
  readonly actions: ReadonlyArray<Action>
  readonly next: number | undefined
  readonly settled: boolean
}

const earliestOf = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined || a <= b ? a : b)

/**
 * All of a node's pods, for its IP pool: their held IPv4 addresses (read once, when a pod
 * needs an address) and, on a dual-stack or IPv6 cluster, the pods themselves.
 */
interface NodePods {
  readonly held: () => HeldIpv4
  readonly pods: () => ReadonlyArray<KubeObject>
}

const allOf = (pods: ReadonlyArray<KubeObject>): NodePods => ({ held: () => heldByPods(pods), pods: () => pods })

/**
 * Plans the pods bound to one node, in namespace/name order. `pods` may be some of the node's
 * pods (the rest known quiet); `all` are all of them, whose addresses the IP pool avoids.
 */
const planNode = (
  state: ClusterState,
  slot: NodeSlot,
  pods: ReadonlyArray<KubeObject>,
  model: BehaviourModel | undefined,
  plainIpv4: boolean,
  all: NodePods = allOf(pods),
): NodeOutcome => {
  const { node, index } = slot
  const now = state.now
  let next: number | undefined
  let settled = true
  const actions: Action[] = []
  let env: PodEnv | undefined
  for (const pod of pods) {
    const quiet = quietAt(pod, node, model, now)
    if (quiet !== undefined) {
      next = earliestOf(next, quiet.next)
      continue
    }
    env ??= { now, node, model, pool: plainIpv4 ? makePool(all.held, nodePodRange(node, state.config.podCidr, index)) : nodePool(all.pods(), node, state.config.podCidr, index) }
    const plan = planPod(pod, env)
    for (const action of plan.actions) actions.push(action)
    next = earliestOf(next, plan.next)
    if (plan.actions.length === 0 && !plan.readPool) quietPods.set(pod, { node, model, at: now, next: plan.next })
    else settled = false
  }
  return { actions, next, settled }
}

const byPodKey = (a: readonly [string, KubeObject], b: readonly [string, KubeObject]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/**
 * Every bound pod by node name with its key, unsorted (on any node, as the kept pods are), and
 * the nodes whose kubelet is up with a pod not known to be quiet now: one walk over the pods.
 */
const podsByNodeName = (
  state: ClusterState,
  nodes: NodeTable,
  model: BehaviourModel | undefined,
): { readonly byNode: Map<string, Array<readonly [string, KubeObject]>>; readonly due: Set<string> } => {
  const byNode = new Map<string, Array<readonly [string, KubeObject]>>()
  const due = new Set<string>()
  state.objects.kinds.get('Pod')?.forEach((pod, key) => {
    const nodeName = (pod['spec'] as { readonly nodeName?: unknown } | undefined)?.nodeName
    if (typeof nodeName !== 'string' || nodeName === '') return
    const onNode = byNode.get(nodeName)
    if (onNode === undefined) byNode.set(nodeName, [[key, pod]])
    else onNode.push([key, pod])
    if (due.has(nodeName)) return
    const slot = nodes.byName.get(nodeName)
    if (slot !== undefined && kubeletIsUp(slot.node) && quietAt(pod, slot.node, model, state.now) === undefined) due.add(nodeName)
  })
  return { byNode, due }
}

/** A node whose pods are all quiet: their earliest timed work. */
const quietOutcome = (pairs: ReadonlyArray<readonly [string, KubeObject]>): { readonly next: number | undefined; readonly settled: boolean } => {
  let next: number | undefined
  for (const [, pod] of pairs) next = earliestOf(next, quietPods.get(pod)?.next)
  return { next, settled: true }
}

const sortedPods = (pairs: Array<readonly [string, KubeObject]>): KubeObject[] => pairs.sort(byPodKey).map(([, pod]) => pod)

/**
 * A node's bound pods as the previous pass left them, patched from each pass's pod diff: a
 * pass reads a node's pods without looking each one up in the store (long keys are rehashed on
 * every lookup there), and looks only at the pods that may have work.
 */
interface KeptNode {
  /** Every bound pod by key. */
  readonly pods: Map<string, KubeObject>
  /** The IPv4 addresses they hold (see `heldIpv4`). */
  readonly held: Map<number, number>
  /**
   * The Node object the quiet records below were made against, or undefined when the pods
   * have not been sorted into them yet: then every pod is looked at.
   */
  node: KubeObject | undefined
  /** Keys of pods not known quiet: changed since the node was planned, or left with work. */
  readonly unsettled: Set<string>
  /** Quiet pods with timed work: key -> when it falls due (a quiet record's `next`). */
  readonly timed: Map<string, number>
}

const keptNode = (): KeptNode => ({ pods: new Map(), held: new Map(), node: undefined, unsettled: new Set(), timed: new Map() })

/** What the last plan of a node found: its next timed work and whether all its pods were quiet. */
interface NodeState {
  readonly next: number | undefined
  readonly settled: boolean
}

/**
 * Every planned node's last outcome, with the nodes left unsettled and the earliest timed work
 * kept as outcomes change, so a pass finds its due nodes and its wakeup without reading every
 * node's outcome (kept from pass to pass, changed in place).
 */
class NodeOutcomes {
  private readonly byNode = new Map<string, NodeState>()
  private readonly unsettled = new Set<string>()
  /** The earliest `next` of all nodes, or undefined when none has one; stale while `dirty`. */
  private earliestNext: number | undefined = undefined
  private dirty = false

  set(name: string, outcome: NodeState): void {
    this.forget(name)
    this.byNode.set(name, outcome)
    if (!outcome.settled) this.unsettled.add(name)
    if (outcome.next !== undefined && !this.dirty && (this.earliestNext === undefined || outcome.next < this.earliestNext)) this.earliestNext = outcome.next
  }

  delete(name: string): void {
    this.forget(name)
    this.byNode.delete(name)
  }

  private forget(name: string): void {
    const old = this.byNode.get(name)
    if (old === undefined) return
    this.unsettled.delete(name)
    // The node held the earliest time: find the new earliest when next asked.
    if (old.next !== undefined && old.next === this.earliestNext) this.dirty = true
  }

  /** The earliest timed work of any node. */
  earliest(): number | undefined {
    if (this.dirty) {
      let next: number | undefined
      for (const outcome of this.byNode.values()) next = earliestOf(next, outcome.next)
      this.earliestNext = next
      this.dirty = false
    }
    return this.earliestNext
  }

  /** Adds to `due` the nodes left unsettled and those whose timed work is due at `now`. */
  addDue(due: Set<string>, now: number): void {
    for (const name of this.unsettled) due.add(name)
    const earliest = this.earliest()
    if (earliest === undefined || earliest > now) return
    for (const [name, outcome] of this.byNode) if (outcome.next !== undefined && outcome.next <= now) due.add(name)
  }
}

/**
 * The previous pass, per node: its next timed work and whether all its pods were quiet. With
 * the Pod map it saw, the next pass plans only the nodes whose pods changed, that had work
 * left, or whose timed work is due: the other nodes' pods are all still quiet. A cache of a pure
 * function (a pass diffs against whatever map it is given); any change of the nodes, the
 * behaviour model, the configuration or a clock going back plans every node.
 */
let previousPass:
  | {
      readonly pods: IMap<string, KubeObject> | undefined
      readonly nodes: IMap<string, KubeObject> | undefined
      readonly config: ClusterState['config']
      readonly now: number
      /** Changed in place by the next incremental pass, which replaces this record. */
      readonly perNode: NodeOutcomes
      /** Every node's bound pods, as of `pods`. */
      readonly kept: Map<string, KeptNode>
    }
  | undefined

const boundNode = (pod: KubeObject | undefined): string | undefined => {
  const nodeName = (pod?.['spec'] as { readonly nodeName?: unknown } | undefined)?.nodeName
  return typeof nodeName === 'string' && nodeName !== '' ? nodeName : undefined
}

/** Every bound pod by node name and key, from a full pass's walk over the pods. */
const keepPodsByNode = (byNode: ReadonlyMap<string, ReadonlyArray<readonly [string, KubeObject]>>): Map<string, KeptNode> => {
  const out = new Map<string, KeptNode>()
  for (const [nodeName, pairs] of byNode) {
    const kept = keptNode()
    for (const [key, pod] of pairs) {
      kept.pods.set(key, pod)
      countHeld(kept.held, pod, 1)
    }
    out.set(nodeName, kept)
  }
  return out
}

/** The nodes that may have work: those with a changed pod, work left over, or timed work due. */
const nodesToPlan = (state: ClusterState, pods: IMap<string, KubeObject> | undefined): ReadonlySet<string> | undefined => {
  const last = previousPass
  if (last === undefined || pods === undefined || last.pods === undefined) return undefined
  const nodes = state.objects.kinds.get('Node')
  if (last.nodes === undefined || nodes === undefined || last.config !== state.config || state.now < last.now) return undefined
  const changes = last.pods === pods ? [] : diffMaps(last.pods, pods)
  if (changes.length * 4 > pods.size) return undefined
  const due = new Set<string>()
  // A written Node (a taint, a condition, its kubelet stopping) replans that node's pods only.
  for (const change of last.nodes === nodes ? [] : diffMaps(last.nodes, nodes)) due.add(change.key)
  last.perNode.addDue(due, state.now)
  const byNode = last.kept
  for (const change of changes) {
    const from = boundNode(change.before)
    const to = boundNode(change.after)
    if (from !== undefined) {
      const kept = byNode.get(from)
      if (kept !== undefined) {
        kept.pods.delete(change.key)
        countHeld(kept.held, change.before, -1)
        kept.unsettled.delete(change.key)
        kept.timed.delete(change.key)
      }
      due.add(from)
    }
    if (to !== undefined && change.after !== undefined) {
      let kept = byNode.get(to)
      if (kept === undefined) byNode.set(to, (kept = keptNode()))
      kept.pods.set(change.key, change.after)
      countHeld(kept.held, change.after, 1)
      kept.unsettled.add(change.key)
      due.add(to)
    }
  }
  return due
}

/**
 * Plans one node from its kept pods: only the pods not known quiet, in key order (a quiet pod
 * plans nothing; its timed work still counts towards the node's next wakeup). The pods changed
 * or left with work and the quiet ones whose timed work is due are the candidates, so a node
 * with a few such pods among hundreds costs those few. When the Node object changed (quiet
 * records name the Node they were made against), every pod is looked at.
 */
const planKeptNode = (state: ClusterState, slot: NodeSlot, kept: KeptNode, model: BehaviourModel | undefined, plainIpv4: boolean): NodeOutcome => {
  const now = state.now
  let candidates: string[]
  if (kept.node !== slot.node) {
    kept.unsettled.clear()
    kept.timed.clear()
    candidates = [...kept.pods.keys()]
  } else {
    candidates = [...kept.unsettled]
    for (const [key, at] of kept.timed) if (at <= now) candidates.push(key)
  }
  kept.node = slot.node
  const dueKeys: string[] = []
  const due: KubeObject[] = []
  for (const key of candidates.sort()) {
    const pod = kept.pods.get(key)
    if (pod === undefined) continue
    const quiet = quietAt(pod, slot.node, model, now)
    if (quiet !== undefined) record(kept, key, quiet)
    else {
      dueKeys.push(key)
      due.push(pod)
    }
  }
  const planned: NodeOutcome =
    due.length === 0 ? { actions: [], next: undefined, settled: true } : planNode(state, slot, due, model, plainIpv4, { held: () => kept.held, pods: () => [...kept.pods.values()] })
  for (let i = 0; i < due.length; i++) {
    const key = dueKeys[i]!
    const quiet = quietAt(due[i]!, slot.node, model, now)
    if (quiet === undefined) {
      kept.unsettled.add(key)
      kept.timed.delete(key)
    } else record(kept, key, quiet)
  }
  let next = planned.next
  for (const at of kept.timed.values()) next = earliestOf(next, at)
  return { actions: planned.actions, next, settled: planned.settled }
}

/** Files a quiet pod: settled, with its timed work if any. */
const record = (kept: KeptNode, key: string, quiet: Quiet): void => {
  kept.unsettled.delete(key)
  if (quiet.next === undefined) kept.timed.delete(key)
  else kept.timed.set(key, quiet.next)
}

const planCluster = (state: ClusterState): Plan => {
  const cached = plans.get(state)
  if (cached !== undefined) return cached
  const model = (state.config as { readonly behaviour?: BehaviourModel }).behaviour
  const nodes = nodeTable(state)
  const ranges = podCidrs(state.config)
  // An IPv4-only cluster keeps the plain pool: no per-family work.
  const plainIpv4 = ranges.length < 2 && ranges[0]?.family !== 'IPv6'
  const pods = state.objects.kinds.get('Pod')
  const changed = nodesToPlan(state, pods)
  // Without a previous pass to diff against, one walk over every pod finds the nodes to plan.
  const walk = changed === undefined ? podsByNodeName(state, nodes, model) : undefined
  const actions: Action[] = []
  let next: number | undefined
  if (changed !== undefined && previousPass !== undefined) {
    // Only the changed or due nodes are planned: the others keep their last outcome.
    const perNode = previousPass.perNode
    const byNode = previousPass.kept
    // Names sort as the Node list does, so actions come in the order a full pass gives.
    for (const name of [...changed].sort()) {
      const slot = nodes.byName.get(name)
      const kept = byNode.get(name)
      if (slot === undefined || !kubeletIsUp(slot.node) || kept === undefined || kept.pods.size === 0) {
        perNode.delete(name)
        continue
      }
      const outcome = planKeptNode(state, slot, kept, model, plainIpv4)
      for (const action of outcome.actions) actions.push(action)
      perNode.set(name, { next: outcome.next, settled: outcome.settled })
    }
    return finishPass(state, nodes, model, plainIpv4, pods, perNode, { actions, next: perNode.earliest() }, true, byNode)
  }
  const perNode = new NodeOutcomes()
  // Nodes in name order and pods in namespace/name order, as every pass has always planned them.
  const walked = walk ?? podsByNodeName(state, nodes, model)
  for (const slot of nodes.sorted) {
    const name = slot.node.metadata.name
    const pairs = walked.byNode.get(name)
    if (pairs === undefined || !kubeletIsUp(slot.node)) continue
    if (!walked.due.has(name)) {
      const outcome = quietOutcome(pairs)
      perNode.set(name, outcome)
      next = earliestOf(next, outcome.next)
      continue
    }
    const outcome = planNode(state, slot, sortedPods(pairs), model, plainIpv4)
    for (const action of outcome.actions) actions.push(action)
    next = earliestOf(next, outcome.next)
    perNode.set(name, { next: outcome.next, settled: outcome.settled })
  }
  return finishPass(state, nodes, model, plainIpv4, pods, perNode, { actions, next }, false, keepPodsByNode(walked.byNode))
}

const finishPass = (
  state: ClusterState,
  nodes: NodeTable,
  model: BehaviourModel | undefined,
  plainIpv4: boolean,
  pods: IMap<string, KubeObject> | undefined,
  perNode: NodeOutcomes,
  plan: Plan,
  incremental: boolean,
  kept: Map<string, KeptNode>,
): Plan => {
  previousPass = { pods, nodes: state.objects.kinds.get('Node'), config: state.config, now: state.now, perNode, kept }
  if (incremental && verifyingQuiescence()) verifyIncrementalPlan(state, nodes, model, plainIpv4, plan)
  plans.set(state, plan)
  return plan
}

/** The checked skip: planning every node must give the same actions and wakeup. */
const verifyIncrementalPlan = (state: ClusterState, nodes: NodeTable, model: BehaviourModel | undefined, plainIpv4: boolean, plan: Plan): void => {
  const { byNode } = podsByNodeName(state, nodes, model)
  const actions: Action[] = []
  let next: number | undefined
  for (const slot of nodes.sorted) {
    const pairs = byNode.get(slot.node.metadata.name)
    if (pairs === undefined || !kubeletIsUp(slot.node)) continue
    const outcome = planNode(state, slot, sortedPods(pairs), model, plainIpv4)
    actions.push(...outcome.actions)
    next = earliestOf(next, outcome.next)
  }
  if (next !== plan.next) throw new Error(`kubelet: incremental pass at ${state.now} wakes at ${String(plan.next)}, a full pass at ${String(next)}`)
  if (JSON.stringify(actions) !== JSON.stringify(plan.actions)) checkQuietSkip('kubelet (nodes not planned)', actions)
}

/**
 * The kubelet of every node whose kubelet is up (see `kubeletIsUp`). For each bound pod it
 * sets startTime, hostIP and podIP (podIPs holds one address per family on a dual-stack
 * cluster), runs init containers in order, starts, readies, stops and restarts containers
 * as the pod's behaviour says (CrashLoopBackOff 10 s doubling to 300 s, reset after 10
 * minutes of running), sets the phase and the conditions, and ends graceful deletion by
 * deleting the pod with grace 0 once it has shut down. Its events: Pulled, Created, Started,
 * Killing, BackOff. A pass walks the bound pods and plans only the nodes
 * where a pod changed or has a transition due.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, defaultControllers, kubelet, apply, advance, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const s0 = createCluster({ nodes: 1, controllers: [...defaultControllers, kubelet] })
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx' }] } }
 * const s1 = apply(s0, pod)
 * const s2 = E.isRight(s1) ? advance(s1.right, '2s') : s1
 * const web = E.isRight(s2) ? get(s2.right, 'Pod', 'default', 'web') : O.none
 * expect(O.isSome(web) && (web.value['status'] as { phase: string }).phase).toBe('Running')
 * expect(O.isSome(web) && (web.value['status'] as { podIP: string }).podIP).toBe('10.244.0.2')
 * ```
 */
export const kubelet: Controller = {
  name: BY,
  watches: ['Pod', 'Node'],
  reconcile: (state) => planCluster(state).actions,
  nextWakeup: (state) => {
    const next = planCluster(state).next
    return next === undefined || next <= state.now ? O.none : O.some(next)
  },
}
