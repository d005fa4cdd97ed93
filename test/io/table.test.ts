import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatTable } from '../../src/io/table.js'
import type { KubeObject } from '../../src/objects/object.js'

/** A golden table: its lines, each ending in a newline. */
const table = (...lines: ReadonlyArray<string>): string => lines.map((l) => `${l}\n`).join('')

const NOW = Date.parse('2024-03-01T12:00:00Z')
const T0 = '2024-03-01T11:00:00Z'
const ago = (s: number) => new Date(NOW - s * 1000).toISOString()
const m = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: T0, ...extra })
const o = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}, metaExtra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion, kind, metadata: m(name, metaExtra), ...rest }) as KubeObject
const pod = (name: string, status: unknown, spec: Record<string, unknown> = {}, metaExtra: Record<string, unknown> = {}) => o('v1', 'Pod', name, { spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec }, status }, metaExtra)
const running = (name = 'app', extra: Record<string, unknown> = {}) => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: T0 } }, ...extra })
const sets = {
  pods: [
    pod('web-1', { phase: 'Running', containerStatuses: [running('app', { restartCount: 3, lastState: { terminated: { exitCode: 1, finishedAt: ago(45) } } })] }),
    pod('web-2', { phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
    pod('job-1', { phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }),
    pod('job-2', { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }] }),
    pod('new', { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
    pod('unscheduled', { phase: 'Pending' }),
    pod('going', { phase: 'Running', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(5) }),
    pod('init', { phase: 'Pending', initContainerStatuses: [{ name: 'setup', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }] }, { initContainers: [{ name: 'setup', image: 'busybox' }] }),
    pod('init-crash', { phase: 'Pending', initContainerStatuses: [{ name: 'setup', ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, { initContainers: [{ name: 'setup', image: 'busybox' }] }),
    pod('two', { phase: 'Running', containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { running: {} } }] }, { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }),
    pod('killed', { phase: 'Failed', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 137 } } }] }),
    pod('half-done', { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, running('b')] }, { containers: [{ name: 'a' }, { name: 'b' }] }),
    pod('gated', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
    pod('lost', { phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, {}, { deletionTimestamp: ago(5) }),
  ],
  podsWide: [
    pod('web-1', { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], conditions: [{ type: 'example.com/ok', status: 'True' }], containerStatuses: [running()] }, { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/ok' }, { conditionType: 'example.com/lb' }] }),
    pod('web-2', { phase: 'Pending', nominatedNodeName: 'node-2' }),
  ],
  deploy: [o('apps/v1', 'Deployment', 'web', { spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] }, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'log', image: 'fluentbit' }] } } }, status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }), o('apps/v1', 'Deployment', 'api', { spec: {} })],
  rs: [o('apps/v1', 'ReplicaSet', 'web-7d4b9c8f5d', { spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f5d' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } }, status: { replicas: 3, readyReplicas: 1 } })],
  sts: [o('apps/v1', 'StatefulSet', 'db', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } } }, status: { readyReplicas: 3 } })],
  ds: [o('apps/v1', 'DaemonSet', 'agent', { spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' }, containers: [{ name: 'a', image: 'agent:1' }] } } }, status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 } }), o('apps/v1', 'DaemonSet', 'all', { spec: { template: { spec: {} } } })],
  jobs: [
    o('batch/v1', 'Job', 'done', { spec: { completions: 1 }, status: { succeeded: 1, startTime: ago(3600), completionTime: ago(3590), conditions: [{ type: 'Complete', status: 'True' }] } }),
    o('batch/v1', 'Job', 'busy', { spec: { parallelism: 3 }, status: { startTime: ago(330), active: 3 } }),
    o('batch/v1', 'Job', 'broken', { spec: { completions: 5 }, status: { succeeded: 2, failed: 7, startTime: ago(600), conditions: [{ type: 'Failed', status: 'True' }] } }),
    o('batch/v1', 'Job', 'paused', { spec: { completions: 2, suspend: true }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }),
  ],
  cron: [
    o('batch/v1', 'CronJob', 'backup', { spec: { schedule: '0 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: 'backup:2' }] } } } } }, status: { active: [{ name: 'backup-1' }], lastScheduleTime: ago(120) } }),
    o('batch/v1', 'CronJob', 'report', { spec: { schedule: '30 6 * * 1', timeZone: 'Europe/Paris', suspend: true } }),
  ],
  svc: [
    o('v1', 'Service', 'kubernetes', { spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } }),
    o('v1', 'Service', 'web', { spec: { type: 'NodePort', clusterIP: '10.96.12.34', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }], selector: { app: 'web' } } }),
    o('v1', 'Service', 'lb', { spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } }),
    o('v1', 'Service', 'lb-ready', { spec: { type: 'LoadBalancer', clusterIP: '10.96.0.21', ports: [{ port: 80, nodePort: 31080, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }, { ip: '198.51.100.7' }] } } }),
    o('v1', 'Service', 'db', { spec: { type: 'ExternalName', externalName: 'db.example.com' } }),
    o('v1', 'Service', 'headless', { spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }], selector: { app: 'db' } } }),
  ],
  nodes: [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'control-plane', creationTimestamp: '2024-02-20T12:00:00Z', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp' } }, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '6.5.0', containerRuntimeVersion: 'containerd://1.7.13' }, addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'cp' }] } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', creationTimestamp: '2024-02-29T02:00:00Z', labels: { 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/worker': 'true' } }, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'Unknown' }], nodeInfo: { kubeletVersion: 'v1.30.2' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-2', creationTimestamp: T0 }, status: {} },
  ],
  ns: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', creationTimestamp: '2024-01-01T12:00:00Z' }, status: { phase: 'Active' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old', creationTimestamp: T0, deletionTimestamp: ago(1) }, status: { phase: 'Terminating' } }],
  eps: [
    o('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc12', { addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.7'] }] }),
    o('discovery.k8s.io/v1', 'EndpointSlice', 'big-xyz98', { addressType: 'IPv4', ports: [{ port: 1 }, { port: 2 }, { name: 'named' }, { port: 4 }], endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4', '10.0.0.5'] }] }),
    o('discovery.k8s.io/v1', 'EndpointSlice', 'empty-00000', { addressType: 'IPv6', endpoints: [] }),
  ],
  cm: [o('v1', 'ConfigMap', 'kube-root-ca.crt', { data: { 'ca.crt': '...' } }), o('v1', 'ConfigMap', 'settings', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), o('v1', 'ConfigMap', 'empty')],
  secrets: [o('v1', 'Secret', 'db-creds', { type: 'Opaque', data: { username: 'YWRtaW4=', password: 'c2VjcmV0' } }), o('v1', 'Secret', 'tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' }, stringData: { 'tls.key': 'z', extra: 'w' } })],
  pvc: [
    o('v1', 'PersistentVolumeClaim', 'data-db-0', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'standard', volumeName: 'pvc-1234', volumeMode: 'Filesystem' }, status: { phase: 'Bound', accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], capacity: { storage: '10Gi' } } }),
    o('v1', 'PersistentVolumeClaim', 'waiting', { spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' }, status: { phase: 'Pending' } }),
  ],
  pv: [
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-1234', creationTimestamp: T0 }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard', claimRef: { namespace: 'default', name: 'data-db-0' } }, status: { phase: 'Bound' } },
    { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'manual', creationTimestamp: T0 }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadOnlyMany', 'ReadWriteMany'], persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Available' } },
  ],
  sc: [
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard', creationTimestamp: T0, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', creationTimestamp: T0 }, provisioner: 'ebs.csi.aws.com', allowVolumeExpansion: true },
  ],
  ing: [
    o('networking.k8s.io/v1', 'Ingress', 'web', { spec: { ingressClassName: 'nginx', rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }], tls: [{ hosts: ['shop.example.com'] }] }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } }),
    o('networking.k8s.io/v1', 'Ingress', 'catch-all', { spec: { rules: [{ http: {} }] } }),
    o('networking.k8s.io/v1', 'Ingress', 'many', { spec: { rules: [{ host: 'a.io' }, { host: 'b.io' }, { host: 'c.io' }, { host: 'd.io' }, { host: 'e.io' }] }, status: { loadBalancer: { ingress: [{ hostname: 'k8s-lb-1234567890.elb.amazonaws.com' }] } } }),
  ],
  events: [
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-1.17b', namespace: 'default', creationTimestamp: ago(90) }, type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web-1 to node-1', involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, source: { component: 'default-scheduler' }, firstTimestamp: ago(90), lastTimestamp: ago(90), count: 1 },
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web-2.17c', namespace: 'default', creationTimestamp: ago(600) }, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app in pod web-2_default(uid)\n', involvedObject: { kind: 'Pod', name: 'web-2', fieldPath: 'spec.containers{app}' }, source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(600), lastTimestamp: ago(30), count: 12 },
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.17d', namespace: 'default', creationTimestamp: ago(200) }, type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7d4b9c8f5d to 3', involvedObject: { kind: 'Deployment', name: 'web' }, eventTime: ago(200), reportingComponent: 'deployment-controller', reportingInstance: '' },
  ],
  cr: [o('apps/v1', 'ControllerRevision', 'db-5f6d7c8b9', { revision: 2, data: {} }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true }] }), o('apps/v1', 'ControllerRevision', 'orphan-1', { revision: 1 })],
  other: [o('example.com/v1', 'Widget', 'gizmo'), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } }],
} satisfies Record<string, ReadonlyArray<KubeObject>>

