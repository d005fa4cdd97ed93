/**
 * `kubectl describe`: the long, human-readable view of one object, with the events about it.
 * Text is built the way kubectl 1.30 builds it (`pkg/describe`): lines with tab-separated cells
 * at indentation levels of two spaces, laid out by an emulation of Go's `text/tabwriter`
 * (padding 2), so labels line up in columns exactly where kubectl puts them. Pods, Nodes and
 * Secrets have their own layouts; every other kind gets kubectl's generic describer.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { KubeObject } from '../objects/object.js'
import { podQosClass, type PodSpec } from '../objects/pod.js'
import { addQuantity, compareQuantity, formatQuantity, parseQuantity, type Quantity, quantityToMillis, quantityValue } from '../objects/quantity.js'
import { timestampMs } from '../sim/clock.js'
import { getObject, listObjects, podsOnNode } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import { arr, at, isRecord, type Obj, rec, str } from '../internal/readers.js'
import { utf8Length } from '../internal/utf8.js'
import { ageSince } from './age.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------


/** kubectl's `PrefixWriter` over a tabwriter: `write` appends at a level, `flush` lays out what is buffered. */
interface PrefixWriter {
  readonly write: (level: number, text: string) => void
  readonly flush: () => void
  readonly result: () => string
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration'
const MAX_ANNOTATION_LEN = 140

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Describes an object as `kubectl describe` (1.30) prints it: Pods (containers, conditions,
 * volumes, tolerations), Nodes (conditions, capacity, the pods on the node and the resources
 * they take), Secrets (sizes only, never values) and any other kind with kubectl's generic
 * layout. The events about the object, found in the state, close the output. Times are relative
 * to the cluster's virtual clock and printed in UTC.
 *
 * @category cli-output
 * @since 0.1.0
 * @example
 * ```ts
 * import { createCluster, applyManifests, describeObject, get } from 'kubesim'
 * import * as E from 'fp-ts/lib/Either.js'
 * import * as O from 'fp-ts/lib/Option.js'
 * const applied = applyManifests(createCluster({ nodes: 1 }), `
 * apiVersion: v1
 * kind: Pod
 * metadata: { name: web, labels: { app: web } }
 * spec:
 *   serviceAccountName: default
 *   nodeName: node-1
 *   containers: [{ name: nginx, image: nginx:1.27, ports: [{ containerPort: 80 }] }]
 * `)
 * if (E.isLeft(applied)) throw new Error('invalid manifest')
 * const pod = get(applied.right, 'Pod', 'default', 'web')
 * if (O.isNone(pod)) throw new Error('missing pod')
 * const text = describeObject(applied.right, pod.value)
 * expect(text).toContain('Name:             web\n')
 * expect(text).toContain('Node:             node-1/\n')
 * expect(text).toContain('Labels:           app=web\n')
 * expect(text).toContain('    Port:         80/TCP\n')
 * expect(text).toMatch(/Events:\s+<none>\n$/)
 * ```
 */
export const describeObject = (state: ClusterState, object: KubeObject): string => {
  const o = object as Obj
  switch (object.kind) {
    case 'Pod':
      return describePod(state, o)
    case 'Node':
      return describeNode(state, o)
    case 'Secret':
      return describeSecret(o)
    default:
      return describeGeneric(state, o)
  }
}

// ---------------------------------------------------------------------------------------------
// internals: Pod
// ---------------------------------------------------------------------------------------------

const describePod = (state: ClusterState, pod: Obj): string => {
  const w = prefixWriter()
  const m = meta(pod)
  const spec = rec(pod['spec'])
  const status = rec(pod['status'])
  w.write(0, `Name:\t${str(m['name'])}\n`)
  w.write(0, `Namespace:\t${str(m['namespace'])}\n`)
  if (typeof spec['priority'] === 'number') w.write(0, `Priority:\t${spec['priority']}\n`)
  if (str(spec['priorityClassName']) !== '') w.write(0, `Priority Class Name:\t${str(spec['priorityClassName'])}\n`)
  if (str(spec['runtimeClassName']) !== '') w.write(0, `Runtime Class Name:\t${str(spec['runtimeClassName'])}\n`)
  if (str(spec['serviceAccountName']) !== '') w.write(0, `Service Account:\t${str(spec['serviceAccountName'])}\n`)
  const nodeName = str(spec['nodeName'])
  w.write(0, nodeName === '' ? 'Node:\t<none>\n' : `Node:\t${nodeName}/${str(status['hostIP'])}\n`)
  if (status['startTime'] !== undefined) w.write(0, `Start Time:\t${rfc1123z(status['startTime'])}\n`)
  printLabels(w, 'Labels', m['labels'])
  printAnnotations(w, 'Annotations', m['annotations'])
  const phase = str(status['phase'])
  if (m['deletionTimestamp'] !== undefined && phase !== 'Failed' && phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${ageSince(m['deletionTimestamp'], state.now)})\n`)
    const grace = typeof m['deletionGracePeriodSeconds'] === 'number' ? m['deletionGracePeriodSeconds'] : int(spec['terminationGracePeriodSeconds'], 30)
    w.write(0, `Termination Grace Period:\t${grace}s\n`)
  } else {
    w.write(0, `Status:\t${phase}\n`)
  }
  if (str(status['reason']) !== '') w.write(0, `Reason:\t${str(status['reason'])}\n`)
  if (str(status['message']) !== '') w.write(0, `Message:\t${str(status['message'])}\n`)
  w.write(0, `IP:\t${str(status['podIP'])}\n`)
  const podIPs = arr(status['podIPs'])
  if (podIPs.length === 0) w.write(0, 'IPs:\t<none>\n')
  else {
    w.write(0, 'IPs:\n')
    for (const ip of podIPs) w.write(1, `IP:\t${str(at(ip, 'ip'))}\n`)
  }
  const controller = arr(m['ownerReferences']).find((r) => at(r, 'controller') === true)
  if (controller !== undefined) w.write(0, `Controlled By:\t${str(at(controller, 'kind'))}/${str(at(controller, 'name'))}\n`)
  if (str(status['nominatedNodeName']) !== '') w.write(0, `NominatedNodeName:\t${str(status['nominatedNodeName'])}\n`)
  const initContainers = arr(spec['initContainers'])
  if (initContainers.length > 0) describeContainers(w, 'Init Containers', initContainers, arr(status['initContainerStatuses']), pod)
  describeContainers(w, 'Containers', arr(spec['containers']), arr(status['containerStatuses']), pod)
  const conditions = arr(status['conditions'])
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n')
    for (const c of conditions) w.write(1, `${str(at(c, 'type'))} \t${str(at(c, 'status'))} \n`)
  }
  describeVolumes(w, arr(spec['volumes']))
  const qos = str(status['qosClass']) !== '' ? str(status['qosClass']) : podQosClass(spec as unknown as PodSpec)
  w.write(0, `QoS Class:\t${qos}\n`)
  printLabels(w, 'Node-Selectors', spec['nodeSelector'])
  printTolerations(w, arr(spec['tolerations']))
  describeEvents(w, eventsFor(state, pod), state.now)
  return w.result()
}

const describeContainers = (
  w: PrefixWriter,
  label: string,
  containers: ReadonlyArray<unknown>,
  statuses: ReadonlyArray<unknown>,
  pod: Obj,
): void => {
  const byName = new Map(statuses.map((s) => [str(at(s, 'name')), rec(s)] as const))
  w.write(0, `${label}:${containers.length === 0 ? ' <none>' : ''}\n`)
  for (const raw of containers) {
    const c = rec(raw)
    const status = byName.get(str(c['name']))
    w.write(1, `${str(c['name'])}:\n`)
    if (status !== undefined) w.write(2, `Container ID:\t${str(status['containerID'])}\n`)
    w.write(2, `Image:\t${str(c['image'])}\n`)
    if (status !== undefined) w.write(2, `Image ID:\t${str(status['imageID'])}\n`)
    const ports = arr(c['ports'])
    const portList = ports.map((p) => `${int(at(p, 'containerPort'))}/${str(at(p, 'protocol')) || 'TCP'}`).join(', ')
    w.write(2, portList.includes(',') ? `Ports:\t${portList}\n` : `Port:\t${orNone(portList)}\n`)
    const hostPorts = ports.map((p) => `${int(at(p, 'hostPort'))}/${str(at(p, 'protocol')) || 'TCP'}`).join(', ')
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${orNone(hostPorts)}\n`)
    const command = arr(c['command'])
    if (command.length > 0) {
      w.write(2, 'Command:\n')
      for (const part of command) for (const line of str(part).split('\n')) w.write(3, `${line}\n`)
    }
    const args = arr(c['args'])
    if (args.length > 0) {
      w.write(2, 'Args:\n')
      for (const part of args) for (const line of str(part).split('\n')) w.write(3, `${line}\n`)
    }
    if (status !== undefined) {
      describeContainerState(w, 'State', status['state'])
      if (at(status, 'lastState', 'terminated') !== undefined) describeContainerState(w, 'Last State', status['lastState'])
      w.write(2, `Ready:\t${status['ready'] === true ? 'True' : 'False'}\n`)
      w.write(2, `Restart Count:\t${int(status['restartCount'])}\n`)
    }
    for (const [title, key] of [['Limits', 'limits'], ['Requests', 'requests']] as const) {
      const list = rec(at(c, 'resources', key))
      const names = Object.keys(list).sort(compare)
      if (names.length > 0) w.write(2, `${title}:\n`)
      for (const name of names) w.write(3, `${name}:\t${quantityString(list[name])}\n`)
    }
    for (const [title, key] of [['Liveness', 'livenessProbe'], ['Readiness', 'readinessProbe'], ['Startup', 'startupProbe']] as const) {
      if (isRecord(c[key])) w.write(2, `${title}:\t${describeProbe(c[key])}\n`)
    }
    const envFrom = arr(c['envFrom'])
    if (envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n')
      for (const e of envFrom) {
        const ref = isRecord(at(e, 'configMapRef')) ? at(e, 'configMapRef') : at(e, 'secretRef')
        const from = isRecord(at(e, 'configMapRef')) ? 'ConfigMap' : isRecord(at(e, 'secretRef')) ? 'Secret' : ''
        const prefix = str(at(e, 'prefix'))
        w.write(3, `${str(at(ref, 'name'))}\t${from}${prefix === '' ? '' : ` with prefix '${prefix}'`}\tOptional: ${at(ref, 'optional') === true}\n`)
      }
    }
    const env = arr(c['env'])
    w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`)
    for (const e of env) describeEnvVar(w, rec(e), pod)
    const mounts = [...arr(c['volumeMounts'])].sort((a, b) => compare(str(at(a, 'mountPath')), str(at(b, 'mountPath'))))
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`)
    for (const mount of mounts) {
      const flags = [at(mount, 'readOnly') === true ? 'ro' : 'rw']
      if (str(at(mount, 'subPath')) !== '') flags.push(`path=${JSON.stringify(str(at(mount, 'subPath')))}`)
      w.write(3, `${str(at(mount, 'mountPath'))} from ${str(at(mount, 'name'))} (${flags.join(',')})\n`)
    }
  }
}

