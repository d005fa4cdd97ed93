/**
 * Pods: the containers to run on one node, and the pod template every workload controller
 * stamps pods from. The codecs type what the simulator reads (containers, ports, resources,
 * probes, scheduling fields, status); defaulting and validation follow the API server
 * (`SetDefaults_PodSpec`, `ValidatePodSpec`, `ValidatePodUpdate`).
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { deepEqual } from '../internal/deepEqual.js'
import { deepFreeze, produceCopy as produce } from '../internal/immer.js'
import {
  type FieldError,
  duplicate,
  forbidden,
  invalid,
  notFound,
  required,
  unsupported,
} from '../validation/fieldError.js'
import { validateAnnotations, validateLabels } from '../validation/metadata.js'
import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.js'
import { Int32, Int64, optionalFields } from './decodeErrors.js'
import type { KindModel } from './kindModel.js'
import { kindInfo, type KindInfo } from './kinds.js'
import { IntOrString } from './intOrString.js'
import { ObjectMeta, StringMap, LooseObject } from './meta.js'
import { compareQuantity, formatQuantity, parseQuantity, QuantityString, validateResourceQuantities } from './quantity.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One port a container exposes. */
export const ContainerPort = t.intersection([
  t.type({ containerPort: Int32 }),
  optionalFields({ name: t.string, hostPort: Int32, hostIP: t.string, protocol: t.string }),
])
/** One port a container exposes. */
export type ContainerPort = t.TypeOf<typeof ContainerPort>

/** Resource amounts by resource name (`cpu`, `memory`, ...), as quantity strings. */
export const ResourceList = t.record(t.string, QuantityString)
/** Resource amounts by resource name. */
export type ResourceList = t.TypeOf<typeof ResourceList>

/** A container's resource requests and limits. */
export const ResourceRequirements = optionalFields({ requests: ResourceList, limits: ResourceList })
/** A container's resource requests and limits. */
export type ResourceRequirements = t.TypeOf<typeof ResourceRequirements>

/** A probe. The handler (`httpGet`, `tcpSocket`, `exec`, `grpc`) is kept as given. */
export const Probe = optionalFields({
  initialDelaySeconds: Int32,
  timeoutSeconds: Int32,
  periodSeconds: Int32,
  successThreshold: Int32,
  failureThreshold: Int32,
  terminationGracePeriodSeconds: Int64,
  exec: optionalFields({ command: t.array(t.string) }),
  httpGet: t.intersection([
    t.type({ port: IntOrString }),
    optionalFields({ path: t.string, host: t.string, scheme: t.string, httpHeaders: t.array(t.type({ name: t.string, value: t.string })) }),
  ]),
  tcpSocket: t.intersection([t.type({ port: IntOrString }), optionalFields({ host: t.string })]),
  grpc: t.intersection([t.type({ port: Int32 }), optionalFields({ service: t.string })]),
})
/** A probe. */
export type Probe = t.TypeOf<typeof Probe>

/** An environment variable (only literal values are typed; `valueFrom` passes through). */
export const EnvVar = t.intersection([t.type({ name: t.string }), optionalFields({ value: t.string })])
/** An environment variable. */
export type EnvVar = t.TypeOf<typeof EnvVar>

/** Where a volume is mounted in a container. */
export const VolumeMount = t.intersection([
  t.type({ name: t.string, mountPath: t.string }),
  optionalFields({ readOnly: t.boolean, subPath: t.string }),
])
/** Where a volume is mounted in a container. */
export type VolumeMount = t.TypeOf<typeof VolumeMount>

/** A container. `image` is optional in the codec so that a missing one is a validation error. */
export const Container = t.intersection([
  t.type({ name: t.string }),
  optionalFields({
    image: t.string,
    imagePullPolicy: t.string,
    command: t.array(t.string),
    args: t.array(t.string),
    ports: t.array(ContainerPort),
    env: t.array(EnvVar),
    resources: ResourceRequirements,
    volumeMounts: t.array(VolumeMount),
    readinessProbe: Probe,
    livenessProbe: Probe,
    startupProbe: Probe,
    restartPolicy: t.string,
    terminationMessagePath: t.string,
    terminationMessagePolicy: t.string,
  }),
])
/** A container. */
export type Container = t.TypeOf<typeof Container>

/** A toleration of node taints. */
export const Toleration = optionalFields({
  key: t.string,
  operator: t.string,
  value: t.string,
  effect: t.string,
  tolerationSeconds: Int64,
})
/** A toleration of node taints. */
export type Toleration = t.TypeOf<typeof Toleration>

/** A pod volume. Only the claim reference is typed; other sources pass through. */
export const Volume = t.intersection([
  t.type({ name: t.string }),
  optionalFields({
    persistentVolumeClaim: t.intersection([t.type({ claimName: t.string }), optionalFields({ readOnly: t.boolean })]),
    configMap: LooseObject,
    secret: LooseObject,
    emptyDir: LooseObject,
    hostPath: t.intersection([t.type({ path: t.string }), optionalFields({ type: t.string })]),
  }),
])
/** A pod volume. */
export type Volume = t.TypeOf<typeof Volume>

const PodSpecFields = t.intersection([
  t.type({ containers: t.array(Container) }),
  optionalFields({
    initContainers: t.array(Container),
    restartPolicy: t.string,
    nodeName: t.string,
    nodeSelector: StringMap,
    affinity: LooseObject,
    tolerations: t.array(Toleration),
    terminationGracePeriodSeconds: Int64,
    activeDeadlineSeconds: Int64,
    dnsPolicy: t.string,
    hostname: t.string,
    subdomain: t.string,
    schedulerName: t.string,
    priority: Int32,
    priorityClassName: t.string,
    hostNetwork: t.boolean,
    volumes: t.array(Volume),
    serviceAccountName: t.string,
    securityContext: LooseObject,
    enableServiceLinks: t.boolean,
  }),
])

