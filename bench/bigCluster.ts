/**
 * The S1 cluster of issue 9, shared by bench/bigbang.ts, bench/recovery.ts and bench/guard.ts:
 * N nodes, D Deployments of R replicas spread over 10 namespaces, S ClusterIP Services each
 * selecting one Deployment's pods. `converge` runs it from applied manifests to converged and
 * `verifyConverged` checks the result honestly (every object, not a sample), so a benchmark
 * never times a run that did not do the work.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { apply, type ClusterState, createCluster, get, list, runUntil } from '../src/index.js'

export interface BigClusterSize {
  readonly nodes: number
  readonly deployments: number
  readonly replicas: number
  readonly services: number
  readonly namespaces: number
}

/**
 * S1's size: 5,000 nodes, 1,000 Deployments x 100 replicas, 1,000 Services, 10 namespaces.
 * KUBESIM_BENCH_SCALE (default 1) scales nodes, Deployments and Services (not replicas, so the
 * cost per pod stays comparable); KUBESIM_BENCH_NODES / _DEPLOYMENTS / _REPLICAS / _SERVICES
 * override one figure each.
 */
export const sizeFromEnv = (env: NodeJS.ProcessEnv = process.env): BigClusterSize => {
  const scale = Number(env['KUBESIM_BENCH_SCALE'] ?? 1)
  if (!(scale > 0)) throw new Error(`KUBESIM_BENCH_SCALE must be > 0, got ${env['KUBESIM_BENCH_SCALE']}`)
  const figure = (name: string, full: number, scaled = true): number => {
    const value = env[name] === undefined ? Math.max(1, Math.round(scaled ? full * scale : full)) : Number(env[name])
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`${name} must be a positive integer, got ${env[name]}`)
    return value
  }
  const deployments = figure('KUBESIM_BENCH_DEPLOYMENTS', 1_000)
  return {
    nodes: figure('KUBESIM_BENCH_NODES', 5_000),
    deployments,
    replicas: figure('KUBESIM_BENCH_REPLICAS', 100, false),
    services: figure('KUBESIM_BENCH_SERVICES', 1_000),
    namespaces: Math.min(10, deployments),
  }
}

export const describeSize = (size: BigClusterSize): string =>
  `${size.nodes} nodes, ${size.deployments} Deployments x ${size.replicas} replicas, ${size.services} Services`

const namespaceOf = (size: BigClusterSize, i: number): string => `ns-${i % size.namespaces}`
const appOf = (i: number): string => `app-${i}`

const unwrap = <A>(e: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(e)) throw new Error(`${what}: ${JSON.stringify(e.left).slice(0, 500)}`)
  return e.right
}

/** Empty cluster with the nodes (32 CPUs, 128 GiB, 110 pods each, three zones), nothing else. */
export const emptyCluster = (size: BigClusterSize): ClusterState => {
  const nodes = Array.from({ length: size.nodes }, (_, i) => ({
    name: `node-${String(i).padStart(5, '0')}`,
    labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` },
    capacity: { cpu: '32', memory: '128Gi', pods: '110' },
  }))
  // A /24 of pod addresses per node: 5,000 nodes need more than the default /16.
  return createCluster({ nodes, seed: 9, traceRetention: 'none', podCidr: '10.0.0.0/8', nodeCidr: '172.16.0.0/12' })
}

/** The namespaces, Deployments and Services, applied in that order (no controller has run). */
export const applyWorkloads = (state: ClusterState, size: BigClusterSize): ClusterState => {
  let s = state
  for (let n = 0; n < size.namespaces; n++) s = unwrap(apply(s, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } }), `namespace ns-${n}`)
  for (let i = 0; i < size.deployments; i++) {
    const app = appOf(i)
    s = unwrap(
      apply(s, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: namespaceOf(size, i) },
        spec: {
          replicas: size.replicas,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app } },
            spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
          },
        },
      }),
      `deployment ${app}`,
    )
  }
  for (let j = 0; j < size.services; j++) {
    const i = j % size.deployments
    s = unwrap(
      apply(s, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${j}`, namespace: namespaceOf(size, i) },
        spec: { selector: { app: appOf(i) }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      }),
      `service svc-${j}`,
    )
  }
  return s
}

