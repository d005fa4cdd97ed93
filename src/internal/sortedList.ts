/**
 * A list kept in order as items come and go, in chunks of at most `CHUNK` items: inserting or
 * removing moves at most one chunk's items, where one sorted array moves half of all of them
 * (a ReplicaSet's 10,000 pods in name order, one pod arriving per step).
 *
 * @internal
 * @module
 */

const CHUNK = 128

/**
 * Items in the order `compare` gives (no two items may compare equal), with insert, remove and
 * replace in about log(n) + 128 moves. Iterates in order.
 *
 * @internal
 */
export class SortedList<T> implements Iterable<T> {
  private chunks: T[][] = []
  private count = 0

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** How many items the list holds. */
  get length(): number {
    return this.count
  }

  /** The chunk `item` belongs in: the first whose last item is not before it (else the last chunk). */
  private chunkOf(item: T): number {
    let low = 0
    let high = this.chunks.length - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      const chunk = this.chunks[middle]!
      if (this.compare(chunk[chunk.length - 1]!, item) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  /** The first position in `chunk` whose item is not before `item`. */
  private positionIn(chunk: ReadonlyArray<T>, item: T): number {
    let low = 0
    let high = chunk.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.compare(chunk[middle]!, item) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Adds `item` in its place. */
  insert(item: T): void {
    this.count++
    if (this.chunks.length === 0) {
      this.chunks.push([item])
      return
    }
    const at = this.chunkOf(item)
    const chunk = this.chunks[at]!
    chunk.splice(this.positionIn(chunk, item), 0, item)
    if (chunk.length > CHUNK) this.chunks.splice(at + 1, 0, chunk.splice(CHUNK / 2))
  }

  /** Where `item` itself (the same reference) sits, or undefined. */
  private find(item: T): readonly [number, number] | undefined {
    if (this.chunks.length === 0) return undefined
    const at = this.chunkOf(item)
    const chunk = this.chunks[at]!
    const position = this.positionIn(chunk, item)
    return chunk[position] === item ? [at, position] : undefined
  }

  /** Removes `item` (the same reference); false when it is not in the list. */
  remove(item: T): boolean {
    const found = this.find(item)
    if (found === undefined) return false
    const [at, position] = found
    const chunk = this.chunks[at]!
    chunk.splice(position, 1)
    if (chunk.length === 0) this.chunks.splice(at, 1)
    this.count--
    return true
  }

  /**
   * Puts `next` in the place of `previous` (the same reference), which must be where `next`
   * goes too (they compare equal against every other item); false when `previous` is absent.
   */
  replace(previous: T, next: T): boolean {
    const found = this.find(previous)
    if (found === undefined) return false
    this.chunks[found[0]]![found[1]] = next
    return true
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this.chunks) yield* chunk
  }

  /** The items in order. */
  toArray(): T[] {
    const out: T[] = []
    for (const chunk of this.chunks) for (const item of chunk) out.push(item)
    return out
  }

  /** The items that pass `keep`, in order. */
  filter(keep: (item: T) => boolean): T[] {
    const out: T[] = []
    for (const chunk of this.chunks) for (const item of chunk) if (keep(item)) out.push(item)
    return out
  }
}
