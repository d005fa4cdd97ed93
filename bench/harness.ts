/**
 * A tiny benchmark harness: runs a function repeatedly, reports the median time per call, and
 * appends results to bench/results/<name>.json and a row to docs/performance.md. Benchmarks are
 * measurements, never pass/fail tests.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { getHeapStatistics } from 'node:v8'

export interface Measurement {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly target?: string
}

/**
 * Median over `rounds` rounds of the mean time per call of `fn`, in microseconds, after
 * `warmupCalls` untimed calls (so the median is the steady state, not the JIT's warm-up: a path
 * through admission and a controller takes thousands of calls to settle).
 */
export const microsPerCall = (fn: (i: number) => void, callsPerRound: number, rounds = 7, warmupCalls = 0): number => {
  const samples: number[] = []
  let counter = 0
  while (counter < warmupCalls) fn(counter++)
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

/**
 * The largest heap in use seen by `sample()`, garbage included (what --max-old-space-size
 * limits). Sample it often (e.g. from the engine's `observe` hook): a synchronous run gives no
 * other chance to look.
 */
export const heapPeak = (): { readonly sample: () => void; readonly mib: () => number } => {
  let peak = 0
  return {
    sample: () => {
      const used = getHeapStatistics().used_heap_size
      if (used > peak) peak = used
    },
    mib: () => peak / 1024 / 1024,
  }
}

/** Peak resident set size of this process so far, in MiB. */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024

/** A timed simulation run: how long it took, how much virtual time passed, its peak heap. */
export interface SimRun {
  readonly wallSeconds: number
  readonly simulatedSeconds: number
  readonly peakHeapMiB: number
}

/** The issue-9 columns for one run: wall time, simulated time, simulated/wall, peak heap. */
export const simMeasurements = (label: string, run: SimRun, targets: { readonly wall?: string; readonly heap?: string } = {}): Measurement[] => [
  { name: `${label}: wall time`, value: run.wallSeconds, unit: 's', ...(targets.wall === undefined ? {} : { target: targets.wall }) },
  { name: `${label}: simulated time`, value: run.simulatedSeconds, unit: 's' },
  { name: `${label}: simulated/wall`, value: run.simulatedSeconds / run.wallSeconds, unit: 'x' },
  { name: `${label}: peak heap`, value: run.peakHeapMiB, unit: 'MiB', ...(targets.heap === undefined ? {} : { target: targets.heap }) },
]

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
