/**
 * Every `@example` in the source is complete, deterministic and ends in an assertion: this test
 * extracts each one, strips its types with esbuild, and runs it against the public entry, so a
 * documented example can never rot.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { transformSync } from 'esbuild'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import * as fn from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as kubesim from '../../src/index.js'
import * as kubesimTesting from '../../src/testing/index.js'

const SRC = join(import.meta.dirname, '../../src')

const MODULES: Record<string, unknown> = {
  kubesim,
  'kubesim/testing': kubesimTesting,
  'fast-check': { default: fc },
  'fp-ts/lib/Either.js': E,
  'fp-ts/lib/Option.js': O,
  'fp-ts/lib/function.js': fn,
  'io-ts': t,
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })

interface Example {
  readonly file: string
  readonly line: number
  readonly code: string
}

const extractExamples = (file: string): Example[] => {
  const text = readFileSync(file, 'utf8')
  const examples: Example[] = []
  const re = /@example\s*\n((?:\s*\*.*\n)*?)\s*\*\/|@example\s*\n((?:\s*\*.*\n)*?)\s*\*\s*@/g
  for (const match of text.matchAll(re)) {
    const body = (match[1] ?? match[2] ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
    const fence = /```ts\n([\s\S]*?)```/.exec(body)
    if (fence === null) continue
    examples.push({ file: relative(SRC, file), line: text.slice(0, match.index).split('\n').length, code: fence[1] ?? '' })
  }
  return examples
}

/** Turns `import { a, b as c } from 'm'` and `import * as X from 'm'` into destructuring. */
const rewriteImports = (code: string): string =>
  code
    .replace(/import\s+(\w+)\s+from\s+'([^']+)'/g, (_, name: string, mod: string) => `const ${name} = __modules[${JSON.stringify(mod)}].default`)
    .replace(/import\s+\*\s+as\s+(\w+)\s+from\s+'([^']+)'/g, (_, name: string, mod: string) => `const ${name} = __modules[${JSON.stringify(mod)}]`)
    .replace(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g, (_, names: string, mod: string) => {
      const bindings = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '' && !n.startsWith('type '))
        .map((n) => n.replace(/\s+as\s+/, ': '))
      return `const { ${bindings.join(', ')} } = __modules[${JSON.stringify(mod)}]`
    })

const examples = sourceFiles(SRC).flatMap(extractExamples)

const DOCS = join(import.meta.dirname, '../../docs')
const README = join(import.meta.dirname, '../../README.md')

/** Every ```ts block of the guides and the README that asserts something is run too. */
const extractGuideExamples = (file: string): Example[] => {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .filter((m) => /expect\(/.test(m[1] ?? ''))
    .map((m) => ({ file: relative(join(SRC, '..'), file), line: text.slice(0, m.index).split('\n').length, code: m[1] ?? '' }))
}

const guides = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    // docs/api is typedoc's output, not a guide.
    if (statSync(path).isDirectory()) return entry === 'api' ? [] : guides(path)
    return entry.endsWith('.md') ? [path] : []
  })

const guideExamples = [README, ...guides(DOCS)].flatMap(extractGuideExamples)

describe('doc examples', () => {
  it('finds examples in the source', () => {
    expect(examples.length).toBeGreaterThan(50)
  })

  for (const example of [...examples, ...guideExamples]) {
    it(`${example.file}:${example.line}`, async () => {
      expect(example.code).toMatch(/expect\(/)
      const js = transformSync(rewriteImports(example.code), { loader: 'ts', format: 'esm' }).code
      for (const mod of js.matchAll(/__modules\["([^"]+)"\]/g)) expect(Object.keys(MODULES)).toContain(mod[1])
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>
      await new AsyncFunction('__modules', 'expect', js)(MODULES, expect)
    })
  }
})

describe('exported functions are documented', () => {
  it('every value exported from src/index.ts has a doc comment with an example', () => {
    const exported = Object.keys(kubesim)
    const allText = sourceFiles(SRC)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    const undocumented = exported.filter((name) => {
      const value = (kubesim as Record<string, unknown>)[name]
      if (typeof value !== 'function') return false
      if (/^[A-Z]/.test(name)) return false // io-ts codecs (callable objects are not functions here)
      const decl = new RegExp(`\\*/\\s*\\nexport (const|function\\*?) ${name}\\b`)
      const withExample = new RegExp(`@example(?:(?!\\*/)[\\s\\S]){0,6000}\\*/\\s*\\nexport (const|function\\*?) ${name}\\b`)
      return !decl.test(allText) || !withExample.test(allText)
    })
    expect(undocumented).toEqual([])
  })
})
