import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { VERB_HELP } from '../../src/cli/help.js'
import { main } from '../../src/cli/main.js'

const ROOT = join(import.meta.dirname, '../..')

const run = async (...argv: string[]) => {
  let out = ''
  let err = ''
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) })
  return { code, out, err }
}

const verbs = Object.keys(VERB_HELP) as (keyof typeof VERB_HELP)[]

describe('kubesim --help', () => {
  it('lists every verb with its one-line summary, and examples', async () => {
    const { code, out } = await run('--help')
    expect(code).toBe(0)
    expect(out).toMatch(/^Usage: kubesim <verb> \[options\]\n/)
    for (const verb of verbs) expect(out).toMatch(new RegExp(`^  ${verb} .*  ${VERB_HELP[verb].summary}$`, 'm'))
    expect(out).toContain('\nExamples:\n  # ')
    expect(out).toContain('  kubesim apply -f examples/shop.yaml --nodes 3 --advance 1m\n')
    expect(out).toContain("Run 'kubesim <verb> --help'")
  })
})

describe("each verb's --help", () => {
  for (const verb of verbs) {
    it(`${verb} shows a kubectl-style Examples section`, async () => {
      const { code, out } = await run(verb, '--help')
      expect(code).toBe(0)
      expect(out).toMatch(new RegExp(`^Usage: kubesim ${verb} `))
      const section = out.slice(out.indexOf('\nExamples:\n'))
      expect(section.length).toBeGreaterThan(12)
      expect(VERB_HELP[verb].examples.length).toBeGreaterThan(0)
      for (const example of VERB_HELP[verb].examples) {
        expect(section).toContain(`  # ${example.comment}\n  ${example.command}\n`)
        expect(example.command).toMatch(new RegExp(`(^|\\| )kubesim ${verb} `))
      }
    })
  }
})

/** An example's arguments, run from the repository root; a report goes to a scratch directory. */
const argsOf = (command: string, scratch: string): string[] =>
  command
    .split(' ')
    .slice(1)
    .map((arg) => (arg.startsWith('examples/') ? join(ROOT, arg) : arg.endsWith('.html') ? join(scratch, arg) : arg))

describe('the examples work as written', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kubesim-help-'))
  for (const verb of verbs) {
    for (const example of VERB_HELP[verb].examples) {
      // stdin is the test runner's; the same command with -f is run above it.
      if (!example.command.startsWith('kubesim ')) continue
      it(example.command, async () => {
        const { code, out, err } = await run(...argsOf(example.command, scratch))
        expect(err, example.command).not.toMatch(/^error|Error from server/m)
        expect(code, example.command).toBe(/\(exit code 1\)$/.test(example.comment) ? 1 : 0)
        if (code === 0) expect(out).not.toBe('')
      })
    }
  }

  it('the stdin example, through the bin: manifests piped in, no colour when not on a terminal', () => {
    const stdin = VERB_HELP.apply.examples.find((e) => e.command.startsWith('cat '))
    const parts = /^cat (\S+) \| kubesim (.*)$/.exec(stdin?.command ?? '')
    expect(parts).not.toBeNull()
    const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined }
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...(parts?.[2] ?? '').split(' ')], {
      cwd: ROOT,
      input: readFileSync(join(ROOT, parts?.[1] ?? ''), 'utf8'),
      env,
      encoding: 'utf8',
    })
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^namespace\/shop created\n/)
    expect(result.stdout).toMatch(/shop +pod\/web-\S+ +0\/1 +ContainerCreating/)
    expect(result.stdout + result.stderr).not.toContain('\u001b[')
  })
})
