/**
 * The convergence checker: ESR (eventual stability and reconciliation) as a property test. For
 * manifests, fast-check generates a prefix of user operations and faults (a `FaultSchedule`);
 * then faults stop, and the run must satisfy the safety invariants after every step and the
 * liveness properties of the reliability reference (B8, L1-L9) within a step and virtual-time
 * budget, and keep satisfying them for a while after. A failure is shrunk to a short list of
 * commands plus the seed, which can be replayed and exported as a scenario file.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { stringify } from 'yaml'
import type { Controller, PropagationPolicy } from '../controllers/controller.js'
import { nodeShouldRunDaemonPod } from '../controllers/daemonSet.js'
import { resolveFenceposts } from '../controllers/deployment.js'
import { isStuckOrderedRollout, parseStatefulPodName } from '../controllers/statefulSet.js'
import { formatRef, type KubeObject, type ObjectRef, refOf } from '../objects/object.js'
import type { PodTemplateSpec } from '../objects/pod.js'
import { fromLabelSelector, matchesSelector } from '../objects/selector.js'
import { applyManifests, type ManifestInput } from '../store/api.js'
import { type ClusterOptions, defaultControllers, tryCreateCluster } from '../store/cluster.js'
import { getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { manifestsFromValue, parseManifests } from '../io/yaml.js'
import {
  type ClusterCommand,
  createFaultDriver,
  driverAdvance,
  type DriverRunOptions,
  type FaultCommand,
  type FaultDriver,
  type FaultSchedule,
  formatCommand,
  injectFault,
  isControllerFault,
  runClusterCommand,
} from './faults.js'
import { checkInvariants, formatViolation, type Invariant, type Violation } from './invariants.js'
import { ALL_INVARIANTS } from './workloadInvariants.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Options for `checkConvergence` and `runSchedule`. Every field is optional. */
export interface ConvergenceOptions {
  /** fast-check seed (default 1): same seed, same runs, same counterexample. */
  readonly seed?: number
  /** Random schedules to try (default 20). */
  readonly numRuns?: number
  /** Longest generated schedule (default 8 commands). */
  readonly maxCommands?: number
  /** The schedules to try (default: `faultSchedule(manifests, options)`). */
  readonly schedules?: fc.Arbitrary<FaultSchedule>
  /** Cluster options (default: 3 nodes, seed 0); `controllers` replaces the registry, e.g. with a mutant. */
  readonly cluster?: ClusterOptions
  /** Safety invariants checked after every step (default `ALL_INVARIANTS` plus `DEPLOYMENT_AVAILABILITY`). */
  readonly invariants?: ReadonlyArray<Invariant>
  /** Virtual time allowed for convergence once faults stop, ms (default 15 minutes). */
  readonly budgetMs?: number
  /** Virtual time the properties must then keep holding, ms (default 5 minutes). */
  readonly stableMs?: number
  /** Engine steps allowed for a whole run, the bounded-convergence budget of L9 (default 20,000). */
  readonly maxSteps?: number
  /** A Job unfinished this long (ms) breaks L5 (default 10 minutes). */
  readonly jobDeadlineMs?: number
  /**
   * Check invariants after every controller pass that changed objects (`'pass'`, the default) or
   * once per step (`'step'`: cheaper; an invariant that compares with the state before then
   * judges a whole step, which is only sound in the registry's fixed controller order).
   */
  readonly checkEvery?: 'pass' | 'step'
  /** Run controllers in a seeded random order at every step (controller interleavings). */
  readonly shuffleControllers?: boolean
  /**
   * Accept the documented StatefulSet trap (kubernetes/kubernetes#67250): under OrderedReady a
   * pod that never became Ready blocks the rollback, so the set never converges by itself.
   */
  readonly allowStuckOrderedRollout?: boolean
  /**
   * Accept StatefulSets whose pods sit on a NotReady node: upstream never replaces them until the
   * node is gone or the pod is force-deleted (at-most-one pod per identity).
   */
  readonly allowUnreachableStatefulPods?: boolean
}

/** How a run failed. */
export interface RunFailure {
  /** `safety`: an invariant broke at a step; `liveness`: not converged within the budget; `stability`: converged, then broke; `budget`: too many steps. */
  readonly phase: 'setup' | 'safety' | 'liveness' | 'stability' | 'budget'
  readonly message: string
  readonly violations: ReadonlyArray<Violation>
}

/** What one command did in a run: its line, and what it resolved to (the pod killed) or why it was skipped. */
export interface CommandLog {
  readonly command: FaultCommand
  readonly line: string
  readonly detail?: string
  readonly skipped?: string
}

/** The outcome of running one schedule. */
export interface ScheduleRun {
  readonly ok: boolean
  readonly failure?: RunFailure
  readonly log: ReadonlyArray<CommandLog>
  readonly steps: number
  /** The state when the run ended. */
  readonly state: ClusterState
}

