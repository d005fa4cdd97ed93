import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { formatOffset, timelineWatcher } from '../../src/cli/watch.js'
import { main } from '../../src/cli/main.js'
import { advance, applyManifests, createCluster } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '../..')
const EXAMPLES = join(ROOT, 'examples')
const LINE = /^\+(\d{2}):(\d{2}):(\d{2}) {2}(\S+) +(.+)$/

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

/** The timeline lines of an output, as [seconds, object, what]. */
const timeline = (out: string): [number, string, string][] =>
  out
    .split('\n')
    .map((l) => LINE.exec(l))
    .filter((m) => m !== null)
    .map((m) => [Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]), m[4] ?? '', m[5] ?? ''])

describe('formatOffset', () => {
  it('prints hours, minutes and seconds since the start, hours growing past a day', () => {
    expect(formatOffset(0)).toBe('+00:00:00')
    expect(formatOffset(999)).toBe('+00:00:00')
    expect(formatOffset(65_000)).toBe('+00:01:05')
    expect(formatOffset(26 * 3_600_000 + 1000)).toBe('+26:00:01')
  })
})

describe('kubesim apply --watch', () => {
  it('prints the created lines, then one line per change with its virtual time, then the objects', async () => {
    const { code, out } = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '3', '--advance', '2m', '--watch')
    expect(code).toBe(0)
    const [created, watched, objects] = out.split('\n\n')
    expect(created?.split('\n')[0]).toBe('namespace/shop created')
    expect(watched?.split('\n').every((l) => LINE.test(l))).toBe(true)
    expect(objects).toMatch(/^NAMESPACE +NAME +DATA +AGE\n/)
    expect(out).toMatch(/^shop +deployment\.apps\/web +3\/3 /m)
    const lines = timeline(out)
    const times = lines.map(([t]) => t)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    const pods = [...new Set(lines.filter(([, o]) => o.startsWith('shop/pod/')).map(([, o]) => o))]
    expect(pods).toHaveLength(3)
    for (const pod of pods) {
      // The readiness probe's initialDelaySeconds (2 s) after the 1 s start.
      const story = lines.filter(([, o]) => o === pod).map(([t, , what]) => `${t} ${what}`)
      expect(story).toEqual(['0 created', expect.stringMatching(/^0 assigned to node-[123]$/), '1 Running', '3 Ready'])
    }
    expect(lines).toContainEqual([0, 'shop/deployment/web', expect.stringMatching(/^ScalingReplicaSet: Scaled up replica set web-[a-z0-9]+ from 0 to 3$/)])
    expect(lines).toContainEqual([3, 'shop/deployment/web', 'rolled out revision 1'])
    // The pod events that repeat the pod lines are left out.
    expect(out).not.toMatch(/Scheduled|Pulled|Started container|Created pod/)
  })

  it('is deterministic, and the same run as without --watch', async () => {
    const args = ['apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '3', '--advance', '90s']
    const a = await run(...args, '--watch')
    const b = await run(...args, '--watch')
    expect(a.out).toBe(b.out)
    const plain = await run(...args, '--settle')
    const objects = (out: string): string => out.slice(out.indexOf('\nNAMESPACE'))
    expect(objects(a.out).length).toBeGreaterThan(100)
    expect(objects(a.out)).toBe(objects(plain.out))
  })

  it('tells restarts, readiness and back-off of a crashing pod', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-watch-'))
    const file = join(dir, 'flaky.yaml')
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: flaky, annotations: {kubesim.dev/crash-after: 30s}}\nspec: {containers: [{name: app, image: busybox}]}\n')
    const { code, out } = await run('apply', '-f', file, '--nodes', '1', '--advance', '2m', '--watch')
    expect(code).toBe(0)
    const lines = timeline(out)
    expect(lines.slice(0, 5)).toEqual([
      [0, 'default/pod/flaky', 'created'],
      [0, 'default/pod/flaky', 'assigned to node-1'],
      [1, 'default/pod/flaky', 'Running'],
      [1, 'default/pod/flaky', 'Ready'],
      [31, 'default/pod/flaky', 'restarted (restarts: 1)'],
    ])
    expect(lines).toContainEqual([61, 'default/pod/flaky', 'not ready'])
    expect(lines.some(([, o, what]) => o === 'default/pod/flaky' && what.startsWith('Warning BackOff: Back-off restarting failed container app'))).toBe(true)
  })

  it('refuses machine-readable output, which a timeline would break', async () => {
    const { code, err } = await run('apply', '-f', join(EXAMPLES, 'shop.yaml'), '--watch', '-o', 'json')
    expect(code).toBe(1)
    expect(err).toBe('error: --watch prints a timeline, not json: use -o table or -o wide\n')
  })
})

