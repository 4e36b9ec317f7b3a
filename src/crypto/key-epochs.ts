import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";
import { PROTOCOL } from "../protocol/version.js";
import { open, seal } from "./aead.js";
import { currentKek, keks } from "./keks.js";
import { randomBytes } from "./random.js";

/**
 * Key epochs: what makes a deletion irreversible within a bound.
 *
 * A deleted subject's rows survive in the platform's point-in-time recovery
 * (Durable Object storage keeps 30 days), so destroying the subject key row
 * alone is not enough while the key that wrapped it lives on. Subject keys are
 * therefore wrapped under an *epoch key*: 32 random bytes per epoch, kept in
 * D1 (`key_epochs`) wrapped under the operator's root KEK (TEMPLATE_KEKS). A
 * new epoch starts every KEY_EPOCH_DAYS; the hourly cron rewraps every
 * registered subject key under the current epoch and then deletes the old
 * epoch's row. From then on nothing can open what that epoch wrapped, backups
 * included, once D1's own recovery window (30 days) has passed as well. The
 * bound this gives is stated in docs/SECURITY.md ("Erasure").
 *
 * Epoch keys are random, never derived: the root KEK cannot recreate a
 * destroyed epoch. Creation is `INSERT OR IGNORE` on the epoch number, so two
 * crons racing to start an epoch agree on one key.
 */
export interface EpochKey {
  epoch: number;
  key: Uint8Array;
  createdAt: number;
}

export interface EpochRing {
  /** The epoch new and rewrapped subject keys go under. */
  current: EpochKey;
  byEpoch: ReadonlyMap<number, EpochKey>;
}

/**
 * How long an isolate keeps the unwrapped ring: a destroyed epoch's key is
 * gone from memory this long after its row (and a vault sees a new epoch this
 * late, which only delays its rewrap).
 */
export const EPOCH_CACHE_MS = 5 * 60_000;

const utf8 = new TextEncoder();

function epochAad(epoch: number, kekVersion: number): Uint8Array {
  return utf8.encode([PROTOCOL, "key-epoch", String(epoch), String(kekVersion)].join("|"));
}

type EpochRow = { epoch: number; kek_version: number; wrapped: ArrayBuffer; created_at: number };

let cached: { raw: string; at: number; ring: EpochRing } | null = null;

/** Forget the cached ring (after this isolate changed the table). */
export function dropEpochCache(): void {
  cached = null;
}

async function readRows(db: D1Database): Promise<EpochRow[]> {
  const { results } = await db.prepare("SELECT epoch, kek_version, wrapped, created_at FROM key_epochs ORDER BY epoch").all<EpochRow>();
  return results;
}

/** Inserts epoch `epoch` unless it exists (a racing insert wins; both then read the same row). */
async function insertEpoch(env: Env, epoch: number, now: number): Promise<void> {
  const kek = currentKek(env);
  const wrapped = seal(kek.key, randomBytes(32), epochAad(epoch, kek.version));
  await env.DB.prepare("INSERT OR IGNORE INTO key_epochs (epoch, kek_version, wrapped, created_at) VALUES (?, ?, ?, ?)")
    .bind(epoch, kek.version, wrapped, now)
    .run();
}

function unwrapRows(env: Env, rows: EpochRow[]): EpochKey[] {
  const roots = keks(env);
  const out: EpochKey[] = [];
  for (const r of rows) {
    const root = roots.find((k) => k.version === r.kek_version);
    const key = root ? open(root.key, new Uint8Array(r.wrapped), epochAad(r.epoch, r.kek_version)) : null;
    if (key && key.length === 32) out.push({ epoch: r.epoch, key, createdAt: r.created_at });
    else console.error(JSON.stringify({ keyEpochs: "an epoch key does not unwrap", epoch: r.epoch, kekVersion: r.kek_version }));
  }
  return out;
}

