import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeWithFieldErrors } from '../../src/objects/decodeErrors.js'
import {
  Pod,
  type PodSpec,
  defaultImagePullPolicy,
  defaultPod,
  defaultPodSpec,
  defaultPodTemplateSpec,
  isValidPortName,
  podModel,
  podQosClass,
  validatePodSpec,
  validatePodSpecUpdate,
  validatePodTemplateSpec,
  validateTolerations,
} from '../../src/objects/pod.js'
import { formatFieldError } from '../../src/validation/fieldError.js'

const base = (extra: Partial<PodSpec> = {}): PodSpec => defaultPodSpec({ containers: [{ name: 'web', image: 'nginx:1.27' }], ...extra })
const msgs = (spec: PodSpec, path = 'spec'): string[] => validatePodSpec(spec, path).map(formatFieldError)

describe('pod defaults', () => {
  it('fills the pod spec defaults kubectl get -o yaml shows', () => {
    const spec = defaultPodSpec({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] })
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
    })
    expect(spec.containers[0]).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      ports: [{ containerPort: 80, protocol: 'TCP' }],
    })
  })
  it('keeps given values and returns the same reference when nothing is missing', () => {
    const spec = base({ restartPolicy: 'Never', terminationGracePeriodSeconds: 5 })
    expect(spec.restartPolicy).toBe('Never')
    expect(spec.terminationGracePeriodSeconds).toBe(5)
    expect(defaultPodSpec(spec)).toBe(spec)
  })
  it('defaults probe timings', () => {
    const spec = defaultPodSpec({ containers: [{ name: 'a', image: 'x:1', readinessProbe: { httpGet: { port: 80 } } }] })
    expect(spec.containers[0]?.readinessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 })
  })
  it('defaults hostPort to containerPort with hostNetwork', () => {
    const spec = defaultPodSpec({ hostNetwork: true, containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }] }] })
    expect(spec.containers[0]?.ports?.[0]?.hostPort).toBe(8080)
  })
  it('defaults init containers too', () => {
    const spec = defaultPodSpec({ containers: [{ name: 'a', image: 'x:1' }], initContainers: [{ name: 'i', image: 'busybox' }] })
    expect(spec.initContainers?.[0]?.imagePullPolicy).toBe('Always')
  })
  it('imagePullPolicy follows the tag', () => {
    expect(defaultImagePullPolicy('nginx:latest')).toBe('Always')
    expect(defaultImagePullPolicy('nginx')).toBe('Always')
    expect(defaultImagePullPolicy('registry:5000/nginx')).toBe('Always')
    expect(defaultImagePullPolicy('registry:5000/nginx:1.2')).toBe('IfNotPresent')
    expect(defaultImagePullPolicy('nginx@sha256:0123')).toBe('IfNotPresent')
  })
  it('template defaults touch only the spec', () => {
    const tpl = defaultPodTemplateSpec({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'x:1' }] } })
    expect(tpl.spec?.restartPolicy).toBe('Always')
    expect(tpl.metadata).toEqual({ labels: { app: 'a' } })
    expect(defaultPodTemplateSpec(tpl)).toBe(tpl)
  })
  it('pod defaults add enableServiceLinks, requests from limits, phase and qosClass', () => {
    const pod = defaultPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'x:1', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1' } } }] },
    })
    expect(pod.spec.enableServiceLinks).toBe(true)
    expect(pod.spec.containers[0]?.resources?.requests).toEqual({ cpu: '1', memory: '1Gi' })
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' })
    expect(defaultPod(pod)).toBe(pod)
  })
  it('computes QoS classes', () => {
    expect(podQosClass({ containers: [{ name: 'a' }] })).toBe('BestEffort')
    expect(podQosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1' }, limits: { cpu: '1', memory: '1' } } }] })).toBe('Guaranteed')
    expect(podQosClass({ containers: [{ name: 'a', resources: { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1' } } }] })).toBe('Burstable')
  })
})

describe('pod spec validation', () => {
  it('accepts a defaulted minimal pod', () => {
    expect(msgs(base())).toEqual([])
  })
  it('requires containers', () => {
    expect(msgs(base({ containers: [] }))).toEqual(['spec.containers: Required value'])
  })
  it('checks container names', () => {
    const errs = msgs(base({ containers: [{ name: 'Web', image: 'x' }, { name: 'a', image: 'x' }, { name: 'a', image: 'x' }, { name: '', image: 'x' }] }))
    expect(errs[0]).toContain('spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label')
    expect(errs).toContain('spec.containers[2].name: Duplicate value: "a"')
    expect(errs).toContain('spec.containers[3].name: Required value')
  })
  it('init container names may not repeat container names', () => {
    expect(msgs(base({ initContainers: [{ name: 'web', image: 'x' }] }))).toEqual(['spec.initContainers[0].name: Duplicate value: "web"'])
  })
  it('requires an image', () => {
    expect(msgs(base({ containers: [{ name: 'a' }] }))).toEqual(['spec.containers[0].image: Required value'])
    expect(msgs(base({ containers: [{ name: 'a', image: '' }] }))).toEqual(['spec.containers[0].image: Required value'])
  })
  it('checks port numbers', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000, protocol: 'TCP' }, { containerPort: 80, hostPort: -1, protocol: 'TCP' }] }] })
    expect(msgs(spec)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
    ])
  })
  it('checks port names and their uniqueness', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 81, name: 'http', protocol: 'TCP' }, { containerPort: 82, name: '8080', protocol: 'TCP' }] }] })
    expect(msgs(spec)).toEqual([
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
      'spec.containers[0].ports[2].name: Invalid value: "8080": must contain at least one letter (a-z)',
    ])
  })
  it('IsValidPortName messages', () => {
    expect(isValidPortName('a-very-long-port-name')).toEqual(['must be no more than 15 characters'])
    expect(isValidPortName('Http')).toEqual(['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'])
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens'])
    expect(isValidPortName('-ab')).toEqual(['must not begin or end with a hyphen'])
    expect(isValidPortName('ab-')).toEqual(['must not begin or end with a hyphen'])
    expect(isValidPortName('web-1')).toEqual([])
  })
  it('checks protocols and duplicate host ports', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: 'HTTP' }, { containerPort: 81, hostPort: 8080, protocol: 'TCP' }, { containerPort: 82, hostPort: 8080, protocol: 'TCP' }] }] })
    expect(msgs(spec)).toEqual([
      'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].hostPort: Duplicate value: "8080/TCP"',
    ])
  })
  it('checks restartPolicy and dnsPolicy', () => {
    expect(msgs(base({ restartPolicy: 'Sometimes' }))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ])
    expect(msgs(base({ dnsPolicy: 'Google' }))).toEqual([
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
    ])
  })
  it('requests must not exceed limits', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1500m', memory: '2Gi' } } }] })
    expect(msgs(spec)).toEqual(['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1500m'])
  })
  it('rejects invalid and negative quantities and unknown resource names', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '-1', gpu: '1' }, limits: { memory: '1KM' } } }] })
    expect(msgs(spec)).toEqual([
      'spec.containers[0].resources.limits[memory]: Invalid value: "1KM": unable to parse quantity\'s suffix',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ])
  })
  it('accepts qualified extended resources', () => {
    expect(msgs(base({ containers: [{ name: 'a', image: 'x', resources: { limits: { 'nvidia.com/gpu': '1' } } }] }))).toEqual([])
  })
  it('rejects negative terminationGracePeriodSeconds and bad activeDeadlineSeconds', () => {
    expect(msgs(base({ terminationGracePeriodSeconds: -1, activeDeadlineSeconds: 0 }))).toEqual([
      'spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive',
    ])
  })
  it('checks hostname, subdomain, nodeName and nodeSelector', () => {
    const errs = msgs(base({ hostname: 'a.b', subdomain: 'Sub', nodeName: 'Node_1', nodeSelector: { 'bad key': 'v' } }))
    expect(errs[0]).toBe('spec.nodeSelector: Invalid value: "bad key": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')')
    expect(errs[1]).toMatch(/^spec\.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain/)
    expect(errs[2]).toBe('spec.hostname: Invalid value: "a.b": must not contain dots')
    expect(errs[3]).toMatch(/^spec\.subdomain: Invalid value: "Sub": a lowercase RFC 1123 label/)
  })
  it('checks volumes and mounts', () => {
    const spec = base({
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }],
      containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'cache', mountPath: '' }] }],
    })
    expect(msgs(spec)).toEqual([
      'spec.volumes[1].name: Duplicate value: "data"',
      'spec.containers[0].volumeMounts[1].name: Not found: "cache"',
      'spec.containers[0].volumeMounts[1].mountPath: Required value',
    ])
  })
  it('checks probes', () => {
    const spec = base({ containers: [{ name: 'a', image: 'x', readinessProbe: { periodSeconds: -1 }, livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } }] })
    expect(msgs(spec)).toEqual([
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    ])
  })
  it('collects errors from every container at once', () => {
    expect(msgs(base({ containers: [{ name: 'a' }, { name: 'b' }] }))).toEqual([
      'spec.containers[0].image: Required value',
      'spec.containers[1].image: Required value',
    ])
  })
})

