/**
 * The cluster as a value: virtual clock, seeded randomness, the global resourceVersion counter,
 * configuration and the persistent object store. Every public function takes a `ClusterState`
 * and returns a new one; nothing here is ever mutated.
 *
 * @module
 */
import type { Map as IMap } from 'immutable'
import type { BehaviourModel } from '../sim/behaviour.js'
import type { Controller } from '../controllers/controller.js'
import type { Rng } from '../sim/rng.js'
import type { Trace, TraceRetention } from '../sim/trace.js'
import type { ObjectStore } from './objectStore.js'

// ---------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------

/** Cluster-wide settings. Everything a controller may consult that is not an object. */
export interface ClusterConfig {
  /** DNS zone, `cluster.local` by default. */
  readonly clusterDomain: string
  /**
   * The Service ClusterIP range, `10.96.0.0/12` by default (kubeadm's); on a dual-stack cluster
   * two comma-separated CIDRs, primary family first (`10.96.0.0/12,fd00:10:96::/112`). Read it
   * with `serviceCidrs`.
   */
  readonly serviceCidr: string
  /**
   * The range pod CIDRs are carved from (a /24 per node, a /64 for IPv6), `10.244.0.0/16` by
   * default; on a dual-stack cluster two comma-separated CIDRs, as `serviceCidr`. Read it with
   * `podCidrs`.
   */
  readonly podCidr: string
  /** The range node InternalIPs come from, `172.18.0.0/16` by default (kind's network). */
  readonly nodeCidr: string
  /** NodePort range, inclusive, `[30000, 32767]` by default. */
  readonly nodePortRange: readonly [number, number]
  /** How much of the trace to keep: `'none'`, `'all'` or the last N entries (default 10,000). */
  readonly traceRetention: TraceRetention
  /**
   * How long an Event lives after it was last written, in ms (default 1 hour, the API server's
   * `--event-ttl`); expired Events are deleted within the next minute, as etcd leases are shared
   * for a minute. 0 keeps Events forever.
   */
  readonly eventTtlMs: number
  /** Largest manifest text accepted, in bytes (default 3 MiB, the API server's request limit; parsing stays under a few seconds). */
  readonly maxManifestBytes: number
  /** The controllers the engine runs, in order. */
  readonly controllers: ReadonlyArray<Controller>
  /**
   * The cluster's pod behaviour model: how long pods take to start and become ready, whether
   * and how they exit (see `resolveBehaviour`). Per-pod `kubesim.dev/` annotations override it.
   */
  readonly behaviour?: BehaviourModel
  /**
   * Addresses the LoadBalancer provider hands out (CIDRs such as `192.168.49.0/28` or ranges such
   * as `192.168.49.100-192.168.49.120`). Absent or empty: LoadBalancer Services stay pending, as
   * on a bare cluster without a cloud provider.
   */
  readonly loadBalancerPool?: ReadonlyArray<string>
}

/** The whole simulated cluster. */
export interface ClusterState {
  /** Virtual time, ms since the Unix epoch. */
  readonly now: number
  /** Seeded PRNG state; every random choice draws from it. */
  readonly rng: Rng
  /** The global resourceVersion counter: the last version handed out. */
  readonly revision: number
  readonly objects: ObjectStore
  readonly config: ClusterConfig
  readonly trace: Trace
  /** Each controller's in-memory state, by controller name (see the `remember` action). */
  readonly memory: IMap<string, unknown>
}