/**
 * The pod spec. `affinity` is an opaque record here; the scheduler refines it. A frozen spec
 * that decoded to itself before passes as itself: a vetted template's (see `vetPodTemplate`),
 * so a pod created from it decodes only what its controller added, and a stored pod's, which
 * stays the same object through the pod's status writes.
 */
export const PodSpec: typeof PodSpecFields = new t.IntersectionType(
  PodSpecFields.name,
  PodSpecFields.is,
  (u, c) => {
    if (decodedSpecs.has(u as object)) return t.success(u as t.TypeOf<typeof PodSpecFields>)
    const decoded = PodSpecFields.validate(u, c)
    if (E.isRight(decoded) && decoded.right === u && Object.isFrozen(u)) decodedSpecs.add(u as object)
    return decoded
  },
  PodSpecFields.encode,
  PodSpecFields.types,
)

/**
 * Frozen pod specs known to decode to themselves (a pod's spec stays the same object through
 * its status writes, which the validation-closure invariant decodes again), and those known
 * to validate clean as a pod's spec.
 */
const decodedSpecs = new WeakSet<object>()
const cleanPodSpecs = new WeakSet<object>()

/** A pod's spec rules, remembered for a frozen spec that has none broken (see `decodedSpecs`). */
const validatePodsSpec = (pod: Pod): ReadonlyArray<FieldError> => {
  if (cleanPodSpecs.has(pod.spec)) return []
  const errors = validatePodSpec(pod.spec, 'spec')
  if (errors.length === 0 && Object.isFrozen(pod.spec)) cleanPodSpecs.add(pod.spec)
  return errors
}
/** The pod spec. */
export type PodSpec = t.TypeOf<typeof PodSpec>

const PodTemplateSpecFields = optionalFields({ metadata: ObjectMeta, spec: PodSpec })

/**
 * Pod templates that stored objects hold and that admission found clean: decoded to
 * themselves, already defaulted, without unknown fields, and validated without a finding.
 * Stored objects are deep-frozen, so all of that stays true, and an update that carries the
 * stored template over unchanged (a Deployment scaling its ReplicaSet) skips the template's
 * checks. Only objects admission froze are ever added.
 */
const vettedTemplates = new WeakSet<object>()
/** The specs of vetted templates: decoded to themselves and free of unknown fields as pod specs. */
const vettedSpecs = new WeakSet<object>()

/**
 * Records that admission found `template`, part of an object it is about to store, clean (see
 * `vettedTemplates`). Ignored unless the template is frozen.
 *
 * @internal
 */
export const vetPodTemplate = (template: unknown): void => {
  if (typeof template !== 'object' || template === null || !Object.isFrozen(template)) return
  vettedTemplates.add(template)
  const spec = (template as { readonly spec?: unknown }).spec
  if (typeof spec === 'object' && spec !== null && Object.isFrozen(spec)) {
    vettedSpecs.add(spec)
    decodedSpecs.add(spec)
  }
}

/**
 * Whether `value` is a pod template admission already found clean (see `vetPodTemplate`).
 *
 * @internal
 */
export const isVettedPodTemplate = (value: unknown): boolean => typeof value === 'object' && value !== null && vettedTemplates.has(value)

/**
 * Whether `value` is the spec of a vetted pod template: it decodes to itself as a pod spec and
 * holds no unknown field. (Validation still runs on a pod's spec: a pod's defaults differ.)
 *
 * @internal
 */
export const isVettedPodSpec = (value: unknown): boolean => typeof value === 'object' && value !== null && vettedSpecs.has(value)

/**
 * The template controllers create pods from. `spec` is optional, as in kubernetes-types; an
 * absent one reads as an empty spec (see `templatePodSpec`), as the API server decodes it. A
 * template admission already vetted (see `vetPodTemplate`) passes as itself.
 */
export const PodTemplateSpec: typeof PodTemplateSpecFields = new t.PartialType(
  PodTemplateSpecFields.name,
  PodTemplateSpecFields.is,
  (u, c) => (isVettedPodTemplate(u) ? t.success(u as t.TypeOf<typeof PodTemplateSpecFields>) : PodTemplateSpecFields.validate(u, c)),
  PodTemplateSpecFields.encode,
  PodTemplateSpecFields.props,
)
/** The template controllers create pods from. */
export type PodTemplateSpec = t.TypeOf<typeof PodTemplateSpec>

// The kubelet and the binding subresource write `lastProbeTime: null`, as Kubernetes serialises a
// nil time; the value passes through. The static type stays `string`, as in kubernetes-types.
const NullableTime = new t.Type<string, string, unknown>(
  'string',
  t.string.is,
  (u, c) => (u === null ? t.success(u as unknown as string) : t.string.validate(u, c)),
  t.identity,
)

/** A pod condition (`PodScheduled`, `Initialized`, `ContainersReady`, `Ready`). */
export const PodCondition = t.intersection([
  t.type({ type: t.string, status: t.string }),
  optionalFields({ reason: t.string, message: t.string, lastTransitionTime: t.string, lastProbeTime: NullableTime }),
])
/** A pod condition. */
export type PodCondition = t.TypeOf<typeof PodCondition>

