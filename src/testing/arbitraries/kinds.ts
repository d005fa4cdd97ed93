/**
 * fast-check arbitraries for every simulated kind: quantities, pod specs (requests,
 * tolerations, affinity, probes, restart policies, kubesim behaviour annotations), each
 * workload kind with its strategies and policies, Services of every type, Ingresses,
 * ConfigMaps and Secrets, node specs for `createCluster`, and whole manifest sets (a
 * namespace, its workloads and the Services that select them). Every value passes the codecs
 * and validation; a test applies samples of each into a cluster.
 *
 * @module
 */
import fc from 'fast-check'
import type { KubeObject } from '../../objects/object.js'
import type { NodeOptions } from '../../sim/nodes.js'
import { dnsLabel, dns1035Label } from '../arbitraries.js'

// ---------------------------------------------------------------------------------------------
// quantities
// ---------------------------------------------------------------------------------------------

/**
 * CPU quantities as Kubernetes writes them: millicores (`250m`) or cores (`1`, `0.5`).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { cpuQuantity } from 'kubesim/testing'
 * expect(fc.sample(cpuQuantity(), { numRuns: 20, seed: 1 }).every((q) => /^\d+(\.\d+)?m?$/.test(q))).toBe(true)
 * ```
 */
export const cpuQuantity = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 1, max: 4000 }).map((m) => `${m}m`),
    fc.constantFrom('1', '2', '0.5', '0.1'),
  )

/**
 * Memory quantities in binary (`128Mi`, `1Gi`) and decimal (`500M`) suffixes, and plain bytes.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { memoryQuantity } from 'kubesim/testing'
 * expect(fc.sample(memoryQuantity(), { numRuns: 20, seed: 1 }).every((q) => /^\d+(Ki|Mi|Gi|M|G)?$/.test(q))).toBe(true)
 * ```
 */
export const memoryQuantity = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 1, max: 2048 }).map((n) => `${n}Mi`),
    fc.integer({ min: 1, max: 4 }).map((n) => `${n}Gi`),
    fc.integer({ min: 1, max: 1000 }).map((n) => `${n}M`),
    fc.integer({ min: 1024, max: 1_000_000 }).map((n) => `${n}`),
  )

// ---------------------------------------------------------------------------------------------
// pods
// ---------------------------------------------------------------------------------------------

const IMAGES = ['nginx:1.27', 'nginx:1.26', 'busybox:1.36', 'registry.example.com/app:v2']

const resources = () =>
  fc.option(
    fc.record({ cpu: cpuQuantity(), memory: memoryQuantity() }, { requiredKeys: [] }).map((requests) => ({ requests })),
    { nil: undefined },
  )

const probe = () =>
  fc.record(
    {
      httpGet: fc.record({ path: fc.constantFrom('/', '/healthz'), port: fc.integer({ min: 1, max: 65535 }) }),
      initialDelaySeconds: fc.integer({ min: 0, max: 30 }),
      periodSeconds: fc.integer({ min: 1, max: 30 }),
      failureThreshold: fc.integer({ min: 1, max: 5 }),
    },
    { requiredKeys: ['httpGet'] },
  )

const toleration = () =>
  fc.oneof(
    fc.record({ key: dnsLabel(), operator: fc.constant('Exists' as const), effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') }),
    fc.record({ key: dnsLabel(), operator: fc.constant('Equal' as const), value: dnsLabel(), effect: fc.constantFrom('NoSchedule', 'NoExecute') }),
    fc.record({ key: dnsLabel(), operator: fc.constant('Exists' as const), effect: fc.constant('NoExecute' as const), tolerationSeconds: fc.integer({ min: 0, max: 600 }) }),
  )

const ZONES = ['zone-a', 'zone-b', 'zone-c']

const affinity = (labels: Record<string, string>) =>
  fc.oneof(
    fc.subarray(ZONES, { minLength: 1 }).map((zones) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: zones }] }],
        },
      },
    })),
    fc.constant({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    }),
  )

/**
 * Values of the `kubesim.dev/*` pod behaviour annotations (start and ready delays, exit codes,
 * crashes, never-ready), or none.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { behaviourAnnotations } from 'kubesim/testing'
 * const samples = fc.sample(behaviourAnnotations(), { numRuns: 30, seed: 2 })
 * expect(samples.flatMap((a) => Object.keys(a)).every((k) => k.startsWith('kubesim.dev/'))).toBe(true)
 * ```
 */
