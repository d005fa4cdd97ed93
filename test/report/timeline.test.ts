/**
 * The timeline recorder: series per workload owner (ReplicaSets labelled with their
 * Deployment), node readiness, events and the final objects, recorded incrementally. A property
 * checks the incremental diffing against a full scan of every observed state.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  advance,
  applyManifests,
  type ClusterState,
  createCluster,
  failNode,
  list,
  parseScenario,
  recoverNode,
  runScenario,
  type Scenario,
  type Timeline,
  timelineRecorder,
} from '../../src/index.js'
import { deleteObject } from '../../src/store/objectStore.js'
import { manifestSet } from '../../src/testing/arbitraries.js'
import { right } from '../helpers.js'

const ROOT = join(import.meta.dirname, '../..')

const scenarioAt = (path: string): Scenario => {
  const parsed = parseScenario(readFileSync(path, 'utf8'))
  if (E.isLeft(parsed)) return expect.fail(JSON.stringify(parsed.left))
  return parsed.right
}

/** Runs a scenario file with a recorder; manifest files are resolved next to it. */
const recordScenario = (path: string): { readonly timeline: Timeline; readonly ok: boolean; readonly state: ClusterState } => {
  const scenario = scenarioAt(path)
  const files = new Map<string, string>()
  for (const step of scenario.steps)
    if (step.type === 'apply' && 'file' in step.source) files.set(step.source.file, readFileSync(join(path, '..', step.source.file), 'utf8'))
  const recorder = timelineRecorder()
  const run = runScenario(scenario, files, { observe: recorder.observe })
  return { timeline: recorder.timeline(), ok: run.ok, state: run.state! }
}

const POD = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } })

