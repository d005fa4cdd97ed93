/**
 * `kubesim run <scenario>`: reads a scenario file and the manifest files it names, runs it,
 * and prints one line per step. Exit code 0 when every step and expectation passed, 1 when one
 * failed (with the reason), 2 when the file itself is invalid.
 *
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { humanDuration } from '../io/age.js'
import { formatScenarioError, parseScenario } from '../scenario/model.js'
import { runScenarioSteps, scenarioFiles } from '../scenario/run.js'
import { type ReportMark, renderReportHtml } from '../report/html.js'
import { timelineRecorder } from '../report/timeline.js'
import type { CliIo } from './main.js'
import { palette } from './colour.js'
import { timelineWatcher } from './watch.js'

const readText = async (path: string): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Options of `kubesim run`. */
export interface RunScenarioFileOptions {
  /** Write the timeline report (HTML) here. */
  readonly report?: string
  /** Print each change (pods, rollouts, events) as virtual time passes, before its step's line. */
  readonly watch?: boolean
}

/** Steps not marked on the report's time axis: they let time pass or only check. */
const UNMARKED_STEPS: ReadonlySet<string> = new Set(['advance', 'settle', 'expect'])

/** Runs one scenario file, printing progress; returns the exit code. */
export const runScenarioFile = async (path: string, io: CliIo, options: RunScenarioFileOptions = {}): Promise<number> => {
  const colours = palette(io.colour === true)
  const text = await readText(path)
  if (text === undefined) {
    io.err(colours.red(`error: the path "${path}" does not exist`) + '\n')
    return 1
  }
  const parsed = parseScenario(text)
  if (E.isLeft(parsed)) {
    io.err(colours.red(parsed.left.map((e) => formatScenarioError(path, e)).join('\n')) + '\n')
    return 2
  }
  const scenario = parsed.right
  // Manifest paths are relative to the scenario file, as in a kustomization.
  const files = new Map<string, string>()
  for (const file of scenarioFiles(scenario)) {
    const content = await readText(resolve(dirname(path), file))
    if (content !== undefined) files.set(file, content)
  }
  const total = scenario.steps.length
  const width = String(total).length
  if (scenario.name !== undefined) io.out(`scenario: ${scenario.name}\n`)
  const recorder = options.report === undefined ? undefined : timelineRecorder()
  const watcher = options.watch === true ? timelineWatcher(io.out, colours) : undefined
  const observers = [recorder?.observe, watcher?.observe].filter((o) => o !== undefined)
  const steps = runScenarioSteps(
    scenario,
    files,
    observers.length === 0
      ? {}
      : {
          observe: (state) => {
            for (const observe of observers) observe(state)
          },
        },
  )
  const marks: ReportMark[] = []
  for (;;) {
    const next = steps.next()
    if (next.done === true) {
      const result = next.value
      if (result.setupError !== undefined) {
        io.err(colours.red(`error: cannot create the cluster: ${result.setupError}`) + '\n')
        return 1
      }
      const summary = result.ok ? `PASS ${total} step${total === 1 ? '' : 's'}` : `FAIL at step ${result.steps.length} of ${total}`
      io.out((result.ok ? colours.green(summary) : colours.red(summary)) + '\n')
      if (recorder !== undefined && options.report !== undefined) {
        const failure = result.steps.at(-1)?.failures[0]
        const html = renderReportHtml({
          title: scenario.name ?? path,
          ...(scenario.cluster.seed === undefined ? { seed: 0 } : { seed: scenario.cluster.seed }),
          timeline: recorder.timeline(),
          marks,
          outcome: { ok: result.ok, summary: failure === undefined ? summary : `${summary}: ${failure}` },
        })
        await writeFile(options.report, html)
        io.out(`report written to ${options.report}\n`)
      }
      return result.ok ? 0 : 1
    }
    const report = next.value
    const step = scenario.steps[report.index]
    if (step !== undefined && !UNMARKED_STEPS.has(step.type)) marks.push({ time: report.time, label: report.title })
    const mark = report.failures.length === 0 ? `${colours.green('ok')}  ` : colours.red('FAIL')
    io.out(`[${String(report.index + 1).padStart(width)}/${total}] ${mark} ${report.title}  (line ${report.line}, t+${humanDuration(report.elapsedMs)})\n`)
    for (const failure of report.failures) io.err(colours.red(`${path}:${failure.replace(/^line (\d+): /, '$1: ')}`) + '\n')
  }
}
