/**
 * A pod compiled for scheduling: its requests, tolerations, node selection rules, host ports,
 * inter-pod affinity terms and topology spread constraints, read once per scheduling attempt so
 * that evaluating hundreds of nodes does not re-read the manifest.
 *
 * @module
 */
import type { KubeObject } from '../objects/object.js'
import { fromLabelSelector, type LabelSelector, matchesSelector, type Selector } from '../objects/selector.js'
import type { NodeSelectorTermLike, PreferredSchedulingTermLike } from './nodeAffinity.js'
import { podRequests, type ResourceAmounts, resourceAmount } from './resources.js'
import type { TolerationLike } from './taints.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A host port a pod asks for: `ip/protocol/port` semantics as the NodePorts plugin reads them. */
export interface HostPort {
  readonly ip: string
  readonly protocol: string
  readonly port: number
}

/** Which namespaces an affinity term looks at: a set, or every namespace. */
export type NamespaceScope = { readonly all: true } | { readonly all: false; readonly names: ReadonlySet<string>; readonly selector?: Selector }

/** A compiled `PodAffinityTerm` (required, or preferred with its weight). */
export interface AffinityTerm {
  readonly selector: Selector | undefined
  readonly namespaces: NamespaceScope
  readonly topologyKey: string
  readonly weight: number
}

/** A compiled `topologySpreadConstraints[]` entry. */
export interface SpreadConstraint {
  readonly maxSkew: number
  readonly topologyKey: string
  readonly hard: boolean
  readonly selector: Selector | undefined
  readonly minDomains: number
  /** nodeAffinityPolicy: Honor (default) counts only nodes matching the pod's node selection. */
  readonly honorNodeAffinity: boolean
  /** nodeTaintsPolicy: Honor counts only nodes whose taints the pod tolerates (default Ignore). */
  readonly honorTaints: boolean
}

/** What the scheduler reads from a pod. */
export interface PodInfo {
  readonly pod: KubeObject
  readonly namespace: string
  readonly name: string
  readonly uid: string
  readonly labels: Readonly<Record<string, string>>
  readonly priority: number
  readonly nodeName: string
  /** The effective request, including `pods: 1`. */
  readonly requests: ResourceAmounts
  /** Requested resource names other than `pods`, with a positive amount. */
  readonly requestedNames: ReadonlyArray<string>
  /** The cpu and memory requests (0 when unset), and the other `requestedNames`: the fit check reads them by name. */
  readonly cpuRequest: number
  readonly memoryRequest: number
  readonly otherRequestedNames: ReadonlyArray<string>
  /** Requests with kube-scheduler's scoring defaults for unset cpu (100m) and memory (200Mi). */
  readonly nonZeroCpu: number
  readonly nonZeroMemory: number
  readonly tolerations: ReadonlyArray<TolerationLike>
  readonly nodeSelector: Readonly<Record<string, string>> | undefined
  readonly requiredNodeTerms: ReadonlyArray<NodeSelectorTermLike> | undefined
  readonly preferredNodeTerms: ReadonlyArray<PreferredSchedulingTermLike>
  readonly hostPorts: ReadonlyArray<HostPort>
  readonly affinity: ReadonlyArray<AffinityTerm>
  readonly antiAffinity: ReadonlyArray<AffinityTerm>
  readonly preferredAffinity: ReadonlyArray<AffinityTerm>
  readonly preferredAntiAffinity: ReadonlyArray<AffinityTerm>
  readonly spread: ReadonlyArray<SpreadConstraint>
}

interface RawAffinityTerm {
  readonly labelSelector?: LabelSelector | null
  readonly namespaces?: ReadonlyArray<string>
  readonly namespaceSelector?: LabelSelector | null
  readonly topologyKey?: string
}
interface RawWeightedTerm {
  readonly weight?: number
  readonly podAffinityTerm?: RawAffinityTerm
}
interface RawPodAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: ReadonlyArray<RawAffinityTerm>
  readonly preferredDuringSchedulingIgnoredDuringExecution?: ReadonlyArray<RawWeightedTerm>
}
interface RawContainer {
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> }
  readonly ports?: ReadonlyArray<{ readonly hostPort?: number; readonly hostIP?: string; readonly protocol?: string }>
  readonly restartPolicy?: string
}
interface RawSpec {
  readonly nodeName?: string
  readonly priority?: number
  readonly nodeSelector?: Readonly<Record<string, string>>
  readonly tolerations?: ReadonlyArray<TolerationLike>
  readonly containers?: ReadonlyArray<RawContainer>
  readonly initContainers?: ReadonlyArray<RawContainer>
  readonly overhead?: Readonly<Record<string, string>>
  readonly affinity?: {
    readonly nodeAffinity?: {
      readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms?: ReadonlyArray<NodeSelectorTermLike> }
      readonly preferredDuringSchedulingIgnoredDuringExecution?: ReadonlyArray<PreferredSchedulingTermLike>
    }
    readonly podAffinity?: RawPodAffinity
    readonly podAntiAffinity?: RawPodAffinity
  }
  readonly topologySpreadConstraints?: ReadonlyArray<{
    readonly maxSkew?: number
    readonly topologyKey?: string
    readonly whenUnsatisfiable?: string
    readonly labelSelector?: LabelSelector | null
    readonly minDomains?: number
    readonly nodeAffinityPolicy?: string
    readonly nodeTaintsPolicy?: string
  }>
}

