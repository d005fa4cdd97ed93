import { defineConfig } from 'tsup'

// Two configs: the library (ESM + CJS + types, no Node built-ins) and the CLI (ESM only).
// `clean` is off in both because parallel configs would wipe each other's output; the build
// script removes dist first.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    tsconfig: 'tsconfig.build.json',
    sourcemap: true,
    clean: false,
    target: 'es2022',
    platform: 'neutral',
    external: ['fp-ts', 'io-ts', 'immer', 'immutable', 'yaml', 'croner'],
  },
  {
    entry: { bin: 'src/cli/bin.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    tsconfig: 'tsconfig.build.json',
    sourcemap: true,
    clean: false,
    target: 'es2022',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
])
