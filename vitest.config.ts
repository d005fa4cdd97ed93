import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/dist needs a build; `npm run test:dist` runs it (and the whole suite) against dist/.
    exclude: ['test/dist/**', 'node_modules/**'],
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/verifyQuiet.ts'],
  },
})
