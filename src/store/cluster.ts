/**
 * Creating a cluster: configuration defaults, the system namespaces (default, kube-system,
 * kube-public, kube-node-lease), the `kubernetes` Service on the first address of the service
 * range, and optional nodes. Everything is created through the API reducer, so the bootstrap
 * is in the trace like any other write.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { Map as IMap } from 'immutable'
import type { Action, Controller } from '../controllers/controller.js'
import { garbageCollector } from '../controllers/garbageCollector.js'
import { namespaceLifecycle } from '../controllers/namespaceLifecycle.js'
import { nodeLifecycle } from '../controllers/nodeLifecycle.js'
import { kubelet } from '../controllers/kubelet.js'
import { endpointSliceController } from '../controllers/endpointSlice.js'
import { loadBalancerController } from '../controllers/loadBalancer.js'
import { scheduler } from '../controllers/scheduler.js'
import { statefulSetController } from '../controllers/statefulSet.js'
import { daemonSetController } from '../controllers/daemonSet.js'
import { DEFAULT_STORAGE_CLASS, volumeBinder } from '../controllers/volumeBinder.js'
import { replicaSetController } from '../controllers/replicaSet.js'
import { deploymentController } from '../controllers/deployment.js'
import { jobController, ttlAfterFinishedController } from '../controllers/job.js'
import { cronJobController } from '../controllers/cronJob.js'
import type { BehaviourModel } from '../sim/behaviour.js'
import { type NodeOptions, registerNodeActions } from '../sim/nodes.js'
import type { KubeObject } from '../objects/object.js'
import { addressAt, parseCidr } from '../network/cidr.js'
import { type FamilyCidr, parseCidrList } from '../network/ipFamilies.js'
import { formatIpv6 } from '../network/ipv6.js'
import { nthNodePodCidr } from '../network/podIps.js'
import { parseAddressPool } from '../network/serviceAllocation.js'
import { DEFAULT_EPOCH_MS, parseTimestamp } from '../sim/clock.js'
import { parseDuration } from '../objects/duration.js'
import { eventTtlController } from '../controllers/eventTtl.js'
import { seedRng } from '../sim/rng.js'
import { emptyTrace, type TraceRetention } from '../sim/trace.js'
import { DEFAULT_MAX_MANIFEST_BYTES } from '../io/yaml.js'
import { emptyStore } from './objectStore.js'
import { applyAction } from './reducer.js'
import type { ClusterConfig, ClusterState } from './state.js'

export type { NodeOptions } from '../sim/nodes.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Options for `createCluster`. Every field is optional. */
export interface ClusterOptions {
  /** PRNG seed (default 0). Same seed and inputs give the same trace. */
  readonly seed?: number
  /** Start of virtual time: ISO string or ms since the epoch (default 2025-01-01T00:00:00Z). */
  readonly now?: string | number
  /** A number of identical nodes (`node-1` ...), or node specs. */
  readonly nodes?: number | ReadonlyArray<NodeOptions>
  readonly clusterDomain?: string
  /**
   * The Service ClusterIP range (default `10.96.0.0/12`). Two comma-separated CIDRs of different
   * families make a dual-stack cluster, the first being the primary family, as
   * `--service-cluster-ip-range`: `'10.96.0.0/12,fd00:10:96::/112'`. An IPv6 range may have at
   * most 20 host bits (/108 or longer).
   */
  readonly serviceCidr?: string
  /**
   * The pod range (default `10.244.0.0/16`): a /24 per node for IPv4, a /64 per node for IPv6.
   * Same families in the same order as `serviceCidr`: `'10.244.0.0/16,fd00:10:244::/56'`.
   */
  readonly podCidr?: string
  readonly nodeCidr?: string
  readonly nodePortRange?: readonly [number, number]
  readonly traceRetention?: TraceRetention
  readonly maxManifestBytes?: number
  /** How long Events live after their last write (default `'1h'`, as `--event-ttl`); 0 keeps them. */
  readonly eventTtl?: string | number
  /** Replace the controller registry (default: `defaultControllers`). */
  readonly controllers?: ReadonlyArray<Controller>
  /** The pod behaviour model (default: `defaultBehaviour`; see docs/pods-and-nodes.md). */
  readonly behaviour?: BehaviourModel
  /** Addresses for LoadBalancer Services (CIDRs or `a.b.c.d-e.f.g.h` ranges); none leaves them pending. */
  readonly loadBalancerPool?: ReadonlyArray<string>
}