const describeContainerState = (w: PrefixWriter, title: string, state: unknown): void => {
  const running = at(state, 'running')
  const waiting = at(state, 'waiting')
  const terminated = at(state, 'terminated')
  if (isRecord(running)) {
    w.write(2, `${title}:\tRunning\n`)
    w.write(3, `Started:\t${rfc1123z(running['startedAt'])}\n`)
  } else if (isRecord(waiting)) {
    w.write(2, `${title}:\tWaiting\n`)
    if (str(waiting['reason']) !== '') w.write(3, `Reason:\t${str(waiting['reason'])}\n`)
  } else if (isRecord(terminated)) {
    w.write(2, `${title}:\tTerminated\n`)
    if (str(terminated['reason']) !== '') w.write(3, `Reason:\t${str(terminated['reason'])}\n`)
    if (str(terminated['message']) !== '') w.write(3, `Message:\t${str(terminated['message'])}\n`)
    w.write(3, `Exit Code:\t${int(terminated['exitCode'])}\n`)
    if (int(terminated['signal']) > 0) w.write(3, `Signal:\t${int(terminated['signal'])}\n`)
    w.write(3, `Started:\t${rfc1123z(terminated['startedAt'])}\n`)
    w.write(3, `Finished:\t${rfc1123z(terminated['finishedAt'])}\n`)
  } else {
    w.write(2, `${title}:\tWaiting\n`)
  }
}

