/**
 * Resource amounts for scheduling: a pod's effective request (the larger of its containers' sum
 * and its largest init container, plus overhead; requests default to limits) and a node's
 * allocatable, as plain numbers: CPU in millicores, every other resource in its base unit
 * (bytes, count), rounded up as Kubernetes' `Value()` does.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { KubeObject } from '../objects/object.js'
import { parseQuantity, quantityToMillis, quantityValue } from '../objects/quantity.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Amounts per resource name: `cpu` in millicores, others in base units. Absent means 0. */
export type ResourceAmounts = Readonly<Record<string, number>>

interface ContainerLike {
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> }
  readonly restartPolicy?: string
}
interface PodSpecLike {
  readonly containers?: ReadonlyArray<ContainerLike>
  readonly initContainers?: ReadonlyArray<ContainerLike>
  readonly overhead?: Readonly<Record<string, string>>
  readonly nodeName?: string
}

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const AMOUNT_CACHE_LIMIT = 4096
const amountCache = new Map<string, number>()

/**
 * One quantity as a scheduling amount: millicores for `cpu`, the base unit (rounded up) otherwise.
 * Unparseable quantities count as 0 (validation has rejected them before they are stored).
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { resourceAmount } from 'kubesim'
 * expect(resourceAmount('cpu', '250m')).toBe(250)
 * expect(resourceAmount('memory', '1Gi')).toBe(1073741824)
 * ```
 */
export const resourceAmount = (name: string, quantity: string | number): number => {
  // A cluster uses few distinct quantity strings ('100m', '256Mi'), and every new pod spec is
  // parsed again: memoise the parse (a pure function of its text), bounded.
  const key = typeof quantity === 'string' ? (name === 'cpu' ? 'm' : 'v') + quantity : undefined
  const cached = key === undefined ? undefined : amountCache.get(key)
  if (cached !== undefined) return cached
  const parsed = parseQuantity(quantity)
  const amount = E.isLeft(parsed) ? 0 : name === 'cpu' ? quantityToMillis(parsed.right) : quantityValue(parsed.right)
  if (key !== undefined) {
    if (amountCache.size >= AMOUNT_CACHE_LIMIT) amountCache.clear()
    amountCache.set(key, amount)
  }
  return amount
}

/**
 * A map of quantities (`requests`, `allocatable`) as amounts.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { toAmounts } from 'kubesim'
 * expect(toAmounts({ cpu: '2', memory: '1Ki' })).toEqual({ cpu: 2000, memory: 1024 })
 * ```
 */
export const toAmounts = (quantities: Readonly<Record<string, string | number>> | undefined): ResourceAmounts => {
  const out: Record<string, number> = {}
  for (const [name, q] of Object.entries(quantities ?? {})) out[name] = resourceAmount(name, q)
  return out
}

/**
 * Adds amounts resource by resource.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { addAmounts } from 'kubesim'
 * expect(addAmounts({ cpu: 100 }, { cpu: 50, pods: 1 })).toEqual({ cpu: 150, pods: 1 })
 * ```
 */
export const addAmounts = (a: ResourceAmounts, b: ResourceAmounts, sign: 1 | -1 = 1): ResourceAmounts => {
  const out: Record<string, number> = { ...a }
  for (const [name, v] of Object.entries(b)) out[name] = (out[name] ?? 0) + sign * v
  return out
}

const maxAmounts = (a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts => {
  const out: Record<string, number> = { ...a }
  for (const [name, v] of Object.entries(b)) out[name] = Math.max(out[name] ?? 0, v)
  return out
}

const containerRequests = (c: ContainerLike): ResourceAmounts => {
  // Requests default to limits for resources with only a limit (the API server's defaulting).
  return toAmounts({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) })
}

const requestsCache = new WeakMap<object, ResourceAmounts>()

/**
 * A pod's effective request, as the scheduler counts it: the larger of the sum over regular
 * containers (and sidecars, init containers with restartPolicy Always) and, for each init
 * container, its own request plus the sidecars started before it; plus pod overhead; plus one
 * `pods`. Cached per spec object, since stored specs are frozen and shared.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { podRequests } from 'kubesim'
 * const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {
 *   initContainers: [{ name: 'init', resources: { requests: { cpu: '2' } } }],
 *   containers: [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } }, { name: 'b', resources: { limits: { cpu: '1' } } }],
 * } }
 * expect(podRequests(pod)).toEqual({ cpu: 2000, memory: 1073741824, pods: 1 })
 * ```
 */
export const podRequests = (pod: KubeObject): ResourceAmounts => {
  const spec = (pod['spec'] ?? {}) as PodSpecLike
  const cached = requestsCache.get(spec)
  if (cached !== undefined) return cached
  let regular: ResourceAmounts = {}
  let sidecars: ResourceAmounts = {}
  let initPeak: ResourceAmounts = {}
  for (const init of spec.initContainers ?? []) {
    const own = containerRequests(init)
    if (init.restartPolicy === 'Always') {
      sidecars = addAmounts(sidecars, own)
      initPeak = maxAmounts(initPeak, sidecars)
    } else initPeak = maxAmounts(initPeak, addAmounts(sidecars, own))
  }
  for (const c of spec.containers ?? []) regular = addAmounts(regular, containerRequests(c))
  const total = addAmounts(addAmounts(maxAmounts(addAmounts(regular, sidecars), initPeak), toAmounts(spec.overhead)), { pods: 1 })
  if (typeof spec === 'object' && spec !== null && Object.isFrozen(spec)) requestsCache.set(spec, total)
  return total
}

/**
 * A node's allocatable resources (status.allocatable, else status.capacity) as amounts.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { nodeAllocatable } from 'kubesim'
 * const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { allocatable: { cpu: '4', pods: '110' } } }
 * expect(nodeAllocatable(node)).toEqual({ cpu: 4000, pods: 110 })
 * ```
 */
export const nodeAllocatable = (node: KubeObject): ResourceAmounts => {
  const status = (node['status'] ?? {}) as { readonly allocatable?: Record<string, string>; readonly capacity?: Record<string, string> }
  return toAmounts(status.allocatable ?? status.capacity)
}

/**
 * Whether a pod holds node resources: bound to a node and not finished (Succeeded or Failed).
 * Terminating pods still hold them until they are gone, as in Kubernetes.
 *
 * @category quantities
 * @since 0.1.0
 * @example
 * ```ts
 * import { holdsNodeResources } from 'kubesim'
 * expect(holdsNodeResources({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n' }, status: { phase: 'Running' } })).toBe(true)
 * expect(holdsNodeResources({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n' }, status: { phase: 'Succeeded' } })).toBe(false)
 * ```
 */
export const holdsNodeResources = (pod: KubeObject): boolean => {
  const nodeName = (pod['spec'] as PodSpecLike | undefined)?.nodeName
  const phase = (pod['status'] as { readonly phase?: string } | undefined)?.phase
  return typeof nodeName === 'string' && nodeName !== '' && phase !== 'Succeeded' && phase !== 'Failed'
}