/**
 * The controllers a cluster runs by default, in order.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultControllers } from 'kubesim'
 * expect(defaultControllers.map((c) => c.name)).toContain('garbage-collector')
 * ```
 */
export const defaultControllers: ReadonlyArray<Controller> = [namespaceLifecycle, nodeLifecycle, deploymentController, replicaSetController, statefulSetController, daemonSetController, volumeBinder, scheduler, kubelet, endpointSliceController, loadBalancerController, jobController, ttlAfterFinishedController, cronJobController, garbageCollector, eventTtlController]

/** Default configuration values. */
export const DEFAULT_CONFIG: Omit<ClusterConfig, 'controllers'> = {
  clusterDomain: 'cluster.local',
  serviceCidr: '10.96.0.0/12',
  podCidr: '10.244.0.0/16',
  nodeCidr: '172.18.0.0/16',
  nodePortRange: [30000, 32767],
  traceRetention: 10_000,
  maxManifestBytes: DEFAULT_MAX_MANIFEST_BYTES,
  eventTtlMs: 3_600_000,
}

const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system']

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } })

const isStringRecord = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')

/** Options come from users as often as from typed code: check their shapes before use. */
const checkOptionShapes = (options: ClusterOptions): string | undefined => {
  const o = options as Record<string, unknown>
  if (o['seed'] !== undefined && !(typeof o['seed'] === 'number' && Number.isFinite(o['seed']))) return 'seed must be a finite number'
  if (o['now'] !== undefined && typeof o['now'] !== 'string' && typeof o['now'] !== 'number') return 'now must be an ISO string or ms since the epoch'
  for (const key of ['clusterDomain', 'serviceCidr', 'podCidr', 'nodeCidr'])
    if (o[key] !== undefined && typeof o[key] !== 'string') return `${key} must be a string`
  const nodes = o['nodes']
  if (nodes !== undefined && typeof nodes !== 'number') {
    if (!Array.isArray(nodes)) return 'nodes must be a count or an array of node specs'
    for (const [i, n] of nodes.entries()) {
      const spec = n as Record<string, unknown> | null
      if (typeof spec !== 'object' || spec === null || typeof spec['name'] !== 'string') return `nodes[${i}].name must be a string`
      if (spec['labels'] !== undefined && !isStringRecord(spec['labels'])) return `nodes[${i}].labels must map strings to strings`
      if (spec['capacity'] !== undefined && !isStringRecord(spec['capacity'])) return `nodes[${i}].capacity must map resource names to quantity strings`
      if (spec['allocatable'] !== undefined && !isStringRecord(spec['allocatable'])) return `nodes[${i}].allocatable must map resource names to quantity strings`
      if (spec['taints'] !== undefined && !Array.isArray(spec['taints'])) return `nodes[${i}].taints must be an array of taints`
    }
  }
  const range = o['nodePortRange']
  if (range !== undefined && !(Array.isArray(range) && range.length === 2 && range.every((p) => typeof p === 'number')))
    return 'nodePortRange must be a pair of port numbers'
  const retention = o['traceRetention']
  if (retention !== undefined && retention !== 'none' && retention !== 'all' && typeof retention !== 'number')
    return 'traceRetention must be "none", "all" or a number'
  if (o['maxManifestBytes'] !== undefined && !(typeof o['maxManifestBytes'] === 'number' && o['maxManifestBytes'] > 0))
    return 'maxManifestBytes must be a positive number'
  if (o['eventTtl'] !== undefined && typeof o['eventTtl'] !== 'string' && typeof o['eventTtl'] !== 'number') return 'eventTtl must be a duration such as "1h", or ms'
  const controllers = o['controllers']
  if (controllers !== undefined && !(Array.isArray(controllers) && controllers.every((c) => typeof c === 'object' && c !== null && typeof (c as Record<string, unknown>)['reconcile'] === 'function' && typeof (c as Record<string, unknown>)['nextWakeup'] === 'function')))
    return 'controllers must be an array of controllers'
  if (o['behaviour'] !== undefined && typeof o['behaviour'] !== 'function') return 'behaviour must be a function from a pod to its behaviour'
  const pool = o['loadBalancerPool']
  if (pool !== undefined && !(Array.isArray(pool) && pool.every((p) => typeof p === 'string' && parseAddressPool(p) !== undefined)))
    return 'loadBalancerPool must be an array of IPv4 CIDRs or a.b.c.d-e.f.g.h ranges'
  return undefined
}