describe('kubesim run --watch', () => {
  it('shows a node failure: not ready at 50 s, evicted after the toleration, gone once the node is back', async () => {
    const { code, out } = await run('run', join(EXAMPLES, 'scenarios', 'node-failure.yaml'), '--watch')
    expect(code).toBe(0)
    expect(out).toMatch(/PASS 15 steps\n$/)
    // The node fails at +5 s; the steps' own lines stay as they are without --watch.
    expect(out).toMatch(/^\[ 4\/15\] ok {3}failNode node-a {2}\(line 26, t\+5s\)$/m)
    const lines = timeline(out)
    expect(lines).toContainEqual([55, 'default/pod/web', 'not ready'])
    expect(lines).toContainEqual([55, 'node/node-a', 'NodeNotReady: Node node-a status is now: NodeNotReady'])
    expect(lines).toContainEqual([85, 'default/pod/web', 'terminating (grace 30s)'])
    expect(lines).toContainEqual([85, 'default/pod/web', 'TaintManagerEviction: Marking for deletion Pod default/web'])
    const web = lines.filter(([, o]) => o === 'default/pod/web').map(([, , what]) => what)
    expect(web.at(-1)).toBe('deleted')
  })

  it('shows a rollout that hits its progress deadline, then the rollback', async () => {
    const { code, out } = await run('run', join(EXAMPLES, 'scenarios', 'failing-rollout.yaml'), '--watch')
    expect(code).toBe(0)
    const rollout = timeline(out).filter(([, o, what]) => o === 'default/deployment/web' && !what.startsWith('ScalingReplicaSet'))
    expect(rollout).toEqual([
      [0, 'default/deployment/web', 'rolling out revision 1'],
      [1, 'default/deployment/web', 'rolled out revision 1'],
      [30, 'default/deployment/web', 'rolling out revision 2'],
      // progressDeadlineSeconds: 120
      [150, 'default/deployment/web', 'revision 2 exceeded its progress deadline'],
      [210, 'default/deployment/web', 'rolling out revision 3'],
      [211, 'default/deployment/web', 'rolled out revision 3'],
    ])
  })
})

describe('timelineWatcher', () => {
  it('reads the states it is given through observe, and counts from the first one', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }
    const applied = applyManifests(createCluster({ nodes: 1 }), [pod])
    if (E.isLeft(applied)) throw new Error('apply failed')
    const lines: string[] = []
    const watcher = timelineWatcher((line) => lines.push(line))
    watcher.observe(applied.right)
    const later = advance(applied.right, '10s', { observe: watcher.observe })
    expect(E.isRight(later)).toBe(true)
    expect(lines).toEqual([
      '+00:00:00  default/pod/web  created\n',
      '+00:00:00  default/pod/web  assigned to node-1\n',
      '+00:00:01  default/pod/web  Running\n',
      '+00:00:01  default/pod/web  Ready\n',
    ])
    // Fed the same state again, it has nothing new to say.
    if (E.isRight(later)) watcher.observe(later.right)
    expect(lines).toHaveLength(4)
  })
})