/** kubectl's `DescribeProbe`, with the API server's probe defaults for unset fields. */
const describeProbe = (probe: unknown): string => {
  const attrs =
    `delay=${int(at(probe, 'initialDelaySeconds'))}s timeout=${int(at(probe, 'timeoutSeconds'), 1)}s ` +
    `period=${int(at(probe, 'periodSeconds'), 10)}s #success=${int(at(probe, 'successThreshold'), 1)} #failure=${int(at(probe, 'failureThreshold'), 3)}`
  if (isRecord(at(probe, 'exec'))) return `exec [${arr(at(probe, 'exec', 'command')).map(str).join(' ')}] ${attrs}`
  const http = at(probe, 'httpGet')
  if (isRecord(http)) {
    const port = scalar(http['port'])
    const host = str(http['host'])
    const hostPort = port === '' ? host : `${host.includes(':') ? `[${host}]` : host}:${port}`
    return `http-get ${(str(http['scheme']) || 'HTTP').toLowerCase()}://${hostPort}${str(http['path'])} ${attrs}`
  }
  const tcp = at(probe, 'tcpSocket')
  if (isRecord(tcp)) return `tcp-socket ${str(tcp['host'])}:${scalar(tcp['port'])} ${attrs}`
  return `unknown ${attrs}`
}

const describeEnvVar = (w: PrefixWriter, e: Obj, pod: Obj): void => {
  const name = str(e['name'])
  const from = e['valueFrom']
  if (!isRecord(from)) {
    str(e['value'])
      .split('\n')
      .forEach((line, i) => w.write(3, i === 0 ? `${name}:\t${line}\n` : `\t${line}\n`))
    return
  }
  const fieldRef = at(from, 'fieldRef')
  const resourceFieldRef = at(from, 'resourceFieldRef')
  const secretRef = at(from, 'secretKeyRef')
  const configMapRef = at(from, 'configMapKeyRef')
  if (isRecord(fieldRef)) {
    const path = str(fieldRef['fieldPath'])
    w.write(3, `${name}:\t${fieldPathValue(pod, path)} (${str(fieldRef['apiVersion']) || 'v1'}:${path})\n`)
  } else if (isRecord(resourceFieldRef)) {
    w.write(3, `${name}:\t (${str(resourceFieldRef['resource'])})\n`)
  } else if (isRecord(secretRef)) {
    w.write(3, `${name}:\t<set to the key '${str(secretRef['key'])}' in secret '${str(secretRef['name'])}'>\tOptional: ${secretRef['optional'] === true}\n`)
  } else if (isRecord(configMapRef)) {
    w.write(3, `${name}:\t<set to the key '${str(configMapRef['key'])}' of config map '${str(configMapRef['name'])}'>\tOptional: ${configMapRef['optional'] === true}\n`)
  }
}

/** The downward-API field paths a pod can resolve without a kubelet. */
const fieldPathValue = (pod: Obj, path: string): string => {
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path)
  if (labelOrAnnotation !== null) return str(at(meta(pod), labelOrAnnotation[1] ?? '', labelOrAnnotation[2] ?? ''))
  const paths: Readonly<Record<string, ReadonlyArray<string>>> = {
    'metadata.name': ['metadata', 'name'],
    'metadata.namespace': ['metadata', 'namespace'],
    'metadata.uid': ['metadata', 'uid'],
    'spec.nodeName': ['spec', 'nodeName'],
    'spec.serviceAccountName': ['spec', 'serviceAccountName'],
    'status.hostIP': ['status', 'hostIP'],
    'status.podIP': ['status', 'podIP'],
  }
  const p = paths[path]
  return p === undefined ? '' : str(at(pod, ...p))
}