/** kube-scheduler's `DefaultMilliCPURequest` and `DefaultMemoryRequest`, used for scoring only. */
export const DEFAULT_MILLI_CPU_REQUEST = 100
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const specOf = (pod: KubeObject): RawSpec => (pod['spec'] ?? {}) as RawSpec

const containerAmount = (c: RawContainer, name: string): number | undefined => {
  const q = c.resources?.requests?.[name] ?? c.resources?.limits?.[name]
  return q === undefined ? undefined : resourceAmount(name, q)
}

const nonZeroCache = new WeakMap<object, readonly [number, number]>()

/**
 * A pod's cpu (millicores) and memory (bytes) requests with unset container requests counted as
 * 100m and 200Mi, as kube-scheduler scores nodes (`GetNonzeroRequests`).
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { nonZeroRequests } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x', resources: { requests: { cpu: '1' } } }] } }
 * expect(nonZeroRequests(pod)).toEqual([1100, 2 * 200 * 1024 * 1024])
 * ```
 */
export const nonZeroRequests = (pod: KubeObject): readonly [number, number] => {
  const spec = specOf(pod)
  const cached = nonZeroCache.get(spec)
  if (cached !== undefined) return cached
  let cpu = 0
  let memory = 0
  for (const c of spec.containers ?? []) {
    cpu += containerAmount(c, 'cpu') ?? DEFAULT_MILLI_CPU_REQUEST
    memory += containerAmount(c, 'memory') ?? DEFAULT_MEMORY_REQUEST
  }
  for (const c of spec.initContainers ?? []) {
    cpu = Math.max(cpu, containerAmount(c, 'cpu') ?? DEFAULT_MILLI_CPU_REQUEST)
    memory = Math.max(memory, containerAmount(c, 'memory') ?? DEFAULT_MEMORY_REQUEST)
  }
  if (spec.overhead !== undefined) {
    cpu += resourceAmount('cpu', spec.overhead['cpu'] ?? '0')
    memory += resourceAmount('memory', spec.overhead['memory'] ?? '0')
  }
  const out = [cpu, memory] as const
  if (Object.isFrozen(spec)) nonZeroCache.set(spec, out)
  return out
}

/**
 * The host ports a pod's containers ask for (`hostPort` > 0), with protocol defaulting to TCP
 * and the host IP to `0.0.0.0`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { podHostPorts } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }] } }
 * expect(podHostPorts(pod)).toEqual([{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }])
 * ```
 */
export const podHostPorts = (pod: KubeObject): ReadonlyArray<HostPort> => {
  const out: HostPort[] = []
  for (const c of specOf(pod).containers ?? [])
    for (const p of c.ports ?? [])
      if (p.hostPort !== undefined && p.hostPort > 0)
        out.push({ ip: p.hostIP === undefined || p.hostIP === '' ? '0.0.0.0' : p.hostIP, protocol: p.protocol === undefined || p.protocol === '' ? 'TCP' : p.protocol, port: p.hostPort })
  return out
}

/**
 * Whether two host ports conflict: same port and protocol, and the same IP or either one is the
 * wildcard `0.0.0.0`.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { hostPortsConflict } from 'kubesim'
 * expect(hostPortsConflict({ ip: '0.0.0.0', protocol: 'TCP', port: 80 }, { ip: '10.0.0.1', protocol: 'TCP', port: 80 })).toBe(true)
 * expect(hostPortsConflict({ ip: '0.0.0.0', protocol: 'UDP', port: 80 }, { ip: '0.0.0.0', protocol: 'TCP', port: 80 })).toBe(false)
 * ```
 */
