/**
 * The behaviour model: what the containers of a pod would do if they were real. There are no
 * containers, so each pod gets a `PodBehaviour` (how long its containers take to start and to
 * become ready, whether and when they exit, with what code, and how long they take to shut
 * down). Defaults follow DESIGN.md §4; a cluster may override them with a pure function of the
 * pod, and a manifest with `kubesim.dev/*` annotations, which win over both.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseDuration } from '../objects/duration.js'
import type { KubeObject } from '../objects/object.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** How a pod's containers behave on a node. Durations are milliseconds of virtual time. */
export interface PodBehaviour {
  /** From the kubelet seeing the pod (startTime) to its first container running (default 1 s). */
  readonly startDelayMs: number
  /** From a container starting to it being ready (default 0); never less than its readinessProbe's initialDelaySeconds. */
  readonly readyDelayMs: number
  /** How long a container runs before exiting with `exitCode`; `undefined` runs forever (default, except Job pods: 10 s). */
  readonly runDurationMs: number | undefined
  /** The exit code of a run that ends (default 0, or 1 when the run ends by `crashAfterMs`). */
  readonly exitCode: number
  /** A running container exits with a non-zero code after this long, every time it starts (default never). */
  readonly crashAfterMs: number | undefined
  /** The containers never become ready (default false). */
  readonly neverReady: boolean
  /** How long the pod takes to shut down once deleted, capped at its grace period (default 0: containers exit on SIGTERM at once). */
  readonly terminationDelayMs: number
  /** How long each init container runs before it exits 0 (default 0: init containers finish at once). */
  readonly initDurationMs: number
}

/**
 * A per-cluster behaviour model: a pure function from a pod to the fields it overrides. Fields
 * absent from the result keep their defaults; annotations on the pod still win.
 */
export type BehaviourModel = (pod: KubeObject) => Partial<PodBehaviour>

/** The annotations a manifest may set (on a pod, or on a workload's pod template). */
export const BEHAVIOUR_ANNOTATIONS = {
  startDelay: 'kubesim.dev/start-delay',
  readyDelay: 'kubesim.dev/ready-delay',
  runDuration: 'kubesim.dev/run-duration',
  exitCode: 'kubesim.dev/exit-code',
  crashAfter: 'kubesim.dev/crash-after',
  neverReady: 'kubesim.dev/never-ready',
  terminationDelay: 'kubesim.dev/termination-delay',
  initDuration: 'kubesim.dev/init-duration',
} as const

/** What the annotations of a pod say, and what was wrong with them. */
export interface ParsedAnnotations {
  readonly overrides: Partial<PodBehaviour>
  /** One message per invalid annotation; its value is ignored. */
  readonly problems: ReadonlyArray<string>
}

/** Default start delay: 1 s. */
export const DEFAULT_START_DELAY_MS = 1000
/** Default run duration of a pod owned by a Job: 10 s. */
export const DEFAULT_JOB_RUN_MS = 10_000

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const isJobPod = (pod: KubeObject): boolean => (pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'Job')

/**
 * The defaults for a pod: start in 1 s, ready on start, run forever; pods owned by a Job run
 * 10 s and exit 0.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultBehaviour } from 'kubesim'
 * const web = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [] } }
 * expect(defaultBehaviour(web).runDurationMs).toBe(undefined)
 * const job = { ...web, metadata: { name: 'pi', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u1' }] } }
 * expect(defaultBehaviour(job)).toMatchObject({ startDelayMs: 1000, runDurationMs: 10000, exitCode: 0 })
 * ```
 */
export const defaultBehaviour = (pod: KubeObject): PodBehaviour => ({
  startDelayMs: DEFAULT_START_DELAY_MS,
  readyDelayMs: 0,
  runDurationMs: isJobPod(pod) ? DEFAULT_JOB_RUN_MS : undefined,
  exitCode: 0,
  crashAfterMs: undefined,
  neverReady: false,
  terminationDelayMs: 0,
  initDurationMs: 0,
})

const duration = (text: string): E.Either<string, number> => {
  const trimmed = text.trim()
  // A bare number is milliseconds, as in the rest of the API.
  return parseDuration(/^[0-9]+(\.[0-9]+)?$/.test(trimmed) ? Number(trimmed) : trimmed)
}

/**
 * Reads the `kubesim.dev/*` behaviour annotations of a pod. Durations use `parseDuration`
 * (`'90s'`, `'5m'`, or a number of ms); `exit-code` is an integer 0-255; `never-ready` is
 * `"true"` or `"false"`. An invalid value is reported in `problems` and ignored.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseBehaviourAnnotations } from 'kubesim'
 * const parsed = parseBehaviourAnnotations({ 'kubesim.dev/start-delay': '5s', 'kubesim.dev/exit-code': 'two' })
 * expect(parsed.overrides).toEqual({ startDelayMs: 5000 })
 * expect(parsed.problems).toEqual(['kubesim.dev/exit-code: invalid value "two": must be an integer between 0 and 255'])
 * ```
 */
