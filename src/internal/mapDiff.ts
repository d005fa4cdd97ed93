/**
 * The entries that differ between two versions of a persistent map. Two versions of an
 * `immutable` Map share every subtree an update did not touch, so walking both tries side by
 * side and skipping subtrees that are the same reference costs the changes, not the map's
 * size. This is how a controller learns what changed since the state it last saw, as an
 * informer's watch events tell a real one. The walk reads the trie nodes of `immutable` 5;
 * should their shape ever differ, it falls back to comparing every entry (correct, just slower).
 *
 * @module
 */
import type { Map as IMap } from 'immutable'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** One changed key: the value before (absent when added) and after (absent when removed). */
export interface MapChange<K, V> {
  readonly key: K
  readonly before: V | undefined
  readonly after: V | undefined
}

type Entry = readonly [unknown, unknown]
interface TrieNode {
  readonly entries?: ReadonlyArray<Entry>
  readonly entry?: Entry
  readonly bitmap?: number
  readonly count?: number
  readonly nodes?: ReadonlyArray<TrieNode | undefined>
}

class UnknownShape extends Error {}

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const isBranch = (node: TrieNode): boolean => Array.isArray(node.nodes) && (typeof node.bitmap === 'number' || typeof node.count === 'number')

const popCount = (x: number): number => {
  let v = x - ((x >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

const collect = (node: TrieNode | undefined, into: Map<unknown, unknown>): void => {
  if (node === undefined) return
  if (Array.isArray(node.entries)) for (const [k, v] of node.entries) into.set(k, v)
  else if (Array.isArray(node.entry)) into.set(node.entry[0], node.entry[1])
  else if (isBranch(node)) for (const child of node.nodes ?? []) collect(child, into)
  else throw new UnknownShape()
}

const walk = (a: TrieNode | undefined, b: TrieNode | undefined, out: MapChange<unknown, unknown>[]): void => {
  if (a === b) return
  if (a !== undefined && b !== undefined) {
    const aNodes = a.nodes
    const bNodes = b.nodes
    if (isBranch(a) && isBranch(b)) {
      // Both are branches at the same depth: children in the same slot hold the same hash range.
      // Only slots either side occupies are visited (a full array node occupies all 32); the
      // node fields are read once here, as reads across trie node classes are slow.
      const aBitmap = typeof a.bitmap === 'number' ? a.bitmap : -1
      const bBitmap = typeof b.bitmap === 'number' ? b.bitmap : -1
      let occupied = aBitmap | bBitmap
      while (occupied !== 0) {
        const low = occupied & -occupied
        occupied ^= low
        const below = low - 1
        const left = aBitmap === -1 ? aNodes?.[31 - Math.clz32(low)] : (aBitmap & low) === 0 ? undefined : aNodes?.[popCount(aBitmap & below)]
        const right = bBitmap === -1 ? bNodes?.[31 - Math.clz32(low)] : (bBitmap & low) === 0 ? undefined : bNodes?.[popCount(bBitmap & below)]
        if (left !== right) walk(left, right, out)
      }
      return
    }
    // Two single entries (the common leaf): compared without building maps.
    const ea = a.entry
    const eb = b.entry
    if (Array.isArray(ea) && Array.isArray(eb)) {
      if (ea[0] === eb[0]) {
        if (ea[1] !== eb[1]) out.push({ key: ea[0], before: ea[1], after: eb[1] })
      } else {
        out.push({ key: ea[0], before: ea[1], after: undefined })
        out.push({ key: eb[0], before: undefined, after: eb[1] })
      }
      return
    }
  }
  const before = new Map<unknown, unknown>()
  const after = new Map<unknown, unknown>()
  collect(a, before)
  collect(b, after)
  for (const [key, value] of before) {
    const next = after.get(key)
    if (!after.has(key)) out.push({ key, before: value, after: undefined })
    else if (next !== value) out.push({ key, before: value, after: next })
  }
  for (const [key, value] of after) if (!before.has(key)) out.push({ key, before: undefined, after: value })
}

/**
 * The keys whose values differ (by reference) between two versions of a map, in no particular
 * order. Costs the changed subtrees when the versions share structure; any two maps work.
 *
 * @internal
 */
export const diffMaps = <K, V>(before: IMap<K, V>, after: IMap<K, V>): ReadonlyArray<MapChange<K, V>> => {
  if (before === after) return []
  const a = (before as unknown as { readonly _root?: TrieNode })._root
  const b = (after as unknown as { readonly _root?: TrieNode })._root
  if (('_root' in (before as object)) && ('_root' in (after as object))) {
    try {
      const out: MapChange<unknown, unknown>[] = []
      walk(a, b, out)
      return out as ReadonlyArray<MapChange<K, V>>
    } catch (error) {
      if (!(error instanceof UnknownShape)) throw error
    }
  }
  const out: MapChange<K, V>[] = []
  for (const [key, value] of before) {
    if (!after.has(key)) out.push({ key, before: value, after: undefined })
    else if (after.get(key) !== value) out.push({ key, before: value, after: after.get(key) })
  }
  for (const [key, value] of after) if (!before.has(key)) out.push({ key, before: undefined, after: value })
  return out
}
