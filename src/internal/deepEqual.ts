/**
 * Structural equality of JSON-shaped values (objects, arrays, strings, numbers, booleans, null),
 * ignoring key order, without allocating: the reducer uses it to tell a real change from a
 * no-op write on every update, so it must be cheap and exit at the first difference.
 *
 * @internal
 * @module
 */

/**
 * Whether two JSON-shaped values are equal. Keys whose value is `undefined` count as absent, as
 * they would after a JSON round trip.
 *
 * @internal
 */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const aIsArray = Array.isArray(a)
  if (aIsArray !== Array.isArray(b)) return false
  if (aIsArray) {
    const bb = b as ReadonlyArray<unknown>
    if (a.length !== bb.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false
    return true
  }
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  let aCount = 0
  for (const key in ao) {
    if (!Object.prototype.hasOwnProperty.call(ao, key)) continue
    const av = ao[key]
    if (av === undefined) continue
    aCount++
    if (!Object.prototype.hasOwnProperty.call(bo, key) || !deepEqual(av, bo[key])) return false
  }
  let bCount = 0
  for (const key in bo) if (Object.prototype.hasOwnProperty.call(bo, key) && bo[key] !== undefined) bCount++
  return aCount === bCount
}

/**
 * Equality of two objects ignoring some top-level keys (e.g. `metadata` and `status`, to tell
 * whether the desired part changed).
 *
 * @internal
 */
export const deepEqualExcept = (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>, ignored: ReadonlyArray<string>): boolean => {
  for (const key of Object.keys(a)) if (!ignored.includes(key) && !deepEqual(a[key], b[key])) return false
  for (const key of Object.keys(b)) if (!ignored.includes(key) && a[key] === undefined && b[key] !== undefined) return false
  return true
}