const describeVolumes = (w: PrefixWriter, volumes: ReadonlyArray<unknown>): void => {
  if (volumes.length === 0) {
    w.write(0, 'Volumes:\t<none>\n')
    return
  }
  w.write(0, 'Volumes:\n')
  for (const v of volumes) {
    w.write(1, `${str(at(v, 'name'))}:\n`)
    const hostPath = at(v, 'hostPath')
    const emptyDir = at(v, 'emptyDir')
    const secret = at(v, 'secret')
    const configMap = at(v, 'configMap')
    const claim = at(v, 'persistentVolumeClaim')
    const projected = at(v, 'projected')
    if (isRecord(hostPath)) {
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(hostPath['path'])}\n    HostPathType:\t${orNone(str(hostPath['type']))}\n`)
    } else if (isRecord(emptyDir)) {
      const limit = quantityString(emptyDir['sizeLimit'])
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${str(emptyDir['medium'])}\n    SizeLimit:\t${limit === '' || limit === '0' ? '<unset>' : limit}\n`)
    } else if (isRecord(secret)) {
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${str(secret['secretName'])}\n    Optional:\t${secret['optional'] === true}\n`)
    } else if (isRecord(configMap)) {
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${str(configMap['name'])}\n    Optional:\t${configMap['optional'] === true}\n`)
    } else if (isRecord(claim)) {
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${str(claim['claimName'])}\n    ReadOnly:\t${claim['readOnly'] === true}\n`)
    } else if (isRecord(projected)) {
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n')
      for (const source of arr(projected['sources'])) {
        if (isRecord(at(source, 'secret'))) w.write(2, `SecretName:\t${str(at(source, 'secret', 'name'))}\n    Optional:\t${at(source, 'secret', 'optional') === true}\n`)
        else if (isRecord(at(source, 'downwardAPI'))) w.write(2, 'DownwardAPI:\ttrue\n')
        else if (isRecord(at(source, 'configMap'))) w.write(2, `ConfigMapName:\t${str(at(source, 'configMap', 'name'))}\n    Optional:\t${at(source, 'configMap', 'optional') === true}\n`)
        else if (isRecord(at(source, 'serviceAccountToken'))) w.write(2, `TokenExpirationSeconds:\t${int(at(source, 'serviceAccountToken', 'expirationSeconds'), 3600)}\n`)
      }
    } else if (isRecord(at(v, 'downwardAPI'))) {
      w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n')
      for (const item of arr(at(v, 'downwardAPI', 'items'))) {
        if (isRecord(at(item, 'fieldRef'))) w.write(3, `${str(at(item, 'fieldRef', 'fieldPath'))} -> ${str(at(item, 'path'))}\n`)
        if (isRecord(at(item, 'resourceFieldRef'))) w.write(3, `${str(at(item, 'resourceFieldRef', 'resource'))} -> ${str(at(item, 'path'))}\n`)
      }
    } else {
      w.write(1, '<unknown>\n')
    }
  }
}

const printTolerations = (w: PrefixWriter, tolerations: ReadonlyArray<unknown>): void => {
  w.write(0, 'Tolerations:\t')
  if (tolerations.length === 0) {
    w.write(0, '<none>\n')
    return
  }
  const sorted = [...tolerations].sort((a, b) => compare(str(at(a, 'key')), str(at(b, 'key'))))
  sorted.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t')
    const key = str(at(t, 'key'))
    const value = str(at(t, 'value'))
    const effect = str(at(t, 'effect'))
    let text = key
    if (value !== '') text += `=${value}`
    if (effect !== '') text += `:${effect}`
    if (at(t, 'operator') === 'Exists' && value === '') text += key !== '' || effect !== '' ? ' op=Exists' : 'op=Exists'
    if (typeof at(t, 'tolerationSeconds') === 'number') text += ` for ${int(at(t, 'tolerationSeconds'))}s`
    w.write(0, `${text}\n`)
  })
}

// ---------------------------------------------------------------------------------------------
// internals: Node
// ---------------------------------------------------------------------------------------------

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/'

const describeNode = (state: ClusterState, node: Obj): string => {
  const w = prefixWriter()
  const m = meta(node)
  const name = str(m['name'])
  const spec = rec(node['spec'])
  const status = rec(node['status'])
  w.write(0, `Name:\t${name}\n`)
  const roles = new Set<string>()
  for (const [k, v] of Object.entries(rec(m['labels']))) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length) roles.add(k.slice(NODE_ROLE_PREFIX.length))
    else if (k === 'kubernetes.io/role' && str(v) !== '') roles.add(str(v))
  }
  w.write(0, `Roles:\t${roles.size === 0 ? '<none>' : [...roles].sort(compare).join(',')}\n`)
  printLabels(w, 'Labels', m['labels'])
  printAnnotations(w, 'Annotations', m['annotations'])
  w.write(0, `CreationTimestamp:\t${rfc1123z(m['creationTimestamp'])}\n`)
  const taints = [...arr(spec['taints'])].sort((a, b) =>
    compare(`${str(at(a, 'effect'))},${str(at(a, 'key'))}`, `${str(at(b, 'effect'))},${str(at(b, 'key'))}`),
  )
  w.write(0, 'Taints:\t')
  if (taints.length === 0) w.write(0, '<none>\n')
  taints.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t')
    const value = str(at(t, 'value'))
    w.write(0, `${str(at(t, 'key'))}${value === '' ? '' : `=${value}`}:${str(at(t, 'effect'))}\n`)
  })
  w.write(0, `Unschedulable:\t${spec['unschedulable'] === true}\n`)
  const lease = getObject(state.objects, { kind: 'Lease', namespace: 'kube-node-lease', name })
  if (lease === undefined) {
    w.write(0, `Lease:\tFailed to get lease: leases.coordination.k8s.io "${name}" not found\n`)
  } else {
    const leaseSpec = rec((lease as Obj)['spec'])
    w.write(0, 'Lease:\n')
    w.write(1, `HolderIdentity:\t${typeof leaseSpec['holderIdentity'] === 'string' ? leaseSpec['holderIdentity'] : '<unset>'}\n`)
    w.write(1, `AcquireTime:\t${leaseSpec['acquireTime'] === undefined ? '<unset>' : rfc1123z(leaseSpec['acquireTime'])}\n`)
    w.write(1, `RenewTime:\t${leaseSpec['renewTime'] === undefined ? '<unset>' : rfc1123z(leaseSpec['renewTime'])}\n`)
  }
  const conditions = arr(status['conditions'])
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n')
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n')
    for (const c of conditions) {
      w.write(
        1,
        `${str(at(c, 'type'))} \t${str(at(c, 'status'))} \t${rfc1123z(at(c, 'lastHeartbeatTime'))} \t${rfc1123z(at(c, 'lastTransitionTime'))} \t${str(at(c, 'reason'))} \t${str(at(c, 'message'))}\n`,
      )
    }
  }
  w.write(0, 'Addresses:\n')
  for (const a of arr(status['addresses'])) w.write(1, `${str(at(a, 'type'))}:\t${str(at(a, 'address'))}\n`)
  for (const [title, key] of [['Capacity', 'capacity'], ['Allocatable', 'allocatable']] as const) {
    const list = rec(status[key])
    if (Object.keys(list).length === 0) continue
    w.write(0, `${title}:\n`)
    for (const resource of Object.keys(list).sort(compare)) w.write(0, `  ${resource}:\t${quantityString(list[resource])}\n`)
  }
  const info = rec(status['nodeInfo'])
  w.write(0, 'System Info:\n')
  const infoFields: ReadonlyArray<readonly [string, string]> = [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ]
  for (const [title, key] of infoFields) w.write(0, `  ${title}:\t${str(info[key])}\n`)
  if (str(spec['podCIDR']) !== '') w.write(0, `PodCIDR:\t${str(spec['podCIDR'])}\n`)
  const podCIDRs = arr(spec['podCIDRs']).map(str)
  if (podCIDRs.length > 0) w.write(0, `PodCIDRs:\t${podCIDRs.join(',')}\n`)
  if (str(spec['providerID']) !== '') w.write(0, `ProviderID:\t${str(spec['providerID'])}\n`)
  describeNodeResource(w, state, node, name)
  describeEvents(w, eventsFor(state, node), state.now)
  return w.result()
}

const describeNodeResource = (w: PrefixWriter, state: ClusterState, node: Obj, name: string): void => {
  const pods = podsOnNode(state.objects, name).filter((p) => {
    const phase = at(p, 'status', 'phase')
    return phase !== 'Succeeded' && phase !== 'Failed'
  }) as ReadonlyArray<Obj>
  const status = rec(node['status'])
  const allocatable = rec(Object.keys(rec(status['allocatable'])).length > 0 ? status['allocatable'] : status['capacity'])
  const allocCpu = quantityToMillis(quantityOf(allocatable['cpu']))
  const allocMemory = quantityValue(quantityOf(allocatable['memory']))
  const percent = (part: number, whole: number): number => (whole === 0 ? 0 : Math.trunc((part / whole) * 100))
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`)
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n')
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n')
  const totalRequests: Record<string, Quantity> = {}
  const totalLimits: Record<string, Quantity> = {}
  for (const pod of pods) {
    const { requests, limits } = podRequestsAndLimits(pod)
    addInto(totalRequests, requests)
    addInto(totalLimits, limits)
    const cpuReq = requests['cpu'] ?? ZERO
    const cpuLim = limits['cpu'] ?? ZERO
    const memReq = requests['memory'] ?? ZERO
    const memLim = limits['memory'] ?? ZERO
    w.write(
      1,
      `${str(meta(pod)['namespace'])}\t${str(meta(pod)['name'])}\t\t` +
        `${formatQuantity(cpuReq)} (${percent(quantityToMillis(cpuReq), allocCpu)}%)\t${formatQuantity(cpuLim)} (${percent(quantityToMillis(cpuLim), allocCpu)}%)\t` +
        `${formatQuantity(memReq)} (${percent(quantityValue(memReq), allocMemory)}%)\t${formatQuantity(memLim)} (${percent(quantityValue(memLim), allocMemory)}%)\t` +
        `${ageSince(meta(pod)['creationTimestamp'], state.now)}\n`,
    )
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n')
  w.write(1, 'Resource\tRequests\tLimits\n')
  w.write(1, '--------\t--------\t------\n')
  const row = (resource: string, value: (q: Quantity) => number): void => {
    const whole = value(quantityOf(allocatable[resource]))
    const req = totalRequests[resource] ?? ZERO
    const lim = totalLimits[resource] ?? ZERO
    w.write(1, `${resource}\t${formatQuantity(req)} (${percent(value(req), whole)}%)\t${formatQuantity(lim)} (${percent(value(lim), whole)}%)\n`)
  }
  row('cpu', quantityToMillis)
  row('memory', quantityValue)
  row('ephemeral-storage', quantityValue)
  const names = Object.keys(allocatable).sort(compare)
  for (const resource of names.filter((r) => r.startsWith('hugepages-'))) row(resource, quantityValue)
  for (const resource of names.filter((r) => !STANDARD_RESOURCES.has(r) && !r.startsWith('hugepages-') && r !== 'pods')) {
    w.write(1, `${resource}\t${formatQuantity(totalRequests[resource] ?? ZERO)}\t${formatQuantity(totalLimits[resource] ?? ZERO)}\n`)
  }
}

