import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// The tests that go through the public entry, once more with it resolved to the built ESM bundle
// (as immer does): catches packaging mistakes that source-level tests cannot see. The package
// checks (test/dist), the API and totality tests, every documented example, and the engine
// and scenario tests; the rest exercise internal modules, which the bundle does not change.
export default defineConfig({
  resolve: {
    alias: [{ find: /^(\.\.\/)+src\/index\.js$/, replacement: resolve(import.meta.dirname, 'dist/index.js') }],
  },
  test: {
    include: ['test/dist/**/*.test.ts', 'test/api/**/*.test.ts', 'test/docs/**/*.test.ts', 'test/sim/**/*.test.ts', 'test/scenario/**/*.test.ts'],
    // It flips the quiet-skip check inside the source engine, which the bundle does not share.
    exclude: ['test/sim/quiescence.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
})