/** A container's state: at most one of waiting, running, terminated. */
export const ContainerState = optionalFields({
  waiting: optionalFields({ reason: t.string, message: t.string }),
  running: optionalFields({ startedAt: t.string }),
  terminated: t.intersection([
    t.type({ exitCode: Int32 }),
    optionalFields({ reason: t.string, message: t.string, signal: Int32, startedAt: t.string, finishedAt: t.string }),
  ]),
})
/** A container's state. */
export type ContainerState = t.TypeOf<typeof ContainerState>

/** The status the kubelet reports for one container. `image` and `imageID` are required, as in kubernetes-types. */
export const ContainerStatus = t.intersection([
  t.type({ name: t.string, ready: t.boolean, restartCount: Int32, image: t.string, imageID: t.string }),
  optionalFields({
    containerID: t.string,
    started: t.boolean,
    state: ContainerState,
    lastState: ContainerState,
  }),
])
/** The status the kubelet reports for one container. */
export type ContainerStatus = t.TypeOf<typeof ContainerStatus>

/** The pod status. */
export const PodStatus = optionalFields({
  phase: t.string,
  conditions: t.array(PodCondition),
  message: t.string,
  reason: t.string,
  nominatedNodeName: t.string,
  hostIP: t.string,
  hostIPs: t.array(optionalFields({ ip: t.string })),
  podIP: t.string,
  podIPs: t.array(optionalFields({ ip: t.string })),
  startTime: t.string,
  initContainerStatuses: t.array(ContainerStatus),
  containerStatuses: t.array(ContainerStatus),
  qosClass: t.string,
})
/** The pod status. */
export type PodStatus = t.TypeOf<typeof PodStatus>

/** A pod. */
export const Pod = t.intersection([
  t.type({
    apiVersion: t.literal('v1'),
    kind: t.literal('Pod'),
    metadata: t.intersection([t.type({ name: t.string }), ObjectMeta]),
    spec: PodSpec,
  }),
  optionalFields({ status: PodStatus }),
])
/** A pod. */
export type Pod = t.TypeOf<typeof Pod>

/** The restart policies a pod may have. */
export const RESTART_POLICIES: ReadonlyArray<string> = ['Always', 'OnFailure', 'Never']
/** The taint effects a toleration or taint may name. */
export const TAINT_EFFECTS: ReadonlyArray<string> = ['NoSchedule', 'PreferNoSchedule', 'NoExecute']
const DNS_POLICIES: ReadonlyArray<string> = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']
const PROTOCOLS: ReadonlyArray<string> = ['SCTP', 'TCP', 'UDP']
const PULL_POLICIES: ReadonlyArray<string> = ['Always', 'IfNotPresent', 'Never']
const TERMINATION_MESSAGE_POLICIES: ReadonlyArray<string> = ['File', 'FallbackToLogsOnError']

// ---------------------------------------------------------------------------------------------
// getters
// ---------------------------------------------------------------------------------------------

const EMPTY_POD_SPEC: PodSpec = { containers: [] }

/**
 * A template's pod spec. `spec` is optional in a template (as in kubernetes-types); an absent
 * one reads as the empty spec, as the API server decodes it (Go's non-pointer `PodSpec`).
 *
 * @internal
 */
export const templatePodSpec = (template: PodTemplateSpec): PodSpec => template.spec ?? EMPTY_POD_SPEC

/**
 * The image pull policy the API server defaults for an image: `Always` for `:latest` or an
 * untagged image without a digest, `IfNotPresent` otherwise.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultImagePullPolicy } from 'kubesim'
 * expect(defaultImagePullPolicy('nginx')).toBe('Always')
 * expect(defaultImagePullPolicy('nginx:1.27')).toBe('IfNotPresent')
 * expect(defaultImagePullPolicy('localhost:5000/app')).toBe('Always')
 * expect(defaultImagePullPolicy('nginx@sha256:abc')).toBe('IfNotPresent')
 * ```
 */
export const defaultImagePullPolicy = (image: string): 'Always' | 'IfNotPresent' => {
  const at = image.indexOf('@')
  const withoutDigest = at < 0 ? image : image.slice(0, at)
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1)
  const colon = lastSegment.lastIndexOf(':')
  const tag = colon < 0 ? (at < 0 ? 'latest' : '') : lastSegment.slice(colon + 1)
  return tag === 'latest' ? 'Always' : 'IfNotPresent'
}

/**
 * A pod's quality-of-service class, as the API server records it in `status.qosClass`:
 * `Guaranteed` when every container has cpu and memory limits equal to its requests,
 * `BestEffort` when no container requests or limits anything, `Burstable` otherwise.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { podQosClass } from 'kubesim'
 * expect(podQosClass({ containers: [{ name: 'a', image: 'x' }] })).toBe('BestEffort')
 * expect(podQosClass({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] })).toBe('Guaranteed')
 * expect(podQosClass({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '1' } } }] })).toBe('Burstable')
 * ```
 */
export const podQosClass = (spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' => {
  const all = [...(spec.initContainers ?? []), ...spec.containers]
  const counted = (list: ResourceList | undefined): ReadonlyArray<string> =>
    Object.entries(list ?? {})
      .filter(([name, q]) => (name === 'cpu' || name === 'memory' || name.startsWith('hugepages-')) && !isZeroQuantity(q))
      .map(([name]) => name)
  let any = false
  let guaranteed = true
  for (const c of all) {
    const req = c.resources?.requests ?? {}
    const lim = c.resources?.limits ?? {}
    if (counted(req).length > 0 || counted(lim).length > 0) any = true
    for (const r of ['cpu', 'memory']) {
      const l = lim[r]
      const q = req[r] ?? l
      if (l === undefined || q === undefined || isZeroQuantity(l) || !sameQuantity(q, l)) guaranteed = false
    }
  }
  if (!any) return 'BestEffort'
  return guaranteed ? 'Guaranteed' : 'Burstable'
}

