/**
 * Reading manifests for the CLI, the way `kubectl apply -f` does: a file, a directory (its
 * .yaml, .yml and .json files in name order; `-R` to recurse), or `-` for standard input.
 * Multiple sources are joined as separate YAML documents.
 *
 * @module
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'

const MANIFEST_EXTENSIONS = /\.(ya?ml|json)$/i

/** Where one manifest text came from, for error messages. */
export interface ManifestSource {
  readonly path: string
  readonly text: string
}

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const walk = async (dir: string, recursive: boolean): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true })
  const files: string[] = []
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (recursive) files.push(...(await walk(path, recursive)))
    } else if (MANIFEST_EXTENSIONS.test(entry.name)) files.push(path)
  }
  return files
}

/**
 * Reads every manifest source named by `-f` flags. Rejects with a kubectl-style message when a
 * path does not exist.
 */
export const readManifestSources = async (paths: ReadonlyArray<string>, recursive: boolean): Promise<ReadonlyArray<ManifestSource>> => {
  const sources: ManifestSource[] = []
  for (const path of paths) {
    if (path === '-') {
      sources.push({ path: '<stdin>', text: await readStdin() })
      continue
    }
    let info
    try {
      info = await stat(path)
    } catch {
      throw new Error(`error: the path "${path}" does not exist`)
    }
    const files = info.isDirectory() ? await walk(path, recursive) : [path]
    for (const file of files) sources.push({ path: file, text: await readFile(file, 'utf8') })
  }
  return sources
}