/** kube-apiserver keeps Service ranges small: at most 20 host bits (`validateMaxCIDRRange`). */
const MAX_SERVICE_CIDR_BITS = 20
/** kube-controller-manager's node IPAM: at most 16 bits between the cluster range and a node's (`cidrset`). */
const MAX_NODE_CIDR_BITS = 16

/**
 * Parses and checks the Service and pod ranges: one CIDR, or two of different families for a
 * dual-stack cluster, the same families in the same order for both.
 */
const checkRanges = (config: ClusterConfig): { readonly serviceCidrs: ReadonlyArray<FamilyCidr>; readonly podCidrs: ReadonlyArray<FamilyCidr> } | string => {
  const services = parseCidrList(config.serviceCidr)
  if (E.isLeft(services)) return `serviceCidr: ${services.left}`
  const pods = parseCidrList(config.podCidr)
  if (E.isLeft(pods)) return `podCidr: ${pods.left}`
  for (const range of services.right)
    if (range.family === 'IPv6' && 128 - range.cidr.prefixLength > MAX_SERVICE_CIDR_BITS)
      return `serviceCidr: specified ${range.text} is too large; for 128-bit addresses, the mask must be >= ${128 - MAX_SERVICE_CIDR_BITS}`
  for (const range of pods.right)
    if (range.family === 'IPv6' && (range.cidr.prefixLength > 64 || 64 - range.cidr.prefixLength > MAX_NODE_CIDR_BITS))
      return `podCidr: ${range.text} must have a prefix between /${64 - MAX_NODE_CIDR_BITS} and /64 to hold the nodes' /64 ranges`
  const families = (list: ReadonlyArray<FamilyCidr>) => list.map((r) => r.family).join(',')
  if (families(services.right) !== families(pods.right))
    return `serviceCidr (${families(services.right)}) and podCidr (${families(pods.right)}) must have the same IP families in the same order; a dual-stack cluster sets both as "<primary>,<secondary>" pairs`
  return { serviceCidrs: services.right, podCidrs: pods.right }
}

const DEFAULT_RANGES = {
  serviceCidr: { IPv4: '10.96.0.0/12', IPv6: 'fd00:10:96::/112' },
  podCidr: { IPv4: '10.244.0.0/16', IPv6: 'fd00:10:244::/56' },
} as const

/**
 * When only one of serviceCidr and podCidr is given, the other follows its families (primary
 * first) with the default range of each family, so `{ serviceCidr: '10.96.0.0/12,fd00:10:96::/112' }`
 * alone makes a dual-stack cluster.
 */
