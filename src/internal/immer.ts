/**
 * The one module that imports immer. Reducers and controllers edit single objects through
 * `produce`; admission defaulting through `produceCopy` (the same contract without proxies); collections live in persistent maps, never in drafts (immer copies a whole `Map`
 * on first write, which costs ~70 ms at 150,000 entries).
 *
 * @internal
 * @module
 */
import { type Draft, Immer } from 'immer'

const immer = new Immer({ autoFreeze: true })

/**
 * Applies a recipe to a copy of `base` and returns it frozen; returns `base` itself when the
 * recipe changes nothing, so "no change" is a reference check.
 *
 * @internal
 */
export const produce = <T>(base: T, recipe: (draft: Draft<T>) => void): T => immer.produce(base, recipe) as T

/**
 * Deep-freezes a plain value (used when storing decoded input, which immer did not produce).
 *
 * @internal
 */
export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    // Index and for-in loops: no key array per object (this runs on every object stored).
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i])
    else for (const key in value) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object'

const copyTree = (value: unknown): unknown => {
  if (!isRecord(value)) return value
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = copyTree(value[i])
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) out[key] = copyTree(value[key])
  return out
}

/** `after` with each subtree equal to the same place in `before` replaced by `before`'s; `before` itself when all are equal. */
const shareUnchanged = (before: unknown, after: unknown): unknown => {
  if (before === after || !isRecord(after) || !isRecord(before) || Array.isArray(before) !== Array.isArray(after)) return after
  let same = true
  if (Array.isArray(after)) {
    const previous = before as unknown as unknown[]
    if (previous.length !== after.length) same = false
    for (let i = 0; i < after.length; i++) {
      const shared = shareUnchanged(previous[i], after[i])
      after[i] = shared
      if (shared !== previous[i]) same = false
    }
  } else {
    const keys = Object.keys(after)
    for (const key of keys) {
      const shared = shareUnchanged(before[key], after[key])
      after[key] = shared
      if (shared !== before[key] || !Object.prototype.hasOwnProperty.call(before, key)) same = false
    }
    if (same && Object.keys(before).length !== keys.length) same = false
  }
  return same ? before : after
}

/**
 * `produce` for admission defaulting: the recipe edits a plain copy of `base` instead of an
 * immer draft, and the result shares every unchanged subtree with `base` (`base` itself when
 * nothing changed), frozen when `base` is. Defaulting reads and writes dozens of fields of every object
 * written; through immer's proxies that cost about three times as much (bench/scheduler).
 * For JSON-shaped values only (objects, arrays, primitives).
 *
 * @internal
 */
export const produceCopy = <T>(base: T, recipe: (draft: Draft<T>) => void): T => {
  const draft = copyTree(base) as Draft<T>
  const returned = (recipe as (d: Draft<T>) => unknown)(draft)
  const result = shareUnchanged(base, returned === undefined ? draft : returned) as T
  // A frozen base is a stored object: its successor is frozen too. An unfrozen one is fresh
  // input or an enclosing recipe's copy, which that recipe may still be editing.
  return Object.isFrozen(base) ? deepFreeze(result) : result
}

export type { Draft }
