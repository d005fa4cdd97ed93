/**
 * Plain text columns as kubectl prints its tables: left-aligned, three spaces apart, the last
 * column unpadded.
 *
 * @module
 */

/** Lays out rows of cells; every line ends in a newline. */
export const formatColumns = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [])
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join('').trimEnd()).join('\n') + '\n'
}
