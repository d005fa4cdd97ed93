/**
 * The three-way merge behind `apply`, as `kubectl apply` does it: the new manifest is laid over
 * the live object, and fields that the previous manifest set but the new one omits are removed.
 * Fields set by others (a controller, `scale`) and never in a manifest are kept. Lists are
 * replaced whole (kubectl's strategic merge keys them; kubesim's manifests list them fully).
 *
 * @module
 */

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

const define = (target: Json, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/**
 * Merges `desired` into `live`, deleting what `lastApplied` had and `desired` dropped.
 *
 * @category api
 * @since 0.1.0
 * @example
 * ```ts
 * import { threeWayMerge } from 'kubesim'
 * const live = { spec: { replicas: 5, paused: true, selector: 'x' } }
 * const last = { spec: { replicas: 3, paused: true } }
 * const next = { spec: { replicas: 3 } }
 * expect(threeWayMerge(live, last, next)).toEqual({ spec: { replicas: 3, selector: 'x' } })
 * ```
 */
export const threeWayMerge = (live: unknown, lastApplied: unknown, desired: unknown): unknown => {
  if (!isRecord(desired) || !isRecord(live)) return desired
  const last = isRecord(lastApplied) ? lastApplied : {}
  const out: Json = {}
  for (const key of Object.keys(live)) {
    if (Object.prototype.hasOwnProperty.call(desired, key)) continue
    if (Object.prototype.hasOwnProperty.call(last, key)) continue
    define(out, key, live[key])
  }
  for (const key of Object.keys(desired)) {
    const d = desired[key]
    const l = live[key]
    define(out, key, isRecord(d) && isRecord(l) ? threeWayMerge(l, last[key], d) : d)
  }
  return out
}