/** A shrunk failing schedule, ready to read, replay or export. */
export interface Counterexample {
  /** The fast-check seed that found it. */
  readonly seed: number
  readonly commands: FaultSchedule
  /** One readable line per command, with what it resolved to. */
  readonly lines: ReadonlyArray<string>
  readonly failure: RunFailure
  /** The whole report: commands, failure and violations. */
  readonly report: string
  /** The run as a kubesim scenario file (YAML). */
  readonly scenario: string
}

/** What `checkConvergence` found. */
export type ConvergenceResult =
  | { readonly ok: true; readonly runs: number; readonly steps: number; readonly seed: number }
  | { readonly ok: false; readonly runs: number; readonly counterexample: Counterexample }

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

const specOf = (o: KubeObject): Json => (o['spec'] ?? {}) as Json
const statusOf = (o: KubeObject): Json => (o['status'] ?? {}) as Json
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback)
const conditions = (o: KubeObject): ReadonlyArray<Json> => (statusOf(o)['conditions'] as ReadonlyArray<Json> | undefined) ?? []
const hasCondition = (o: KubeObject, type: string, status = 'True'): boolean => conditions(o).some((c) => c['type'] === type && c['status'] === status)
const phase = (pod: KubeObject): string => String(statusOf(pod)['phase'] ?? 'Pending')
const isActive = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp === undefined && phase(pod) !== 'Succeeded' && phase(pod) !== 'Failed'
const isReady = (pod: KubeObject): boolean => hasCondition(pod, 'Ready')
const nodeReady = (node: KubeObject | undefined): boolean => node !== undefined && hasCondition(node, 'Ready')

const violation = (invariant: string, object: KubeObject, field: string, expected: string, actual: string): Violation => ({
  invariant,
  object: formatRef(refOf(object)),
  field,
  expected,
  actual,
})

const owned = (state: ClusterState, kind: string, owner: KubeObject): KubeObject[] =>
  listObjects(state.objects, kind, { namespace: owner.metadata.namespace ?? 'default' }).filter((o) =>
    o.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata.uid) === true,
  )

const live = (o: KubeObject): boolean => o.metadata.deletionTimestamp === undefined

// ---------------------------------------------------------------------------------------------
// safety: what only the convergence run can judge
// ---------------------------------------------------------------------------------------------

const I4A = 'I4 deployment availability'
/**
 * The second half of I4: a RollingUpdate Deployment's controllers never scale ReplicaSets down
 * below `replicas - maxUnavailable` available pods. Faults may lower availability; this only
 * blames a step that lowers the ReplicaSets' size below what their available pods can keep.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { DEPLOYMENT_AVAILABILITY } from 'kubesim/testing'
 * expect(DEPLOYMENT_AVAILABILITY.name).toBe('I4 deployment availability')
 * ```
 */
export const DEPLOYMENT_AVAILABILITY: Invariant = {
  name: I4A,
  check: (state, previous) =>
    previous === undefined
      ? []
      : listObjects(state.objects, 'Deployment').flatMap((d) => {
          const spec = specOf(d)
          const strategy = (spec['strategy'] ?? {}) as { type?: string; rollingUpdate?: { maxUnavailable?: number | string } }
          if (strategy.type === 'Recreate' || !live(d)) return []
          const before = getObject(previous.objects, refOf(d))
          if (before === undefined || before.metadata.uid !== d.metadata.uid || num(specOf(before)['replicas'], 1) !== num(spec['replicas'], 1)) return []
          const replicas = num(spec['replicas'], 1)
          const rolling = (strategy.rollingUpdate ?? {}) as { maxSurge?: number | string; maxUnavailable?: number | string }
          const minAvailable = replicas - resolveFenceposts(rolling.maxSurge ?? '25%', rolling.maxUnavailable ?? '25%', replicas)[1]
          // Available pods a ReplicaSet's size lets it keep, before and after the step.
          const kept = (s: ClusterState): number =>
            owned(s, 'ReplicaSet', d).reduce((n, rs) => n + Math.min(num(specOf(rs)['replicas']), num(statusOf(rs)['availableReplicas'])), 0)
          const shrank = owned(state, 'ReplicaSet', d).some((rs) => {
            const was = getObject(previous.objects, refOf(rs))
            return was !== undefined && num(specOf(rs)['replicas']) < num(specOf(was)['replicas'])
          })
          if (!shrank) return []
          const after = owned(state, 'ReplicaSet', d).reduce((n, rs) => {
            const was = getObject(previous.objects, refOf(rs))
            return n + Math.min(num(specOf(rs)['replicas']), num(statusOf(was ?? rs)['availableReplicas']))
          }, 0)
          const floorNow = Math.min(kept(previous), minAvailable)
          return after >= floorNow ? [] : [violation(I4A, d, 'spec.strategy.rollingUpdate.maxUnavailable', `ReplicaSets sized to keep >= ${floorNow} available pods`, String(after))]
        }),
}

// ---------------------------------------------------------------------------------------------
// liveness (B8)
// ---------------------------------------------------------------------------------------------