type Json = Record<string, unknown>
const status = (o: { readonly [k: string]: unknown }): Json => (o['status'] ?? {}) as Json
const isReady = (pod: { readonly [k: string]: unknown }): boolean =>
  ((status(pod)['conditions'] ?? []) as ReadonlyArray<{ type: string; status: string }>).some((c) => c.type === 'Ready' && c.status === 'True')

/**
 * A cheap test for the convergence loop, run after every settle: every Deployment reports all
 * replicas updated, ready and available for its current generation, and the ready endpoints in
 * all EndpointSlices add up to every Service's replicas. `verifyConverged` then checks it fully.
 */
export const looksConverged = (state: ClusterState, size: BigClusterSize): boolean => {
  const deployments = state.objects.kinds.get('Deployment')
  if (deployments === undefined || deployments.size !== size.deployments) return false
  for (const d of deployments.values()) {
    const st = status(d)
    if (st['observedGeneration'] !== d.metadata.generation) return false
    if (st['replicas'] !== size.replicas || st['updatedReplicas'] !== size.replicas || st['readyReplicas'] !== size.replicas || st['availableReplicas'] !== size.replicas) return false
  }
  let ready = 0
  for (const slice of state.objects.kinds.get('EndpointSlice')?.values() ?? [])
    for (const e of (slice['endpoints'] ?? []) as ReadonlyArray<{ conditions?: { ready?: boolean } }>) if (e.conditions?.ready === true) ready++
  // The API server's own `kubernetes` Service has a slice too, with no pod endpoints.
  return ready >= size.services * size.replicas
}

/** Deployment `i` and the Service selecting it look converged, through the indices (cheap at any size). */
export const appLooksConverged = (state: ClusterState, size: BigClusterSize, i: number): boolean => {
  const namespace = namespaceOf(size, i)
  const d = get(state, 'Deployment', namespace, appOf(i))
  if (O.isNone(d)) return false
  const st = status(d.value)
  if (st['observedGeneration'] !== d.value.metadata.generation) return false
  if (st['replicas'] !== size.replicas || st['updatedReplicas'] !== size.replicas || st['readyReplicas'] !== size.replicas || st['availableReplicas'] !== size.replicas) return false
  if (i >= size.services) return true
  let ready = 0
  let other = 0
  for (const slice of list(state, 'EndpointSlice', { namespace, labelSelector: `kubernetes.io/service-name=svc-${i}` }))
    for (const e of (slice['endpoints'] ?? []) as ReadonlyArray<{ conditions?: { ready?: boolean } }>) {
      if (e.conditions?.ready === true) ready++
      else other++
    }
  return ready === size.replicas && other === 0
}

/** Where Deployment `i`'s objects live, and its name. */
export const appRef = (size: BigClusterSize, i: number): { readonly namespace: string; readonly name: string } => ({ namespace: namespaceOf(size, i), name: appOf(i) })

/**
 * Checks the S1 end state over every object and returns the problems (empty when converged):
 * exactly D x R active pods, each bound to a node that is up, Running, Ready, not terminating
 * and controlled by a ReplicaSet; every Deployment fully rolled out; every Service's
 * EndpointSlices list exactly its pods' IPs as ready, and nothing else but pods left
 * Terminating on `downNodes` (shown not ready).
 */