/**
 * The live epoch keys, from the isolate's cache when fresh. The first call on
 * an empty table starts epoch 1. Fails closed (500 `server-misconfigured`)
 * when the current epoch does not unwrap: its root KEK version was removed
 * before the epochs were rewrapped under the new one.
 */
export async function epochRing(env: Env, now: number, opts: { fresh?: boolean } = {}): Promise<EpochRing> {
  const raw = env.TEMPLATE_KEKS;
  if (!opts.fresh && cached && cached.raw === raw && now - cached.at < EPOCH_CACHE_MS && now >= cached.at) return cached.ring;
  let rows = await readRows(env.DB);
  if (rows.length === 0) {
    await insertEpoch(env, 1, now);
    rows = await readRows(env.DB);
  }
  const keys = unwrapRows(env, rows);
  const newest = rows[rows.length - 1]!;
  const current = keys.find((k) => k.epoch === newest.epoch);
  if (!current) {
    console.error(JSON.stringify({ misconfigured: "TEMPLATE_KEKS", why: "the current key epoch does not unwrap" }));
    throw new ProblemError("server-misconfigured");
  }
  const ring: EpochRing = { current, byEpoch: new Map(keys.map((k) => [k.epoch, k])) };
  cached = { raw, at: now, ring };
  return ring;
}

export interface EpochPolicy {
  /** A new epoch starts when the current one is this old. */
  epochDays: number;
  /** An old epoch is destroyed no sooner than this long after it stopped being current. */
  graceDays: number;
}

const DAY_MS = 86_400_000;

export interface EpochMaintenance {
  current: number;
  started: number | null;
  destroyed: number[];
  rewrappedUnderRoot: number;
}

/**
 * The cron's part (src/scheduled.ts), in this order:
 * 1. epoch rows still under an older root KEK version are rewrapped under the
 *    current one (so that version can be retired);
 * 2. a new epoch starts when the current one is `epochDays` old;
 * 3. each older epoch is deleted once `graceDays` have passed since it
 *    stopped being current and `dependants(epoch)` (registered subject keys
 *    under it or older) is 0.
 */
export async function maintainEpochs(env: Env, now: number, policy: EpochPolicy, dependants: (epoch: number) => Promise<number>): Promise<EpochMaintenance> {
  await epochRing(env, now, { fresh: true }); // creates epoch 1 on an empty table
  const root = currentKek(env);
  let rewrappedUnderRoot = 0;
  for (const r of await readRows(env.DB)) {
    if (r.kek_version === root.version) continue;
    const k = unwrapRows(env, [r])[0];
    if (!k) continue;
    const res = await env.DB.prepare("UPDATE key_epochs SET kek_version = ?, wrapped = ? WHERE epoch = ? AND kek_version = ?")
      .bind(root.version, seal(root.key, k.key, epochAad(r.epoch, root.version)), r.epoch, r.kek_version)
      .run();
    rewrappedUnderRoot += res.meta.changes ?? 0;
  }
  const rows = await readRows(env.DB);
  let current = rows[rows.length - 1]!;
  let started: number | null = null;
  if (now - current.created_at >= policy.epochDays * DAY_MS) {
    await insertEpoch(env, current.epoch + 1, now);
    started = current.epoch + 1;
    current = (await readRows(env.DB)).at(-1)!;
  }
  const destroyed: number[] = [];
  const after = await readRows(env.DB);
  for (let i = 0; i < after.length - 1; i++) {
    const e = after[i]!;
    const retiredAt = after[i + 1]!.created_at;
    if (now - retiredAt < policy.graceDays * DAY_MS) continue;
    if ((await dependants(e.epoch)) > 0) continue;
    await env.DB.prepare("DELETE FROM key_epochs WHERE epoch = ?").bind(e.epoch).run();
    destroyed.push(e.epoch);
  }
  dropEpochCache();
  return { current: current.epoch, started, destroyed, rewrappedUnderRoot };
}
