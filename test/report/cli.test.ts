/**
 * `kubesim run --report` and `kubesim apply --report` write the timeline report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const ROOT = join(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'kubesim-report-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const cli = async (args: ReadonlyArray<string>) => {
  const out: string[] = []
  const err: string[] = []
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, out: out.join(''), err: err.join('') }
}

const seriesIds = (html: string): string[] => [...html.matchAll(/<g class="series" data-series="([^"]*)"/g)].map((m) => m[1]!)

describe('--report', () => {
  it('kubesim run writes the report of a passing scenario, with its steps marked', async () => {
    const path = join(dir, 'rollout.html')
    const result = await cli(['run', join(ROOT, 'test/report/fixtures/rollout.yaml'), '--report', path])
    expect(result.code).toBe(0)
    expect(result.out).toContain(`PASS 9 steps\nreport written to ${path}\n`)
    const html = readFileSync(path, 'utf8')
    expect(seriesIds(html)).toHaveLength(3)
    expect(html).toContain('<span class="outcome pass">PASS 9 steps</span>')
    // apply, set image and failNode are marked; advance and expect are not.
    expect(html.match(/<g class="mark" data-mark="/g)?.length).toBe(6)
    expect(html).toContain('<li>t+1m30s failNode node-3</li>')
  })

  it('kubesim run still writes the report when an expectation fails, saying why', async () => {
    const path = join(dir, 'failing.html')
    const result = await cli(['run', join(ROOT, 'test/scenario/fixtures/failing.yaml'), '--report', path])
    expect(result.code).toBe(1)
    const html = readFileSync(path, 'utf8')
    expect(html).toContain('<span class="outcome fail">FAIL at step 2 of 2: line 5: expected')
    expect(html.match(/<g class="node" /g)?.length).toBe(2)
  })

  it('kubesim apply --settle --advance records the whole run', async () => {
    const path = join(dir, 'shop.html')
    const result = await cli(['apply', '-f', join(ROOT, 'examples/shop.yaml'), '--nodes', '3', '--seed', '4', '--settle', '--advance', '30s', '--report', path])
    expect(result.code).toBe(0)
    expect(result.err).toContain(`report written to ${path}`)
    const html = readFileSync(path, 'utf8')
    expect(seriesIds(html)).toEqual([expect.stringMatching(/^Deployment shop\/web rs web-[a-z0-9]+$/)])
    expect(html).toContain('seed 4 · ')
    expect(html).toContain('(30s of virtual time)')
    expect(html).toMatch(/<h1>kubesim apply -f \S+shop\.yaml --settle --advance 30s<\/h1>/)
  })
})
