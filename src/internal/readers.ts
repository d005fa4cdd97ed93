/**
 * Defensive readers for objects that may hold anything (stored objects keep unknown fields, and
 * printers must never throw on odd data): each returns a safe default instead of failing.
 *
 * @module
 */

/** A plain object's fields. */
export type Obj = Readonly<Record<string, unknown>>

export const isRecord = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The value at a path of keys, or undefined as soon as a step is not an object. */
export const at = (value: unknown, ...path: ReadonlyArray<string>): unknown => {
  let current = value
  for (const key of path) {
    if (!isRecord(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined
    current = current[key]
  }
  return current
}

export const rec = (value: unknown): Obj => (isRecord(value) ? value : {})
export const arr = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])
export const str = (value: unknown): string => (typeof value === 'string' ? value : '')
