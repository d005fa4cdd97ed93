import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const EXAMPLES = join(import.meta.dirname, '../../examples')

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

describe('kubesim apply', () => {
  it('applies the bundled example, prints kubectl-style results and tables', async () => {
    const { code, out, err } = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '3', '--settle')
    expect(code).toBe(0)
    expect(out).toContain('namespace/shop created')
    expect(out).toContain('deployment.apps/web created')
    expect(out).toContain('cronjob.batch/nightly-report created')
    expect(out).toMatch(/NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/)
    expect(out).toMatch(/node\/node-3\s+Ready/)
    expect(err).toContain('Warning: ServiceAccount "web" is stored but not simulated by kubesim')
  })

  it('prints names only with -o name, and a List with -o yaml', async () => {
    const names = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '-o', 'name')
    expect(names.out.split('\n')[0]).toBe('namespace/shop')
    const yaml = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '-o', 'yaml')
    expect(yaml.out.startsWith('apiVersion: v1\nitems:')).toBe(true)
  })

  it('reads a directory and is deterministic for a seed', async () => {
    const a = await run('apply', '-f', EXAMPLES, '--seed', '5', '-o', 'json')
    const b = await run('apply', '-f', EXAMPLES, '--seed', '5', '-o', 'json')
    expect(a.code).toBe(0)
    expect(a.out).toBe(b.out)
  })

  it('fails with kubectl-style messages for missing files and bad flags', async () => {
    expect((await run('apply', '-f', '/no/such/file.yaml')).err).toContain('error: the path "/no/such/file.yaml" does not exist')
    expect((await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', 'many')).err).toContain('--nodes must be an integer')
    expect((await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--now', 'yesterday')).code).toBe(1)
  })
})

describe('kubesim validate', () => {
  it('reports every problem with field paths and exits 1', async () => {
    const { code, err } = await run('validate', '-f', join(EXAMPLES, 'invalid', 'bad-deployment.yaml'))
    expect(code).toBe(1)
    expect(err).toContain('bad-deployment.yaml (document 0, line 2): The Deployment "Web_App" is invalid:')
    expect(err).toContain('* spec.replicas: Invalid value: -1: must be greater than or equal to 0')
    expect(err).toContain('* spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"')
    expect(err).toContain('containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive')
  })

  it('passes valid manifests with dry-run lines', async () => {
    const { code, out } = await run('validate', '-f', join(EXAMPLES, 'shop.yaml'))
    expect(code).toBe(0)
    expect(out).toContain('deployment.apps/web created (server dry run)')
  })

  it('reports YAML syntax errors with the file, line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-'))
    const file = join(dir, 'broken.yaml')
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n')
    const { code, err } = await run('validate', '-f', file)
    expect(code).toBe(1)
    expect(err).toMatch(/broken\.yaml: .*line \d+, column \d+/)
  })
})

describe('kubesim get', () => {
  it('lists a kind by alias in a namespace', async () => {
    const { code, out } = await run('get', 'deploy', '-n', 'shop', '-f', join(EXAMPLES, 'shop.yaml'))
    expect(code).toBe(0)
    expect(out.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/)
    expect(out).toMatch(/^web\s+0\/3/m)
  })

  it('reports unknown kinds, missing objects, empty results and bad selectors', async () => {
    expect((await run('get', 'widgets', '-f', join(EXAMPLES, 'shop.yaml'))).err).toContain('error: the server doesn\'t have a resource type "widgets"')
    expect((await run('get', 'deploy', 'nope', '-n', 'shop', '-f', join(EXAMPLES, 'shop.yaml'))).err).toContain(
      'Error from server (NotFound): deployments.apps "nope" not found',
    )
    expect((await run('get', 'pods', '-f', join(EXAMPLES, 'shop.yaml'))).err).toContain('No resources found in default namespace.')
    expect((await run('get', 'cm', '-l', 'app in web', '-f', join(EXAMPLES, 'shop.yaml'))).err).toContain('unable to parse requirement')
  })
})

