/**
 * Safety invariants of the workload controllers and Services (reliability reference I4-I9,
 * I12, I13), in the same shape as the core ones: checked on a state and, for the ones about
 * change, the state before it. Each holds at every step, not only once things settle; the
 * properties that hold only eventually (convergence) belong to the convergence checker.
 *
 * @module
 */
import { resolveFenceposts } from '../controllers/deployment.js'
import { BURST_REPLICAS } from '../controllers/replicaSet.js'
import { parseStatefulPodName } from '../controllers/statefulSet.js'
import { cidrContains } from '../network/cidr.js'
import { type FamilyCidr, ipFamilyOf, serviceCidrs } from '../network/ipFamilies.js'
import { parseIpv6 } from '../network/ipv6.js'
import { formatRef, type KubeObject, refOf } from '../objects/object.js'
import { dependentsOf, getObject, listObjects } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { changesBetween, CORE_INVARIANTS, type Invariant, tallied, type Violation } from './invariants.js'

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

const violation = (invariant: string, object: KubeObject, field: string, expected: string, actual: string): Violation => ({
  invariant,
  object: formatRef(refOf(object)),
  field,
  expected,
  actual,
})

const specOf = (o: KubeObject): Json => (o['spec'] ?? {}) as Json
const statusOf = (o: KubeObject): Json => (o['status'] ?? {}) as Json
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback)

const controllerUid = (o: KubeObject): string | undefined => o.metadata.ownerReferences?.find((r) => r.controller === true)?.uid

/** Objects of a kind whose controller is `owner`. */
const ownedBy = (state: ClusterState, kind: string, owner: KubeObject): KubeObject[] =>
  dependentsOf(state.objects, owner.metadata.uid ?? '').filter((o) => o.kind === kind && o.metadata.namespace === owner.metadata.namespace && controllerUid(o) === owner.metadata.uid)

const phase = (pod: KubeObject): string => String(statusOf(pod)['phase'] ?? 'Pending')
/** Not terminating and not finished: what a controller counts as one of its replicas. */
const isActive = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp === undefined && phase(pod) !== 'Succeeded' && phase(pod) !== 'Failed'
const isRunningReady = (pod: KubeObject): boolean =>
  phase(pod) === 'Running' && ((statusOf(pod)['conditions'] as ReadonlyArray<Json> | undefined) ?? []).some((c) => c['type'] === 'Ready' && c['status'] === 'True')
const hasCondition = (o: KubeObject, type: string): boolean =>
  ((statusOf(o)['conditions'] as ReadonlyArray<Json> | undefined) ?? []).some((c) => c['type'] === type && c['status'] === 'True')

const observed = (o: KubeObject): boolean => num(statusOf(o)['observedGeneration'], -1) >= num(o.metadata.generation, 0)

// ---------------------------------------------------------------------------------------------
// the invariants
// ---------------------------------------------------------------------------------------------

const I4 = 'I4 deployment surge'
/**
 * While a Deployment's ReplicaSets are sized for its current replica count, their replicas sum
 * to at most replicas + maxSurge (RollingUpdate); Recreate never runs two templates at once.
 * Right after a scale upstream's own e2e helper allows excursions, and so does this check.
 */
const deploymentBounds: Invariant = {
  name: I4,
  check: (state) =>
    listObjects(state.objects, 'Deployment').flatMap((d) => {
      const spec = specOf(d)
      const replicas = num(spec['replicas'], 1)
      const sets = ownedBy(state, 'ReplicaSet', d)
      const strategy = (spec['strategy'] ?? {}) as { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } }
      if (strategy.type === 'Recreate') {
        const running = new Set(
          sets.filter((rs) => ownedBy(state, 'Pod', rs).some((p) => isActive(p) && phase(p) === 'Running')).map((rs) => rs.metadata.name),
        )
        return running.size <= 1 ? [] : [violation(I4, d, 'spec.strategy', 'Recreate: pods of one ReplicaSet running at a time', [...running].join(', '))]
      }
      const sized = sets.every((rs) => num(specOf(rs)['replicas']) === 0 || rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === String(replicas))
      if (!sized) return []
      const [surge] = resolveFenceposts(strategy.rollingUpdate?.maxSurge ?? '25%', strategy.rollingUpdate?.maxUnavailable ?? '25%', replicas)
      const total = sets.reduce((n, rs) => n + num(specOf(rs)['replicas']), 0)
      return total <= replicas + surge ? [] : [violation(I4, d, 'spec.replicas', `ReplicaSets' replicas sum <= ${replicas} + maxSurge ${surge}`, String(total))]
    }),
}

