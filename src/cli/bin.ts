import { main } from './main.js'

// The bin is a tiny file that calls main(): checking import.meta.url against process.argv[1]
// fails when run through npm's bin symlink.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`kubesim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 2
  },
)