describe('tolerations', () => {
  const tol = (t: Parameters<typeof validateTolerations>[0]) => validateTolerations(t, 'spec.tolerations').map(formatFieldError)
  it('accepts valid tolerations', () => {
    expect(tol([{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, { operator: 'Exists' }, { key: 'n', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }])).toEqual([])
  })
  it('rejects an unknown operator and effect', () => {
    expect(tol([{ key: 'k', operator: 'In', effect: 'Sometimes' }])).toEqual([
      'spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"',
      'spec.tolerations[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ])
  })
  it('forbids a value with Exists', () => {
    expect(tol([{ key: 'k', operator: 'Exists', value: 'v' }])[0]).toMatch(/^spec\.tolerations\[0\]\.operator: Invalid value: .*: value must be empty when `operator` is 'Exists'$/)
  })
  it('requires Exists with an empty key', () => {
    expect(tol([{ operator: 'Equal', value: 'v' }])).toEqual([
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    ])
  })
  it('tolerationSeconds needs NoExecute', () => {
    expect(tol([{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }])).toEqual([
      "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ])
  })
  it('checks the key and the value', () => {
    const errs = tol([{ key: '-k', value: 'a b' }])
    expect(errs[0]).toMatch(/^spec\.tolerations\[0\]\.key: Invalid value: "-k": name part must consist/)
    expect(errs[1]).toMatch(/^spec\.tolerations\[0\]\.operator: Invalid value: "a b": a valid label must be/)
  })
})

describe('pod template validation', () => {
  it('checks template labels on <path>.labels, as Kubernetes does', () => {
    const errs = validatePodTemplateSpec({ metadata: { labels: { app: 'a b' } }, spec: base() }, 'spec.template').map(formatFieldError)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatch(/^spec\.template\.labels: Invalid value: "a b": a valid label must be/)
  })
  it('prefixes pod spec errors', () => {
    expect(validatePodTemplateSpec({ spec: base({ containers: [] }) }, 'spec.template').map(formatFieldError)).toEqual([
      'spec.template.spec.containers: Required value',
    ])
  })
  it('reads an absent spec as an empty one (optional, as in kubernetes-types): defaulted, then missing containers', () => {
    const tpl = defaultPodTemplateSpec({ metadata: { labels: { app: 'a' } } })
    expect(tpl.spec).toMatchObject({ containers: [], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' })
    expect(validatePodTemplateSpec({ metadata: { labels: { app: 'a' } } }, 'spec.template').map(formatFieldError)).toEqual([
      'spec.template.spec.containers: Required value',
    ])
  })
})

describe('pod updates', () => {
  const old = base({ containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] })
  const upd = (patch: Partial<PodSpec>) => validatePodSpecUpdate({ ...old, ...patch }, old).map(formatFieldError)
  it('allows image changes', () => {
    expect(upd({ containers: [{ ...old.containers[0]!, image: 'x:2' }] })).toEqual([])
  })
  it('forbids other spec changes', () => {
    expect(upd({ containers: [{ ...old.containers[0]!, ports: [{ containerPort: 81, protocol: 'TCP' }] }] })).toEqual([
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ])
    expect(upd({ restartPolicy: 'Never' })).toHaveLength(1)
  })
  it('allows adding tolerations and changing tolerationSeconds, not removing', () => {
    expect(upd({ tolerations: [{ ...old.tolerations![0]!, tolerationSeconds: 10 }, { key: 'other', operator: 'Exists' }] })).toEqual([])
    expect(upd({ tolerations: [] })).toEqual(['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'])
  })
  it('activeDeadlineSeconds may be set or lowered, not raised or removed', () => {
    expect(upd({ activeDeadlineSeconds: 100 })).toEqual([])
    const withDeadline = { ...old, activeDeadlineSeconds: 100 }
    expect(validatePodSpecUpdate({ ...withDeadline, activeDeadlineSeconds: 50 }, withDeadline)).toEqual([])
    expect(validatePodSpecUpdate({ ...withDeadline, activeDeadlineSeconds: 200 }, withDeadline).map(formatFieldError)).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value',
    ])
    const { activeDeadlineSeconds: _, ...without } = withDeadline
    expect(validatePodSpecUpdate(without, withDeadline).map(formatFieldError)).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value',
    ])
  })
  it('terminationGracePeriodSeconds may only go from negative to 1', () => {
    const negative = { ...old, terminationGracePeriodSeconds: -1 }
    expect(validatePodSpecUpdate({ ...negative, terminationGracePeriodSeconds: 1 }, negative)).toEqual([])
    expect(upd({ terminationGracePeriodSeconds: 1 })).toHaveLength(1)
  })
  it('nodeName may be set once but not changed', () => {
    expect(upd({ nodeName: 'node-1' })).toEqual([])
    const bound = { ...old, nodeName: 'node-1' }
    expect(validatePodSpecUpdate({ ...bound, nodeName: 'node-2' }, bound)).toHaveLength(1)
  })
})

describe('podModel', () => {
  const raw = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] }, extra: { kept: true } }
  it('decodes, keeps unknown fields, defaults and validates', () => {
    const decoded = podModel.codec.decode(raw)
    expect(E.isRight(decoded)).toBe(true)
    if (E.isLeft(decoded)) return
    expect((decoded.right as Record<string, unknown>)['extra']).toEqual({ kept: true })
    const pod = podModel.applyDefaults(decoded.right)
    expect(podModel.validate(pod)).toEqual([])
    expect(podModel.validateUpdate?.(pod, pod)).toEqual([])
    expect(podModel.hasStatusSubresource).toBe(true)
    expect(podModel.info.kind).toBe('Pod')
  })
  it('reports decode errors with Kubernetes paths', () => {
    const bad = { ...raw, spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }
    const result = decodeWithFieldErrors(Pod, bad)
    expect(E.isLeft(result) && result.left.map(formatFieldError)).toEqual([
      'spec.containers[0].ports[0].containerPort: Invalid value: "80": must be of type integer',
    ])
  })
  it('types status as kubernetes-types does: container image and imageID required, host and pod IPs optional', () => {
    const running = { name: 'c', ready: true, restartCount: 0, image: 'nginx', imageID: 'docker.io/library/nginx@sha256:0' }
    const status = { hostIPs: [{ ip: '10.0.0.1' }, {}], podIPs: [{}], containerStatuses: [running] }
    expect(E.isRight(decodeWithFieldErrors(Pod, { ...raw, status }))).toBe(true)
    const { imageID: _, ...noImageID } = running
    const result = decodeWithFieldErrors(Pod, { ...raw, status: { containerStatuses: [noImageID] } })
    expect(E.isLeft(result) && result.left.map(formatFieldError)).toEqual(['status.containerStatuses[0].imageID: Required value'])
  })
})

