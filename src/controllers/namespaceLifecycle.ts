/**
 * Namespace lifecycle: a namespace being deleted is emptied (every object in it is deleted), and
 * once nothing is left its `kubernetes` finalizer is removed so the API server can drop it.
 *
 * @module
 */
import * as O from 'fp-ts/lib/Option.js'
import { produce } from '../internal/immer.js'
import { listObjects, objectsInNamespace } from '../store/objectStore.js'
import type { ClusterState } from '../store/state.js'
import type { Action, Controller } from './controller.js'

const NAME = 'namespace-controller'

const reconcile = (state: ClusterState): ReadonlyArray<Action> => {
  const actions: Action[] = []
  // The few Namespaces, not every deleting object (evicted pods can stay Terminating by thousands).
  for (const ns of listObjects(state.objects, 'Namespace')) {
    if (ns.metadata.deletionTimestamp === undefined) continue
    const contents = objectsInNamespace(state.objects, ns.metadata.name)
    if (contents.length === 0) {
      actions.push({
        type: 'update',
        by: NAME,
        object: produce(ns, (draft) => {
          const spec = (draft as Record<string, unknown>)['spec'] as { finalizers?: string[] } | undefined
          if (spec !== undefined) spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes')
        }),
      })
      continue
    }
    for (const object of contents)
      if (object.metadata.deletionTimestamp === undefined)
        actions.push({
          type: 'delete',
          by: NAME,
          ref: { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name },
          propagation: 'Background',
          ...(object.metadata.uid === undefined ? {} : { preconditionUid: object.metadata.uid }),
        })
  }
  return actions
}

/**
 * The namespace lifecycle controller.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { namespaceLifecycle, createCluster } from 'kubesim'
 * expect(namespaceLifecycle.reconcile(createCluster())).toEqual([])
 * ```
 */
export const namespaceLifecycle: Controller = { name: NAME, reconcile, nextWakeup: () => O.none }