const L1 = 'L1 replicaset replicas'
const replicaSets = (state: ClusterState): Violation[] =>
  listObjects(state.objects, 'ReplicaSet').flatMap((rs) => {
    if (!live(rs)) return []
    const replicas = num(specOf(rs)['replicas'], 1)
    const active = owned(state, 'Pod', rs).filter(isActive).length
    const found: Violation[] = []
    if (active !== replicas) found.push(violation(L1, rs, 'spec.replicas', `${replicas} live pods`, String(active)))
    if (num(statusOf(rs)['replicas']) !== replicas) found.push(violation(L1, rs, 'status.replicas', String(replicas), String(statusOf(rs)['replicas'] ?? 0)))
    return found
  })

const L2 = 'L2 deployment rolled out'
const deployments = (state: ClusterState): Violation[] =>
  listObjects(state.objects, 'Deployment').flatMap((d) => {
    // A paused Deployment is one the user stopped: upstream does not roll it, by design.
    if (!live(d) || specOf(d)['paused'] === true) return []
    const replicas = num(specOf(d)['replicas'], 1)
    const status = statusOf(d)
    const found: Violation[] = []
    if (num(status['observedGeneration'], -1) < num(d.metadata.generation)) found.push(violation(L2, d, 'status.observedGeneration', String(d.metadata.generation), String(status['observedGeneration'] ?? 'unset')))
    for (const field of ['replicas', 'updatedReplicas', 'availableReplicas'])
      if (num(status[field]) !== replicas) found.push(violation(L2, d, `status.${field}`, String(replicas), String(status[field] ?? 0)))
    const sets = owned(state, 'ReplicaSet', d)
    const revision = (rs: KubeObject): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)
    const newest = sets.reduce<KubeObject | undefined>((best, rs) => (best === undefined || revision(rs) > revision(best) ? rs : best), undefined)
    for (const rs of sets)
      if (rs !== newest && owned(state, 'Pod', rs).some(isActive))
        found.push(violation(L2, d, 'status', `pods only in the newest ReplicaSet ${newest?.metadata.name ?? ''}`, `pods in ${rs.metadata.name}`))
    const limit = num(specOf(d)['revisionHistoryLimit'], 10)
    const old = sets.filter((rs) => rs !== newest).length
    if (old > limit) found.push(violation(L2, d, 'spec.revisionHistoryLimit', `<= ${limit} old ReplicaSets`, String(old)))
    return found
  })

const L3 = 'L3 statefulset ordinals ready'
const statefulSets = (state: ClusterState, options: ConvergenceOptions): Violation[] =>
  listObjects(state.objects, 'StatefulSet').flatMap((sts) => {
    if (!live(sts)) return []
    const ref = { namespace: sts.metadata.namespace ?? 'default', name: sts.metadata.name }
    if (options.allowStuckOrderedRollout === true && isStuckOrderedRollout(state, ref)) return []
    const pods = owned(state, 'Pod', sts)
    if (options.allowUnreachableStatefulPods === true && pods.some((p) => !nodeReady(getObject(state.objects, { kind: 'Node', name: String(specOf(p)['nodeName'] ?? '') })))) return []
    const spec = specOf(sts)
    const replicas = num(spec['replicas'], 1)
    const start = num((spec['ordinals'] as Json | undefined)?.['start'], 0)
    const partition = num(((spec['updateStrategy'] as Json | undefined)?.['rollingUpdate'] as Json | undefined)?.['partition'], 0)
    const update = statusOf(sts)['updateRevision']
    const byOrdinal = new Map(pods.filter(isActive).map((p) => [parseStatefulPodName(p.metadata.name).ordinal, p] as const))
    const found: Violation[] = []
    for (let i = start; i < start + replicas; i++) {
      const pod = byOrdinal.get(i)
      const name = `${sts.metadata.name}-${i}`
      if (pod === undefined || !isReady(pod)) found.push(violation(L3, sts, 'spec.replicas', `${name} Running and Ready`, pod === undefined ? 'missing' : 'not Ready'))
      else if (partition === 0 && typeof update === 'string' && pod.metadata.labels?.['controller-revision-hash'] !== update)
        found.push(violation(L3, sts, 'status.updateRevision', `${name} on ${update}`, String(pod.metadata.labels?.['controller-revision-hash'])))
    }
    if (byOrdinal.size > replicas) found.push(violation(L3, sts, 'spec.replicas', `${replicas} pods`, String(byOrdinal.size)))
    return found
  })

