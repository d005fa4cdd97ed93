/**
 * The CI guard's arithmetic, kept pure so test/bench/guard.test.ts can check it: a workload's
 * cost per pod divided by the calibration loop's time in the same process is a machine-neutral
 * figure; a run fails when that figure exceeds the committed baseline's by more than the
 * allowed factor.
 */

/** One measured workload: wall time per pod, in µs. */
export interface GuardMetric {
  readonly name: string
  readonly microsPerPod: number
}

/** One guard run: the calibration loop's time (ms) and every workload's cost per pod. */
export interface GuardRun {
  readonly calibrationMs: number
  readonly metrics: ReadonlyArray<GuardMetric>
}

/** bench/baseline.json. */
export interface GuardBaseline {
  readonly note: string
  readonly created: string
  readonly machine: string
  readonly runs: number
  /** Per metric: (µs per pod) / (calibration ms), the median over `runs` runs. */
  readonly ratios: Readonly<Record<string, number>>
  /** The raw figures behind the ratios, for people reading the file. */
  readonly calibrationMs: number
  readonly microsPerPod: Readonly<Record<string, number>>
}

export interface GuardRow {
  readonly name: string
  readonly microsPerPod: number
  readonly ratio: number
  readonly baseline: number | undefined
  /** ratio / baseline: above `maxFactor` is a regression. */
  readonly factor: number | undefined
  readonly ok: boolean
  readonly why?: string
}

export const MAX_FACTOR = 3

/** (µs per pod) / (calibration ms) for every metric of a run. */
export const ratiosOf = (run: GuardRun): Record<string, number> => {
  if (!(Number.isFinite(run.calibrationMs) && run.calibrationMs > 0)) throw new Error(`calibration time ${run.calibrationMs} ms is not a positive number`)
  const out: Record<string, number> = {}
  for (const m of run.metrics) out[m.name] = m.microsPerPod / run.calibrationMs
  return out
}

/**
 * Compares a run with the baseline. A metric fails when its ratio is more than `maxFactor`
 * times the baseline's, when it is missing from the baseline or from the run (a guard that
 * measured nothing must not pass), or when it is not a positive finite number.
 */
export const compare = (run: GuardRun, baseline: GuardBaseline, maxFactor = MAX_FACTOR): ReadonlyArray<GuardRow> => {
  const ratios = ratiosOf(run)
  const rows: GuardRow[] = []
  for (const m of run.metrics) {
    const ratio = ratios[m.name] as number
    const base = baseline.ratios[m.name]
    if (!(Number.isFinite(m.microsPerPod) && m.microsPerPod > 0)) rows.push({ name: m.name, microsPerPod: m.microsPerPod, ratio, baseline: base, factor: undefined, ok: false, why: 'not a positive time' })
    else if (base === undefined || !(base > 0)) rows.push({ name: m.name, microsPerPod: m.microsPerPod, ratio, baseline: base, factor: undefined, ok: false, why: 'no baseline (run with --update)' })
    else {
      const factor = ratio / base
      rows.push({ name: m.name, microsPerPod: m.microsPerPod, ratio, baseline: base, factor, ok: factor <= maxFactor, ...(factor <= maxFactor ? {} : { why: `regressed ${factor.toFixed(2)}x > ${maxFactor}x` }) })
    }
  }
  for (const name of Object.keys(baseline.ratios))
    if (!run.metrics.some((m) => m.name === name)) rows.push({ name, microsPerPod: Number.NaN, ratio: Number.NaN, baseline: baseline.ratios[name], factor: undefined, ok: false, why: 'not measured' })
  return rows
}

/** A plain-text table of the comparison, one line per metric. */
export const formatTable = (rows: ReadonlyArray<GuardRow>, calibrationMs: number, maxFactor = MAX_FACTOR): string => {
  const header = ['metric', 'µs/pod', 'ratio', 'baseline', 'factor', `verdict (fail > ${maxFactor}x)`]
  const body = rows.map((r) => [
    r.name,
    Number.isFinite(r.microsPerPod) ? r.microsPerPod.toFixed(1) : '-',
    Number.isFinite(r.ratio) ? r.ratio.toFixed(4) : '-',
    r.baseline === undefined ? '-' : r.baseline.toFixed(4),
    r.factor === undefined ? '-' : `${r.factor.toFixed(2)}x`,
    r.ok ? 'ok' : `FAIL: ${r.why ?? ''}`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [`calibration loop: ${calibrationMs.toFixed(0)} ms; ratio = (µs per pod) / (calibration ms)`, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

/** The median of each metric's ratio over several runs (and of their raw figures). */
export const baselineFrom = (runs: ReadonlyArray<GuardRun>, machine: string, created: string): GuardBaseline => {
  if (runs.length === 0) throw new Error('no runs')
  const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const names = (runs[0] as GuardRun).metrics.map((m) => m.name)
  const ratios: Record<string, number> = {}
  const microsPerPod: Record<string, number> = {}
  for (const name of names) {
    const per = runs.map((r) => {
      const m = r.metrics.find((x) => x.name === name)
      if (m === undefined) throw new Error(`a run lacks ${name}`)
      return m
    })
    ratios[name] = median(runs.map((r, i) => (per[i] as GuardMetric).microsPerPod / r.calibrationMs))
    microsPerPod[name] = median(per.map((m) => m.microsPerPod))
  }
  return {
    note: 'CI performance guard (bench/guard.ts): per metric, (µs per pod) / (calibration loop ms), median of the runs. Regenerate with `npm run bench:guard -- --update` after an intended change in cost.',
    created,
    machine,
    runs: runs.length,
    ratios,
    calibrationMs: median(runs.map((r) => r.calibrationMs)),
    microsPerPod,
  }
}