const isZeroQuantity = (q: string): boolean => {
  const p = parseQuantity(q)
  return p._tag === 'Right' && p.right.nanos === 0n
}

const sameQuantity = (a: string, b: string): boolean => {
  const pa = parseQuantity(a)
  const pb = parseQuantity(b)
  return pa._tag === 'Right' && pb._tag === 'Right' && compareQuantity(pa.right, pb.right) === 0
}

// ---------------------------------------------------------------------------------------------
// operations: defaults
// ---------------------------------------------------------------------------------------------

type ContainerDraft = { -readonly [K in keyof Container]: Container[K] }

const isDefaultedProbe = (probe: Probe | undefined): boolean =>
  probe === undefined ||
  (probe.timeoutSeconds !== undefined && probe.periodSeconds !== undefined && probe.successThreshold !== undefined && probe.failureThreshold !== undefined)

const isDefaultedContainer = (c: Container, hostNetwork: boolean): boolean =>
  (c.imagePullPolicy !== undefined || c.image === undefined || c.image === '') &&
  c.terminationMessagePath !== undefined &&
  c.terminationMessagePolicy !== undefined &&
  c.resources !== undefined &&
  (c.ports ?? []).every((p) => p.protocol !== undefined && p.protocol !== '' && !(hostNetwork && (p.hostPort === undefined || p.hostPort === 0))) &&
  isDefaultedProbe(c.readinessProbe) &&
  isDefaultedProbe(c.livenessProbe) &&
  isDefaultedProbe(c.startupProbe)

/** Whether `defaultPodSpec` would change nothing: checked without immer, as most writes are of defaulted pods. */
const isDefaultedPodSpec = (spec: PodSpec): boolean => {
  if (spec.restartPolicy === undefined || spec.restartPolicy === '' || spec.terminationGracePeriodSeconds === undefined) return false
  if (spec.dnsPolicy === undefined || spec.dnsPolicy === '' || spec.schedulerName === undefined || spec.schedulerName === '') return false
  if (spec.securityContext === undefined) return false
  const hostNetwork = spec.hostNetwork === true
  return (spec.initContainers ?? []).every((c) => isDefaultedContainer(c, hostNetwork)) && spec.containers.every((c) => isDefaultedContainer(c, hostNetwork))
}

const defaultContainerInPlace = (c: ContainerDraft, hostNetwork: boolean): void => {
  if (c.imagePullPolicy === undefined && c.image !== undefined && c.image !== '')
    c.imagePullPolicy = defaultImagePullPolicy(c.image)
  if (c.terminationMessagePath === undefined) c.terminationMessagePath = '/dev/termination-log'
  if (c.terminationMessagePolicy === undefined) c.terminationMessagePolicy = 'File'
  if (c.resources === undefined) c.resources = {}
  for (const p of c.ports ?? []) {
    if (p.protocol === undefined || p.protocol === '') p.protocol = 'TCP'
    if (hostNetwork && (p.hostPort === undefined || p.hostPort === 0)) p.hostPort = p.containerPort
  }
  for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
    if (probe === undefined) continue
    if (probe.timeoutSeconds === undefined) probe.timeoutSeconds = 1
    if (probe.periodSeconds === undefined) probe.periodSeconds = 10
    if (probe.successThreshold === undefined) probe.successThreshold = 1
    if (probe.failureThreshold === undefined) probe.failureThreshold = 3
  }
}

/**
 * Applies the API server's pod spec defaults (`SetDefaults_PodSpec` and the container ones):
 * restartPolicy `Always`, terminationGracePeriodSeconds 30, dnsPolicy `ClusterFirst`,
 * schedulerName `default-scheduler`, securityContext `{}`, and per container imagePullPolicy,
 * terminationMessagePath/Policy, `resources: {}`, port protocol `TCP` and probe timings.
 * Returns the same reference when nothing was missing.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultPodSpec } from 'kubesim'
 * const spec = defaultPodSpec({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] })
 * expect(spec.restartPolicy).toBe('Always')
 * expect(spec.terminationGracePeriodSeconds).toBe(30)
 * expect(spec.containers[0]?.imagePullPolicy).toBe('Always')
 * expect(spec.containers[0]?.ports?.[0]?.protocol).toBe('TCP')
 * expect(defaultPodSpec(spec)).toBe(spec)
 * ```
 */
export const defaultPodSpec = (spec: PodSpec): PodSpec =>
  isDefaultedPodSpec(spec)
    ? spec
    : produce(spec, (d) => {
    if (d.restartPolicy === undefined || d.restartPolicy === '') d.restartPolicy = 'Always'
    if (d.terminationGracePeriodSeconds === undefined) d.terminationGracePeriodSeconds = 30
    if (d.dnsPolicy === undefined || d.dnsPolicy === '') d.dnsPolicy = 'ClusterFirst'
    if (d.schedulerName === undefined || d.schedulerName === '') d.schedulerName = 'default-scheduler'
    if (d.securityContext === undefined) d.securityContext = {}
    const hostNetwork = d.hostNetwork === true
    for (const c of d.initContainers ?? []) defaultContainerInPlace(c as ContainerDraft, hostNetwork)
    for (const c of d.containers) defaultContainerInPlace(c as ContainerDraft, hostNetwork)
  })