const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage'])
const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' }

/**
 * kubectl's `PodRequestsAndLimits`: the sum over containers (and sidecars), at least the largest
 * init container (plus the sidecars started before it), plus overhead. Requests default to
 * limits for resources with only a limit, as the API server defaults them.
 */
const podRequestsAndLimits = (pod: Obj): { readonly requests: Readonly<Record<string, Quantity>>; readonly limits: Readonly<Record<string, Quantity>> } => {
  const spec = rec(pod['spec'])
  const containerList = (c: unknown, key: 'requests' | 'limits'): Record<string, Quantity> => {
    const given = key === 'requests' ? { ...rec(at(c, 'resources', 'limits')), ...rec(at(c, 'resources', 'requests')) } : rec(at(c, 'resources', 'limits'))
    const out: Record<string, Quantity> = {}
    for (const [name, value] of Object.entries(given)) out[name] = quantityOf(value)
    return out
  }
  const compute = (key: 'requests' | 'limits'): Record<string, Quantity> => {
    const total: Record<string, Quantity> = {}
    for (const c of arr(spec['containers'])) addInto(total, containerList(c, key))
    const sidecars: Record<string, Quantity> = {}
    const initPeak: Record<string, Quantity> = {}
    for (const c of arr(spec['initContainers'])) {
      const own = containerList(c, key)
      if (at(c, 'restartPolicy') === 'Always') {
        addInto(total, own)
        addInto(sidecars, own)
        maxInto(initPeak, sidecars)
      } else {
        const withSidecars: Record<string, Quantity> = { ...own }
        addInto(withSidecars, sidecars)
        maxInto(initPeak, withSidecars)
      }
    }
    maxInto(total, initPeak)
    const overhead: Record<string, Quantity> = {}
    for (const [name, value] of Object.entries(rec(spec['overhead']))) overhead[name] = quantityOf(value)
    if (key === 'requests') addInto(total, overhead)
    else for (const [name, q] of Object.entries(overhead)) if (total[name] !== undefined) total[name] = addQuantity(total[name], q)
    return total
  }
  return { requests: compute('requests'), limits: compute('limits') }
}

