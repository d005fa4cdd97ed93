/**
 * Taints and tolerations: whether a toleration matches a taint (core/v1 `ToleratesTaint`), and
 * the well-known node taints and tolerations Kubernetes manages (`node.kubernetes.io/...`).
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** A node taint, as in `node.spec.taints[]`. */
export interface TaintLike {
  readonly key: string
  readonly value?: string
  readonly effect: string
  readonly timeAdded?: string
}

/** A pod toleration, as in `pod.spec.tolerations[]`. */
export interface TolerationLike {
  readonly key?: string
  readonly operator?: string
  readonly value?: string
  readonly effect?: string
  readonly tolerationSeconds?: number
}

/** Taint keys the node lifecycle controller manages. */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready'
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable'
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable'
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure'
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure'
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure'
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable'

/** The DefaultTolerationSeconds admission plugin's default: 300 s. */
export const DEFAULT_TOLERATION_SECONDS = 300

// ---------------------------------------------------------------------------------------------
// operations
// ---------------------------------------------------------------------------------------------

const parseInt64 = (text: string | undefined): bigint | undefined => {
  if (text === undefined || !/^-?[0-9]+$/.test(text)) return undefined
  return BigInt(text)
}

/**
 * Whether one toleration tolerates one taint, exactly as `Toleration.ToleratesTaint`: effects
 * equal or the toleration's empty (all effects); keys equal, or an empty key with `Exists`
 * (every taint); then `Equal` (default) compares values, `Exists` accepts any, and `Gt`/`Lt`
 * compare integer values.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { toleratesTaint } from 'kubesim'
 * const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }
 * expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint)).toBe(true)
 * expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true)
 * expect(toleratesTaint({ key: 'dedicated', value: 'cpu' }, taint)).toBe(false)
 * ```
 */
export const toleratesTaint = (toleration: TolerationLike, taint: TaintLike): boolean => {
  if ((toleration.effect ?? '') !== '' && toleration.effect !== taint.effect) return false
  const operator = toleration.operator ?? ''
  if ((toleration.key ?? '') !== '' ? toleration.key !== taint.key : operator !== 'Exists') return false
  switch (operator) {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '')
    case 'Exists':
      return true
    case 'Gt':
    case 'Lt': {
      const t = parseInt64(taint.value)
      const v = parseInt64(toleration.value)
      if (t === undefined || v === undefined) return false
      return operator === 'Gt' ? t > v : t < v
    }
    default:
      return false
  }
}

/**
 * Whether some toleration in a list tolerates the taint.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { isTolerated } from 'kubesim'
 * expect(isTolerated([], { key: 'a', effect: 'NoSchedule' })).toBe(false)
 * ```
 */
export const isTolerated = (tolerations: ReadonlyArray<TolerationLike> | undefined, taint: TaintLike): boolean =>
  (tolerations ?? []).some((t) => toleratesTaint(t, taint))

/**
 * For a pod on a node with NoExecute taints: `undefined` when some NoExecute taint is not
 * tolerated (evict now), `Infinity` when all are tolerated forever, otherwise the smallest
 * tolerationSeconds among the matching tolerations, in seconds (the taint manager's
 * `getMinTolerationTime`).
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { noExecuteTolerance } from 'kubesim'
 * const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }
 * expect(noExecuteTolerance([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], [taint])).toBe(300)
 * expect(noExecuteTolerance([], [taint])).toBeUndefined()
 * expect(noExecuteTolerance([{ operator: 'Exists' }], [taint])).toBe(Infinity)
 * ```
 */
export const noExecuteTolerance = (tolerations: ReadonlyArray<TolerationLike> | undefined, taints: ReadonlyArray<TaintLike>): number | undefined => {
  let min = Infinity
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue
    const matching = (tolerations ?? []).filter((t) => toleratesTaint(t, taint))
    if (matching.length === 0) return undefined
    for (const t of matching) if (t.tolerationSeconds !== undefined) min = Math.min(min, Math.max(0, t.tolerationSeconds))
  }
  return min
}

/**
 * The tolerations the DefaultTolerationSeconds admission plugin adds to a pod that has none for
 * the not-ready and unreachable NoExecute taints: operator Exists, 300 s.
 *
 * @category engine
 * @since 0.1.0
 * @example
 * ```ts
 * import { withDefaultTolerations } from 'kubesim'
 * expect(withDefaultTolerations([]).map((t) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
 * expect(withDefaultTolerations([{ operator: 'Exists' }])).toHaveLength(1)
 * ```
 */
export const withDefaultTolerations = (tolerations: ReadonlyArray<TolerationLike> | undefined): ReadonlyArray<TolerationLike> => {
  const current = tolerations ?? []
  const added: TolerationLike[] = []
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE])
    if (!current.some((t) => toleratesTaint(t, { key, effect: 'NoExecute' })))
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS })
  return added.length === 0 ? current : [...current, ...added]
}