const I5 = 'I5 replicaset size'
/**
 * Active pods per (namespace, controller uid), kept from pod changes (`ownedBy(...).filter(isActive)`
 * counted, without reading every owner's pods on every check).
 */
const activePodsByController = tallied(
  () => new Map<string, number>(),
  (counts, kind, before, after) => {
    if (kind !== 'Pod') return
    for (const [pod, delta] of [[before, -1], [after, 1]] as const) {
      const controller = pod === undefined || !isActive(pod) ? undefined : controllerUid(pod)
      if (pod === undefined || controller === undefined) continue
      const key = `${pod.metadata.namespace ?? ''}\u0000${controller}`
      const count = (counts.get(key) ?? 0) + delta
      if (count === 0) counts.delete(key)
      else counts.set(key, count)
    }
  },
)

/** The active pods `owner` controls (in its namespace), from the tally. */
const activeOwnedPods = (state: ClusterState, owner: KubeObject): number =>
  activePodsByController(state).get(`${owner.metadata.namespace ?? ''}\u0000${owner.metadata.uid ?? ''}`) ?? 0

/**
 * Once a ReplicaSet has observed its spec, it has no more active pods than replicas, except
 * what one sync could not remove: a sync deletes at most `BURST_REPLICAS` (500) pods, so after
 * a sync that counted `status.replicas` active pods, up to `status.replicas - 500` may remain
 * until the next one (a 10,000-replica rollout scales a ReplicaSet down by 2,500 at once).
 */
const replicaSetSize: Invariant = {
  name: I5,
  check: (state) =>
    listObjects(state.objects, 'ReplicaSet').flatMap((rs) => {
      if (!observed(rs) || rs.metadata.deletionTimestamp !== undefined) return []
      const replicas = num(specOf(rs)['replicas'], 1)
      const counted = num(statusOf(rs)['replicas'], 0)
      const limit = Math.max(replicas, counted - BURST_REPLICAS)
      const active = activeOwnedPods(state, rs)
      return active <= limit ? [] : [violation(I5, rs, 'spec.replicas', `at most ${limit} active pods`, String(active))]
    }),
}

const I6 = 'I6 statefulset ordering'
/**
 * Under OrderedReady, a new pod of ordinal i appears only when ordinals start..i-1 were Running
 * and Ready; and pods below the partition never move to the update revision before it is the
 * current one.
 */
const statefulSetOrdering: Invariant = {
  name: I6,
  check: (state, previous) => {
    if (previous === undefined) return []
    // Only a pod new since `previous` can break the order: look at the StatefulSets owning one.
    const owners = controllersOfNewPods(previous, state)
    return owners.size === 0
      ? []
      : listObjects(state.objects, 'StatefulSet').flatMap((sts) => {
          if (!owners.has(sts.metadata.uid ?? '')) return []
          const spec = specOf(sts)
          if (spec['podManagementPolicy'] === 'Parallel') return []
          const start = num((spec['ordinals'] as Json | undefined)?.['start'], 0)
          const name = sts.metadata.name
          const before = new Map(
            ownedBy(previous, 'Pod', sts).map((p) => [parseStatefulPodName(p.metadata.name).ordinal, p] as const),
          )
          // Within one step the kubelet may make a pod Ready before the StatefulSet controller
          // runs (controllers run in order, or in a random order under test): accept either view.
          const now = new Map(ownedBy(state, 'Pod', sts).map((p) => [parseStatefulPodName(p.metadata.name).ordinal, p] as const))
          const healthy = (p: KubeObject | undefined): boolean => p !== undefined && isActive(p) && isRunningReady(p)
          return ownedBy(state, 'Pod', sts).flatMap((pod) => {
            const was = getObject(previous.objects, refOf(pod))
            if (was !== undefined && was.metadata.uid === pod.metadata.uid) return []
            const { ordinal } = parseStatefulPodName(pod.metadata.name)
            const notReady: number[] = []
            for (let i = start; i < ordinal; i++) {
              if (!healthy(before.get(i)) && !healthy(now.get(i))) notReady.push(i)
            }
            return notReady.length === 0
              ? []
              : [violation(I6, pod, 'metadata.name', `created only after ${name}-${start}..${name}-${ordinal - 1} are Running and Ready`, `not ready: ${notReady.map((i) => `${name}-${i}`).join(', ')}`)]
          })
        })
  },
}