const L4 = 'L4 daemonset one ready pod per node'
const daemonSets = (state: ClusterState): Violation[] =>
  listObjects(state.objects, 'DaemonSet').flatMap((ds) => {
    if (!live(ds)) return []
    const template = specOf(ds)['template'] as PodTemplateSpec
    const pods = owned(state, 'Pod', ds).filter(isActive)
    // A NotReady node cannot run a Ready pod; L8 covers its pods, L4 the healthy nodes.
    return listObjects(state.objects, 'Node').flatMap((node) => {
      if (!nodeReady(node)) return []
      const verdict = nodeShouldRunDaemonPod(template, node)
      const here = pods.filter((p) => specOf(p)['nodeName'] === node.metadata.name)
      if (verdict.shouldRun) {
        const ready = here.filter(isReady).length
        return here.length === 1 && ready === 1 ? [] : [violation(L4, ds, 'status.numberReady', `one Ready pod on ${node.metadata.name}`, `${here.length} pod(s), ${ready} Ready`)]
      }
      return verdict.shouldContinueRunning || here.length === 0 ? [] : [violation(L4, ds, 'status.numberMisscheduled', `no pod on ${node.metadata.name}`, `${here.length} pod(s)`)]
    })
  })

const L5 = 'L5 job finishes'
const jobs = (state: ClusterState, options: ConvergenceOptions): Violation[] =>
  listObjects(state.objects, 'Job').flatMap((job) => {
    if (!live(job) || specOf(job)['suspend'] === true) return []
    const complete = hasCondition(job, 'Complete')
    const failed = hasCondition(job, 'Failed')
    if (complete && failed) return [violation(L5, job, 'status.conditions', 'Complete or Failed, not both', 'both')]
    // Upstream adds Complete/Failed only once every pod has terminated; a pod stuck terminating on
    // a dead node delays it forever, so the decision (SuccessCriteriaMet / FailureTarget) counts.
    if (complete || failed || hasCondition(job, 'SuccessCriteriaMet') || hasCondition(job, 'FailureTarget')) return []
    const age = state.now - Date.parse(job.metadata.creationTimestamp ?? '')
    const deadline = options.jobDeadlineMs ?? 600_000
    return age > deadline ? [violation(L5, job, 'status.conditions', `Complete or Failed within ${deadline / 1000}s`, `unfinished after ${Math.round(age / 1000)}s`)] : []
  })

const L7 = 'L7 endpoints reflect ready pods'
const services = (state: ClusterState): Violation[] =>
  listObjects(state.objects, 'Service').flatMap((svc) => {
    const spec = specOf(svc)
    const selector = spec['selector'] as Record<string, string> | undefined
    if (!live(svc) || spec['type'] === 'ExternalName' || selector === undefined || Object.keys(selector).length === 0) return []
    const namespace = svc.metadata.namespace ?? 'default'
    const publish = spec['publishNotReadyAddresses'] === true
    const want = new Set(
      listObjects(state.objects, 'Pod', { namespace })
        .filter((p) => live(p) && matchesSelector(fromLabelSelector({ matchLabels: selector }), p.metadata.labels ?? {}) && (publish || isReady(p)))
        .map((p) => String(statusOf(p)['podIP'] ?? ''))
        .filter((ip) => ip !== ''),
    )
    const have = new Set<string>()
    for (const slice of listObjects(state.objects, 'EndpointSlice', { namespace })) {
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue
      for (const ep of (slice['endpoints'] as ReadonlyArray<Json> | undefined) ?? [])
        if ((ep['conditions'] as Json | undefined)?.['ready'] === true) for (const a of (ep['addresses'] as string[] | undefined) ?? []) have.add(a)
    }
    const missing = [...want].filter((ip) => !have.has(ip)).sort()
    const extra = [...have].filter((ip) => !want.has(ip)).sort()
    return missing.length === 0 && extra.length === 0
      ? []
      : [violation(L7, svc, 'endpoints', `ready endpoints == ready pods${missing.length > 0 ? ` (missing ${missing.join(', ')})` : ''}`, extra.length > 0 ? `extra ${extra.join(', ')}` : 'missing')]
  })

/**
 * The liveness properties (B8) that do not hold yet: ReplicaSet replicas (L1), Deployments
 * rolled out (L2), StatefulSet ordinals Ready on the update revision (L3), one Ready daemon pod
 * per healthy eligible node (L4), Jobs finished (L5) and EndpointSlices equal to the ready pods
 * (L7). L8 (a failed node's pods replaced elsewhere) follows from L1-L4; L9 is the run's budget.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance } from 'kubesim'
 * import { livenessViolations } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const s = applyManifests(createCluster({ nodes: 2 }), [web])
 * expect(E.isRight(s) && livenessViolations(s.right).length).toBeGreaterThan(0)
 * const later = E.flatMap((x: ReturnType<typeof createCluster>) => advance(x, '1m'))(s)
 * expect(E.isRight(later) && livenessViolations(later.right)).toEqual([])
 * ```
 */
export const livenessViolations = (state: ClusterState, options: ConvergenceOptions = {}): ReadonlyArray<Violation> => [
  ...replicaSets(state),
  ...deployments(state),
  ...statefulSets(state, options),
  ...daemonSets(state),
  ...jobs(state, options),
  ...services(state),
]

