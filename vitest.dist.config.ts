import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// The whole suite once more, with the public entry resolved to the built ESM bundle (as immer
// does): catches packaging mistakes that source-level tests cannot see. Tests of internal
// modules still import src/, which is fine: objects are plain data.
export default defineConfig({
  resolve: {
    alias: [{ find: /^(\.\.\/)+src\/index\.js$/, replacement: resolve(import.meta.dirname, 'dist/index.js') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
})
