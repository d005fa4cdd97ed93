import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { colourEnabled, palette } from '../../src/cli/colour.js'
import { main } from '../../src/cli/main.js'

const ROOT = join(import.meta.dirname, '../..')
const EXAMPLES = join(ROOT, 'examples')
const RED = '\u001b[31m'
const YELLOW = '\u001b[33m'
const GREEN = '\u001b[32m'
const RESET = '\u001b[39m'

const run = async (colour: boolean | undefined, ...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), ...(colour === undefined ? {} : { colour }) })
  return { code, out, err }
}

describe('colourEnabled', () => {
  it('colours a terminal, not a pipe', () => {
    expect(colourEnabled({ isTTY: true, env: {} })).toBe(true)
    expect(colourEnabled({ isTTY: false, env: {} })).toBe(false)
  })

  it('NO_COLOR with any non-empty value turns colour off; empty is unset', () => {
    expect(colourEnabled({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false)
    expect(colourEnabled({ isTTY: true, env: { NO_COLOR: 'false' } })).toBe(false)
    expect(colourEnabled({ isTTY: true, env: { NO_COLOR: '' } })).toBe(true)
    expect(colourEnabled({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false)
  })

  it('FORCE_COLOR turns colour on without a terminal, and decides over NO_COLOR (as Node does)', () => {
    expect(colourEnabled({ isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true)
    expect(colourEnabled({ isTTY: false, env: { FORCE_COLOR: '' } })).toBe(true)
    expect(colourEnabled({ isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(true)
    expect(colourEnabled({ isTTY: true, env: { FORCE_COLOR: '0' } })).toBe(false)
    expect(colourEnabled({ isTTY: true, env: { FORCE_COLOR: 'false' } })).toBe(false)
  })
})

describe('palette', () => {
  it('is the identity when off', () => {
    const p = palette(false)
    for (const paint of [p.red, p.yellow, p.green]) expect(paint('a\nb\n')).toBe('a\nb\n')
  })

  it('wraps each non-empty line on its own when on', () => {
    expect(palette(true).red('a\n\nb\n')).toBe(`${RED}a${RESET}\n\n${RED}b${RESET}\n`)
    expect(palette(true).yellow('w')).toBe(`${YELLOW}w${RESET}`)
    expect(palette(true).green('ok')).toBe(`${GREEN}ok${RESET}`)
  })
})

describe('the CLI with colour', () => {
  it('paints errors red and warnings yellow, and leaves tables plain', async () => {
    const unknown = await run(true, 'get', 'widgets', '-f', join(EXAMPLES, 'shop.yaml'))
    expect(unknown.code).toBe(1)
    expect(unknown.err).toContain(`${RED}error: the server doesn't have a resource type "widgets"${RESET}\n`)
    expect(unknown.err).toContain(`${YELLOW}Warning: ServiceAccount "web" is stored but not simulated by kubesim${RESET}\n`)
    const invalid = await run(true, 'validate', '-f', join(EXAMPLES, 'invalid', 'bad-deployment.yaml'))
    expect(invalid.err.split('\n').filter((l) => l !== '').every((l) => l.startsWith(RED) && l.endsWith(RESET))).toBe(true)
    const flag = await run(true, 'get')
    expect(flag.err).toBe(`${RED}error: required option '-f, --filename <path...>' not specified${RESET}\n`)
    const table = await run(true, 'get', 'pods', '-n', 'shop', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '3', '--advance', '1m')
    expect(table.out).toMatch(/^NAME +READY +STATUS/)
    expect(table.out).not.toContain('\u001b')
  })

  it('marks scenario steps green and red', async () => {
    const passing = await run(true, 'run', join(EXAMPLES, 'scenarios', 'node-failure.yaml'))
    expect(passing.out).toContain(`] ${GREEN}ok${RESET}   apply node-failure/pods.yaml`)
    expect(passing.out).toMatch(new RegExp(`\\n\\u001b\\[32mPASS 15 steps\\u001b\\[39m\\n$`))
    const failing = await run(true, 'run', join(ROOT, 'test/scenario/fixtures/failing.yaml'))
    expect(failing.code).toBe(1)
    expect(failing.out).toContain(`] ${RED}FAIL${RESET} expect`)
    expect(failing.err).toMatch(/^\u001b\[31m.*failing\.yaml:5: expected the number of Node objects to equal 5, got 2\u001b\[39m\n$/)
  })

  it('prints no escape codes when colour is off or not given', async () => {
    for (const colour of [false, undefined]) {
      const results = [
        await run(colour, 'get', 'widgets', '-f', join(EXAMPLES, 'shop.yaml')),
        await run(colour, 'run', join(ROOT, 'test/scenario/fixtures/failing.yaml')),
        await run(colour, 'apply', '-f', join(EXAMPLES, 'shop.yaml'), '--nodes', '1', '--advance', '10s', '--watch'),
      ]
      for (const r of results) expect(r.out + r.err).not.toContain('\u001b')
    }
  })

  // The bin's other case (a pipe, no variables: no colour) is the stdin example in help.test.ts.
  it('the bin decides from the environment: FORCE_COLOR colours a pipe', () => {
    const bin = (env: Record<string, string | undefined>) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'get', 'widgets', '-f', 'examples/shop.yaml'], {
        cwd: ROOT,
        env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, ...env },
        encoding: 'utf8',
      })
    const forced = bin({ FORCE_COLOR: '1' })
    expect(forced.status).toBe(1)
    expect(forced.stderr).toContain(`${RED}error: the server doesn't have a resource type "widgets"`)
  })
})
