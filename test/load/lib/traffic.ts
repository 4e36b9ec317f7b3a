import { quantile } from "../../../bench/lib/stats.js";
import { unitVector } from "../../../scripts/lib/unit-vector.js";
import type { Api, Answer } from "./client.js";

/**
 * Mixed traffic (enroll, verify match, verify no-match, delete) from
 * `connections` virtual users, each owning its own subjects, so that the
 * operations on one subject are sequential and the driver knows exactly what
 * every *acknowledged* write must have left behind (the ledger). An answer
 * that never arrived (the server was killed) is not acknowledged: the subject
 * is then left alone, with that one operation marked uncertain.
 */
export type OpKind = "consent" | "challenge" | "enroll" | "verify-match" | "verify-nomatch" | "delete" | "read-after-delete";

export interface Ledger {
  id: string;
  token: string;
  face: Float32Array;
  consent: boolean;
  templates: number;
  /** The operation whose answer never came (at most one: the subject is not used after it). */
  uncertain: OpKind | null;
  lastAcked: OpKind | null;
  /** Request ids of acknowledged writes: each must have its audit row. */
  acked: { kind: OpKind; requestId: string }[];
}

export interface Sample {
  kind: OpKind;
  status: number;
  ms: number;
}

export interface TrafficResult {
  samples: Sample[];
  ledgers: Ledger[];
  violations: string[];
  elapsedMs: number;
}

export interface TrafficOptions {
  connections: number;
  durationMs: number;
  subjectsPerConnection: number;
  /** Distinguishes this run's subjects from those of an earlier run on the same state. */
  prefix: string;
  mint: (sub: string) => Promise<string>;
  /** Set to stop early (the crash test kills the server under the drivers). */
  stop?: { requested: boolean };
}

const MAX_TEMPLATES = 5;

export async function runTraffic(api: Api, opts: TrafficOptions): Promise<TrafficResult> {
  const samples: Sample[] = [];
  const violations: string[] = [];
  const ledgers: Ledger[] = [];
  for (let c = 0; c < opts.connections; c++) {
    for (let k = 0; k < opts.subjectsPerConnection; k++) {
      const id = `${opts.prefix}-${c}-${k}`;
      ledgers.push({ id, token: await opts.mint(id), face: unitVector(), consent: false, templates: 0, uncertain: null, lastAcked: null, acked: [] });
    }
  }
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const record = <T>(kind: OpKind, a: Answer<T>): Answer<T> => {
    samples.push({ kind, status: a.status, ms: a.ms });
    if (a.status >= 500) violations.push(`${kind} answered ${a.status} (request ${a.requestId})`);
    return a;
  };

  async function step(s: Ledger): Promise<void> {
    // A token per step, as a relying party gives one per session: the per-token rate limit
    // (60 a minute) is for a client, and this loop drives a subject many times faster.
    s.token = await opts.mint(s.id);
    const ack = (kind: OpKind, a: Answer) => {
      s.lastAcked = kind;
      if (a.requestId) s.acked.push({ kind, requestId: a.requestId });
    };
    /** False when the answer never came: the operation may or may not have happened. */
    const answered = (kind: OpKind, a: Answer) => {
      if (a.status !== 0 && a.status < 500) return true;
      s.uncertain = kind;
      return false;
    };

    if (!s.consent) {
      const a = record("consent", await api.consent(s.id, s.token));
      if (!answered("consent", a)) return;
      if (a.status === 200) {
        s.consent = true;
        ack("consent", a);
      } else violations.push(`consent for ${s.id} answered ${a.status}`);
      return;
    }
    const r = Math.random();
    let kind: OpKind = r < 0.3 ? "enroll" : r < 0.7 ? "verify-match" : r < 0.85 ? "verify-nomatch" : "delete";
    if (kind === "enroll" && s.templates >= MAX_TEMPLATES) kind = "verify-match";
    if (kind.startsWith("verify") && s.templates === 0) kind = "enroll";

    if (kind === "delete") {
      const a = record("delete", await api.remove(s.id, s.token));
      if (!answered("delete", a)) return;
      if (a.status !== 204) return void violations.push(`delete of ${s.id} answered ${a.status}`);
      ack("delete", a);
      s.consent = false;
      s.templates = 0;
      // No acknowledged delete leaves anything behind: the very next read finds nothing.
      const after = record("read-after-delete", await api.get(s.id, s.token));
      if (after.status !== 404 && after.status !== 0) violations.push(`${s.id} readable after an acknowledged delete (${after.status})`);
      return;
    }

    const purpose = kind === "enroll" ? "enroll" : "verify";
    const probe = kind === "verify-nomatch" ? unitVector() : unitVector(s.face);
    const prepared = await api.prepare(s.id, s.token, purpose, probe);
    record("challenge", prepared.challenge);
    if (!prepared.body) {
      if (prepared.challenge.status === 0 || prepared.challenge.status >= 500) s.uncertain = "challenge";
      return;
    }
    if (kind === "enroll") {
      const a = record("enroll", await api.enroll(s.id, s.token, prepared.body));
      if (!answered("enroll", a)) return;
      if (a.status === 201 && a.body) {
        if (a.body.templateCount !== s.templates + 1) violations.push(`${s.id}: enroll says ${a.body.templateCount} templates, ledger ${s.templates + 1}`);
        s.templates = a.body.templateCount;
        ack("enroll", a);
      } else if (a.status !== 429) violations.push(`enroll of ${s.id} answered ${a.status}`);
      return;
    }
    const a = record(kind, await api.verify(s.id, s.token, prepared.body));
    if (!answered(kind, a)) return;
    if (a.status === 200 && a.body) {
      ack(kind, a);
      if (a.body.match !== (kind === "verify-match")) violations.push(`${s.id}: ${kind} answered match=${a.body.match}`);
    } else if (a.status !== 429) violations.push(`${kind} of ${s.id} answered ${a.status}`);
  }

  await Promise.all(
    Array.from({ length: opts.connections }, async (_, c) => {
      const mine = ledgers.slice(c * opts.subjectsPerConnection, (c + 1) * opts.subjectsPerConnection);
      let turn = 0;
      while (performance.now() < deadline && !opts.stop?.requested) {
        const usable = mine.filter((s) => s.uncertain === null);
        if (usable.length === 0) break;
        await step(usable[turn++ % usable.length]!);
      }
    }),
  );
  return { samples, ledgers, violations, elapsedMs: performance.now() - started };
}

/** p50 and p99 latency per kind of request, and the status counts. */
export function summarize(samples: Sample[]) {
  const kinds = [...new Set(samples.map((s) => s.kind))];
  const rows = kinds.map((kind) => {
    const of = samples.filter((s) => s.kind === kind && s.status !== 0);
    const ms = of.map((s) => s.ms);
    return { kind, count: of.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
  });
  const answered = samples.filter((s) => s.status !== 0);
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  return {
    rows,
    total: {
      count: answered.length,
      p50: quantile(
        answered.map((s) => s.ms),
        0.5,
      ),
      p99: quantile(
        answered.map((s) => s.ms),
        0.99,
      ),
    },
    statuses,
    fiveXx: samples.filter((s) => s.status >= 500).length,
  };
}
