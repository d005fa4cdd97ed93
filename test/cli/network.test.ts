import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.3.3, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec: {containers: [{name: c, image: busybox}]}
`
const file = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-net-'))
  const path = join(dir, 'app.yaml')
  writeFileSync(path, MANIFEST)
  return path
}

describe('kubesim resolve / route / get svc,endpointslices', () => {
  const path = file()

  it('resolves a Service name from a pod, dig-style, and reports NXDOMAIN like nslookup', async () => {
    const a = await run('resolve', 'web', '--from', 'client', '-f', path, '--nodes', '2')
    expect(a).toMatchObject({ code: 0, out: 'web.default.svc.cluster.local.\t5\tIN\tA\t10.96.3.3\n' })
    const srv = await run('resolve', '_http._tcp.web', '-t', 'srv', '-f', path, '--nodes', '2')
    expect(srv.out).toBe('_http._tcp.web.default.svc.cluster.local.\t5\tIN\tSRV\t0 100 80 web.default.svc.cluster.local.\n')
    const missing = await run('resolve', 'nope.default.svc.cluster.local', '-f', path, '--nodes', '2')
    expect(missing.code).toBe(1)
    expect(missing.err).toContain("** server can't find nope.default.svc.cluster.local: NXDOMAIN")
  })

  it('routes host:port to the ready backends, or says why not', async () => {
    const ok = await run('route', 'web:80', '--from', 'client', '-f', path, '--nodes', '2')
    expect(ok.code).toBe(0)
    expect(ok.out).toMatch(/^web:80 \(10\.96\.3\.3\) -> ClusterIP Service default\/web port http 80\/TCP: 2 backends\n/)
    expect(ok.out).toMatch(/POD\s+ADDRESS\s+NODE\s+READY\s+SERVING\s+TERMINATING/)
    expect(ok.out).toMatch(/default\/web-[a-z0-9]+-[a-z0-9]{5}\s+10\.244\.\d+\.\d+:8080\s+node-\d\s+true/)
    const bad = await run('route', 'web:81', '-f', path, '--nodes', '2')
    expect(bad).toMatchObject({ code: 1, err: 'web:81: unreachable (PortNotExposed): service default/web does not expose 81/TCP (ports: 80/TCP)\n' })
    expect((await run('route', 'web', '-f', path)).err).toContain('expected <host>:<port>')
  })

  it('lists several kinds with kind-prefixed names, as kubectl get svc,endpointslices does', async () => {
    const r = await run('get', 'svc,endpointslices', '-f', path, '--nodes', '2', '--advance', '1m')
    expect(r.code).toBe(0)
    const [services, slices] = r.out.split('\n\n')
    expect(services).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/)
    expect(services).toMatch(/service\/web\s+ClusterIP\s+10\.96\.3\.3\s+<none>\s+80\/TCP\s+60s/)
    expect(slices).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/)
    expect(slices).toMatch(/endpointslice\.discovery\.k8s\.io\/web-[a-z0-9]{5}\s+IPv4\s+8080\s+10\.244\.\d+\.\d+,10\.244\.\d+\.\d+\s+60s/)
  })
})