/** The controller uids of the pods in `state` that `previous` did not have (by key and uid). */
const controllersOfNewPods = (previous: ClusterState, state: ClusterState): ReadonlySet<string> => {
  const before = previous.objects.kinds.get('Pod')
  const after = state.objects.kinds.get('Pod')
  const owners = new Set<string>()
  if (after === undefined || before === after) return owners
  const isNew = (was: KubeObject | undefined, pod: KubeObject): boolean => was === undefined || was.metadata.uid !== pod.metadata.uid
  if (before === undefined) {
    for (const pod of after.values()) addController(owners, pod)
    return owners
  }
  for (const change of changesBetween(before, after)) if (change.after !== undefined && isNew(change.before, change.after)) addController(owners, change.after)
  return owners
}

const addController = (owners: Set<string>, pod: KubeObject): void => {
  const uid = controllerUid(pod)
  if (uid !== undefined) owners.add(uid)
}

const I7 = 'I7 daemonset one per node'
/** At most one active daemon pod per node (two while a maxSurge update runs). */
const daemonSetPerNode: Invariant = {
  name: I7,
  check: (state) =>
    listObjects(state.objects, 'DaemonSet').flatMap((ds) => {
      const rolling = (specOf(ds)['updateStrategy'] ?? {}) as { rollingUpdate?: { maxSurge?: number | string } }
      const surge = rolling.rollingUpdate?.maxSurge
      const limit = surge === undefined || surge === 0 || surge === '0%' ? 1 : 2
      const perNode = new Map<string, number>()
      for (const pod of ownedBy(state, 'Pod', ds).filter(isActive)) {
        const node = specOf(pod)['nodeName']
        // Unbound daemon pods are pinned by node affinity; count them on their target.
        const target = typeof node === 'string' && node !== '' ? node : JSON.stringify(specOf(pod)['affinity'] ?? '')
        perNode.set(target, (perNode.get(target) ?? 0) + 1)
      }
      return [...perNode].filter(([, n]) => n > limit).map(([node, n]) => violation(I7, ds, 'status.currentNumberScheduled', `at most ${limit} pod(s) on ${node}`, String(n)))
    }),
}

const I8 = 'I8 job bounds'
/** Active pods within parallelism; succeeded within completions; failed never decreases; nothing new after the Job finished. */
const jobBounds: Invariant = {
  name: I8,
  check: (state, previous) =>
    listObjects(state.objects, 'Job').flatMap((job) => {
      const spec = specOf(job)
      const status = statusOf(job)
      const found: Violation[] = []
      // Jobs have no observedGeneration: a lowered parallelism may still show for the step it changed in.
      const earlier = previous === undefined ? undefined : getObject(previous.objects, refOf(job))
      const parallelism = Math.max(num(spec['parallelism'], 1), earlier === undefined ? 0 : num(specOf(earlier)['parallelism'], 1))
      const suspended = spec['suspend'] === true
      const active = activeOwnedPods(state, job)
      if (!suspended && active > parallelism) found.push(violation(I8, job, 'spec.parallelism', `at most ${parallelism} active pods`, String(active)))
      const completions = spec['completions']
      if (typeof completions === 'number' && num(status['succeeded']) > completions)
        found.push(violation(I8, job, 'status.succeeded', `<= completions ${completions}`, String(status['succeeded'])))
      if (hasCondition(job, 'Complete') && hasCondition(job, 'Failed')) found.push(violation(I8, job, 'status.conditions', 'not both Complete and Failed', 'both'))
      const before = previous === undefined ? undefined : getObject(previous.objects, refOf(job))
      if (before !== undefined && previous !== undefined && before.metadata.uid === job.metadata.uid) {
        if (num(statusOf(job)['failed']) < num(statusOf(before)['failed']))
          found.push(violation(I8, job, 'status.failed', `>= ${num(statusOf(before)['failed'])} (never decreases)`, String(statusOf(job)['failed'] ?? 0)))
        if (hasCondition(before, 'Complete') || hasCondition(before, 'Failed')) {
          const known = new Set(ownedBy(previous, 'Pod', before).map((p) => p.metadata.uid))
          const fresh = ownedBy(state, 'Pod', job).filter((p) => !known.has(p.metadata.uid))
          if (fresh.length > 0) found.push(violation(I8, job, 'status.conditions', 'no new pods after the Job finished', fresh.map((p) => p.metadata.name).join(', ')))
        }
      }
      return found
    }),
}