describe('kubesim describe', () => {
  const manifests = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-describe-'))
    const file = join(dir, 'pods.yaml')
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: Pod\nmetadata: { name: web-1, labels: { app: web } }\nspec:\n  nodeName: node-1\n  containers: [{ name: nginx, image: nginx:1.27, resources: { requests: { cpu: 100m } } }]',
        'apiVersion: v1\nkind: Pod\nmetadata: { name: web-2 }\nspec:\n  nodeName: node-2\n  containers: [{ name: nginx, image: nginx:1.27 }]',
        'apiVersion: v1\nkind: Secret\nmetadata: { name: creds }\nstringData: { password: hunter2 }',
      ].join('\n---\n'),
    )
    return file
  }

  it('describes one pod by name like kubectl describe', async () => {
    const { code, out, err } = await run('describe', 'pod', 'web-1', '-f', manifests(), '--nodes', '2')
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out).toMatch(/^Name: +web-1\nNamespace: +default\nNode: +node-1\//)
    expect(out).toMatch(/^ {6}cpu: +100m$/m)
    expect(out).not.toContain('web-2')
  })

  it('describes every object of a kind, or a name prefix, separated by blank lines', async () => {
    const all = await run('describe', 'nodes', '-f', manifests(), '--nodes', '2')
    expect(all.code).toBe(0)
    expect(all.out).toMatch(/Events: +<none>\n\n\nName: +node-2\n/)
    expect(all.out).toMatch(/^ {2}default +web-1 +100m \(2%\)/m)
    const prefix = await run('describe', 'po', 'web', '-f', manifests(), '--nodes', '2')
    expect(prefix.out.match(/^Name: /gm)).toHaveLength(2)
  })

  it('never prints Secret values', async () => {
    const { out } = await run('describe', 'secret', 'creds', '-f', manifests())
    expect(out).toMatch(/^password: +7 bytes$/m)
    expect(out).not.toContain('hunter2')
  })

  it('advances virtual time before describing', async () => {
    const { out } = await run('describe', 'node', 'node-1', '-f', manifests(), '--nodes', '1', '--advance', '5m')
    expect(out).toMatch(/^ {2}default +web-1 +100m \(2%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) +5m$/m)
  })

  it('fails like kubectl for missing objects, unknown kinds and bad durations', async () => {
    const missing = await run('describe', 'pods', 'nope', '-f', manifests())
    expect(missing.code).toBe(1)
    expect(missing.err).toBe('Error from server (NotFound): pods "nope" not found\n')
    const deploy = await run('describe', 'deploy', 'nope', '-f', manifests())
    expect(deploy.err).toBe('Error from server (NotFound): deployments.apps "nope" not found\n')
    expect((await run('describe', 'widgets', '-f', manifests())).err).toContain('error: the server doesn\'t have a resource type "widgets"')
    expect((await run('describe', 'pods', '-n', 'empty', '-f', manifests())).err).toBe('No resources found in empty namespace.\n')
    const bad = await run('describe', 'pods', '-f', manifests(), '--advance', 'soon')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('error: invalid argument "soon" for "--advance" flag')
  })
})

describe('--advance on get and apply', () => {
  it('lets virtual time pass after settling, so ages grow', async () => {
    const before = await run('get', 'nodes', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '1')
    const after = await run('get', 'nodes', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '1', '--advance', '2h')
    expect(before.out).toMatch(/^node-1\s+Ready\s+\S+\s+0s/m)
    expect(after.out).toMatch(/^node-1\s+\S+\s+\S+\s+120m/m)
    const applied = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '1', '--advance', '90s')
    expect(applied.code).toBe(0)
    expect(applied.out).toMatch(/node\/node-1\s+\S+\s+\S+\s+90s/)
    expect((await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--advance', '-')).code).toBe(1)
  })
})

describe('kubesim explain-scheduling', () => {
  it('shows per-node filters and scores for a pod, and says when it is already bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-explain-'))
    const file = join(dir, 'pods.yaml')
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx}]}',
        'apiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec: {containers: [{name: c, image: x, resources: {requests: {cpu: "64"}}}]}',
      ].join('\n---\n'),
    )
    const huge = await run('explain-scheduling', 'huge', '-f', file, '--nodes', '2')
    expect(huge.code).toBe(0)
    expect(huge.out).toMatch(/^NODE\s+FIT\s+SCORE\s+DETAILS\nnode-1\s+NodeResourcesFit\s+-\s+Insufficient cpu\n/)
    expect(huge.out).toContain('0/2 nodes are available: 2 Insufficient cpu.')
    const web = await run('explain-scheduling', 'web', '-f', file, '--nodes', '2')
    expect(web.out).toMatch(/^pod default\/web is bound to node-[12]; /)
    const missing = await run('explain-scheduling', 'nope', '-f', file)
    expect(missing.code).toBe(1)
    expect(missing.err).toBe('Error from server (NotFound): pods "nope" not found\n')
  })
})