describe('formatTable: one golden table per kind, as kubectl 1.30 prints it', () => {
  it('pods (narrow)', () => {
    expect(formatTable(sets.pods, { now: NOW })).toBe(
      table(
        'NAME          READY   STATUS                  RESTARTS      AGE',
        'web-1         1/1     Running                 3 (45s ago)   60m',
        'web-2         0/1     CrashLoopBackOff        5             60m',
        'job-1         0/1     Completed               0             60m',
        'job-2         0/1     Error                   0             60m',
        'new           0/1     ContainerCreating       0             60m',
        'unscheduled   0/1     Pending                 0             60m',
        'going         1/1     Terminating             0             60m',
        'init          0/1     Init:0/1                0             60m',
        'init-crash    0/1     Init:CrashLoopBackOff   2             60m',
        'two           1/2     Running                 0             60m',
        'killed        0/1     ExitCode:137            0             60m',
        'half-done     1/2     NotReady                0             60m',
        'gated         0/1     SchedulingGated         0             60m',
        'lost          1/1     Unknown                 0             60m',
      ),
    )
  })

  it('podsWide (wide)', () => {
    expect(formatTable(sets.podsWide, { now: NOW, wide: true })).toBe(
      table(
        'NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES',
        'web-1   1/1     Running   0          60m   10.244.1.5   node-1   <none>           1/2',
        'web-2   0/1     Pending   0          60m   <none>       <none>   node-2           <none>',
      ),
    )
  })

  it('deploy (narrow)', () => {
    expect(formatTable(sets.deploy, { now: NOW })).toBe(
      table(
        'NAME   READY   UP-TO-DATE   AVAILABLE   AGE',
        'web    2/3     3            2           60m',
        'api    0/1     0            0           60m',
      ),
    )
  })

  it('deploy (wide)', () => {
    expect(formatTable(sets.deploy, { now: NOW, wide: true })).toBe(
      table(
        'NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES                 SELECTOR',
        'web    2/3     3            2           60m   app,log      nginx:1.25,fluentbit   app=web,!canary,env in (dev,prod),tier=fe',
        'api    0/1     0            0           60m                                       ',
      ),
    )
  })

  it('rs (narrow)', () => {
    expect(formatTable(sets.rs, { now: NOW })).toBe(
      table(
        'NAME             DESIRED   CURRENT   READY   AGE',
        'web-7d4b9c8f5d   3         3         1       60m',
      ),
    )
  })

  it('rs (wide)', () => {
    expect(formatTable(sets.rs, { now: NOW, wide: true })).toBe(
      table(
        'NAME             DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES   SELECTOR',
        'web-7d4b9c8f5d   3         3         1       60m   app          nginx    app=web,pod-template-hash=7d4b9c8f5d',
      ),
    )
  })

  it('sts (narrow)', () => {
    expect(formatTable(sets.sts, { now: NOW })).toBe(
      table(
        'NAME   READY   AGE',
        'db     3/3     60m',
      ),
    )
  })

  it('sts (wide)', () => {
    expect(formatTable(sets.sts, { now: NOW, wide: true })).toBe(
      table(
        'NAME   READY   AGE   CONTAINERS   IMAGES',
        'db     3/3     60m   pg           postgres:16',
      ),
    )
  })

  it('ds (narrow)', () => {
    expect(formatTable(sets.ds, { now: NOW })).toBe(
      table(
        'NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR                     AGE',
        'agent   3         3         2       3            2           disk=ssd,kubernetes.io/os=linux   60m',
        'all     0         0         0       0            0           <none>                            60m',
      ),
    )
  })

  it('ds (wide)', () => {
    expect(formatTable(sets.ds, { now: NOW, wide: true })).toBe(
      table(
        'NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR                     AGE   CONTAINERS   IMAGES    SELECTOR',
        'agent   3         3         2       3            2           disk=ssd,kubernetes.io/os=linux   60m   a            agent:1   app=agent',
        'all     0         0         0       0            0           <none>                            60m                          ',
      ),
    )
  })

  it('jobs (narrow)', () => {
    expect(formatTable(sets.jobs, { now: NOW })).toBe(
      table(
        'NAME     STATUS      COMPLETIONS   DURATION   AGE',
        'done     Complete    1/1           10s        60m',
        'busy     Running     0/1 of 3      5m30s      60m',
        'broken   Failed      2/5           10m        60m',
        'paused   Suspended   0/2                      60m',
      ),
    )
  })

  it('jobs (wide)', () => {
    expect(formatTable(sets.jobs, { now: NOW, wide: true })).toBe(
      table(
        'NAME     STATUS      COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES   SELECTOR',
        'done     Complete    1/1           10s        60m                         ',
        'busy     Running     0/1 of 3      5m30s      60m                         ',
        'broken   Failed      2/5           10m        60m                         ',
        'paused   Suspended   0/2                      60m                         ',
      ),
    )
  })

  it('cron (narrow)', () => {
    expect(formatTable(sets.cron, { now: NOW })).toBe(
      table(
        'NAME     SCHEDULE     TIMEZONE       SUSPEND   ACTIVE   LAST SCHEDULE   AGE',
        'backup   0 * * * *    <none>         False     1        2m              60m',
        'report   30 6 * * 1   Europe/Paris   True      0        <none>          60m',
      ),
    )
  })

  it('cron (wide)', () => {
    expect(formatTable(sets.cron, { now: NOW, wide: true })).toBe(
      table(
        'NAME     SCHEDULE     TIMEZONE       SUSPEND   ACTIVE   LAST SCHEDULE   AGE   CONTAINERS   IMAGES     SELECTOR',
        'backup   0 * * * *    <none>         False     1        2m              60m   b            backup:2   <none>',
        'report   30 6 * * 1   Europe/Paris   True      0        <none>          60m                           <none>',
      ),
    )
  })

  it('svc (narrow)', () => {
    expect(formatTable(sets.svc, { now: NOW })).toBe(
      table(
        'NAME         TYPE           CLUSTER-IP    EXTERNAL-IP        PORT(S)                     AGE',
        'kubernetes   ClusterIP      10.96.0.1     <none>             443/TCP                     60m',
        'web          NodePort       10.96.12.34   <none>             80:30080/TCP,53:30053/UDP   60m',
        'lb           LoadBalancer   10.96.0.20    <pending>          443:31443/TCP               60m',
        'lb-ready     LoadBalancer   10.96.0.21    198.51.100.7,...   80:31080/TCP                60m',
        'db           ExternalName   <none>        db.example.com     <none>                      60m',
        'headless     ClusterIP      None          <none>             5432/TCP                    60m',
      ),
    )
  })

  it('svc (wide)', () => {
    expect(formatTable(sets.svc, { now: NOW, wide: true })).toBe(
      table(
        'NAME         TYPE           CLUSTER-IP    EXTERNAL-IP                 PORT(S)                     AGE   SELECTOR',
        'kubernetes   ClusterIP      10.96.0.1     <none>                      443/TCP                     60m   <none>',
        'web          NodePort       10.96.12.34   <none>                      80:30080/TCP,53:30053/UDP   60m   app=web',
        'lb           LoadBalancer   10.96.0.20    <pending>                   443:31443/TCP               60m   <none>',
        'lb-ready     LoadBalancer   10.96.0.21    198.51.100.7,203.0.113.10   80:31080/TCP                60m   <none>',
        'db           ExternalName   <none>        db.example.com              <none>                      60m   <none>',
        'headless     ClusterIP      None          <none>                      5432/TCP                    60m   app=db',
      ),
    )
  })

  it('nodes (narrow)', () => {
    expect(formatTable(sets.nodes, { now: NOW })).toBe(
      table(
        'NAME            STATUS                     ROLES           AGE   VERSION',
        'control-plane   Ready,SchedulingDisabled   control-plane   10d   v1.30.2',
        'worker-1        NotReady                   edge,worker     34h   v1.30.2',
        'worker-2        Unknown                    <none>          60m   ',
      ),
    )
  })

  it('nodes (wide)', () => {
    expect(formatTable(sets.nodes, { now: NOW, wide: true })).toBe(
      table(
        'NAME            STATUS                     ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE             KERNEL-VERSION   CONTAINER-RUNTIME',
        'control-plane   Ready,SchedulingDisabled   control-plane   10d   v1.30.2   172.18.0.2    <none>        Ubuntu 22.04.4 LTS   6.5.0            containerd://1.7.13',
        'worker-1        NotReady                   edge,worker     34h   v1.30.2   <none>        <none>        <unknown>            <unknown>        <unknown>',
        'worker-2        Unknown                    <none>          60m             <none>        <none>        <unknown>            <unknown>        <unknown>',
      ),
    )
  })

  it('ns (narrow)', () => {
    expect(formatTable(sets.ns, { now: NOW })).toBe(
      table(
        'NAME      STATUS        AGE',
        'default   Active        60d',
        'old       Terminating   60m',
      ),
    )
  })

  it('eps (narrow)', () => {
    expect(formatTable(sets.eps, { now: NOW })).toBe(
      table(
        'NAME          ADDRESSTYPE   PORTS                   ENDPOINTS                                AGE',
        'web-abc12     IPv4          8080                    10.244.1.5,10.244.2.7                    60m',
        'big-xyz98     IPv4          1,2,named + 1 more...   10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...   60m',
        'empty-00000   IPv6          <unset>                 <unset>                                  60m',
      ),
    )
  })

  it('cm (narrow)', () => {
    expect(formatTable(sets.cm, { now: NOW })).toBe(
      table(
        'NAME               DATA   AGE',
        'kube-root-ca.crt   1      60m',
        'settings           3      60m',
        'empty              0      60m',
      ),
    )
  })

  it('secrets (narrow)', () => {
    expect(formatTable(sets.secrets, { now: NOW })).toBe(
      table(
        'NAME       TYPE                DATA   AGE',
        'db-creds   Opaque              2      60m',
        'tls        kubernetes.io/tls   3      60m',
      ),
    )
  })

  it('pvc (narrow)', () => {
    expect(formatTable(sets.pvc, { now: NOW })).toBe(
      table(
        'NAME        STATUS    VOLUME     CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE',
        'data-db-0   Bound     pvc-1234   10Gi       RWO,RWOP       standard       <unset>                 60m',
        'waiting     Pending                                        fast           <unset>                 60m',
      ),
    )
  })

  it('pvc (wide)', () => {
    expect(formatTable(sets.pvc, { now: NOW, wide: true })).toBe(
      table(
        'NAME        STATUS    VOLUME     CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE',
        'data-db-0   Bound     pvc-1234   10Gi       RWO,RWOP       standard       <unset>                 60m   Filesystem',
        'waiting     Pending                                        fast           <unset>                 60m   <unset>',
      ),
    )
  })

  it('pv (narrow)', () => {
    expect(formatTable(sets.pv, { now: NOW })).toBe(
      table(
        'NAME       CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM               STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE',
        'pvc-1234   10Gi       RWO            Delete           Bound       default/data-db-0   standard       <unset>                          60m',
        'manual     5Gi        ROX,RWX        Retain           Available                                      <unset>                          60m',
      ),
    )
  })

  it('sc (narrow)', () => {
    expect(formatTable(sets.sc, { now: NOW })).toBe(
      table(
        'NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE',
        'standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  60m',
        'fast                 ebs.csi.aws.com         Delete          Immediate              true                   60m',
      ),
    )
  })

  it('ing (narrow)', () => {
    expect(formatTable(sets.ing, { now: NOW })).toBe(
      table(
        'NAME        CLASS    HOSTS                              ADDRESS            PORTS     AGE',
        'web         nginx    shop.example.com,api.example.com   203.0.113.10       80, 443   60m',
        'catch-all   <none>   *                                                     80        60m',
        'many        <none>   a.io,b.io,c.io + 2 more...         k8s-lb-123456...   80        60m',
      ),
    )
  })

  it('ing (wide)', () => {
    expect(formatTable(sets.ing, { now: NOW, wide: true })).toBe(
      table(
        'NAME        CLASS    HOSTS                              ADDRESS                               PORTS     AGE',
        'web         nginx    shop.example.com,api.example.com   203.0.113.10                          80, 443   60m',
        'catch-all   <none>   *                                                                        80        60m',
        'many        <none>   a.io,b.io,c.io + 2 more...         k8s-lb-1234567890.elb.amazonaws.com   80        60m',
      ),
    )
  })

  it('events (narrow)', () => {
    expect(formatTable(sets.events, { now: NOW })).toBe(
      table(
        'LAST SEEN   TYPE      REASON              OBJECT           MESSAGE',
        '90s         Normal    Scheduled           pod/web-1        Successfully assigned default/web-1 to node-1',
        '30s         Warning   BackOff             pod/web-2        Back-off restarting failed container app in pod web-2_default(uid)',
        '3m20s       Normal    ScalingReplicaSet   deployment/web   Scaled up replica set web-7d4b9c8f5d to 3',
      ),
    )
  })

  it('events (wide)', () => {
    expect(formatTable(sets.events, { now: NOW, wide: true })).toBe(
      table(
        'LAST SEEN   TYPE      REASON              OBJECT           SUBOBJECT              SOURCE                  MESSAGE                                                              FIRST SEEN   COUNT   NAME',
        '90s         Normal    Scheduled           pod/web-1                               default-scheduler       Successfully assigned default/web-1 to node-1                        90s          1       web-1.17b',
        '30s         Warning   BackOff             pod/web-2        spec.containers{app}   kubelet, node-1         Back-off restarting failed container app in pod web-2_default(uid)   10m          12      web-2.17c',
        '3m20s       Normal    ScalingReplicaSet   deployment/web                          deployment-controller   Scaled up replica set web-7d4b9c8f5d to 3                            3m20s        1       web.17d',
      ),
    )
  })

  it('cr (narrow)', () => {
    expect(formatTable(sets.cr, { now: NOW })).toBe(
      table(
        'NAME           CONTROLLER            REVISION   AGE',
        'db-5f6d7c8b9   statefulset.apps/db   2          60m',
        'orphan-1       <none>                1          60m',
      ),
    )
  })

  it('other (narrow)', () => {
    expect(formatTable(sets.other, { now: NOW })).toBe(
      table(
        'NAME    AGE',
        'gizmo   60m',
        '',
        'NAME      AGE',
        'default   <unknown>',
      ),
    )
  })
})