// ---------------------------------------------------------------------------------------------
// schedules
// ---------------------------------------------------------------------------------------------

const toObjects = (manifests: ManifestInput): ReadonlyArray<KubeObject> => {
  const docs = typeof manifests === 'string' ? parseManifests(manifests) : manifestsFromValue(manifests)
  return E.isRight(docs) ? docs.right.map((d) => d.object as unknown as KubeObject).filter((o) => typeof o.kind === 'string' && typeof o.metadata?.name === 'string') : []
}

const refTo = (o: KubeObject): ObjectRef => ({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace ?? 'default' })

/** The controller names a schedule may fault: the cluster's own. */
const controllerNames = (options: ConvergenceOptions): ReadonlyArray<string> => (options.cluster?.controllers ?? defaultControllers).map((c: Controller) => c.name)

const nodeNames = (options: ConvergenceOptions): ReadonlyArray<string> => {
  const nodes = options.cluster?.nodes ?? 3
  return typeof nodes === 'number' ? Array.from({ length: nodes }, (_, i) => `node-${i + 1}`) : nodes.map((n) => n.name)
}

const firstContainer = (o: KubeObject): string | undefined => {
  const spec = specOf(o)
  const template = (o.kind === 'CronJob' ? ((spec['jobTemplate'] as Json | undefined)?.['spec'] as Json | undefined)?.['template'] : spec['template']) as Json | undefined
  const containers = ((template?.['spec'] as Json | undefined)?.['containers'] ?? []) as Json[]
  const name = containers[0]?.['name']
  return typeof name === 'string' ? name : undefined
}

/**
 * Random fault schedules for a set of manifests: time passing, controller faults (F1-F4, F7),
 * node failure and recovery, capacity shrink, pod kills, never-ready templates and clock jumps
 * (F5-F8), and user operations on the manifests' workloads (F9: scale, image change,
 * pause/resume, undo, delete; F10: an invalid scale to -1, which the API refuses and the run
 * logs as skipped, and bad-then-revert templates). Shrinks towards fewer, simpler commands.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { faultSchedule, formatCommand } from 'kubesim/testing'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const [schedule] = fc.sample(faultSchedule([web], { maxCommands: 4 }), { seed: 3, numRuns: 1 })
 * expect(schedule!.length).toBeLessThanOrEqual(4)
 * expect(schedule!.every((c) => formatCommand(c).length > 0)).toBe(true)
 * ```
 */
export const faultSchedule = (manifests: ManifestInput, options: ConvergenceOptions = {}): fc.Arbitrary<FaultSchedule> => {
  const objects = toObjects(manifests)
  const workloads = objects.filter((o) => ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind))
  const scalable = workloads.filter((o) => ['Deployment', 'ReplicaSet', 'StatefulSet'].includes(o.kind))
  const templated = workloads.filter((o) => o.kind !== 'Job' && firstContainer(o) !== undefined)
  const deployments = workloads.filter((o) => o.kind === 'Deployment')
  const controllers = controllerNames(options)
  const nodes = nodeNames(options)
  const controller = fc.constantFrom(...controllers)
  const node = fc.constantFrom(...(nodes.length > 0 ? nodes : ['node-1']))
  const seconds = (min: number, max: number) => fc.integer({ min, max }).map((s) => s * 1000)
  const arbs: Array<fc.WeightedArbitrary<FaultCommand>> = [
    { weight: 6, arbitrary: seconds(1, 300).map((ms): FaultCommand => ({ type: 'advance', ms })) },
    { weight: 1, arbitrary: fc.record({ controller, keep: fc.integer({ min: 0, max: 3 }) }).map((f): FaultCommand => ({ type: 'crash', ...f })) },
    { weight: 1, arbitrary: fc.record({ controller, lag: fc.integer({ min: 1, max: 4 }), passes: fc.integer({ min: 1, max: 5 }) }).map((f): FaultCommand => ({ type: 'staleReads', ...f })) },
    { weight: 1, arbitrary: fc.record({ controller, passes: fc.integer({ min: 1, max: 5 }) }).map((f): FaultCommand => ({ type: 'dropObservations', ...f })) },
    {
      weight: 1,
      arbitrary: fc.record({ controller, count: fc.integer({ min: 1, max: 5 }), reason: fc.constantFrom('Conflict' as const, 'InternalError' as const) }).map((f): FaultCommand => ({ type: 'writeFailures', ...f })),
    },
    { weight: 1, arbitrary: fc.record({ controller, ms: seconds(1, 600) }).map((f): FaultCommand => ({ type: 'downtime', ...f })) },
    { weight: 1, arbitrary: node.map((n): FaultCommand => ({ type: 'failNode', node: n })) },
    { weight: 1, arbitrary: node.map((n): FaultCommand => ({ type: 'recoverNode', node: n })) },
    { weight: 1, arbitrary: fc.record({ node, percent: fc.integer({ min: 30, max: 90 }) }).map((f): FaultCommand => ({ type: 'shrinkNode', ...f })) },
    { weight: 2, arbitrary: fc.nat(50).map((pick): FaultCommand => ({ type: 'killPod', pick })) },
    { weight: 1, arbitrary: seconds(60, 7200).map((ms): FaultCommand => ({ type: 'clockJump', ms })) },
  ]
  if (scalable.length > 0)
    arbs.push({ weight: 2, arbitrary: fc.record({ o: fc.constantFrom(...scalable), replicas: fc.integer({ min: -1, max: 5 }) }).map(({ o, replicas }): FaultCommand => ({ type: 'scale', ref: refTo(o), replicas })) })
  if (templated.length > 0) {
    arbs.push({
      weight: 2,
      arbitrary: fc.record({ o: fc.constantFrom(...templated), v: fc.integer({ min: 1, max: 3 }) }).map(({ o, v }): FaultCommand => ({ type: 'setImage', ref: refTo(o), container: firstContainer(o) ?? '', image: `registry.example/app:v${v}` })),
    })
    arbs.push({ weight: 1, arbitrary: fc.record({ o: fc.constantFrom(...templated), broken: fc.boolean() }).map(({ o, broken }): FaultCommand => ({ type: 'neverReady', ref: refTo(o), broken })) })
  }
  if (deployments.length > 0)
    arbs.push({
      weight: 1,
      arbitrary: fc.record({ o: fc.constantFrom(...deployments), op: fc.constantFrom('pause' as const, 'resume' as const, 'undo' as const) }).map(({ o, op }): FaultCommand => ({ type: op, ref: refTo(o) })),
    })
  if (workloads.length > 0)
    arbs.push({
      weight: 1,
      arbitrary: fc
        .record({ o: fc.constantFrom(...workloads), propagation: fc.constantFrom<PropagationPolicy>('Background', 'Foreground', 'Orphan') })
        .map(({ o, propagation }): FaultCommand => ({ type: 'delete', ref: refTo(o), propagation })),
    })
  return fc.array(fc.oneof(...arbs), { maxLength: options.maxCommands ?? 8 })
}

