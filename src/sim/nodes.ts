/**
 * Nodes as a kubelet registers them: labels, capacity and allocatable, taints, a pod CIDR, an
 * InternalIP, a Ready status and a heartbeat Lease. `createCluster` registers its nodes this way
 * and `addNode` joins one more to a running cluster.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Action } from '../controllers/controller.js'
import { addressAt, parseCidr } from '../network/cidr.js'
import { podCidrs } from '../network/ipFamilies.js'
import { nthNodePodCidr } from '../network/podIps.js'
import type { KubeObject } from '../objects/object.js'
import { listObjects } from '../store/objectStore.js'
import { applyAction } from '../store/reducer.js'
import type { ClusterState } from '../store/state.js'
import { type ApiError, badRequestError } from '../validation/apiError.js'
import { formatTimestamp } from './clock.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A node taint, as in `spec.taints`. */
export interface NodeTaintOptions {
  readonly key: string
  readonly value?: string
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
}

/** A node to create: a name, and optionally labels, capacity, allocatable and taints. */
export interface NodeOptions {
  readonly name: string
  /** Extra labels, e.g. the zone and region topology labels; hostname, os and arch are always set. */
  readonly labels?: Readonly<Record<string, string>>
  /**
   * Resource capacity, merged over `{ cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' }`;
   * extended resources (e.g. `nvidia.com/gpu`) are allowed.
   */
  readonly capacity?: Readonly<Record<string, string>>
  /** Allocatable resources, merged over the capacity (default: equal to it). */
  readonly allocatable?: Readonly<Record<string, string>>
  readonly taints?: ReadonlyArray<NodeTaintOptions>
  /** Register the node cordoned (`spec.unschedulable`). */
  readonly unschedulable?: boolean
}

/** The capacity a node has unless its options say otherwise. */
export const DEFAULT_NODE_CAPACITY: Readonly<Record<string, string>> = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' }

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------


/** The node's heartbeat Lease in kube-node-lease. Renewals are implicit while the kubelet is up. */
const nodeLease = (name: string, now: string): KubeObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: 'kube-node-lease' },
  spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
})

const nodeManifest = (spec: NodeOptions, podCidrs: ReadonlyArray<string>, internalIp: string, now: string): KubeObject => {
  const at = { lastHeartbeatTime: now, lastTransitionTime: now }
  const capacity = { ...DEFAULT_NODE_CAPACITY, ...spec.capacity }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...spec.labels,
      },
    },
    spec: {
      podCIDR: podCidrs[0] ?? '',
      podCIDRs: [...podCidrs],
      ...(spec.taints === undefined || spec.taints.length === 0 ? {} : { taints: spec.taints.map((t) => ({ ...t })) }),
      ...(spec.unschedulable === true ? { unschedulable: true } : {}),
    },
    status: {
      capacity,
      allocatable: { ...capacity, ...spec.allocatable },
      addresses: [
        { type: 'InternalIP', address: internalIp },
        { type: 'Hostname', address: spec.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', ...at },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', ...at },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', ...at },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', ...at },
      ],
      nodeInfo: { kubeletVersion: 'v1.33.0', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'kubesim://0.1.0' },
    },
  }
}

/**
 * The writes of a kubelet registering a node: the Node (with its pod ranges, primary family
 * first), its status (a subresource) and its Lease. Internal: `createCluster` and `addNode`
 * share it.
 */
export const registerNodeActions = (spec: NodeOptions, podCidrs: ReadonlyArray<string>, internalIp: string, now: number): ReadonlyArray<Action> => {
  const node = nodeManifest(spec, podCidrs, internalIp, formatTimestamp(now))
  return [
    { type: 'create', by: 'kubelet', object: node },
    { type: 'updateStatus', by: 'kubelet', object: node },
    { type: 'create', by: 'kubelet', object: nodeLease(spec.name, formatTimestamp(now)) },
  ]
}

/** Applies actions in order, all or nothing. */
export const applyAll = (state: ClusterState, actions: ReadonlyArray<Action>): E.Either<ApiError, ClusterState> => {
  let next = state
  for (const action of actions) {
    const result = applyAction(next, action)
    if (E.isLeft(result)) return result
    next = result.right.state
  }
  return E.right(next)
}

/**
 * Joins a new node to a running cluster, as a kubelet registering itself: it gets the next free
 * /24 of the pod range, the next free InternalIP of the node range, a Ready status and a Lease.
 * Pending pods that fit are scheduled onto it on the next step. A name already taken is an
 * AlreadyExists error and the state is untouched.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, addNode, list } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * const s0 = createCluster({ nodes: 1 })
 * const s1 = addNode(s0, { name: 'gpu-1', capacity: { 'nvidia.com/gpu': '2' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }] })
 * const nodes = E.isRight(s1) ? list(s1.right, 'Node') : []
 * expect(nodes.map((n) => n.metadata.name)).toEqual(['gpu-1', 'node-1'])
 * expect((nodes[0]?.['spec'] as { podCIDR: string }).podCIDR).toBe('10.244.1.0/24')
 * expect(E.isLeft(addNode(s0, { name: 'node-1' }))).toBe(true)
 * ```
 */
export const addNode = (state: ClusterState, spec: NodeOptions): E.Either<ApiError, ClusterState> => {
  const podRanges = podCidrs(state.config)
  const nodeRange = parseCidr(state.config.nodeCidr)
  if (podRanges.length === 0 || E.isLeft(nodeRange)) return E.left(badRequestError('the cluster configuration has an invalid pod or node CIDR'))
  const nodes = listObjects(state.objects, 'Node')
  const usedCidrs = new Set(
    nodes.flatMap((n) => {
      const nodeSpec = n['spec'] as { podCIDR?: string; podCIDRs?: ReadonlyArray<string> } | undefined
      return [...(nodeSpec?.podCIDRs ?? []), ...(nodeSpec?.podCIDR === undefined ? [] : [nodeSpec.podCIDR])]
    }),
  )
  const usedIps = new Set(
    nodes.flatMap((n) => ((n['status'] as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).map((a) => a.address)),
  )
  // The first index whose range is free in every family, so a node's ranges stay paired.
  let ranges: ReadonlyArray<string> | undefined
  for (let index = 0; ranges === undefined; index++) {
    const candidates = podRanges.map((range) => nthNodePodCidr(range, index)?.text)
    if (candidates.some((c) => c === undefined)) break
    if (candidates.every((c) => !usedCidrs.has(c as string))) ranges = candidates as string[]
  }
  if (ranges === undefined) return E.left(badRequestError(`podCidr ${state.config.podCidr} has no free node range for node ${spec.name}`))
  let ipIndex = 2
  while (ipIndex < nodeRange.right.size - 1 && usedIps.has(addressAt(nodeRange.right, ipIndex))) ipIndex++
  if (ipIndex >= nodeRange.right.size - 1) return E.left(badRequestError(`nodeCidr ${state.config.nodeCidr} has no free address for node ${spec.name}`))
  return applyAll(state, registerNodeActions(spec, ranges, addressAt(nodeRange.right, ipIndex), state.now))
}