describe('timelineRecorder on a rollout', () => {
  const { timeline, ok } = recordScenario(join(ROOT, 'test/report/fixtures/rollout.yaml'))
  const replicaSets = timeline.series.filter((s) => s.kind === 'ReplicaSet')

  it('runs the fixture to the end', () => expect(ok).toBe(true))

  it('has one series per ReplicaSet, labelled with its Deployment, and one for standalone pods', () => {
    expect(replicaSets).toHaveLength(2)
    for (const rs of replicaSets) {
      expect(rs.parent).toEqual({ kind: 'Deployment', name: 'web' })
      expect(rs.id).toBe(`Deployment default/web rs ${rs.name}`)
      expect(rs.label).toBe(`${rs.name} (Deployment web)`)
      expect(rs.name).toMatch(/^web-[a-z0-9]+$/)
    }
    expect(timeline.series.map((s) => s.id)).toContain('standalone pods default')
    expect(new Set(timeline.series.map((s) => s.id)).size).toBe(timeline.series.length)
  })

  it('shows the old ReplicaSet going down while the new one comes up', () => {
    const [old, next] = replicaSets
    expect(old!.points[0]!.time).toBeLessThan(next!.points[0]!.time)
    expect(old!.points.at(-1)).toMatchObject({ pods: 0, ready: 0 })
    expect(next!.points.at(-1)?.ready).toBe(4)
    // During the rollout the old one only shrinks and the new one only grows.
    const rolloutEnd = old!.points.at(-1)!.time
    const oldPods = old!.points.filter((p) => p.time >= next!.points[0]!.time).map((p) => p.pods)
    const newPods = next!.points.filter((p) => p.time <= rolloutEnd).map((p) => p.pods)
    expect(oldPods).toEqual([...oldPods].sort((a, b) => b - a))
    expect(newPods).toEqual([...newPods].sort((a, b) => a - b))
    expect(old!.points.find((p) => p.pods === 4)).toBeDefined()
    expect(Math.max(...newPods)).toBeGreaterThanOrEqual(1)
  })

  it('records only changes, at most one point per instant', () => {
    for (const s of timeline.series)
      for (let i = 1; i < s.points.length; i++) {
        const [a, b] = [s.points[i - 1]!, s.points[i]!]
        expect(b.time).toBeGreaterThan(a.time)
        expect([a.pods, a.running, a.ready]).not.toEqual([b.pods, b.running, b.ready])
      }
  })

  it('records node-3 stopping to report', () => {
    const node3 = timeline.nodes.find((n) => n.name === 'node-3')
    expect(node3?.points.map((p) => p.status)).toEqual(['Ready', 'Unknown'])
    expect(timeline.nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3'])
  })
})

describe('timelineRecorder on the node-failure example', () => {
  const { timeline, state } = recordScenario(join(ROOT, 'examples/scenarios/node-failure.yaml'))

  it('spans the run and records node-a going Unknown and back', () => {
    expect(timeline.start).toBe(Date.UTC(2025, 0, 1))
    expect(timeline.end).toBe(state.now)
    const nodeA = timeline.nodes.find((n) => n.name === 'node-a')!
    // The node fails at t+5s; its Ready condition turns Unknown after the 50 s grace period.
    expect(nodeA.points.map((p) => [p.time - timeline.start, p.status])).toEqual([
      [0, 'Ready'],
      [55_000, 'Unknown'],
      [85_000, 'Ready'],
    ])
  })

  it('records the Events in order, with their objects', () => {
    const times = timeline.events.map((e) => e.time)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(timeline.events).toContainEqual(expect.objectContaining({ reason: 'NodeNotReady', object: { kind: 'Node', name: 'node-a' } }))
    const eviction = timeline.events.find((e) => e.reason === 'TaintManagerEviction')
    expect(eviction).toMatchObject({ object: { kind: 'Pod', namespace: 'default', name: 'web' } })
    expect(eviction!.time - timeline.start).toBe(85_000)
    expect(timeline.droppedEvents).toBe(0)
  })

  it('groups the two bare pods as the default namespace standalone pods, down to one at the end', () => {
    expect(timeline.series.map((s) => s.id)).toEqual(['standalone pods default'])
    expect(timeline.series[0]!.points[0]).toMatchObject({ pods: 2, running: 0 })
    expect(timeline.series[0]!.points.at(-1)).toMatchObject({ pods: 1, running: 1, ready: 1 })
  })

  it('keeps the final objects the way kubesim apply lists them', () => {
    const kinds = new Set(timeline.finalObjects.map((o) => o.kind))
    expect(kinds.has('Node')).toBe(true)
    expect(kinds.has('Pod')).toBe(true)
    expect(kinds.has('Event')).toBe(false)
    expect(kinds.has('Lease')).toBe(false)
    expect(timeline.finalObjects.some((o) => o.metadata.namespace === 'kube-system')).toBe(false)
    expect(timeline.finalObjects.filter((o) => o.kind === 'Pod').map((o) => o.metadata.name)).toEqual(['batch'])
  })
})

describe('timelineRecorder', () => {
  it('skips states whose objects did not change, but still moves the end', () => {
    const s = createCluster({ nodes: 1 })
    const recorder = timelineRecorder()
    recorder.observe(s)
    const before = recorder.timeline()
    recorder.observe(s)
    recorder.observe({ ...s, now: s.now + 5000 })
    const after = recorder.timeline()
    expect(after.samples).toBe(3)
    expect(after.end - after.start).toBe(5000)
    expect(after.nodes).toEqual(before.nodes)
    expect(after.series).toEqual([])
  })

  it('an empty recorder gives an empty timeline', () => {
    expect(timelineRecorder().timeline()).toEqual({ start: 0, end: 0, samples: 0, series: [], nodes: [], events: [], droppedEvents: 0, finalObjects: [], omittedObjects: 0 })
  })

  it('keeps the most recent events and counts the dropped ones', () => {
    const s = right(applyManifests(createCluster({ nodes: 2 }), [POD('a'), POD('b'), POD('c')]))
    const recorder = timelineRecorder({ maxEvents: 2, maxFinalObjects: 1 })
    const all = timelineRecorder()
    right(advance(s, '10s', { observe: (x) => (recorder.observe(x), all.observe(x)) }))
    const capped = recorder.timeline()
    const full = all.timeline()
    expect(full.events.length).toBeGreaterThan(2)
    expect(capped.events).toEqual(full.events.slice(-2))
    expect(capped.droppedEvents).toBe(full.events.length - 2)
    expect(capped.finalObjects).toHaveLength(1)
    expect(capped.omittedObjects).toBe(full.finalObjects.length - 1)
  })

  it('records a repeated Event again with its new count', () => {
    const pod = { ...POD('crash'), metadata: { name: 'crash', namespace: 'default', annotations: { 'kubesim.dev/crash-after': '1s' } } }
    const s = right(applyManifests(createCluster({ nodes: 1 }), [pod]))
    const recorder = timelineRecorder()
    recorder.observe(s)
    right(advance(s, '2m', { observe: recorder.observe }))
    const backOffs = recorder.timeline().events.filter((e) => e.reason === 'BackOff')
    expect(backOffs.length).toBeGreaterThan(1)
    expect(backOffs.map((e) => e.count)).toEqual(backOffs.map((_, i) => i + 1))
  })

  it('marks a deleted node as Deleted', () => {
    const s = createCluster({ nodes: 2 })
    const recorder = timelineRecorder()
    recorder.observe(s)
    const node = list(s, 'Node')[1]!
    // Removing the object directly: the recorder sees the Node map lose a key.
    recorder.observe({ ...s, now: s.now + 1000, objects: deleteObject(s.objects, { kind: 'Node', name: node.metadata.name }) })
    expect(recorder.timeline().nodes.find((n) => n.name === node.metadata.name)?.points.map((p) => p.status)).toEqual(['Ready', 'Deleted'])
  })
})

// ---------------------------------------------------------------------------------------------
// the incremental recorder against a full scan of every observed state
// ---------------------------------------------------------------------------------------------

type Counts = readonly [number, number, number]

/** The oracle: scan every pod of every observed state, keep the last value per instant, drop repeats. */
const scanSeries = (states: ReadonlyArray<ClusterState>): Map<string, Array<readonly [number, ...Counts]>> => {
  const out = new Map<string, Array<readonly [number, ...Counts]>>()
  for (const state of states) {
    const counts = new Map<string, [number, number, number]>()
    for (const pod of list(state, 'Pod')) {
      const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true)
      const key = owner === undefined ? `Pod/${pod.metadata.namespace}/` : `${owner.kind}/${pod.metadata.namespace}/${owner.name}`
      const c = counts.get(key) ?? [0, 0, 0]
      const status = pod['status'] as { phase?: string; conditions?: ReadonlyArray<{ type: string; status: string }> } | undefined
      c[0]++
      if (status?.phase === 'Running') c[1]++
      if (status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true) c[2]++
      counts.set(key, c)
    }
    for (const key of new Set([...out.keys(), ...counts.keys()])) {
      const c = counts.get(key) ?? [0, 0, 0]
      const points = out.get(key) ?? []
      out.set(key, points)
      const last = points.at(-1)
      if (last !== undefined && last[0] === state.now) points.pop()
      const prev = points.at(-1)
      if (prev !== undefined && prev[1] === c[0] && prev[2] === c[1] && prev[3] === c[2]) continue
      points.push([state.now, ...c])
    }
  }
  return out
}