const defaultPartnerRanges = (options: ClusterOptions): Partial<Pick<ClusterConfig, 'serviceCidr' | 'podCidr'>> => {
  const given = options.serviceCidr !== undefined ? 'serviceCidr' : options.podCidr !== undefined ? 'podCidr' : undefined
  if (given === undefined || (options.serviceCidr !== undefined && options.podCidr !== undefined)) return {}
  const parsed = parseCidrList(options[given] ?? '')
  if (E.isLeft(parsed) || (parsed.right.length === 1 && parsed.right[0]?.family === 'IPv4')) return {}
  const other = given === 'serviceCidr' ? 'podCidr' : 'serviceCidr'
  return { [other]: parsed.right.map((r) => DEFAULT_RANGES[other][r.family]).join(',') }
}

/** The first usable address of a Service range (network + 1): the `kubernetes` Service's. */
const firstAddress = (range: FamilyCidr): string =>
  range.family === 'IPv4' ? addressAt(range.cidr, 1) : formatIpv6(range.cidr.network + 1n)

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

/** A cluster could not be created from the options given. */
export interface InvalidClusterOptions {
  readonly reason: 'InvalidOptions'
  readonly message: string
}

/**
 * Creates a cluster, or explains why the options are invalid.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { tryCreateCluster } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * expect(E.isLeft(tryCreateCluster({ serviceCidr: '10.96.0.1/12' }))).toBe(true)
 * expect(E.isRight(tryCreateCluster({ nodes: 2 }))).toBe(true)
 * ```
 */
