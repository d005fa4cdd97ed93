/**
 * The one module that imports immer. Reducers and defaulting edit single objects through
 * `produce`; collections live in persistent maps, never in drafts (immer copies a whole `Map`
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
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

export type { Draft }