// ---------------------------------------------------------------------------------------------
// running a schedule
// ---------------------------------------------------------------------------------------------

const DEFAULT_BUDGET_MS = 15 * 60_000
const DEFAULT_STABLE_MS = 5 * 60_000

/** The cluster a run starts from: the cluster options, then the manifests applied. Throws if they do not apply (a broken test). */
const setup = (manifests: ManifestInput, options: ConvergenceOptions): ClusterState => {
  const created = tryCreateCluster({ nodes: 3, ...options.cluster })
  if (E.isLeft(created)) throw new Error(`checkConvergence: ${created.left.message}`)
  const applied = applyManifests(created.right, manifests)
  if (E.isLeft(applied)) throw new Error(`checkConvergence: the manifests do not apply: ${applied.left.map((e) => e.message).join('; ')}`)
  return applied.right
}

/**
 * Runs one schedule: the commands, then faults stop (controller faults end, never-ready
 * templates and shrunk nodes are reverted; failed nodes stay failed), then the liveness
 * properties must hold within the budget and keep holding. Invariants are checked after every
 * step throughout.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { runSchedule } from 'kubesim/testing'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const run = runSchedule([web], [{ type: 'advance', ms: 30000 }, { type: 'scale', ref: { kind: 'Deployment', name: 'web', namespace: 'default' }, replicas: 4 }])
 * expect(run.ok).toBe(true)
 * expect(run.log.map((l) => l.line)).toEqual(['advance(30s)', 'scale(Deployment/web, 4)'])
 * ```
 */