const addInto = (target: Record<string, Quantity>, source: Readonly<Record<string, Quantity>>): void => {
  for (const [name, q] of Object.entries(source)) target[name] = target[name] === undefined ? q : addQuantity(target[name], q)
}

const maxInto = (target: Record<string, Quantity>, source: Readonly<Record<string, Quantity>>): void => {
  for (const [name, q] of Object.entries(source)) {
    const current = target[name]
    if (current === undefined || compareQuantity(q, current) > 0) target[name] = q
  }
}

// ---------------------------------------------------------------------------------------------
// internals: Secret and the generic describer
// ---------------------------------------------------------------------------------------------

/** kubectl's Secret describer: sizes of the decoded values, never the values themselves. */
const describeSecret = (secret: Obj): string => {
  const w = prefixWriter()
  const m = meta(secret)
  w.write(0, `Name:\t${str(m['name'])}\n`)
  w.write(0, `Namespace:\t${str(m['namespace'])}\n`)
  printLabels(w, 'Labels', m['labels'])
  printAnnotations(w, 'Annotations', m['annotations'])
  w.write(0, `\nType:\t${str(secret['type'])}\n`)
  w.write(0, '\nData\n====\n')
  const sizes = new Map<string, number>()
  for (const [k, v] of Object.entries(rec(secret['data']))) sizes.set(k, base64Length(str(v)))
  // stringData is write-only in Kubernetes; a stored object may still carry it before merging.
  for (const [k, v] of Object.entries(rec(secret['stringData']))) sizes.set(k, utf8Length(str(v)))
  for (const k of [...sizes.keys()].sort(compare)) w.write(0, `${k}:\t${sizes.get(k) ?? 0} bytes\n`)
  return w.result()
}

/** kubectl's generic describer: metadata, then every other field with "smart" labels. */
const describeGeneric = (state: ClusterState, object: Obj): string => {
  const w = prefixWriter()
  const m = meta(object)
  w.write(0, `Name:\t${str(m['name'])}\n`)
  w.write(0, `Namespace:\t${str(m['namespace'])}\n`)
  printLabels(w, 'Labels', m['labels'])
  printAnnotations(w, 'Annotations', m['annotations'])
  printUnstructured(w, 0, object, '', GENERIC_SKIP)
  describeEvents(w, eventsFor(state, object), state.now)
  return w.result()
}

