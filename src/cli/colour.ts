/**
 * Colour for the CLI, the way kubectl users expect it: errors red, warnings yellow, a scenario
 * step's pass and fail marks green and red, and nothing else, so tables stay machine-parsable.
 * Whether to colour is decided once, in the bin, from the terminal and the environment; the
 * rest of the CLI only asks the palette, which is the identity when colour is off.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Paints text; each line is wrapped on its own, so a pager or `grep` never sees an open colour. */
export type Paint = (text: string) => string

/** The colours the CLI uses. */
export interface Palette {
  readonly red: Paint
  readonly yellow: Paint
  readonly green: Paint
}

/** What the colour decision looks at. */
export interface ColourContext {
  /** Whether the output streams are terminals. */
  readonly isTTY: boolean
  readonly env: Readonly<Record<string, string | undefined>>
}

// ---------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------

const identity: Paint = (text) => text

/** SGR open and close codes (39 resets the foreground only, as chalk does). */
const sgr =
  (open: number): Paint =>
  (text) =>
    text
      .split('\n')
      .map((line) => (line === '' ? line : `\u001b[${open}m${line}\u001b[39m`))
      .join('\n')

/** The palette: ANSI colours when enabled, the identity otherwise. */
export const palette = (enabled: boolean): Palette =>
  enabled ? { red: sgr(31), yellow: sgr(33), green: sgr(32) } : { red: identity, yellow: identity, green: identity }

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

/**
 * Whether to colour. `FORCE_COLOR` decides first when set (`0` or `false` turn colour off,
 * anything else on), as Node's own `getColorDepth` lets it; then a non-empty `NO_COLOR` turns
 * colour off (no-color.org); then `TERM=dumb`; otherwise colour exactly when writing to a
 * terminal.
 */
export const colourEnabled = ({ isTTY, env }: ColourContext): boolean => {
  const force = env['FORCE_COLOR']
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false'
  if ((env['NO_COLOR'] ?? '') !== '') return false
  if (env['TERM'] === 'dumb') return false
  return isTTY
}
