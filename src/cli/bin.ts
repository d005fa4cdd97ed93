import { colourEnabled } from './colour.js'
import { main } from './main.js'

// The bin is a tiny file that calls main(): checking import.meta.url against process.argv[1]
// fails when run through npm's bin symlink.
// Colour only when both streams are terminals: errors go to stderr, and `kubesim ... 2>log`
// should not fill the log with escape codes.
// `kubesim get pods ... | head` closes the pipe early: stop quietly, as a shell tool does.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(process.exitCode ?? 0)
  })
}
const colour = colourEnabled({ isTTY: process.stdout.isTTY === true && process.stderr.isTTY === true, env: process.env })
main(process.argv.slice(2), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), colour }).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`kubesim: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 2
  },
)
