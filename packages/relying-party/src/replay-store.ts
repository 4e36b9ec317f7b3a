/**
 * Remembers the `jti` of every accepted assertion until it expires, so one
 * assertion opens one session. `firstUse` must be atomic: two concurrent calls
 * with the same jti may not both return true (a Durable Object, a database
 * row with a unique key, Redis `SET NX`).
 */
export interface ReplayStore {
  /** Records `jti` until `expiresAt` (Unix ms); true the first time, false on every replay. */
  firstUse(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * In-process store: right for one server process (and for tests). Several
 * instances (a cluster, serverless) need a shared store, e.g. a Durable
 * Object (README "Replay stores").
 */
export function memoryReplayStore(opts: { now?: () => number; maxEntries?: number } = {}): ReplayStore {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 100_000;
  const seen = new Map<string, number>();
  return {
    firstUse(jti, expiresAt) {
      const t = now();
      // Entries are inserted in time order of use; expired ones are swept as they come up.
      for (const [k, exp] of seen) {
        if (exp > t && seen.size < max) break;
        seen.delete(k);
      }
      const known = seen.get(jti);
      if (known !== undefined && known > t) return false;
      seen.set(jti, expiresAt);
      return true;
    },
  };
}

/** The part of a Workers KV namespace the KV store uses (no dependency on @cloudflare/workers-types). */
export interface KvLike {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expiration?: number; expirationTtl?: number }): Promise<void>;
}

/**
 * Workers KV store. KV is eventually consistent: two edge locations can both
 * see a jti as new for up to about a minute, so this narrows replays but does
 * not exclude them. Where single use must be strict, use a Durable Object
 * (README "Replay stores") or your database.
 */
export function kvReplayStore(kv: KvLike, prefix = "facegate-jti:"): ReplayStore {
  return {
    async firstUse(jti, expiresAt) {
      const key = prefix + jti;
      if ((await kv.get(key)) !== null) return false;
      // KV needs an expiration at least 60 s ahead.
      await kv.put(key, "1", { expiration: Math.max(Math.ceil(expiresAt / 1000), Math.ceil(Date.now() / 1000) + 60) });
      return true;
    },
  };
}
