/**
 * A tiny benchmark harness: runs a function repeatedly, reports the median time per call, and
 * appends results to bench/results/<name>.json and a row to docs/performance.md. Benchmarks are
 * measurements, never pass/fail tests.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

export interface Measurement {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly target?: string
}

/** Median over `rounds` rounds of the mean time per call of `fn`, in microseconds. */
export const microsPerCall = (fn: (i: number) => void, callsPerRound: number, rounds = 7): number => {
  const samples: number[] = []
  let counter = 0
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < callsPerRound; i++) fn(counter++)
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / callsPerRound)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN
}

/** Peak-ish heap: the current heap after a forced GC when available. */
export const heapMiB = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) gc()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

export const machine = (): string => `${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`

/** Prints, writes JSON, and appends a row per measurement to docs/performance.md. */
export const report = (bench: string, measurements: ReadonlyArray<Measurement>): void => {
  const root = join(import.meta.dirname, '..')
  const resultsDir = join(root, 'bench', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const when = new Date().toISOString()
  writeFileSync(join(resultsDir, `${bench}.json`), JSON.stringify({ bench, when, machine: machine(), measurements }, null, 2) + '\n')
  for (const m of measurements) console.log(`${bench}: ${m.name}: ${m.value.toFixed(2)} ${m.unit}${m.target === undefined ? '' : ` (target ${m.target})`}`)
  const doc = join(root, 'docs', 'performance.md')
  // KUBESIM_BENCH_DRY=1: print only (profiling and trial runs leave the published figures alone).
  if (process.env['KUBESIM_BENCH_DRY'] === '1') return
  if (!existsSync(doc) || !readFileSync(doc, 'utf8').includes('| date |')) return
  for (const m of measurements)
    appendFileSync(doc, `| ${when.slice(0, 10)} | ${bench} | ${m.name} | ${m.value.toFixed(2)} ${m.unit} | ${m.target ?? ''} | ${machine()} |\n`)
}
