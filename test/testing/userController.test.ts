/**
 * Users' own controllers: a reconcile function for a custom kind (`example.com/v1 Widget`,
 * stored as an opaque object) runs in the engine next to the built-in controllers and is
 * checked with the same tools: invariants after every step (`advanceChecked`), and random
 * fault schedules (`faultSchedule` / `runSchedule`) after which it must converge.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { describe, expect, it } from 'vitest'
import type { Action, Controller } from '../../src/controllers/controller.js'
import type { KubeObject } from '../../src/objects/object.js'
import { applyManifests, get, list, remove } from '../../src/store/api.js'
import { createCluster, defaultControllers } from '../../src/store/cluster.js'
import type { ClusterState } from '../../src/store/state.js'
import { advanceChecked } from '../../src/testing/checked.js'
import { faultSchedule, runSchedule } from '../../src/testing/convergence.js'
import type { Invariant } from '../../src/testing/invariants.js'
import { ALL_INVARIANTS } from '../../src/testing/workloadInvariants.js'

// ---------------------------------------------------------------------------------------------
// the user's controller: one ConfigMap `widget-<name>` per Widget, holding its spec.colour
// ---------------------------------------------------------------------------------------------

const widgetConfigMap = (widget: KubeObject): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: `widget-${widget.metadata.name}`,
    namespace: widget.metadata.namespace ?? 'default',
    labels: { 'example.com/widget': widget.metadata.name },
    // The owner reference lets the garbage collector delete the ConfigMap with its Widget.
    ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: widget.metadata.name, uid: widget.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
  },
  data: { colour: String((widget['spec'] as { colour?: string } | undefined)?.colour ?? 'none') },
})

const reconcileWidgets = (state: ClusterState): ReadonlyArray<Action> =>
  list(state, 'Widget').flatMap((widget): Action[] => {
    if (widget.metadata.deletionTimestamp !== undefined) return []
    const want = widgetConfigMap(widget)
    const have = get(state, 'ConfigMap', want.metadata.namespace, want.metadata.name)
    if (O.isNone(have)) return [{ type: 'create', object: want, by: 'widget-controller' }]
    if (JSON.stringify(have.value['data']) === JSON.stringify(want['data'])) return []
    return [{ type: 'update', object: { ...have.value, data: want['data'] }, by: 'widget-controller' }]
  })

const widgetController: Controller = { name: 'widget-controller', reconcile: reconcileWidgets, nextWakeup: () => O.none }

/** Safety: a widget ConfigMap is only ever controlled by the live Widget of the same name. */
const widgetOwnership: Invariant = {
  name: 'W1 widget ConfigMap owner',
  check: (state) =>
    list(state, 'ConfigMap', { labelSelector: 'example.com/widget' }).flatMap((cm) => {
      const owner = cm.metadata.ownerReferences?.find((r) => r.controller === true)
      const widget = get(state, 'Widget', cm.metadata.namespace, owner?.name ?? '')
      // The garbage collector deletes orphans later; until then the owner may be gone.
      if (O.isNone(widget)) return []
      return owner !== undefined && widget.value.metadata.uid === owner.uid && `widget-${owner.name}` === cm.metadata.name
        ? []
        : [{ invariant: 'W1 widget ConfigMap owner', object: `ConfigMap ${cm.metadata.namespace}/${cm.metadata.name}`, field: 'metadata.ownerReferences', expected: `Widget ${cm.metadata.name.slice(7)} uid ${widget.value.metadata.uid}`, actual: JSON.stringify(owner) }]
    }),
}

const widget = (name: string, colour: string): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec: { colour } })

const controllers = [...defaultControllers, widgetController]
const invariants = [...ALL_INVARIANTS, widgetOwnership]

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left, (k, v: unknown) => (k === 'state' || k === 'previous' ? undefined : v)))
  return e.right
}

/** Liveness: every live Widget has its ConfigMap with its colour. */
const widgetsConverged = (state: ClusterState): ReadonlyArray<string> =>
  list(state, 'Widget').flatMap((w) => {
    const cm = get(state, 'ConfigMap', w.metadata.namespace, `widget-${w.metadata.name}`)
    const colour = (w['spec'] as { colour: string }).colour
    return O.isSome(cm) && (cm.value['data'] as { colour?: string }).colour === colour ? [] : [`Widget ${w.metadata.name} has no ConfigMap with colour ${colour}`]
  })

describe('a user-written controller for a custom kind', () => {
  it('creates, updates and (through the garbage collector) deletes a ConfigMap per Widget, invariants checked at every step', () => {
    let s = right(applyManifests(createCluster({ nodes: 1, controllers }), [widget('a', 'red'), widget('b', 'blue')]))
    s = right(advanceChecked(s, '5s', { invariants }))
    expect(widgetsConverged(s)).toEqual([])
    s = right(applyManifests(s, widget('a', 'green')))
    s = right(advanceChecked(s, '5s', { invariants }))
    expect(O.map((cm: KubeObject) => cm['data'])(get(s, 'ConfigMap', 'default', 'widget-a'))).toEqual(O.some({ colour: 'green' }))
    s = right(remove(s, { kind: 'Widget', namespace: 'default', name: 'b' }))
    s = right(advanceChecked(s, '1m', { invariants }))
    expect(O.isNone(get(s, 'ConfigMap', 'default', 'widget-b'))).toBe(true)
    expect(list(s, 'ConfigMap', { labelSelector: 'example.com/widget' }).map((c) => c.metadata.name)).toEqual(['widget-a'])
  })

  it('any set of Widgets converges, with invariants at every step', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), fc.constantFrom('red', 'blue'), (names, colour) => {
        const s = right(applyManifests(createCluster({ controllers }), names.map((n) => widget(n, colour))))
        const after = right(advanceChecked(s, '10s', { invariants }))
        expect(widgetsConverged(after)).toEqual([])
      }),
      { numRuns: 10, seed: 3 },
    )
  })

  it('converges after random fault schedules (crashes, stale reads, dropped writes) once faults stop', () => {
    const manifests = [widget('a', 'red'), widget('b', 'blue')]
    const options = { cluster: { nodes: 2, controllers }, invariants, maxCommands: 5 }
    fc.assert(
      fc.property(faultSchedule(manifests, options), (schedule) => {
        const run = runSchedule(manifests, schedule, options)
        expect(run.failure).toBeUndefined()
        expect(widgetsConverged(run.state)).toEqual([])
      }),
      { numRuns: 8, seed: 11 },
    )
  })

  it('the invariant catches a controller that points ConfigMaps at the wrong owner', () => {
    const wrong: Controller = {
      ...widgetController,
      reconcile: (state) =>
        reconcileWidgets(state).map((a) =>
          a.type === 'create' ? { ...a, object: { ...a.object, metadata: { ...a.object.metadata, ownerReferences: (a.object.metadata.ownerReferences ?? []).map((r) => ({ ...r, uid: 'stale-uid' })) } } } : a,
        ),
    }
    const s = right(applyManifests(createCluster({ controllers: [...defaultControllers, wrong] }), widget('a', 'red')))
    const run = advanceChecked(s, '5s', { invariants })
    expect(E.isLeft(run) && run.left.violations.map((v) => v.invariant)).toEqual(['W1 widget ConfigMap owner'])
  })
})