export const runSchedule = (manifests: ManifestInput, schedule: FaultSchedule, options: ConvergenceOptions = {}): ScheduleRun => {
  const invariants = options.invariants ?? [...ALL_INVARIANTS, DEPLOYMENT_AVAILABILITY]
  const maxSteps = options.maxSteps ?? 20_000
  const initial = setup(manifests, options)
  let driver: FaultDriver = createFaultDriver(initial, options.shuffleControllers === true ? { shuffleSeed: initial.rng.seed } : {})
  const log: CommandLog[] = []
  let failure: RunFailure | undefined
  let violations: ReadonlyArray<Violation> = []
  const hooks: DriverRunOptions = {
    perStep: options.checkEvery === 'step',
    onStep: (state, previous) => {
      violations = checkInvariants(state, previous, invariants)
      if (violations.length > 0) return `${violations.length} invariant violation(s) at t+${Math.round((state.now - initial.now) / 1000)}s`
      return undefined
    },
  }
  const run = (ms: number, extra: DriverRunOptions, phase: RunFailure['phase']): boolean => {
    const result = driverAdvance(driver, ms, { ...hooks, ...extra })
    if (E.isLeft(result)) {
      driver = result.left.driver
      const isSafety = violations.length > 0
      failure = { phase: isSafety ? 'safety' : result.left.reason === 'NotSettled' ? 'budget' : phase, message: result.left.message, violations }
      return false
    }
    driver = result.right
    if (driver.steps > maxSteps) {
      failure = { phase: 'budget', message: `more than ${maxSteps} engine steps (L9 bounded convergence)`, violations: [] }
      return false
    }
    return true
  }
  const broken = new Map<string, ClusterCommand & { type: 'neverReady' }>()
  const shrunk = new Set<string>()
  for (const command of schedule) {
    const line = formatCommand(command)
    if (command.type === 'advance') {
      log.push({ command, line })
      if (!run(command.ms, {}, 'safety')) return { ok: false, ...(failure === undefined ? {} : { failure }), log, steps: driver.steps, state: driver.state }
      continue
    }
    if (isControllerFault(command)) {
      driver = injectFault(driver, command)
      log.push({ command, line })
      continue
    }
    const outcome = runClusterCommand(driver.state, command)
    if (E.isLeft(outcome)) {
      log.push({ command, line, skipped: outcome.left })
      continue
    }
    driver = { ...driver, state: outcome.right.state }
    log.push({ command, line, ...(outcome.right.detail === undefined ? {} : { detail: outcome.right.detail }) })
    if (command.type === 'neverReady') {
      const key = formatRef(command.ref)
      if (command.broken) broken.set(key, command)
      else broken.delete(key)
    }
    if (command.type === 'shrinkNode') {
      if (command.percent >= 100) shrunk.delete(command.node)
      else shrunk.add(command.node)
    }
  }
  // Faults stop: controller faults end; the misconfigurations a user would revert are reverted.
  driver = { ...driver, faults: createFaultDriver(driver.state).faults }
  for (const command of broken.values()) {
    const outcome = runClusterCommand(driver.state, { ...command, broken: false })
    if (E.isRight(outcome)) driver = { ...driver, state: outcome.right.state }
  }
  for (const node of shrunk) {
    const outcome = runClusterCommand(driver.state, { type: 'shrinkNode', node, percent: 100 })
    if (E.isRight(outcome)) driver = { ...driver, state: outcome.right.state }
  }
  // The whole budget runs: consequences of a fault (a node's pods evicted minutes later) unfold
  // after the fault itself, so convergence is judged at the end, then must last.
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS
  if (!run(budget, {}, 'liveness')) return { ok: false, ...(failure === undefined ? {} : { failure }), log, steps: driver.steps, state: driver.state }
  const pending = livenessViolations(driver.state, options)
  if (pending.length > 0) {
    failure = { phase: 'liveness', message: `not converged ${budget / 1000}s after faults stopped`, violations: pending }
    return { ok: false, failure, log, steps: driver.steps, state: driver.state }
  }
  let unstable: ReadonlyArray<Violation> = []
  const stable = run(options.stableMs ?? DEFAULT_STABLE_MS, {
    onSettled: (state) => {
      unstable = livenessViolations(state, options)
      return unstable.length > 0 ? `converged, then broke again at t+${Math.round((state.now - initial.now) / 1000)}s` : undefined
    },
  }, 'stability')
  if (!stable) {
    const f = failure as RunFailure | undefined
    failure = f !== undefined && f.phase === 'stability' ? { ...f, violations: unstable } : f
    return { ok: false, ...(failure === undefined ? {} : { failure }), log, steps: driver.steps, state: driver.state }
  }
  return { ok: true, log, steps: driver.steps, state: driver.state }
}

// ---------------------------------------------------------------------------------------------
// counterexamples
// ---------------------------------------------------------------------------------------------

const cleanManifest = (o: KubeObject): Json => {
  const { metadata } = o
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration' && !k.startsWith('deployment.kubernetes.io/')),
  )
  const out: Json = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: metadata.name, ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }), ...(metadata.labels === undefined ? {} : { labels: metadata.labels }), ...(Object.keys(annotations).length === 0 ? {} : { annotations }) } }
  for (const [k, v] of Object.entries(o)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status') out[k] = v
  return out
}

const scenarioRef = (ref: ObjectRef): Json => ({ object: `${ref.kind}/${ref.name}`, ...(ref.namespace === undefined || ref.namespace === 'default' ? {} : { namespace: ref.namespace }) })

/**
 * A run as a kubesim scenario file (docs/scenarios.md). User operations and node faults become
 * steps; engine-level faults (controller crashes, stale reads, dropped passes, refused writes,
 * downtime) and operations the format has no step for become `settle` steps whose note says
 * what happened, so the file still reads as the whole story.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { parseScenario } from 'kubesim'
 * import { runSchedule, scheduleToScenario } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const run = runSchedule([web], [{ type: 'advance', ms: 30000 }, { type: 'failNode', node: 'node-1' }])
 * const parsed = parseScenario(scheduleToScenario([web], run.log, { seed: 0, nodes: 3 }))
 * expect(E.isRight(parsed) && parsed.right.steps.map((s) => s.type)).toEqual(['apply', 'advance', 'failNode', 'advance'])
 * ```
 */