export const tryCreateCluster = (options: ClusterOptions = {}): E.Either<InvalidClusterOptions, ClusterState> => {
  const fail = (message: string) => E.left<InvalidClusterOptions>({ reason: 'InvalidOptions', message })
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return fail('options must be an object')
  const shapeProblem = checkOptionShapes(options)
  if (shapeProblem !== undefined) return fail(shapeProblem)
  let now = DEFAULT_EPOCH_MS
  if (typeof options.now === 'string') {
    const parsed = parseTimestamp(options.now)
    if (E.isLeft(parsed)) return fail(parsed.left)
    now = parsed.right
  } else if (typeof options.now === 'number') {
    if (!Number.isFinite(options.now)) return fail('now must be a finite number of ms since the epoch')
    now = Math.floor(options.now)
  }
  let eventTtlMs: number | undefined
  if (options.eventTtl !== undefined) {
    const ttl = parseDuration(options.eventTtl)
    if (E.isLeft(ttl)) return fail(`eventTtl: ${ttl.left}`)
    eventTtlMs = ttl.right
  }
  const config: ClusterConfig = {
    ...DEFAULT_CONFIG,
    ...(options.clusterDomain === undefined ? {} : { clusterDomain: options.clusterDomain }),
    ...(options.serviceCidr === undefined ? {} : { serviceCidr: options.serviceCidr }),
    ...(options.podCidr === undefined ? {} : { podCidr: options.podCidr }),
    ...defaultPartnerRanges(options),
    ...(options.nodeCidr === undefined ? {} : { nodeCidr: options.nodeCidr }),
    ...(options.nodePortRange === undefined ? {} : { nodePortRange: options.nodePortRange }),
    ...(options.traceRetention === undefined ? {} : { traceRetention: options.traceRetention }),
    ...(options.maxManifestBytes === undefined ? {} : { maxManifestBytes: options.maxManifestBytes }),
    ...(eventTtlMs === undefined ? {} : { eventTtlMs }),
    controllers: options.controllers ?? defaultControllers,
    ...(options.behaviour === undefined ? {} : { behaviour: options.behaviour }),
    ...(options.loadBalancerPool === undefined ? {} : { loadBalancerPool: options.loadBalancerPool }),
  }
  const ranges = checkRanges(config)
  if (typeof ranges === 'string') return fail(ranges)
  const { serviceCidrs, podCidrs } = ranges
  const nodeCidr = parseCidr(config.nodeCidr)
  if (E.isLeft(nodeCidr)) return fail(`nodeCidr: ${nodeCidr.left}`)
  const [low, high] = config.nodePortRange
  if (!(Number.isInteger(low) && Number.isInteger(high) && low >= 1 && high <= 65535 && low <= high))
    return fail(`nodePortRange: ${low}-${high} is not a valid port range`)
  if (typeof config.traceRetention === 'number' && !(Number.isInteger(config.traceRetention) && config.traceRetention >= 0))
    return fail('traceRetention must be "none", "all" or a non-negative integer')
  const nodeSpecs: ReadonlyArray<NodeOptions> =
    typeof options.nodes === 'number'
      ? Number.isInteger(options.nodes) && options.nodes >= 0
        ? Array.from({ length: options.nodes }, (_, i) => ({ name: `node-${i + 1}` }))
        : []
      : (options.nodes ?? [])
  if (typeof options.nodes === 'number' && !(Number.isInteger(options.nodes) && options.nodes >= 0))
    return fail(`nodes must be a non-negative integer, got ${options.nodes}`)
  for (const range of podCidrs) {
    const mask = range.family === 'IPv4' ? 24 : 64
    const room = 2 ** Math.max(0, mask - range.cidr.prefixLength)
    if (nodeSpecs.length > room) return fail(`podCidr ${range.text} has room for ${room} node /${mask} ranges, not ${nodeSpecs.length}`)
  }
  if (nodeSpecs.length > nodeCidr.right.size - 3) return fail(`nodeCidr ${config.nodeCidr} has room for ${nodeCidr.right.size - 3} node addresses, not ${nodeSpecs.length}`)

  const bootstrap: Action[] = [
    ...SYSTEM_NAMESPACES.map((name): Action => ({ type: 'create', by: 'kube-apiserver', object: namespace(name) })),
    {
      type: 'create',
      by: 'kube-apiserver',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP',
          // The apiserver's own Service is single-stack, of the primary family.
          clusterIP: firstAddress(serviceCidrs[0] as FamilyCidr),
          clusterIPs: [firstAddress(serviceCidrs[0] as FamilyCidr)],
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
          sessionAffinity: 'None',
        },
      },
    },
    // A default StorageClass, as kind and minikube clusters ship one.
    { type: 'create', by: 'kube-apiserver', object: DEFAULT_STORAGE_CLASS },
    // The kubelet registers its Node, then posts its status (status is a subresource).
    ...nodeSpecs.flatMap((spec, i): ReadonlyArray<Action> => {
      // Addresses start at .2: the first address is the network's gateway.
      return registerNodeActions(spec, podCidrs.map((range) => nthNodePodCidr(range, i)?.text ?? ''), addressAt(nodeCidr.right, i + 2), now)
    }),
  ]
  let state: ClusterState = { now, rng: seedRng(options.seed ?? 0), revision: 0, objects: emptyStore, config, trace: emptyTrace, memory: IMap() }
  for (const action of bootstrap) {
    const result = applyAction(state, action)
    if (E.isLeft(result)) return fail(result.left.message)
    state = result.right.state
  }
  return E.right(state)
}

/**
 * Creates a cluster: system namespaces, the `kubernetes` Service and optional nodes, at a
 * virtual start time with a seeded PRNG. Invalid options are a programmer error and throw;
 * use `tryCreateCluster` when options come from users.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, list } from 'kubesim'
 * const s = createCluster({ seed: 42, nodes: 3, now: '2025-06-01T00:00:00Z' })
 * expect(list(s, 'Node').map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3'])
 * expect(list(s, 'Namespace').map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system'])
 * expect(() => createCluster({ nodes: -1 })).toThrow('nodes must be a non-negative integer')
 * ```
 */
export const createCluster = (options: ClusterOptions = {}): ClusterState => {
  const created = tryCreateCluster(options)
  if (E.isLeft(created)) throw new Error(`kubesim: invalid cluster options: ${created.left.message}`)
  return created.right
}