export const hostPortsConflict = (a: HostPort, b: HostPort): boolean =>
  a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0')

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const compileTerm = (raw: RawAffinityTerm, namespace: string, weight: number): AffinityTerm => {
  const names = new Set(raw.namespaces ?? [])
  const nsSelector = raw.namespaceSelector
  let namespaces: NamespaceScope
  if (nsSelector !== undefined && nsSelector !== null && Object.keys(nsSelector.matchLabels ?? {}).length === 0 && (nsSelector.matchExpressions ?? []).length === 0)
    namespaces = { all: true }
  else if (nsSelector !== undefined && nsSelector !== null) namespaces = { all: false, names, selector: fromLabelSelector(nsSelector) }
  else namespaces = { all: false, names: names.size === 0 ? new Set([namespace]) : names }
  return {
    selector: raw.labelSelector === undefined || raw.labelSelector === null ? undefined : fromLabelSelector(raw.labelSelector),
    namespaces,
    topologyKey: raw.topologyKey ?? '',
    weight,
  }
}

const compileAffinity = (raw: RawPodAffinity | undefined, namespace: string): { required: AffinityTerm[]; preferred: AffinityTerm[] } => ({
  required: (raw?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, namespace, 0)),
  preferred: (raw?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t.podAffinityTerm ?? {}, namespace, t.weight ?? 0)),
})

const infoCache = new WeakMap<KubeObject, PodInfo>()

/**
 * Compiles a pod for scheduling (memoised per pod object).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { podInfo } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '250m', 'example.com/gpu': '1' } } }] } }
 * const info = podInfo(pod)
 * expect(info.requestedNames).toEqual(['cpu', 'example.com/gpu'])
 * expect(info.requests['pods']).toBe(1)
 * ```
 */
export const podInfo = (pod: KubeObject): PodInfo => {
  const cached = infoCache.get(pod)
  if (cached !== undefined) return cached
  const spec = specOf(pod)
  const namespace = pod.metadata.namespace ?? 'default'
  const requests = podRequests(pod)
  const [nonZeroCpu, nonZeroMemory] = nonZeroRequests(pod)
  const podAffinity = compileAffinity(spec.affinity?.podAffinity, namespace)
  const podAntiAffinity = compileAffinity(spec.affinity?.podAntiAffinity, namespace)
  const nodeAffinity = spec.affinity?.nodeAffinity
  const requestedNames = Object.keys(requests).filter((k) => k !== 'pods' && (requests[k] ?? 0) > 0).sort()
  const info: PodInfo = {
    pod,
    namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? '',
    labels: pod.metadata.labels ?? {},
    priority: spec.priority ?? 0,
    nodeName: spec.nodeName ?? '',
    requests,
    requestedNames,
    cpuRequest: requests['cpu'] ?? 0,
    memoryRequest: requests['memory'] ?? 0,
    otherRequestedNames: requestedNames.filter((k) => k !== 'cpu' && k !== 'memory'),
    nonZeroCpu,
    nonZeroMemory,
    tolerations: spec.tolerations ?? [],
    nodeSelector: spec.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined,
    requiredNodeTerms: nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    preferredNodeTerms: nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
    hostPorts: podHostPorts(pod),
    affinity: podAffinity.required,
    antiAffinity: podAntiAffinity.required,
    preferredAffinity: podAffinity.preferred,
    preferredAntiAffinity: podAntiAffinity.preferred,
    spread: (spec.topologySpreadConstraints ?? []).map((c) => ({
      maxSkew: c.maxSkew ?? 1,
      topologyKey: c.topologyKey ?? '',
      hard: (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule',
      selector: c.labelSelector === undefined || c.labelSelector === null ? undefined : fromLabelSelector(c.labelSelector),
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    })),
  }
  if (Object.isFrozen(pod)) infoCache.set(pod, info)
  return info
}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Whether an affinity term selects a pod: the pod's namespace is in the term's scope (given the
 * namespaces' labels for a namespaceSelector) and its labels match. A term without a
 * labelSelector selects no pod.
 *
 * @category selectors
 * @since 0.1.0
 * @example
 * ```ts
 * import { affinityTermSelects, podInfo } from 'kubesim'
 * const owner = podInfo({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default' }, spec: { containers: [], affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } } } })
 * const term = owner.antiAffinity[0]!
 * expect(affinityTermSelects(term, 'default', { app: 'web' }, () => undefined)).toBe(true)
 * expect(affinityTermSelects(term, 'other', { app: 'web' }, () => undefined)).toBe(false)
 * ```
 */
export const affinityTermSelects = (
  term: AffinityTerm,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  namespaceLabels: (namespace: string) => Readonly<Record<string, string>> | undefined,
): boolean => {
  if (term.selector === undefined) return false
  if (!term.namespaces.all) {
    const scope = term.namespaces
    if (!scope.names.has(namespace) && (scope.selector === undefined || !matchesSelector(scope.selector, namespaceLabels(namespace)))) return false
  }
  return matchesSelector(term.selector, labels)
}
