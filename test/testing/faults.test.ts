import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { advance, applyManifests, type ClusterState, createCluster, endpointSliceController, replicaSetController, step, traceEntries } from '../../src/index.js'
import { recorderMemoryKey } from '../../src/store/eventCorrelator.js'
import { listObjects, storedKinds } from '../../src/store/objectStore.js'
import {
  ALL_INVARIANTS,
  checkInvariants,
  createFaultDriver,
  driverAdvance,
  driverStep,
  type FaultDriver,
  formatCommand,
  injectFault,
  mapController,
  runClusterCommand,
} from '../../src/testing/index.js'

const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } } }
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }

const start = (seed = 0): ClusterState => {
  const s = applyManifests(createCluster({ nodes: 3, seed }), [web, svc])
  if (E.isLeft(s)) throw new Error('setup')
  return s.right
}

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left).slice(0, 300))
  return e.right
}

/** Every object, in store order: equal snapshots mean equal clusters. */
const snapshot = (s: ClusterState): string => JSON.stringify([s.now, s.revision, storedKinds(s.objects).map((k) => listObjects(s.objects, k))])

const pods = (s: ClusterState) => listObjects(s.objects, 'Pod').filter((p) => p.metadata.deletionTimestamp === undefined)

describe('fault driver', () => {
  it('without faults takes exactly the engine steps', () => {
    let state = start()
    let driver = createFaultDriver(state)
    for (let i = 0; i < 6; i++) {
      state = step(state).state
      driver = driverStep(driver).driver
      expect(snapshot(driver.state)).toBe(snapshot(state))
    }
    // and advancing reaches the same cluster as `advance`
    const a = right(advance(start(), '2m'))
    const b = right(driverAdvance(createFaultDriver(start()), 120_000)).state
    expect(b.now).toBe(a.now)
    expect(snapshot(b)).toBe(snapshot(a))
  })

  it('a crash applies only part of the pass and wipes the controller memory', () => {
    const settled = right(driverAdvance(createFaultDriver(start()), 30_000)).state
    expect(settled.memory.has(endpointSliceController.name)).toBe(true)
    // A new pod for the Service: the endpoint controller's next pass has a write and a remember.
    const extra = right(applyManifests(settled, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'extra', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }]))
    let driver: FaultDriver = injectFault(createFaultDriver(extra), { type: 'crash', controller: endpointSliceController.name, keep: 0 })
    for (let i = 0; i < 5 && driver.faults.crash.size > 0; i++) driver = driverStep(driver).driver
    expect(driver.faults.crash.size).toBe(0)
    expect(driver.state.memory.has(endpointSliceController.name)).toBe(false)
    // After the restart the controller rebuilds its view and converges anyway.
    const later = right(driverAdvance(driver, 60_000)).state
    expect(checkInvariants(later, undefined, ALL_INVARIANTS)).toEqual([])
  })

  it("a crash also loses the controller's event recorder caches (its spam filter starts full again)", () => {
    const settled = right(driverAdvance(createFaultDriver(start()), 30_000)).state
    const recorder = recorderMemoryKey(replicaSetController.name)
    expect(settled.memory.has(recorder)).toBe(true)
    const scaled = right(applyManifests(settled, [{ ...web, spec: { ...web.spec, replicas: 5 } }]))
    let driver: FaultDriver = injectFault(createFaultDriver(scaled), { type: 'crash', controller: replicaSetController.name, keep: 0 })
    for (let i = 0; i < 5 && driver.faults.crash.size > 0; i++) driver = driverStep(driver).driver
    expect(driver.faults.crash.size).toBe(0)
    expect(driver.state.memory.has(recorder)).toBe(false)
  })

  it('refused writes are recorded in the trace as the API server refusal and change nothing', () => {
    const s0 = start()
    const driver = injectFault(createFaultDriver(s0), { type: 'writeFailures', controller: 'deployment-controller', count: 2, reason: 'Conflict' })
    const first = driverStep(driver)
    const refused = traceEntries(first.driver.state).filter((e) => e.by === 'deployment-controller' && e.result === 'Conflict')
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0]?.message).toMatch(/the object has been modified/u)
    expect(listObjects(first.driver.state.objects, 'ReplicaSet')).toEqual([])
    const done = right(driverAdvance(first.driver, 30_000)).state
    expect(pods(done).length).toBe(3)
  })

  it('dropped observations and downtime delay a controller, then it catches up', () => {
    const s0 = start()
    const dropped = injectFault(createFaultDriver(s0), { type: 'dropObservations', controller: 'deployment-controller', passes: 3 })
    let d = dropped
    for (let i = 0; i < 3; i++) d = driverStep(d).driver
    expect(listObjects(d.state.objects, 'ReplicaSet')).toEqual([])
    d = driverStep(d).driver
    expect(listObjects(d.state.objects, 'ReplicaSet').length).toBe(1)

    const down = injectFault(createFaultDriver(s0), { type: 'downtime', controller: 'deployment-controller', ms: 90_000 })
    const at60 = right(driverAdvance(down, 60_000)).state
    expect(listObjects(at60.objects, 'ReplicaSet')).toEqual([])
    const at120 = right(driverAdvance(down, 120_000)).state
    expect(pods(at120).length).toBe(3)
  })

  it('stale reads make the controller act on old state; the API refuses stale updates', () => {
    const settled = right(driverAdvance(createFaultDriver(start()), 30_000))
    const scaled = runClusterCommand(settled.state, { type: 'scale', ref: { kind: 'Deployment', name: 'web', namespace: 'default' }, replicas: 5 })
    const d = injectFault({ ...settled, state: E.isRight(scaled) ? scaled.right.state : settled.state }, { type: 'staleReads', controller: 'replicaset-controller', lag: 4, passes: 3 })
    const after = right(driverAdvance(d, 60_000)).state
    expect(pods(after).length).toBe(5)
    expect(checkInvariants(after, undefined, ALL_INVARIANTS)).toEqual([])
  })

  it('seeded controller order is deterministic and still converges', () => {
    const run = (seed: number) => right(driverAdvance(createFaultDriver(start(), { shuffleSeed: seed }), 60_000)).state
    const a = run(5)
    expect(snapshot(run(5))).toBe(snapshot(a))
    expect(snapshot(run(6))).not.toBe(snapshot(a))
    expect(pods(a).length).toBe(3)
    expect(pods(run(6)).length).toBe(3)
  })

  it('cluster commands: kill, never-ready and revert, shrink, clock jump', () => {
    const s = right(driverAdvance(createFaultDriver(start()), 30_000)).state
    const killed = runClusterCommand(s, { type: 'killPod', pick: 7 })
    expect(E.isRight(killed) && killed.right.detail).toMatch(/^Pod\/web-/u)
    const ref = { kind: 'Deployment', name: 'web', namespace: 'default' }
    const broken = runClusterCommand(s, { type: 'neverReady', ref, broken: true })
    expect(E.isRight(broken)).toBe(true)
    if (E.isRight(broken)) {
      const reverted = runClusterCommand(broken.right.state, { type: 'neverReady', ref, broken: false })
      const dep = E.isRight(reverted) ? listObjects(reverted.right.state.objects, 'Deployment')[0] : undefined
      expect(JSON.stringify(dep?.['spec'])).toBe(JSON.stringify(listObjects(s.objects, 'Deployment')[0]?.['spec']))
    }
    const shrunk = runClusterCommand(s, { type: 'shrinkNode', node: 'node-2', percent: 50 })
    const node = E.isRight(shrunk) ? listObjects(shrunk.right.state.objects, 'Node').find((n) => n.metadata.name === 'node-2') : undefined
    expect((node?.['status'] as { allocatable: { cpu: string } }).allocatable.cpu).toBe('2000m')
    const jumped = runClusterCommand(s, { type: 'clockJump', ms: 3_600_000 })
    expect(E.isRight(jumped) && jumped.right.state.now - s.now).toBe(3_600_000)
    expect(E.isLeft(runClusterCommand(s, { type: 'scale', ref: { kind: 'Deployment', name: 'nope', namespace: 'default' }, replicas: 1 }))).toBe(true)
  })

  it('mapController changes what a controller sees and writes', () => {
    const blind = mapController(replicaSetController, { view: (s) => ({ ...s, objects: createCluster().objects }) })
    const s = right(driverAdvance(createFaultDriver(start()), 1000)).state
    expect(replicaSetController.reconcile(s).length).toBeGreaterThanOrEqual(0)
    expect(blind.reconcile(s)).toEqual([])
  })

  it('every command formats to one line', () => {
    fc.assert(
      fc.property(fc.constantFrom(
        { type: 'advance', ms: 1000 } as const,
        { type: 'staleReads', controller: 'x', lag: 2, passes: 1 } as const,
        { type: 'writeFailures', controller: 'x', count: 2, reason: 'Conflict' } as const,
        { type: 'delete', ref: { kind: 'Job', name: 'j', namespace: 'batch' }, propagation: 'Orphan' } as const,
      ), (c) => !formatCommand(c).includes('\n') && formatCommand(c).length > 0),
    )
    expect(formatCommand({ type: 'delete', ref: { kind: 'Job', name: 'j', namespace: 'batch' }, propagation: 'Orphan' })).toBe('delete(Job/j -n batch, Orphan)')
  })
})