/**
 * Applies pod spec defaults inside a template (metadata is left as is). An absent spec is
 * defaulted as an empty one, as the API server does, so validation then reports its missing
 * containers.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultPodTemplateSpec } from 'kubesim'
 * const tpl = defaultPodTemplateSpec({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } })
 * expect(tpl.spec?.dnsPolicy).toBe('ClusterFirst')
 * expect(tpl.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent')
 * expect(defaultPodTemplateSpec(tpl)).toBe(tpl)
 * ```
 */
export const defaultPodTemplateSpec = (template: PodTemplateSpec): PodTemplateSpec => {
  if (isVettedPodTemplate(template)) return template
  const spec = defaultPodSpec(templatePodSpec(template))
  return spec === template.spec ? template : { ...template, spec }
}

/**
 * Applies the defaults a created Pod gets on top of the spec ones: `enableServiceLinks: true`,
 * requests copied from limits where unset, `status.phase: Pending` and `status.qosClass`.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { defaultPod } from 'kubesim'
 * const pod = defaultPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } } }] } })
 * expect(pod.spec.containers[0]?.resources?.requests).toEqual({ cpu: '1' })
 * expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' })
 * expect(defaultPod(pod)).toBe(pod)
 * ```
 */
export const defaultPod = (pod: Pod): Pod => {
  const spec = defaultPodSpec(pod.spec)
  const withSpec = spec === pod.spec ? pod : { ...pod, spec }
  const requestsCoverLimits = [...(spec.initContainers ?? []), ...spec.containers].every((c) =>
    Object.keys(c.resources?.limits ?? {}).every((name) => c.resources?.requests?.[name] !== undefined),
  )
  if (spec.enableServiceLinks !== undefined && requestsCoverLimits && withSpec.status?.phase !== undefined && withSpec.status.qosClass !== undefined)
    return withSpec
  if (requestsCoverLimits) {
    // The usual case (no request to copy from a limit): set enableServiceLinks and the status
    // without copying the whole pod. Keys land where the recipe below would put them.
    const nextSpec = spec.enableServiceLinks === undefined ? { ...spec, enableServiceLinks: true } : spec
    const status = withSpec.status ?? {}
    const nextStatus =
      status.phase !== undefined && status.qosClass !== undefined
        ? status
        : { ...status, ...(status.phase === undefined ? { phase: 'Pending' } : {}), ...(status.qosClass === undefined ? { qosClass: podQosClass(nextSpec) } : {}) }
    const out: Pod = { ...withSpec, spec: nextSpec, status: nextStatus }
    return Object.isFrozen(withSpec) ? deepFreeze(out) : out
  }
  return produce(withSpec, (d) => {
    if (d.spec.enableServiceLinks === undefined) d.spec.enableServiceLinks = true
    for (const c of [...(d.spec.initContainers ?? []), ...d.spec.containers]) {
      const limits = c.resources?.limits
      if (limits === undefined || c.resources === undefined) continue
      for (const [name, value] of Object.entries(limits)) {
        const requests = c.resources.requests ?? {}
        if (requests[name] === undefined) {
          requests[name] = value
          c.resources.requests = requests
        }
      }
    }
    if (d.status === undefined) d.status = {}
    if (d.status.phase === undefined) d.status.phase = 'Pending'
    if (d.status.qosClass === undefined) d.status.qosClass = podQosClass(d.spec as PodSpec)
  })
}

// ---------------------------------------------------------------------------------------------
// operations: validation
// ---------------------------------------------------------------------------------------------

const NONNEGATIVE = 'must be greater than or equal to 0'
const PORT_RANGE = 'must be between 1 and 65535, inclusive'

/**
 * Checks an IANA service (port) name as `IsValidPortName`: at most 15 characters of
 * `[-a-z0-9]`, at least one letter, no leading, trailing or doubled hyphen.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { isValidPortName } from 'kubesim'
 * expect(isValidPortName('http')).toEqual([])
 * expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)'])
 * ```
 */
export const isValidPortName = (port: string): ReadonlyArray<string> => {
  const errors: string[] = []
  if (port.length > 15) errors.push('must be no more than 15 characters')
  if (!/^[-a-z0-9]+$/.test(port)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (!/[a-z]/.test(port)) errors.push('must contain at least one letter (a-z)')
  if (port.includes('--')) errors.push('must not contain consecutive hyphens')
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errors.push('must not begin or end with a hyphen')
  return errors
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage'])
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
])

const validateContainerResourceName = (name: string, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = isQualifiedName(name).map((msg) => invalid(path, name, msg))
  if (errors.length > 0) return errors
  if (!name.includes('/')) {
    const hugePages = name.startsWith('hugepages-')
    if (!STANDARD_RESOURCES.has(name) && !hugePages)
      errors.push(invalid(path, name, 'must be a standard resource type or fully qualified'))
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !hugePages)
      errors.push(invalid(path, name, 'must be a standard resource for containers'))
  }
  return errors
}