const I9 = 'I9 cronjob concurrency'
/** Forbid and Replace keep at most one active Job; lastScheduleTime never goes back. */
const cronJobConcurrency: Invariant = {
  name: I9,
  check: (state, previous) =>
    listObjects(state.objects, 'CronJob').flatMap((cj) => {
      const found: Violation[] = []
      const policy = specOf(cj)['concurrencyPolicy'] ?? 'Allow'
      if (policy === 'Forbid' || policy === 'Replace') {
        const running = ownedBy(state, 'Job', cj).filter((j) => j.metadata.deletionTimestamp === undefined && !hasCondition(j, 'Complete') && !hasCondition(j, 'Failed'))
        if (running.length > 1) found.push(violation(I9, cj, 'spec.concurrencyPolicy', `${String(policy)}: at most one running Job`, running.map((j) => j.metadata.name).join(', ')))
      }
      const before = previous === undefined ? undefined : getObject(previous.objects, refOf(cj))
      const was = before === undefined ? undefined : Date.parse(String(statusOf(before)['lastScheduleTime'] ?? ''))
      const is = Date.parse(String(statusOf(cj)['lastScheduleTime'] ?? ''))
      if (before !== undefined && was !== undefined && Number.isFinite(was) && before.metadata.uid === cj.metadata.uid && !(is >= was))
        found.push(violation(I9, cj, 'status.lastScheduleTime', `>= ${String(statusOf(before)['lastScheduleTime'])}`, String(statusOf(cj)['lastScheduleTime'] ?? 'unset')))
      return found
    }),
}

const rangeContains = (range: FamilyCidr, address: string): boolean => {
  if (range.family === 'IPv4') return cidrContains(range.cidr, address)
  const value = parseIpv6(address)
  return value._tag === 'Right' && value.right >= range.cidr.network && value.right < range.cidr.network + range.cidr.size
}

const I12 = 'I12 service addresses'
/** ClusterIPs unique and inside the service CIDR; node ports unique and in range; headless and ExternalName have no ClusterIP. */
const serviceAddresses: Invariant = {
  name: I12,
  check: (state) => {
    const found: Violation[] = []
    const ranges = serviceCidrs(state.config)
    const [low, high] = state.config.nodePortRange
    const ips = new Map<string, KubeObject>()
    const ports = new Map<number, KubeObject>()
    for (const svc of listObjects(state.objects, 'Service')) {
      const spec = specOf(svc)
      const ip = spec['clusterIP']
      if (spec['type'] === 'ExternalName') {
        if (typeof ip === 'string' && ip !== '') found.push(violation(I12, svc, 'spec.clusterIP', 'none for an ExternalName Service', ip))
      } else if (typeof ip === 'string' && ip !== '' && ip !== 'None') {
        // Every family's address (clusterIPs; clusterIP is the first), each inside its family's range.
        const all = Array.isArray(spec['clusterIPs']) ? (spec['clusterIPs'] as unknown[]).filter((x): x is string => typeof x === 'string') : [ip]
        if (all[0] !== ip) found.push(violation(I12, svc, 'spec.clusterIPs', `clusterIPs[0] = clusterIP (${ip})`, JSON.stringify(all)))
        for (const address of all) {
          const other = ips.get(address)
          if (other !== undefined) found.push(violation(I12, svc, 'spec.clusterIP', 'unique', `${address}, also ${formatRef(refOf(other))}`))
          const family = ipFamilyOf(address)
          const range = ranges.find((r) => r.family === family)
          if (range === undefined || !rangeContains(range, address))
            found.push(violation(I12, svc, 'spec.clusterIPs', `inside ${range?.text ?? `a ${family ?? 'valid'} range of ${state.config.serviceCidr}`}`, address))
          ips.set(address, svc)
        }
      }
      for (const port of (spec['ports'] as ReadonlyArray<Json> | undefined) ?? []) {
        const nodePort = port['nodePort']
        if (typeof nodePort !== 'number') continue
        const other = ports.get(nodePort)
        if (other !== undefined && other !== svc) found.push(violation(I12, svc, 'spec.ports.nodePort', 'unique', `${nodePort}, also ${formatRef(refOf(other))}`))
        if (nodePort < low || nodePort > high) found.push(violation(I12, svc, 'spec.ports.nodePort', `in ${low}-${high}`, String(nodePort)))
        ports.set(nodePort, svc)
      }
    }
    return found
  },
}