const GENERIC_SKIP = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations'])

const printUnstructured = (w: PrefixWriter, level: number, content: Obj, prefix: string, skip: ReadonlySet<string>): void => {
  for (const field of Object.keys(content).sort(compare)) {
    const path = `${prefix}.${field}`
    if (skip.has(path)) continue
    const value = content[field]
    if (isRecord(value)) {
      w.write(level, `${smartLabel(field)}:\n`)
      printUnstructured(w, level + 1, value, path, skip)
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`)
      for (const child of value as ReadonlyArray<unknown>) {
        if (isRecord(child)) printUnstructured(w, level + 1, child, path, skip)
        else w.write(level + 1, `${goValue(child)}\n`)
      }
    } else {
      w.write(level, `${smartLabel(field)}:\t${goValue(value)}\n`)
    }
  }
}

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID'])

/** kubectl's `smartLabelFor`: `apiVersion` -> `API Version`, via fatih/camelcase splitting. */
const smartLabel = (field: string): string => {
  if (/[^\p{L}-]/u.test(field)) return field
  const runs: string[] = []
  let lastClass = -1
  for (const ch of field) {
    const cls = /\p{Lu}/u.test(ch) ? 1 : /\p{Ll}/u.test(ch) ? 2 : /\p{N}/u.test(ch) ? 3 : 4
    if (cls === lastClass && runs.length > 0) runs[runs.length - 1] += ch
    else runs.push(ch)
    lastClass = cls
  }
  // An upper-case run followed by a lower-case one gives its last letter to the next word.
  for (let i = 0; i < runs.length - 1; i++) {
    const run = runs[i] ?? ''
    const next = runs[i + 1] ?? ''
    if (/^\p{Lu}+$/u.test(run) && /^\p{Ll}/u.test(next)) {
      const chars = [...run]
      const last = chars.pop() ?? ''
      runs[i] = chars.join('')
      runs[i + 1] = last + next
    }
  }
  return runs
    .filter((part) => part !== '' && part !== '_')
    .map((part) => (ACRONYMS.has(part.toUpperCase()) ? part.toUpperCase() : part.charAt(0).toUpperCase() + part.slice(1)))
    .join(' ')
}

/** Go's `%v` for JSON scalars. */
const goValue = (value: unknown): string => (value === null || value === undefined ? '<nil>' : typeof value === 'string' ? value : String(value))

// ---------------------------------------------------------------------------------------------
// internals: events
// ---------------------------------------------------------------------------------------------

/**
 * The events about an object: those in its namespace (any namespace for a cluster-scoped
 * object) whose involvedObject names it by kind and name, and by uid when the event records one
 * (kubelets name a Node by its name in the uid field, which matches too).
 */
const eventsFor = (state: ClusterState, object: Obj): ReadonlyArray<Obj> => {
  const m = meta(object)
  const name = str(m['name'])
  const namespace = optStr(m['namespace'])
  const uid = str(m['uid'])
  const kind = str(object['kind'])
  const candidates = listObjects(state.objects, 'Event', namespace === undefined ? {} : { namespace }) as ReadonlyArray<Obj>
  const matching = candidates.filter((e) => {
    const ref = rec(e['involvedObject'])
    if (str(ref['name']) !== name) return false
    if (str(ref['kind']) !== '' && str(ref['kind']) !== kind) return false
    if (namespace !== undefined && str(ref['namespace']) !== '' && str(ref['namespace']) !== namespace) return false
    const eventUid = str(ref['uid'])
    return eventUid === '' || uid === '' || eventUid === uid || (kind === 'Node' && eventUid === name)
  })
  const last = (e: Obj): number => timestampMs(e['lastTimestamp']) ?? timestampMs(e['eventTime']) ?? timestampMs(e['firstTimestamp']) ?? 0
  const first = (e: Obj): number => timestampMs(e['firstTimestamp']) ?? timestampMs(e['eventTime']) ?? 0
  // Within one second, the order they were written in (resourceVersions grow with every write).
  const written = (e: Obj): number => Number(str(at(e, 'metadata', 'resourceVersion'))) || 0
  return [...matching].sort((a, b) => last(a) - last(b) || first(a) - first(b) || written(a) - written(b))
}

/** kubectl's `DescribeEvents`: flushes the columns above, then the events table. */
const describeEvents = (w: PrefixWriter, events: ReadonlyArray<Obj>, now: number): void => {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n')
    return
  }
  w.flush()
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n')
  w.write(1, '----\t------\t----\t----\t-------\n')
  for (const e of events) {
    const firstSince = e['eventTime'] !== undefined ? ageSince(e['eventTime'], now) : ageSince(e['firstTimestamp'], now)
    const series = rec(e['series'])
    const count = int(e['count'])
    const interval =
      Object.keys(series).length > 0
        ? `${ageSince(series['lastObservedTime'], now)} (x${int(series['count'])} over ${firstSince})`
        : count > 1
          ? `${ageSince(e['lastTimestamp'], now)} (x${count} over ${firstSince})`
          : firstSince
    const source = str(at(e, 'source', 'component')) || str(e['reportingComponent']) || str(e['reportingController'])
    w.write(1, `${str(e['type'])}\t${str(e['reason'])}\t${interval}\t${source}\t${str(e['message']).trim()}\n`)
  }
}

// ---------------------------------------------------------------------------------------------
// internals: labels and annotations
// ---------------------------------------------------------------------------------------------

const printLabels = (w: PrefixWriter, title: string, labels: unknown): void => {
  w.write(0, `${title}:\t`)
  const keys = Object.keys(rec(labels)).sort(compare)
  if (keys.length === 0) {
    w.write(0, '<none>\n')
    return
  }
  keys.forEach((key, i) => {
    if (i !== 0) w.write(0, '\t')
    w.write(0, `${key}=${str(rec(labels)[key])}\n`)
  })
}

/** kubectl's `printAnnotationsMultiline`: last-applied-configuration is skipped, long values wrapped and cut. */
const printAnnotations = (w: PrefixWriter, title: string, annotations: unknown): void => {
  w.write(0, `${title}:\t`)
  const all = rec(annotations)
  const keys = Object.keys(all)
    .filter((k) => k !== LAST_APPLIED)
    .sort(compare)
  if (keys.length === 0) {
    w.write(0, '<none>\n')
    return
  }
  keys.forEach((key, i) => {
    if (i !== 0) w.write(0, '\t')
    const value = str(all[key]).replace(/\n$/, '')
    if (value.length + key.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${key}:\n`)
      for (const line of value.split('\n')) {
        w.write(0, `\t  ${line.length > MAX_ANNOTATION_LEN - 2 ? `${line.slice(0, MAX_ANNOTATION_LEN - 2)}...` : line}\n`)
      }
    } else {
      w.write(0, `${key}: ${value}\n`)
    }
  })
}