describe('undefaulted specs', () => {
  it('accepts unset enums that defaulting fills, rejects empty ones', () => {
    expect(validatePodSpec({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }] }, 'spec')).toEqual([])
    expect(validatePodSpec({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, protocol: '' }] }], restartPolicy: '', dnsPolicy: '' }, 'spec').map(formatFieldError)).toEqual([
      'spec.containers[0].ports[0].protocol: Required value',
      'spec.restartPolicy: Required value',
      'spec.dnsPolicy: Required value',
    ])
  })
})

describe('defaultPod without copying the pod', () => {
  /** The defaults as a plain recipe on a deep copy: the reference for values and key order. */
  const reference = (pod: Pod): Pod => {
    const d = JSON.parse(JSON.stringify(defaultPodSpec(pod.spec) === pod.spec ? pod : { ...pod, spec: defaultPodSpec(pod.spec) })) as Record<string, any>
    if (d['spec'].enableServiceLinks === undefined) d['spec'].enableServiceLinks = true
    for (const c of [...(d['spec'].initContainers ?? []), ...d['spec'].containers]) {
      const limits = c.resources?.limits
      if (limits === undefined) continue
      for (const [name, value] of Object.entries(limits)) {
        const requests = c.resources.requests ?? {}
        if (requests[name] === undefined) {
          requests[name] = value
          c.resources.requests = requests
        }
      }
    }
    if (d['status'] === undefined) d['status'] = {}
    if (d['status'].phase === undefined) d['status'].phase = 'Pending'
    if (d['status'].qosClass === undefined) d['status'].qosClass = podQosClass(d['spec'])
    return d as unknown as Pod
  }
  it('gives the recipe result, keys in the same order, frozen when the pod is', () => {
    const arbPod = fc.record({
      links: fc.constantFrom(undefined, false),
      status: fc.constantFrom(undefined, {}, { phase: 'Running' }, { qosClass: 'BestEffort' }, { qosClass: 'Burstable', phase: 'Pending' }),
      requests: fc.constantFrom(undefined, { cpu: '100m' }),
      limits: fc.constantFrom(undefined, { cpu: '200m' }, { memory: '1Gi' }),
      frozen: fc.boolean(),
    })
    fc.assert(
      fc.property(arbPod, (o) => {
        const resources = { ...(o.requests === undefined ? {} : { requests: o.requests }), ...(o.limits === undefined ? {} : { limits: o.limits }) }
        const base = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p' },
          // Spec defaults already applied, as in a pod made from a stored template.
          spec: { ...defaultPodSpec({ containers: [{ name: 'c', image: 'x', resources }] }), ...(o.links === undefined ? {} : { enableServiceLinks: o.links }) },
          ...(o.status === undefined ? {} : { status: o.status }),
        } as unknown as Pod
        const pod = o.frozen ? deepFreezeForTest(structuredClone(base)) : structuredClone(base)
        const out = defaultPod(pod)
        expect(JSON.stringify(out)).toBe(JSON.stringify(reference(structuredClone(base))))
        expect(defaultPodSpec(pod.spec)).toBe(pod.spec)
        if (o.frozen) expect([Object.isFrozen(out), Object.isFrozen(out.spec), Object.isFrozen(out.status)]).toEqual([true, true, true])
      }),
    )
  })
})

const deepFreezeForTest = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreezeForTest(v)
    Object.freeze(value)
  }
  return value
}