describe('timelineRecorder against a full scan', () => {
  it('records the same pod counts as scanning every pod of every state', () => {
    fc.assert(
      fc.property(
        manifestSet('default'),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.constant('fail' as const), fc.constant('recover' as const)), { maxLength: 4 }),
        (manifests, nodes, seed, ops) => {
          const applied = applyManifests(createCluster({ nodes, seed }), manifests)
          if (E.isLeft(applied)) return
          const states: ClusterState[] = []
          const recorder = timelineRecorder()
          const observe = (s: ClusterState) => {
            states.push(s)
            recorder.observe(s)
          }
          let state = applied.right
          observe(state)
          for (const op of ops) {
            if (op === 'fail' || op === 'recover') {
              const next = (op === 'fail' ? failNode : recoverNode)(state, 'node-1')
              if (E.isRight(next)) observe((state = next.right))
            } else state = right(advance(state, op, { observe }))
          }
          const timeline = recorder.timeline()
          const expected = scanSeries(states)
          const actual = new Map(timeline.series.map((s) => [`${s.kind}/${s.namespace}/${s.name}`, s.points.map((p) => [p.time, p.pods, p.running, p.ready] as const)]))
          expect(actual).toEqual(expected)
          expect(timeline.end).toBe(state.now)
          // Every workload that owns pods is named after its owner; ReplicaSets after their Deployment.
          for (const s of timeline.series.filter((x) => x.kind === 'ReplicaSet')) expect(s.parent?.kind).toBe('Deployment')
        },
      ),
      { numRuns: process.env['KUBESIM_LONG'] === undefined ? 15 : 300 },
    )
  })
})