const validateResources = (resources: ResourceRequirements | undefined, path: string): ReadonlyArray<FieldError> => {
  if (resources === undefined) return []
  const errors: FieldError[] = []
  const limits = resources.limits ?? {}
  const requests = resources.requests ?? {}
  for (const name of Object.keys(limits)) errors.push(...validateContainerResourceName(name, `${path}.limits[${name}]`))
  errors.push(...validateResourceQuantities(limits, `${path}.limits`))
  for (const name of Object.keys(requests)) errors.push(...validateContainerResourceName(name, `${path}.requests[${name}]`))
  errors.push(...validateResourceQuantities(requests, `${path}.requests`))
  for (const [name, value] of Object.entries(requests)) {
    const limit = limits[name]
    if (limit === undefined) continue
    const q = parseQuantity(value)
    const l = parseQuantity(limit)
    if (q._tag === 'Right' && l._tag === 'Right' && compareQuantity(q.right, l.right) > 0)
      errors.push(
        invalid(
          `${path}.requests`,
          formatQuantity(q.right),
          `must be less than or equal to ${name} limit of ${formatQuantity(l.right)}`,
        ),
      )
  }
  return errors
}

const validateProbe = (probe: Probe | undefined, path: string, mustSucceedOnce: boolean): ReadonlyArray<FieldError> => {
  if (probe === undefined) return []
  const errors: FieldError[] = []
  const handlers = [probe.exec, probe.httpGet, probe.tcpSocket, probe.grpc].filter((h) => h !== undefined)
  if (handlers.length === 0) errors.push(required(path, 'must specify a handler type'))
  else if (handlers.length > 1) errors.push(forbidden(path, 'may not specify more than 1 handler type'))
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[key]
    if (v !== undefined && v < 0) errors.push(invalid(`${path}.${key}`, v, NONNEGATIVE))
  }
  if (mustSucceedOnce && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    errors.push(invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'))
  return errors
}

const validatePorts = (
  ports: ReadonlyArray<ContainerPort> | undefined,
  path: string,
  hostPorts: Set<string>,
): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const names = new Set<string>()
  ;(ports ?? []).forEach((p, i) => {
    const at = `${path}[${i}]`
    if (p.name !== undefined && p.name !== '') {
      for (const msg of isValidPortName(p.name)) errors.push(invalid(`${at}.name`, p.name, msg))
      if (names.has(p.name)) errors.push(duplicate(`${at}.name`, p.name))
      names.add(p.name)
    }
    if (p.containerPort === 0) errors.push(required(`${at}.containerPort`))
    else if (p.containerPort < 1 || p.containerPort > 65535) errors.push(invalid(`${at}.containerPort`, p.containerPort, PORT_RANGE))
    if (p.hostPort !== undefined && p.hostPort !== 0) {
      if (p.hostPort < 1 || p.hostPort > 65535) errors.push(invalid(`${at}.hostPort`, p.hostPort, PORT_RANGE))
      const key = `${p.hostPort}/${p.protocol ?? 'TCP'}`
      // AccumulateUniqueHostPorts: the same hostPort and protocol twice in one pod.
      if (hostPorts.has(key)) errors.push(duplicate(`${at}.hostPort`, key))
      hostPorts.add(key)
    }
    if (p.protocol === '') errors.push(required(`${at}.protocol`))
    else if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errors.push(unsupported(`${at}.protocol`, p.protocol, PROTOCOLS))
  })
  return errors
}