// ---------------------------------------------------------------------------------------------
// internals: the prefix writer and Go's tabwriter
// ---------------------------------------------------------------------------------------------

/**
 * Collects text as kubectl's PrefixWriter does (two spaces per level) and lays it out with Go's
 * tabwriter settings from `tabbedString` (minwidth 0, padding 2, spaces). Each write is escaped
 * as `printers.WriteEscaped` does, except the tabs and newlines that structure the text.
 */
const prefixWriter = (): PrefixWriter => {
  let buffer = ''
  let output = ''
  const flush = (): void => {
    output += tabwrite(buffer)
    buffer = ''
  }
  return {
    write: (level, text) => {
      buffer += '  '.repeat(level) + escapeTerminal(text)
    },
    flush,
    result: () => {
      flush()
      return output
    },
  }
}

// eslint-disable-next-line no-control-regex
const escapeTerminal = (text: string): string => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => (c === '\u007f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`))

/**
 * Go's `text/tabwriter` (no flags, padding 2): a cell is text ended by a tab; a column block is
 * a run of consecutive lines that have a cell in that column, and all its cells are padded to
 * the widest plus two. The text after a line's last tab is not aligned.
 */
const tabwrite = (text: string): string => {
  if (text === '') return ''
  const endsWithNewline = text.endsWith('\n')
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((line) => line.split('\t'))
  const out: string[] = []
  const writeLines = (widths: ReadonlyArray<number>, from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? []
      out.push(cells.map((cell, j) => (j < widths.length && j < cells.length - 1 ? cell + ' '.repeat(Math.max(0, (widths[j] ?? 0) - runeLength(cell))) : cell)).join(''))
    }
  }
  const format = (widths: ReadonlyArray<number>, line0: number, line1: number): void => {
    const column = widths.length
    let start = line0
    for (let i = line0; i < line1; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue
      writeLines(widths, start, i)
      start = i
      let width = 0
      for (; i < line1; i++) {
        const cells = lines[i] ?? []
        if (column >= cells.length - 1) break
        width = Math.max(width, runeLength(cells[column] ?? '') + 2)
      }
      format([...widths, width], start, i)
      start = i
    }
    writeLines(widths, start, line1)
  }
  format([], 0, lines.length)
  return out.join('\n') + (endsWithNewline ? '\n' : '')
}

const runeLength = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

// ---------------------------------------------------------------------------------------------
// internals: defensive readers and formats
// ---------------------------------------------------------------------------------------------

const optStr = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)
const scalar = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '')
const int = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback)
const meta = (o: Obj): Obj => rec(o['metadata'])
const orNone = (s: string): string => (s === '' ? '<none>' : s)
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const quantityOf = (value: unknown): Quantity => {
  if (typeof value !== 'string' && typeof value !== 'number') return ZERO
  const parsed = parseQuantity(value)
  return E.isRight(parsed) ? parsed.right : ZERO
}

/** A quantity in canonical form (`Quantity.String()`), or the stored text when it does not parse. */
const quantityString = (value: unknown): string => {
  if (typeof value !== 'string' && typeof value !== 'number') return ''
  const parsed = parseQuantity(value)
  return E.isRight(parsed) ? formatQuantity(parsed.right) : String(value)
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Go's `time.RFC1123Z` in UTC; a missing time is Go's zero time, as kubectl prints it. */
const rfc1123z = (value: unknown): string => {
  const ms = timestampMs(value)
  if (ms === undefined) return 'Mon, 01 Jan 0001 00:00:00 +0000'
  const d = new Date(ms)
  return `${DAYS[d.getUTCDay()] ?? ''}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
}

/** Decoded length of base64 text, without decoding it. */
const base64Length = (text: string): number => {
  const clean = text.replace(/\s/g, '')
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding)
}