export const parseBehaviourAnnotations = (annotations: Readonly<Record<string, string>> | undefined): ParsedAnnotations => {
  const overrides: { -readonly [K in keyof PodBehaviour]?: PodBehaviour[K] } = {}
  const problems: string[] = []
  if (annotations === undefined) return { overrides, problems }
  const durationField = (key: string, set: (ms: number) => void): void => {
    const value = annotations[key]
    if (value === undefined) return
    const parsed = duration(value)
    if (E.isLeft(parsed)) problems.push(`${key}: ${parsed.left}`)
    else set(parsed.right)
  }
  const A = BEHAVIOUR_ANNOTATIONS
  durationField(A.startDelay, (ms) => (overrides.startDelayMs = ms))
  durationField(A.readyDelay, (ms) => (overrides.readyDelayMs = ms))
  durationField(A.runDuration, (ms) => (overrides.runDurationMs = ms))
  durationField(A.crashAfter, (ms) => (overrides.crashAfterMs = ms))
  durationField(A.terminationDelay, (ms) => (overrides.terminationDelayMs = ms))
  durationField(A.initDuration, (ms) => (overrides.initDurationMs = ms))
  const code = annotations[A.exitCode]
  if (code !== undefined) {
    if (/^[0-9]{1,3}$/.test(code.trim()) && Number(code) <= 255) overrides.exitCode = Number(code)
    else problems.push(`${A.exitCode}: invalid value ${JSON.stringify(code)}: must be an integer between 0 and 255`)
  }
  const never = annotations[A.neverReady]
  if (never !== undefined) {
    if (never === 'true' || never === 'false') overrides.neverReady = never === 'true'
    else problems.push(`${A.neverReady}: invalid value ${JSON.stringify(never)}: must be "true" or "false"`)
  }
  return { overrides, problems }
}

/** Keeps only the fields of a model's answer that are well-formed, so a sloppy model cannot break the kubelet. */
const sane = (partial: Partial<PodBehaviour>): Partial<PodBehaviour> => {
  const out: { -readonly [K in keyof PodBehaviour]?: PodBehaviour[K] } = {}
  const ms = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
  if (ms(partial.startDelayMs)) out.startDelayMs = partial.startDelayMs
  if (ms(partial.readyDelayMs)) out.readyDelayMs = partial.readyDelayMs
  if ('runDurationMs' in partial && (partial.runDurationMs === undefined || ms(partial.runDurationMs))) out.runDurationMs = partial.runDurationMs
  if ('crashAfterMs' in partial && (partial.crashAfterMs === undefined || ms(partial.crashAfterMs))) out.crashAfterMs = partial.crashAfterMs
  if (typeof partial.exitCode === 'number' && Number.isInteger(partial.exitCode) && partial.exitCode >= 0 && partial.exitCode <= 255) out.exitCode = partial.exitCode
  if (typeof partial.neverReady === 'boolean') out.neverReady = partial.neverReady
  if (ms(partial.terminationDelayMs)) out.terminationDelayMs = partial.terminationDelayMs
  if (ms(partial.initDurationMs)) out.initDurationMs = partial.initDurationMs
  return out
}

/**
 * The behaviour of a pod: the defaults, then the cluster's model, then the pod's annotations.
 * When a crash is configured (`crashAfterMs`) and no exit code is given anywhere, the exit
 * code is 1. Invalid annotations are ignored (the kubelet reports them once, as a Warning
 * event `InvalidBehaviourAnnotation`).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { resolveBehaviour } from 'kubesim'
 * const pod = {
 *   apiVersion: 'v1', kind: 'Pod', spec: { containers: [] },
 *   metadata: { name: 'flaky', annotations: { 'kubesim.dev/crash-after': '30s' } },
 * }
 * expect(resolveBehaviour(pod)).toMatchObject({ crashAfterMs: 30000, exitCode: 1, startDelayMs: 1000 })
 * const slow = resolveBehaviour(pod, () => ({ startDelayMs: 20000 }))
 * expect(slow.startDelayMs).toBe(20000)
 * ```
 */
export const resolveBehaviour = (pod: KubeObject, model?: BehaviourModel): PodBehaviour => {
  const fromModel = model === undefined ? {} : sane(model(pod))
  const fromAnnotations = parseBehaviourAnnotations(pod.metadata.annotations).overrides
  const merged: PodBehaviour = { ...defaultBehaviour(pod), ...fromModel, ...fromAnnotations }
  const codeGiven = fromModel.exitCode !== undefined || fromAnnotations.exitCode !== undefined
  return merged.crashAfterMs !== undefined && !codeGiven ? { ...merged, exitCode: 1 } : merged
}

/**
 * The delay from a container starting to it being ready: the behaviour's `readyDelayMs`, but
 * never less than the container's `readinessProbe.initialDelaySeconds`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { containerReadyDelayMs, defaultBehaviour } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }
 * const container = { name: 'web', image: 'nginx', readinessProbe: { initialDelaySeconds: 15 } }
 * expect(containerReadyDelayMs(container, defaultBehaviour(pod))).toBe(15000)
 * ```
 */
export const containerReadyDelayMs = (
  container: { readonly readinessProbe?: { readonly initialDelaySeconds?: number } },
  behaviour: PodBehaviour,
): number => Math.max(behaviour.readyDelayMs, (container.readinessProbe?.initialDelaySeconds ?? 0) * 1000)

/**
 * How long one run of a container lasts and how it ends, or `undefined` when it runs forever:
 * the earlier of `runDurationMs` (exit `exitCode`) and `crashAfterMs` (exit `exitCode`, which
 * defaults to 1 for crashes).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { runOutcome, defaultBehaviour } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }
 * expect(runOutcome(defaultBehaviour(pod))).toBe(undefined)
 * expect(runOutcome({ ...defaultBehaviour(pod), runDurationMs: 5000 })).toEqual({ afterMs: 5000, exitCode: 0 })
 * ```
 */
export const runOutcome = (behaviour: PodBehaviour): { readonly afterMs: number; readonly exitCode: number } | undefined => {
  const { runDurationMs: run, crashAfterMs: crash } = behaviour
  if (run === undefined && crash === undefined) return undefined
  const afterMs = Math.min(run ?? Infinity, crash ?? Infinity)
  return { afterMs, exitCode: behaviour.exitCode }
}