const validateContainerList = (
  containers: ReadonlyArray<Container>,
  path: string,
  volumes: ReadonlySet<string>,
  otherNames: ReadonlySet<string>,
  hostPorts: Set<string>,
  init: boolean,
): { readonly errors: ReadonlyArray<FieldError>; readonly names: ReadonlySet<string> } => {
  const errors: FieldError[] = []
  const names = new Set<string>()
  containers.forEach((c, i) => {
    const at = `${path}[${i}]`
    if (c.name === '') errors.push(required(`${at}.name`))
    else {
      for (const msg of isDns1123Label(c.name)) errors.push(invalid(`${at}.name`, c.name, msg))
      if (names.has(c.name) || otherNames.has(c.name)) errors.push(duplicate(`${at}.name`, c.name))
      names.add(c.name)
    }
    if (c.image === undefined || c.image === '') errors.push(required(`${at}.image`))
    else if (c.image.trim() !== c.image) errors.push(invalid(`${at}.image`, c.image, 'must not have leading or trailing whitespace'))
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy))
      errors.push(unsupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES))
    if (c.terminationMessagePolicy !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy))
      errors.push(unsupported(`${at}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES))
    errors.push(...validatePorts(c.ports, `${at}.ports`, hostPorts))
    errors.push(...validateResources(c.resources, `${at}.resources`))
    ;(c.volumeMounts ?? []).forEach((m, j) => {
      const mat = `${at}.volumeMounts[${j}]`
      if (m.name === '') errors.push(required(`${mat}.name`))
      else if (!volumes.has(m.name)) errors.push(notFound(`${mat}.name`, m.name))
      if (m.mountPath === '') errors.push(required(`${mat}.mountPath`))
    })
    ;(c.env ?? []).forEach((e, j) => {
      if (e.name === '') errors.push(required(`${at}.env[${j}].name`))
    })
    if (init) {
      // Sidecars (restartPolicy: Always) may have probes; plain init containers may not.
      const sidecar = c.restartPolicy === 'Always'
      if (c.restartPolicy !== undefined && !sidecar) errors.push(unsupported(`${at}.restartPolicy`, c.restartPolicy, ['Always']))
      if (!sidecar) {
        if (c.readinessProbe !== undefined) errors.push(forbidden(`${at}.readinessProbe`, 'may not be set for init containers without restartPolicy=Always'))
        if (c.livenessProbe !== undefined) errors.push(forbidden(`${at}.livenessProbe`, 'may not be set for init containers without restartPolicy=Always'))
        if (c.startupProbe !== undefined) errors.push(forbidden(`${at}.startupProbe`, 'may not be set for init containers without restartPolicy=Always'))
      }
    } else if (c.restartPolicy !== undefined) {
      errors.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'))
    }
    errors.push(...validateProbe(c.readinessProbe, `${at}.readinessProbe`, false))
    errors.push(...validateProbe(c.livenessProbe, `${at}.livenessProbe`, true))
    errors.push(...validateProbe(c.startupProbe, `${at}.startupProbe`, true))
  })
  return { errors, names }
}

/**
 * Validates a list of tolerations (`ValidateTolerations`).
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validateTolerations, formatFieldError } from 'kubesim'
 * const errors = validateTolerations([{ key: 'gpu', operator: 'Exists', value: 'yes' }], 'spec.tolerations')
 * expect(errors.map(formatFieldError)[0]).toContain("value must be empty when `operator` is 'Exists'")
 * ```
 */
export const validateTolerations = (tolerations: ReadonlyArray<Toleration> | undefined, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  ;(tolerations ?? []).forEach((tol, i) => {
    const at = `${path}[${i}]`
    const key = tol.key ?? ''
    const operator = tol.operator ?? ''
    const effect = tol.effect ?? ''
    const value = tol.value ?? ''
    if (key !== '') for (const msg of isQualifiedName(key)) errors.push(invalid(`${at}.key`, key, msg))
    if (key === '' && operator !== 'Exists')
      errors.push(
        invalid(`${at}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'),
      )
    if (tol.tolerationSeconds !== undefined && effect !== 'NoExecute')
      errors.push(invalid(`${at}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    switch (operator) {
      case '':
      case 'Equal': {
        const msgs = isValidLabelValue(value)
        if (msgs.length > 0) errors.push(invalid(`${at}.operator`, value, msgs.join(';')))
        break
      }
      case 'Exists':
        if (value !== '') errors.push(invalid(`${at}.operator`, tol, "value must be empty when `operator` is 'Exists'"))
        break
      default:
        errors.push(unsupported(`${at}.operator`, operator, ['Equal', 'Exists']))
    }
    if (effect !== '' && !TAINT_EFFECTS.includes(effect)) errors.push(unsupported(`${at}.effect`, effect, TAINT_EFFECTS))
  })
  return errors
}

/**
 * Validates a pod spec as `ValidatePodSpec`, reporting every problem under `path`
 * (`spec`, `spec.template.spec`). Meant for a defaulted spec; fields defaulting would fill
 * (restartPolicy, dnsPolicy, port protocol) are accepted when unset, rejected when empty.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePodSpec, formatFieldError } from 'kubesim'
 * const errors = validatePodSpec({ containers: [{ name: 'web', ports: [{ containerPort: 0, protocol: 'TCP' }] }], restartPolicy: 'Sometimes' }, 'spec')
 * expect(errors.map(formatFieldError)).toEqual([
 *   'spec.containers[0].image: Required value',
 *   'spec.containers[0].ports[0].containerPort: Required value',
 *   'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
 * ])
 * ```
 */
export const validatePodSpec = (spec: PodSpec, path: string): ReadonlyArray<FieldError> => {
  const errors: FieldError[] = []
  const volumeNames = new Set<string>()
  ;(spec.volumes ?? []).forEach((v, i) => {
    const at = `${path}.volumes[${i}]`
    if (v.name === '') errors.push(required(`${at}.name`))
    else {
      for (const msg of isDns1123Label(v.name)) errors.push(invalid(`${at}.name`, v.name, msg))
      if (volumeNames.has(v.name)) errors.push(duplicate(`${at}.name`, v.name))
      volumeNames.add(v.name)
    }
    if (v.persistentVolumeClaim !== undefined && v.persistentVolumeClaim.claimName === '')
      errors.push(required(`${at}.persistentVolumeClaim.claimName`))
  })
  const hostPorts = new Set<string>()
  if (spec.containers.length === 0) errors.push(required(`${path}.containers`))
  const main = validateContainerList(spec.containers, `${path}.containers`, volumeNames, new Set(), hostPorts, false)
  errors.push(...main.errors)
  errors.push(
    ...validateContainerList(spec.initContainers ?? [], `${path}.initContainers`, volumeNames, main.names, hostPorts, true).errors,
  )
  // Unset enums are accepted (defaulting fills them); an explicit empty string is not.
  const restartPolicy = spec.restartPolicy
  if (restartPolicy === '') errors.push(required(`${path}.restartPolicy`))
  else if (restartPolicy !== undefined && !RESTART_POLICIES.includes(restartPolicy))
    errors.push(unsupported(`${path}.restartPolicy`, restartPolicy, RESTART_POLICIES))
  const dnsPolicy = spec.dnsPolicy
  if (dnsPolicy === '') errors.push(required(`${path}.dnsPolicy`))
  else if (dnsPolicy !== undefined && !DNS_POLICIES.includes(dnsPolicy)) errors.push(unsupported(`${path}.dnsPolicy`, dnsPolicy, DNS_POLICIES))
  errors.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`))
  if (spec.nodeName !== undefined && spec.nodeName !== '')
    for (const msg of isDns1123Subdomain(spec.nodeName)) errors.push(invalid(`${path}.nodeName`, spec.nodeName, msg))
  if (spec.hostname !== undefined && spec.hostname !== '')
    for (const msg of isDns1123Label(spec.hostname)) errors.push(invalid(`${path}.hostname`, spec.hostname, msg))
  if (spec.subdomain !== undefined && spec.subdomain !== '')
    for (const msg of isDns1123Label(spec.subdomain)) errors.push(invalid(`${path}.subdomain`, spec.subdomain, msg))
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0)
    errors.push(invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, NONNEGATIVE))
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2_147_483_647))
    errors.push(
      invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'),
    )
  if (spec.serviceAccountName !== undefined && spec.serviceAccountName !== '')
    for (const msg of isDns1123Subdomain(spec.serviceAccountName))
      errors.push(invalid(`${path}.serviceAccountName`, spec.serviceAccountName, msg))
  errors.push(...validateTolerations(spec.tolerations, `${path}.tolerations`))
  return errors
}

/**
 * Validates a pod template as `ValidatePodTemplateSpec`: template labels and annotations (on
 * `<path>.labels` and `<path>.annotations`, as Kubernetes names them), then the pod spec on
 * `<path>.spec`.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePodTemplateSpec, formatFieldError } from 'kubesim'
 * const errors = validatePodTemplateSpec({ metadata: { labels: { app: 'web' } }, spec: { containers: [] } }, 'spec.template')
 * expect(errors.map(formatFieldError)).toContain('spec.template.spec.containers: Required value')
 * ```
 */
export const validatePodTemplateSpec = (template: PodTemplateSpec, path: string): ReadonlyArray<FieldError> =>
  isVettedPodTemplate(template) ? [] : validateTemplateFields(template, path)

const validateTemplateFields = (template: PodTemplateSpec, path: string): ReadonlyArray<FieldError> => [
  ...validateLabels(template.metadata?.labels, `${path}.labels`),
  ...validateAnnotations(template.metadata?.annotations, `${path}.annotations`),
  ...validatePodSpec(templatePodSpec(template), `${path}.spec`),
]

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'


const withoutMutable = (spec: PodSpec, keepNodeName: boolean): Record<string, unknown> => {
  const { activeDeadlineSeconds: _a, tolerations: _t, terminationGracePeriodSeconds: _g, nodeName, ...rest } = spec
  return {
    ...rest,
    ...(keepNodeName && nodeName !== undefined ? { nodeName } : {}),
    containers: spec.containers.map((c) => ({ ...c, image: undefined })),
    initContainers: (spec.initContainers ?? []).map((c) => ({ ...c, image: undefined })),
  }
}

/**
 * The update rules for a pod spec (`ValidatePodUpdate`): only container images,
 * activeDeadlineSeconds (set or shortened), tolerations (additions, or a changed
 * tolerationSeconds) and terminationGracePeriodSeconds (negative to 1) may change. `nodeName`
 * may be set once (binding) but not changed.
 *
 * @category validation
 * @since 0.1.0
 * @example
 * ```ts
 * import { validatePodSpecUpdate, formatFieldError } from 'kubesim'
 * const old = { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }] }
 * expect(validatePodSpecUpdate({ containers: [{ name: 'c', image: 'nginx:2', ports: [{ containerPort: 80 }] }] }, old)).toEqual([])
 * const errors = validatePodSpecUpdate({ containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 81 }] }] }, old)
 * expect(errors.map(formatFieldError)[0]).toMatch(/^spec: Forbidden: pod updates may not change fields other than/)
 * ```
 */
export const validatePodSpecUpdate = (next: PodSpec, previous: PodSpec): ReadonlyArray<FieldError> => {
  // Status and metadata writes (the common case) keep the stored spec itself.
  if (next === previous) return []
  const errors: FieldError[] = []
  const oldNode = previous.nodeName ?? ''
  const keepNodeName = oldNode !== ''
  const oldGrace = previous.terminationGracePeriodSeconds
  const graceOk =
    next.terminationGracePeriodSeconds === oldGrace ||
    (oldGrace !== undefined && oldGrace < 0 && next.terminationGracePeriodSeconds === 1)
  const sameShape = deepEqual(withoutMutable(next, keepNodeName), withoutMutable(previous, keepNodeName))
  if (!sameShape || !graceOk || (keepNodeName && (next.nodeName ?? '') !== oldNode))
    errors.push(forbidden('spec', POD_UPDATE_MESSAGE))
  const oldDeadline = previous.activeDeadlineSeconds
  const newDeadline = next.activeDeadlineSeconds
  if (oldDeadline !== undefined) {
    if (newDeadline === undefined)
      errors.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'))
    else if (newDeadline > oldDeadline)
      errors.push(invalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'))
  }
  for (const old of previous.tolerations ?? []) {
    const found = (next.tolerations ?? []).some((n) =>
      deepEqual({ ...old, tolerationSeconds: n.tolerationSeconds }, n),
    )
    if (!found) {
      errors.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'))
      break
    }
  }
  return errors
}

// The kinds table is static: Pod is always in it.
const podInfo = kindInfo('Pod') as KindInfo

/**
 * The admission pipeline for Pods.
 *
 * @category objects
 * @since 0.1.0
 * @example
 * ```ts
 * import { podModel } from 'kubesim'
 * const pod = podModel.applyDefaults({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })
 * expect(podModel.validate(pod)).toEqual([])
 * expect(pod.spec.schedulerName).toBe('default-scheduler')
 * expect(podModel.hasStatusSubresource).toBe(true)
 * ```
 */
export const podModel: KindModel<Pod> = {
  info: podInfo,
  codec: Pod,
  schema: 'io.k8s.api.core.v1.Pod',
  applyDefaults: defaultPod,
  validate: validatePodsSpec,
  validateUpdate: (next, previous) => validatePodSpecUpdate(next.spec, previous.spec),
  hasStatusSubresource: true,
}