export const behaviourAnnotations = (options: { readonly terminating?: boolean } = {}): fc.Arbitrary<Record<string, string>> =>
  fc.record<Record<string, string>>(
    {
      'kubesim.dev/start-delay': fc.constantFrom('0s', '1s', '5s'),
      'kubesim.dev/ready-delay': fc.constantFrom('0s', '2s', '10s'),
      ...(options.terminating === true
        ? { 'kubesim.dev/run-duration': fc.constantFrom('1s', '10s', '1m'), 'kubesim.dev/exit-code': fc.constantFrom('0', '1', '42') }
        : { 'kubesim.dev/crash-after': fc.constantFrom('30s', '2m'), 'kubesim.dev/never-ready': fc.constant('true') }),
    },
    { requiredKeys: [] },
  )

interface PodSpecOptions {
  readonly labels: Record<string, string>
  readonly restartPolicies: ReadonlyArray<'Always' | 'OnFailure' | 'Never'>
  readonly terminating?: boolean
}

const podSpec = (options: PodSpecOptions) =>
  fc
    .record(
      {
        restartPolicy: fc.constantFrom(...options.restartPolicies),
        image: fc.constantFrom(...IMAGES),
        resources: resources(),
        readinessProbe: fc.option(probe(), { nil: undefined }),
        livenessProbe: fc.option(probe(), { nil: undefined }),
        tolerations: fc.array(toleration(), { maxLength: 2 }),
        affinity: fc.option(affinity(options.labels), { nil: undefined }),
        terminationGracePeriodSeconds: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
      },
      { requiredKeys: ['restartPolicy', 'image', 'tolerations'] },
    )
    .map(({ restartPolicy, image, resources: res, readinessProbe, livenessProbe, tolerations, affinity: aff, terminationGracePeriodSeconds }) => ({
      restartPolicy,
      containers: [{ name: 'main', image, ...(res === undefined ? {} : { resources: res }), ...(readinessProbe === undefined ? {} : { readinessProbe }), ...(livenessProbe === undefined ? {} : { livenessProbe }) }],
      ...(tolerations.length === 0 ? {} : { tolerations }),
      ...(aff === undefined ? {} : { affinity: aff }),
      ...(terminationGracePeriodSeconds === undefined ? {} : { terminationGracePeriodSeconds }),
    }))

/** A pod template: labels, behaviour annotations and a spec. */
const podTemplate = (options: PodSpecOptions) =>
  fc.tuple(podSpec(options), behaviourAnnotations({ terminating: options.terminating ?? false })).map(([spec, annotations]) => ({
    metadata: { labels: options.labels, ...(Object.keys(annotations).length === 0 ? {} : { annotations }) },
    spec,
  }))

/**
 * A valid bare Pod with requests, tolerations, affinity, probes, a restart policy and
 * behaviour annotations.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { podManifest } from 'kubesim/testing'
 * const [pod] = fc.sample(podManifest('default'), { numRuns: 1, seed: 3 })
 * expect(pod?.kind).toBe('Pod')
 * ```
 */
export const podManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc.tuple(dnsLabel(), dnsLabel()).chain(([name, app]) =>
    podTemplate({ labels: { app }, restartPolicies: ['Always', 'OnFailure', 'Never'] }).map((t) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, ...t.metadata },
      spec: t.spec,
    })),
  )

// ---------------------------------------------------------------------------------------------
// workloads
// ---------------------------------------------------------------------------------------------

/** Options shared by the workload arbitraries. */
export interface WorkloadOptions {
  /** The object's name (default: an arbitrary DNS label). */
  readonly name?: string
  /** The `app` label its selector and template use (default: the name). */
  readonly app?: string
  /** Most replicas or completions (default 4). */
  readonly maxReplicas?: number
}

const nameAndApp = (options: WorkloadOptions) =>
  (options.name === undefined ? dnsLabel() : fc.constant(options.name)).map((name) => ({ name, app: options.app ?? name }))

const intOrPercent = () => fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`))

/**
 * A valid Deployment: a RollingUpdate strategy (maxSurge / maxUnavailable as counts or
 * percentages, not both zero) or Recreate, minReadySeconds, revisionHistoryLimit, paused.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { deploymentWithStrategy } from 'kubesim/testing'
 * const [d] = fc.sample(deploymentWithStrategy('default', { name: 'web' }), { numRuns: 1, seed: 4 })
 * expect(d?.metadata.name).toBe('web')
 * ```
 */