const I13 = 'I13 endpoint slices'
/** At most 100 endpoints a slice, no address twice among a Service's slices, none for ExternalName. */
const endpointSlices: Invariant = {
  name: I13,
  check: (state) => {
    const found: Violation[] = []
    const seen = new Map<string, Set<string>>()
    for (const slice of listObjects(state.objects, 'EndpointSlice')) {
      const service = slice.metadata.labels?.['kubernetes.io/service-name']
      const endpoints = (slice['endpoints'] as ReadonlyArray<Json> | undefined) ?? []
      if (endpoints.length > 100) found.push(violation(I13, slice, 'endpoints', 'at most 100 endpoints', String(endpoints.length)))
      if (service === undefined) continue
      const owner = getObject(state.objects, { kind: 'Service', namespace: slice.metadata.namespace ?? 'default', name: service })
      if (owner !== undefined && specOf(owner)['type'] === 'ExternalName' && endpoints.length > 0)
        found.push(violation(I13, slice, 'endpoints', 'none for an ExternalName Service', String(endpoints.length)))
      const key = `${slice.metadata.namespace ?? ''}/${service}/${String(slice['addressType'] ?? '')}`
      const addresses = seen.get(key) ?? new Set<string>()
      for (const ep of endpoints)
        for (const address of (ep['addresses'] as ReadonlyArray<string> | undefined) ?? []) {
          if (addresses.has(address)) found.push(violation(I13, slice, 'endpoints.addresses', `${address} once among the slices of ${service}`, 'twice'))
          addresses.add(address)
        }
      seen.set(key, addresses)
    }
    return found
  },
}

/**
 * The workload and Service invariants: Deployment surge and Recreate (I4), ReplicaSet size
 * (I5), StatefulSet ordering (I6), one daemon pod per node (I7), Job bounds (I8), CronJob
 * concurrency (I9), Service addresses (I12) and EndpointSlice shape (I13).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { WORKLOAD_INVARIANTS } from 'kubesim/testing'
 * expect(WORKLOAD_INVARIANTS.map((i) => i.name)).toContain('I8 job bounds')
 * ```
 */
export const WORKLOAD_INVARIANTS: ReadonlyArray<Invariant> = [
  deploymentBounds,
  replicaSetSize,
  statefulSetOrdering,
  daemonSetPerNode,
  jobBounds,
  cronJobConcurrency,
  serviceAddresses,
  endpointSlices,
]

/**
 * Every invariant: the core ones and the workload ones.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, advance } from 'kubesim'
 * import { ALL_INVARIANTS, checkInvariants } from 'kubesim/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 * const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }
 * const s = E.flatMap((c: ReturnType<typeof createCluster>) => advance(c, '1m'))(applyManifests(createCluster({ nodes: 2 }), [web]))
 * expect(E.isRight(s) && checkInvariants(s.right, undefined, ALL_INVARIANTS)).toEqual([])
 * ```
 */
export const ALL_INVARIANTS: ReadonlyArray<Invariant> = [...CORE_INVARIANTS, ...WORKLOAD_INVARIANTS]
