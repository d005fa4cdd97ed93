/**
 * A frozen JSON round trip (`JSON.parse(JSON.stringify(value))`, deep-frozen) that shares
 * structure with a previous version: a subtree reference-equal to its counterpart in `previous`
 * that is frozen and already JSON-clean is kept as it is instead of copied. Status writes rebuild
 * a status from the stored one, so most of it is reused and only the changed path is allocated.
 *
 * Anything outside plain JSON data (class instances, `toJSON`, very deep nesting) falls back to
 * the real round trip, so the result is always what `JSON.parse(JSON.stringify(value))` gives.
 *
 * @internal
 * @module
 */

const MAX_DEPTH = 200

/** Thrown inside the fast copy when the value needs the real round trip. */
const FALLBACK: unique symbol = Symbol('fallback')

const isPlainProto = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** Whether a frozen subtree is exactly what a JSON round trip of it would give. */
const isJsonClean = (value: unknown, depth: number): boolean => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (typeof value !== 'object' || depth > MAX_DEPTH || !Object.isFrozen(value)) return false
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isJsonClean(value[i], depth + 1)) return false
    }
    return true
  }
  if (!isPlainProto(value)) return false
  // A null-prototype object comes back from JSON.parse with Object.prototype.
  if (Object.getPrototypeOf(value) === null) return false
  const record = value as Record<string, unknown>
  if (typeof record['toJSON'] === 'function') return false
  for (const key of Object.keys(record)) {
    if (key === '__proto__') return false
    if (!isJsonClean(record[key], depth + 1)) return false
  }
  return true
}

const copy = (value: unknown, previous: unknown, depth: number): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? (value === 0 ? 0 : value) : null
  if (typeof value !== 'object' || depth > MAX_DEPTH) throw FALLBACK
  if (value === previous && isJsonClean(value, depth)) return value
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw FALLBACK
    const prev = Array.isArray(previous) ? previous : undefined
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      out[i] = item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : copy(item, prev?.[i], depth + 1)
    }
    return Object.freeze(out)
  }
  if (!isPlainProto(value)) throw FALLBACK
  const record = value as Record<string, unknown>
  if (typeof record['toJSON'] === 'function') throw FALLBACK
  const prev =
    previous !== null && typeof previous === 'object' && !Array.isArray(previous) ? (previous as Record<string, unknown>) : undefined
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(record)) {
    const item = record[key]
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
    const copied = copy(item, prev !== undefined && Object.prototype.hasOwnProperty.call(prev, key) ? prev[key] : undefined, depth + 1)
    // Plain assignment to `__proto__` would set the prototype: JSON.parse defines it as data.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true })
    else out[key] = copied
  }
  return Object.freeze(out)
}

const deepFreezeAll = (value: unknown): unknown => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreezeAll((value as Record<string, unknown>)[key])
  }
  return value
}

/**
 * `JSON.parse(JSON.stringify(value))`, deep-frozen, reusing clean frozen subtrees of `previous`
 * that `value` still holds by reference.
 *
 * @internal
 */
export const frozenJsonCopy = (value: unknown, previous: unknown): unknown => {
  try {
    return copy(value, previous, 0)
  } catch (e) {
    if (e !== FALLBACK) throw e
    const text = JSON.stringify(value)
    return text === undefined ? undefined : deepFreezeAll(JSON.parse(text) as unknown)
  }
}

/**
 * Whether a value is frozen all the way down, so that anything computed from it alone can be
 * remembered against its identity.
 *
 * @internal
 */
export const isDeepFrozen = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object') return true
  if (!Object.isFrozen(value)) return false
  for (const key of Object.keys(value)) if (!isDeepFrozen((value as Record<string, unknown>)[key])) return false
  return true
}