export const deploymentWithStrategy = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  nameAndApp(options).chain(({ name, app }) =>
    fc
      .record({
        replicas: fc.integer({ min: 0, max: options.maxReplicas ?? 4 }),
        strategy: fc.oneof(
          fc.constant({ type: 'Recreate' }),
          fc
            .tuple(intOrPercent(), intOrPercent())
            .map(([maxSurge, maxUnavailable]) => (maxSurge === 0 || maxSurge === '0%') && (maxUnavailable === 0 || maxUnavailable === '0%') ? { maxSurge: 1, maxUnavailable } : { maxSurge, maxUnavailable })
            .map((rollingUpdate) => ({ type: 'RollingUpdate', rollingUpdate })),
        ),
        minReadySeconds: fc.integer({ min: 0, max: 10 }),
        revisionHistoryLimit: fc.integer({ min: 0, max: 10 }),
        paused: fc.boolean(),
        template: podTemplate({ labels: { app }, restartPolicies: ['Always'] }),
      })
      .map((spec) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { ...spec, selector: { matchLabels: { app } } } })),
  )

/**
 * A valid ReplicaSet.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { replicaSetManifest } from 'kubesim/testing'
 * const [rs] = fc.sample(replicaSetManifest('default'), { numRuns: 1, seed: 5 })
 * expect(rs?.kind).toBe('ReplicaSet')
 * ```
 */
export const replicaSetManifest = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  nameAndApp(options).chain(({ name, app }) =>
    fc
      .record({ replicas: fc.integer({ min: 0, max: options.maxReplicas ?? 4 }), minReadySeconds: fc.integer({ min: 0, max: 5 }), template: podTemplate({ labels: { app }, restartPolicies: ['Always'] }) })
      .map((spec) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace }, spec: { ...spec, selector: { matchLabels: { app } } } })),
  )

/**
 * A valid StatefulSet: OrderedReady or Parallel pod management, RollingUpdate (with partition
 * and maxUnavailable) or OnDelete, volumeClaimTemplates and a PVC retention policy.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { statefulSetManifest } from 'kubesim/testing'
 * const [sts] = fc.sample(statefulSetManifest('default'), { numRuns: 1, seed: 6 })
 * expect(sts?.kind).toBe('StatefulSet')
 * ```
 */
export const statefulSetManifest = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  nameAndApp(options).chain(({ name, app }) =>
    fc
      .record({
        replicas: fc.integer({ min: 0, max: options.maxReplicas ?? 4 }),
        podManagementPolicy: fc.constantFrom('OrderedReady', 'Parallel'),
        updateStrategy: fc.oneof(
          fc.constant({ type: 'OnDelete' }),
          fc.record({ partition: fc.integer({ min: 0, max: 3 }), maxUnavailable: fc.integer({ min: 1, max: 2 }) }, { requiredKeys: [] }).map((rollingUpdate) => ({ type: 'RollingUpdate', rollingUpdate })),
        ),
        persistentVolumeClaimRetentionPolicy: fc.record({ whenDeleted: fc.constantFrom('Retain', 'Delete'), whenScaled: fc.constantFrom('Retain', 'Delete') }),
        volumeClaimTemplates: fc.uniqueArray(
          fc.record({ claim: fc.constantFrom('data', 'logs'), size: fc.constantFrom('1Gi', '10Gi', '500Mi') }),
          { maxLength: 2, selector: (v) => v.claim },
        ),
        template: podTemplate({ labels: { app }, restartPolicies: ['Always'] }),
      })
      .map(({ volumeClaimTemplates, ...spec }) => ({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace },
        spec: {
          ...spec,
          serviceName: name,
          selector: { matchLabels: { app } },
          volumeClaimTemplates: volumeClaimTemplates.map(({ claim, size }) => ({
            metadata: { name: claim },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
          })),
        },
      })),
  )

/**
 * A valid DaemonSet with a RollingUpdate (maxUnavailable or maxSurge) or OnDelete strategy.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { daemonSetManifest } from 'kubesim/testing'
 * const [ds] = fc.sample(daemonSetManifest('default'), { numRuns: 1, seed: 7 })
 * expect(ds?.kind).toBe('DaemonSet')
 * ```
 */