export const verifyConverged = (state: ClusterState, size: BigClusterSize, downNodes: ReadonlySet<string> = new Set()): ReadonlyArray<string> => {
  const problems: string[] = []
  const complain = (p: string): void => {
    if (problems.length < 20) problems.push(p)
  }
  const pods = state.objects.kinds.get('Pod')
  const expected = size.deployments * size.replicas
  // app -> pod IPs of Running, Ready pods
  const podIps = new Map<string, Set<string>>()
  // Pods left Terminating on a failed node: with no kubelet to confirm, they stay (as upstream).
  const strandedIps = new Set<string>()
  let active = 0
  for (const pod of pods?.values() ?? []) {
    const st = status(pod)
    const name = `${pod.metadata.namespace}/${pod.metadata.name}`
    const nodeName = (pod['spec'] as Json)['nodeName']
    const ip = st['podIP']
    if (typeof nodeName === 'string' && downNodes.has(nodeName)) {
      if (pod.metadata.deletionTimestamp === undefined) complain(`${name} is still active on failed node ${nodeName}`)
      else if (typeof ip === 'string') strandedIps.add(ip)
      continue
    }
    active++
    if (typeof nodeName !== 'string') complain(`${name} is not bound`)
    if (st['phase'] !== 'Running' || !isReady(pod)) complain(`${name} is ${String(st['phase'])}, ready ${isReady(pod)}`)
    if (pod.metadata.deletionTimestamp !== undefined) complain(`${name} is terminating`)
    if (typeof ip !== 'string') complain(`${name} has no IP`)
    if (!(pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet' && o.controller === true)) complain(`${name} has no controlling ReplicaSet`)
    const app = `${pod.metadata.namespace}/${pod.metadata.labels?.['app'] ?? ''}`
    let set = podIps.get(app)
    if (set === undefined) podIps.set(app, (set = new Set()))
    if (typeof ip === 'string') {
      if (set.has(ip)) complain(`${name}: IP ${ip} used twice`)
      set.add(ip)
    }
  }
  if (active !== expected) complain(`${active} active pods, expected ${expected}`)
  for (let i = 0; i < size.deployments; i++) {
    const key = `${namespaceOf(size, i)}/${appOf(i)}`
    if ((podIps.get(key)?.size ?? 0) !== size.replicas) complain(`${key}: ${podIps.get(key)?.size ?? 0} pods with IPs, expected ${size.replicas}`)
  }
  if (!looksConverged(state, size)) complain('some Deployment status is not complete')
  // Every Service: its slices' ready endpoints are exactly its pods; anything else listed is a
  // stranded pod shown not ready.
  const byService = new Map<string, Array<{ addresses: string[]; conditions?: { ready?: boolean } }>>()
  for (const slice of state.objects.kinds.get('EndpointSlice')?.values() ?? []) {
    const svc = `${slice.metadata.namespace}/${slice.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`
    const list = byService.get(svc) ?? []
    list.push(...((slice['endpoints'] ?? []) as Array<{ addresses: string[]; conditions?: { ready?: boolean } }>))
    byService.set(svc, list)
  }
  for (let j = 0; j < size.services; j++) {
    const i = j % size.deployments
    const svc = `${namespaceOf(size, i)}/svc-${j}`
    const want = podIps.get(`${namespaceOf(size, i)}/${appOf(i)}`) ?? new Set<string>()
    const seen = new Set<string>()
    for (const e of byService.get(svc) ?? []) {
      for (const a of e.addresses) {
        if (seen.has(a)) complain(`${svc}: endpoint ${a} listed twice`)
        seen.add(a)
        if (e.conditions?.ready === true) {
          if (!want.has(a)) complain(`${svc}: ready endpoint ${a} is not one of its running pods`)
        } else if (!strandedIps.has(a)) complain(`${svc}: endpoint ${a} is not ready`)
      }
    }
    for (const a of want) if (!seen.has(a)) complain(`${svc}: pod IP ${a} missing from its EndpointSlices`)
  }
  return problems
}

/** The virtual-time budget for convergence: generous, so a slow convergence is still measured. */
export const CONVERGE_TIMEOUT = '2h'

/**
 * Runs the engine (settle, then each wakeup in turn) until `looksConverged`, calling `observe`
 * after every step (for heap sampling). Throws when it times out or does not settle.
 */
export const converge = (state: ClusterState, size: BigClusterSize, observe?: (s: ClusterState) => void): ClusterState =>
  unwrap(runUntil(state, (s) => looksConverged(s, size), { timeout: CONVERGE_TIMEOUT, ...(observe === undefined ? {} : { observe }) }), 'convergence')