describe('formatTable: layout', () => {
  it('prints kubectl get all style blocks with kind.group/name and a NAMESPACE column for namespaced kinds', () => {
    const objects = [...sets.deploy, ...sets.rs, ...sets.svc.slice(0, 2), ...sets.nodes.slice(0, 1)]
    expect(formatTable(objects, { now: NOW, showKind: true, namespaceColumn: true })).toBe(
      table(
        'NAMESPACE   NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
        'default     deployment.apps/web   2/3     3            2           60m',
        'default     deployment.apps/api   0/1     0            0           60m',
        '',
        'NAMESPACE   NAME                             DESIRED   CURRENT   READY   AGE',
        'default     replicaset.apps/web-7d4b9c8f5d   3         3         1       60m',
        '',
        'NAMESPACE   NAME                 TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)                     AGE',
        'default     service/kubernetes   ClusterIP   10.96.0.1     <none>        443/TCP                     60m',
        'default     service/web          NodePort    10.96.12.34   <none>        80:30080/TCP,53:30053/UDP   60m',
        '',
        'NAME                 STATUS                     ROLES           AGE   VERSION',
        'node/control-plane   Ready,SchedulingDisabled   control-plane   10d   v1.30.2',
      ),
    )
  })

  it('prefixes the NAME column of wide events only (narrow events have none)', () => {
    expect(formatTable(sets.events.slice(0, 1), { now: NOW, showKind: true })).toBe(
      table(
        'LAST SEEN   TYPE     REASON      OBJECT      MESSAGE',
        '90s         Normal   Scheduled   pod/web-1   Successfully assigned default/web-1 to node-1',
      ),
    )
    expect(formatTable(sets.events.slice(0, 1), { now: NOW, showKind: true, wide: true })).toContain('   event/web-1.17b\n')
  })

  it('starts a new block whenever the kind changes, as kubectl does', () => {
    const [a, b] = sets.cm
    const out = formatTable([a!, sets.secrets[0]!, b!], { now: NOW })
    expect(out.split('\n\n')).toHaveLength(3)
  })

  it('pads narrow columns to tabwriter minimum width 6 and never pads the last column', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', creationTimestamp: T0 },
      spec: { containers: [] },
      status: { phase: 'Running' },
    }
    expect(formatTable([pod], { now: NOW })).toBe(table('NAME   READY   STATUS    RESTARTS   AGE', 'p      0/0     Running   0          60m'))
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ab' } }
    expect(formatTable([ns], { now: NOW })).toBe(table('NAME   STATUS   AGE', 'ab     Active   <unknown>'))
  })

  it('cuts cells at a line break and neutralises terminal escapes', () => {
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      type: 'Normal\u001b]0;pwned\u0007',
      reason: 'Tab\tbed',
      message: 'first line\nsecond line',
      involvedObject: { kind: 'Pod', name: 'x' },
    }
    expect(formatTable([cm], { now: NOW })).toBe(
      table(
        'LAST SEEN   TYPE                 REASON    OBJECT   MESSAGE',
        '<unknown>   Normal^[]0;pwned^G   Tab bed   pod/x    first line...',
      ),
    )
  })

  it('counts width in code points, as tabwriter counts runes', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'café-日本', creationTimestamp: T0 } }
    expect(formatTable([cm], { now: NOW })).toBe(table('NAME      DATA   AGE', 'café-日本   0      60m'))
  })

  it('prints nothing for no objects (the caller says "No resources found")', () => {
    expect(formatTable([], { now: NOW })).toBe('')
  })

  it('never prints Secret values', () => {
    const out = formatTable(sets.secrets, { now: NOW, wide: true })
    expect(out).not.toContain('c2VjcmV0')
    expect(out).not.toContain('YWRtaW4=')
  })

  it('is total: any objects, any options', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (objects, options) => {
        expect(typeof formatTable(objects as ReadonlyArray<KubeObject>, options as { now: number })).toBe('string')
      }),
    )
    const kinds = fc.constantFrom(...Object.values(sets).map((list) => list[0]?.kind ?? 'Pod'), 'Widget')
    const scrambled = fc.record({
      apiVersion: fc.oneof(fc.constant('v1'), fc.constant('apps/v1'), fc.anything()),
      kind: kinds,
      metadata: fc.oneof(fc.anything(), fc.record({ name: fc.anything(), creationTimestamp: fc.anything(), deletionTimestamp: fc.anything() })),
      spec: fc.anything(),
      status: fc.anything(),
    })
    fc.assert(
      fc.property(fc.array(scrambled, { maxLength: 5 }), fc.boolean(), fc.boolean(), (objects, wide, showKind) => {
        const out = formatTable(objects as unknown as ReadonlyArray<KubeObject>, { now: NOW, wide, showKind, namespaceColumn: true })
        expect(typeof out).toBe('string')
      }),
      { numRuns: 500 },
    )
  })
})