export const daemonSetManifest = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  nameAndApp(options).chain(({ name, app }) =>
    fc
      .record({
        updateStrategy: fc.oneof(
          fc.constant({ type: 'OnDelete' }),
          fc.integer({ min: 1, max: 3 }).map((maxUnavailable) => ({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable } })),
          fc.integer({ min: 1, max: 3 }).map((maxSurge) => ({ type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: 0 } })),
        ),
        template: podTemplate({ labels: { app }, restartPolicies: ['Always'] }),
      })
      .map((spec) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace }, spec: { ...spec, selector: { matchLabels: { app } } } })),
  )

const jobSpec = (maxCompletions: number) =>
  fc
    .record({
      completions: fc.integer({ min: 1, max: maxCompletions }),
      parallelism: fc.integer({ min: 1, max: 3 }),
      completionMode: fc.constantFrom('NonIndexed', 'Indexed'),
      backoffLimit: fc.integer({ min: 0, max: 6 }),
      activeDeadlineSeconds: fc.option(fc.integer({ min: 30, max: 3600 }), { nil: undefined }),
      ttlSecondsAfterFinished: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
      failurePolicy: fc.boolean(),
      restartPolicy: fc.constantFrom('Never' as const, 'OnFailure' as const),
    })
    .chain(({ failurePolicy, restartPolicy, activeDeadlineSeconds, ttlSecondsAfterFinished, ...spec }) =>
      podTemplate({ labels: {}, restartPolicies: [restartPolicy], terminating: true }).map((template) => ({
        ...spec,
        ...(activeDeadlineSeconds === undefined ? {} : { activeDeadlineSeconds }),
        ...(ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished }),
        // podFailurePolicy requires restartPolicy Never, as the API server does.
        ...(failurePolicy && restartPolicy === 'Never'
          ? { podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } }
          : {}),
        template,
      })),
    )

/**
 * A valid Job: NonIndexed or Indexed completion, parallelism, backoffLimit, deadlines, a TTL,
 * a podFailurePolicy (with restartPolicy Never), and pods that run and exit via behaviour
 * annotations.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { jobWithPolicies } from 'kubesim/testing'
 * const [job] = fc.sample(jobWithPolicies('default'), { numRuns: 1, seed: 8 })
 * expect(job?.kind).toBe('Job')
 * ```
 */
export const jobWithPolicies = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  nameAndApp(options).chain(({ name }) =>
    jobSpec(options.maxReplicas ?? 4).map((spec) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace }, spec })),
  )

/**
 * A valid CronJob: a schedule (five fields or a macro), an optional time zone, a concurrency
 * policy, a starting deadline, history limits and suspend.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { cronJobManifest } from 'kubesim/testing'
 * const [cj] = fc.sample(cronJobManifest('default'), { numRuns: 1, seed: 9 })
 * expect(cj?.kind).toBe('CronJob')
 * ```
 */
export const cronJobManifest = (namespace: string, options: WorkloadOptions = {}): fc.Arbitrary<KubeObject> =>
  (options.name === undefined ? dnsLabel().map((n) => n.slice(0, 40).replace(/-+$/, '')) : fc.constant(options.name)).chain((name) =>
    fc
      .record(
        {
          schedule: fc.constantFrom('*/5 * * * *', '0 * * * *', '@hourly', '@daily', '30 2 * * 1-5', '0 0 1 * *'),
          timeZone: fc.constantFrom('Etc/UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'),
          concurrencyPolicy: fc.constantFrom('Allow', 'Forbid', 'Replace'),
          startingDeadlineSeconds: fc.integer({ min: 10, max: 3600 }),
          successfulJobsHistoryLimit: fc.integer({ min: 0, max: 5 }),
          failedJobsHistoryLimit: fc.integer({ min: 0, max: 5 }),
          suspend: fc.boolean(),
          jobTemplate: jobSpec(options.maxReplicas ?? 3).map((spec) => ({ spec })),
        },
        { requiredKeys: ['schedule', 'jobTemplate'] },
      )
      .map((spec) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace }, spec })),
  )

// ---------------------------------------------------------------------------------------------
// services, ingress, config
// ---------------------------------------------------------------------------------------------

const servicePorts = () =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 })
    .chain((ports) =>
      fc.tuple(...ports.map((port, i) => fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constant('http')) }).map(({ protocol, targetPort }) => ({
        name: `p${i}`,
        port,
        protocol,
        targetPort,
      })))),
    )