export const scheduleToScenario = (
  manifests: ManifestInput,
  log: ReadonlyArray<CommandLog>,
  cluster: { readonly seed?: number; readonly nodes?: number },
  options: { readonly name?: string; readonly tailMs?: number; readonly failure?: RunFailure } = {},
): string => {
  const steps: Json[] = [{ apply: { manifests: toObjects(manifests).map(cleanManifest) } }]
  for (const entry of log) {
    const c = entry.command
    const note = (text: string): Json => ({ settle: true, note: text })
    if (entry.skipped !== undefined) {
      steps.push(note(`skipped ${entry.line}: ${entry.skipped}`))
      continue
    }
    switch (c.type) {
      case 'advance':
        steps.push({ advance: `${c.ms / 1000}s` })
        break
      case 'clockJump':
        steps.push({ advance: `${c.ms / 1000}s`, note: `${entry.line}: a clock jump skips the wakeups in between; advance visits them` })
        break
      case 'scale':
        steps.push({ scale: { ...scenarioRef(c.ref), replicas: c.replicas } })
        break
      case 'setImage':
        steps.push({ setImage: { ...scenarioRef(c.ref), container: c.container, image: c.image } })
        break
      case 'delete':
        steps.push({ delete: scenarioRef(c.ref), note: `propagation ${c.propagation}` })
        break
      case 'failNode':
        steps.push({ failNode: c.node })
        break
      case 'recoverNode':
        steps.push({ recoverNode: c.node })
        break
      case 'killPod': {
        const target = entry.detail?.split(' -n ')
        steps.push({ killPod: { object: target?.[0] ?? 'Pod/unknown', ...(target?.[1] === undefined ? {} : { namespace: target[1] }), exitCode: 137 } })
        break
      }
      default:
        steps.push(note(`${entry.line} (an engine fault or operation with no scenario step; replay with runSchedule)`))
    }
  }
  const tail: Json = { advance: `${(options.tailMs ?? DEFAULT_BUDGET_MS) / 1000}s` }
  if (options.failure !== undefined) tail['note'] = `expected to fail (${options.failure.phase}): ${options.failure.message}`
  steps.push(tail)
  const doc: Json = {
    ...(options.name === undefined ? {} : { name: options.name }),
    cluster: { seed: cluster.seed ?? 0, nodes: cluster.nodes ?? 3 },
    steps,
  }
  return stringify(doc)
}

const formatReport = (seed: number, lines: ReadonlyArray<string>, failure: RunFailure): string =>
  [
    `counterexample (seed ${seed}), ${lines.length} command(s):`,
    ...lines.map((l, i) => `  ${i + 1}. ${l}`),
    `then faults stop; ${failure.phase} failure: ${failure.message}`,
    ...failure.violations.slice(0, 10).map((v) => `  - ${formatViolation(v)}`),
    ...(failure.violations.length > 10 ? [`  ... and ${failure.violations.length - 10} more`] : []),
  ].join('\n')

/**
 * Checks that manifests converge under random faults: generates fault schedules, runs each
 * (`runSchedule`), and on failure returns the shrunk counterexample: the fewest commands that
 * still fail, readable, with the seed and as a scenario file.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { checkConvergence } from 'kubesim/testing'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const result = checkConvergence([web], { numRuns: 3, maxCommands: 3, seed: 7 })
 * expect(result.ok).toBe(true)
 * ```
 */
export const checkConvergence = (manifests: ManifestInput, options: ConvergenceOptions = {}): ConvergenceResult => {
  const seed = options.seed ?? 1
  const schedules = options.schedules ?? faultSchedule(manifests, options)
  let steps = 0
  const details = fc.check(
    fc.property(schedules, (schedule) => {
      const run = runSchedule(manifests, schedule, options)
      steps += run.steps
      return run.ok
    }),
    { seed, numRuns: options.numRuns ?? 20 },
  )
  if (!details.failed || details.counterexample === null) return { ok: true, runs: details.numRuns, steps, seed }
  const commands = details.counterexample[0]
  const run = runSchedule(manifests, commands, options)
  const failure = run.failure ?? { phase: 'setup' as const, message: details.errorInstance === null ? 'failed' : String(details.errorInstance), violations: [] }
  const lines = run.log.map((l) => (l.skipped !== undefined ? `${l.line} (skipped: ${l.skipped})` : l.detail !== undefined ? `${l.line} -> ${l.detail}` : l.line))
  const nodes = options.cluster?.nodes
  return {
    ok: false,
    runs: details.numRuns,
    counterexample: {
      seed,
      commands,
      lines,
      failure,
      report: formatReport(seed, lines, failure),
      scenario: scheduleToScenario(manifests, run.log, { seed: options.cluster?.seed ?? 0, nodes: typeof nodes === 'number' ? nodes : 3 }, {
        name: `counterexample (fast-check seed ${seed})`,
        tailMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
        failure,
      }),
    },
  }
}