/**
 * A valid Service of any type (ClusterIP, headless, NodePort, LoadBalancer, ExternalName) with
 * named ports; all but ExternalName select `app: <app>` when given one.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { serviceOfAnyType } from 'kubesim/testing'
 * const types = fc.sample(serviceOfAnyType('default'), { numRuns: 30, seed: 10 }).map((s) => (s.spec as { type?: string }).type)
 * expect(new Set(types).size).toBeGreaterThan(2)
 * ```
 */
export const serviceOfAnyType = (namespace: string, options: { readonly name?: string; readonly app?: string } = {}): fc.Arbitrary<KubeObject> =>
  fc
    .record({
      name: options.name === undefined ? dns1035Label() : fc.constant(options.name),
      app: options.app === undefined ? dnsLabel() : fc.constant(options.app),
      type: fc.constantFrom('ClusterIP', 'Headless', 'NodePort', 'LoadBalancer', 'ExternalName'),
    })
    .chain(({ name, app, type }) =>
      servicePorts().map((ports) => {
        const metadata = { name, namespace }
        if (type === 'ExternalName') return { apiVersion: 'v1', kind: 'Service', metadata, spec: { type, externalName: 'db.example.com', ports } }
        if (type === 'Headless') return { apiVersion: 'v1', kind: 'Service', metadata, spec: { clusterIP: 'None', selector: { app }, ports } }
        return { apiVersion: 'v1', kind: 'Service', metadata, spec: { type, selector: { app }, ports } }
      }),
    )

/**
 * A valid Ingress with an optional class, TLS and Prefix / Exact rules to a named Service.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { ingressManifest } from 'kubesim/testing'
 * const [ing] = fc.sample(ingressManifest('default', 'web'), { numRuns: 1, seed: 11 })
 * expect(ing?.kind).toBe('Ingress')
 * ```
 */
export const ingressManifest = (namespace: string, serviceName?: string): fc.Arbitrary<KubeObject> =>
  fc
    .record({
      name: dnsLabel(),
      service: serviceName === undefined ? dns1035Label() : fc.constant(serviceName),
      host: fc.constantFrom('example.com', 'app.example.org', 'a.b.example.net'),
      paths: fc.uniqueArray(fc.record({ path: fc.constantFrom('/', '/api', '/static/'), pathType: fc.constantFrom('Prefix', 'Exact') }), { minLength: 1, maxLength: 3, selector: (p) => p.path }),
      port: fc.integer({ min: 1, max: 65535 }),
      tls: fc.boolean(),
      className: fc.option(fc.constant('nginx'), { nil: undefined }),
    })
    .map(({ name, service, host, paths, port, tls, className }) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace },
      spec: {
        ...(className === undefined ? {} : { ingressClassName: className }),
        ...(tls ? { tls: [{ hosts: [host], secretName: `${name}-tls` }] } : {}),
        rules: [{ host, http: { paths: paths.map((p) => ({ ...p, backend: { service: { name: service, port: { number: port } } } })) } }],
      },
    }))

/**
 * A valid Secret (Opaque with base64 `data` or `stringData`, or a TLS Secret).
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { secretManifest } from 'kubesim/testing'
 * const [secret] = fc.sample(secretManifest('default'), { numRuns: 1, seed: 12 })
 * expect(secret?.kind).toBe('Secret')
 * ```
 */
export const secretManifest = (namespace: string): fc.Arbitrary<KubeObject> =>
  fc
    .record({ name: dnsLabel(), type: fc.constantFrom('Opaque', 'Opaque-string', 'kubernetes.io/tls'), value: fc.string({ maxLength: 12 }) })
    .map(({ name, type, value }) => {
      const b64 = Buffer.from(value, 'utf8').toString('base64')
      const metadata = { name, namespace }
      if (type === 'kubernetes.io/tls') return { apiVersion: 'v1', kind: 'Secret', metadata, type, data: { 'tls.crt': b64, 'tls.key': b64 } }
      if (type === 'Opaque-string') return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', stringData: { password: value } }
      return { apiVersion: 'v1', kind: 'Secret', metadata, type, data: { password: b64 } }
    })

// ---------------------------------------------------------------------------------------------
// nodes
// ---------------------------------------------------------------------------------------------

/**
 * Node specs for `createCluster({ nodes })`: distinct names, capacities, zone labels and taints.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { createCluster, list } from 'kubesim'
 * import { nodeOptionsList } from 'kubesim/testing'
 * const [nodes] = fc.sample(nodeOptionsList({ minNodes: 2, maxNodes: 3 }), { numRuns: 1, seed: 13 })
 * expect(list(createCluster({ nodes }), 'Node').length).toBe(nodes?.length)
 * ```
 */
export const nodeOptionsList = (options: { readonly minNodes?: number; readonly maxNodes?: number; readonly taints?: boolean } = {}): fc.Arbitrary<ReadonlyArray<NodeOptions>> =>
  fc
    .array(
      fc.record({
        cpu: fc.constantFrom('1', '2', '4', '8', '1500m'),
        memory: fc.constantFrom('2Gi', '4Gi', '16Gi'),
        pods: fc.constantFrom('10', '110'),
        zone: fc.constantFrom(...ZONES),
        taint: options.taints === false ? fc.constant(undefined) : fc.option(fc.record({ key: fc.constantFrom('dedicated', 'gpu'), value: fc.constantFrom('infra', 'true'), effect: fc.constantFrom('NoSchedule' as const, 'PreferNoSchedule' as const, 'NoExecute' as const) }), { nil: undefined, freq: 4 }),
      }),
      { minLength: options.minNodes ?? 1, maxLength: options.maxNodes ?? 4 },
    )
    .map((specs) =>
      specs.map(({ cpu, memory, pods, zone, taint }, i) => ({
        name: `node-${i + 1}`,
        labels: { 'topology.kubernetes.io/zone': zone },
        capacity: { cpu, memory, pods },
        ...(taint === undefined ? {} : { taints: [taint] }),
      })),
    )

// ---------------------------------------------------------------------------------------------
// manifest sets
// ---------------------------------------------------------------------------------------------

/**
 * A whole application: a Namespace, workloads of every kind with distinct names, a Service for
 * each long-running workload selecting its pods, and ConfigMaps, Secrets and an Ingress.
 *
 * @category testing
 * @since 0.1.0
 * @example
 * ```ts
 * import fc from 'fast-check'
 * import { applicationManifests } from 'kubesim/testing'
 * const [set] = fc.sample(applicationManifests(), { numRuns: 1, seed: 14 })
 * expect(set?.[0]?.kind).toBe('Namespace')
 * ```
 */
export const applicationManifests = (options: { readonly namespace?: string; readonly maxWorkloads?: number } = {}): fc.Arbitrary<ReadonlyArray<KubeObject>> =>
  fc
    .record({
      namespace: options.namespace === undefined ? dnsLabel().filter((n) => !n.startsWith('kube-') && n !== 'default') : fc.constant(options.namespace),
      names: fc.uniqueArray(dns1035Label().map((n) => n.slice(0, 30).replace(/-+$/, '')), { minLength: 1, maxLength: options.maxWorkloads ?? 4 }),
    })
    .chain(({ namespace, names }) =>
      fc
        .tuple(
          ...names.map((name) =>
            fc.oneof(
              deploymentWithStrategy(namespace, { name, maxReplicas: 3 }),
              replicaSetManifest(namespace, { name, maxReplicas: 3 }),
              statefulSetManifest(namespace, { name, maxReplicas: 3 }),
              daemonSetManifest(namespace, { name }),
              jobWithPolicies(namespace, { name, maxReplicas: 3 }),
              cronJobManifest(namespace, { name }),
            ),
          ),
        )
        .chain((workloads) => {
          const serving = workloads.filter((w) => w.kind !== 'Job' && w.kind !== 'CronJob')
          return fc
            .tuple(
              fc.tuple(...serving.map((w) => serviceOfAnyType(namespace, { name: w.metadata.name, app: w.metadata.name }))),
              fc.array(configMapLike(namespace), { maxLength: 2 }),
              fc.option(secretManifest(namespace), { nil: undefined }),
            )
            .chain(([services, configMaps, secret]) =>
              (services.length > 0 ? fc.option(ingressManifest(namespace, services[0]?.metadata.name), { nil: undefined }) : fc.constant(undefined)).map((ingress) => [
                { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as KubeObject,
                ...workloads,
                ...services,
                ...dedupe(configMaps),
                ...(secret === undefined ? [] : [secret]),
                ...(ingress === undefined ? [] : [ingress]),
              ]),
            )
        }),
    )

const configMapLike = (namespace: string) =>
  fc.record({ name: dnsLabel(), value: fc.string({ maxLength: 8 }) }).map(({ name, value }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { value } }) as KubeObject)

const dedupe = (objects: ReadonlyArray<KubeObject>): KubeObject[] => {
  const seen = new Set<string>()
  return objects.filter((o) => (seen.has(o.metadata.name) ? false : (seen.add(o.metadata.name), true)))
}
