import { FacegateApi } from "../../client/src/api/facegate-api.js";
import { mintDevToken, type DevIssuer } from "../../client/src/cli/dev-issuer.js";
import { groupCpuMs } from "../../bench/lib/proc-cpu.js";
import { DEFAULT_TENANT } from "../../src/protocol/ids.js";
import type { MeterReading } from "../../demo/meter/reading.js";
import type { Units } from "./price.js";

/**
 * Counts what enrollments and verifies use on a running development worker
 * started with FACEGATE_METER=1 (see demo/meter): each subject's vault
 * reports its own requests, SQLite rows and D1 rows; worker requests are
 * counted here, as the client sends them; CPU is the dev server's process
 * group CPU over the phase (the method of bench/server-cpu.ts), less its idle
 * rate. Everything is read after the audit flush that follows each phase.
 */
export interface MeasureOptions {
  url: string;
  issuer: DevIssuer;
  /** The wrangler dev process group (for CPU), or null to leave CPU out. */
  pgid: number | null;
  modelId: string;
  subjects: number;
  /** The enrollment embedding, and one probe of the same person per verify round (distinct: a repeat is a replay). */
  enrollEmbedding: Float32Array;
  verifyEmbeddings: Float32Array[];
  /** Wait after each phase for the vaults' audit flush (the alarm runs AUDIT_FLUSH_DELAY_MS after a write). */
  settleMs?: number;
}

export interface PhaseUnits extends Units {
  /** Operations the units are averaged over. */
  samples: number;
  /** Durable Object requests by method, per operation. */
  doRequestsByMethod: Record<string, number>;
  /** What the attempts answered (every verify should match). */
  outcomes: Record<string, number>;
}

export interface Measured {
  /** Each includes its share of the later challenge purge (`purge`) and its audit rows' deletion (`auditRetention`). */
  enroll: PhaseUnits;
  verify: PhaseUnits;
  purge: DeferredUnits;
  auditRetention: { enroll: AuditRetentionUnits; verify: AuditRetentionUnits };
}

/** Per operation: the later deletion of the audit rows it left in D1, by the audit retention. */
export interface AuditRetentionUnits {
  rowsDeleted: number;
  d1RowsRead: number;
  d1RowsWritten: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measure(o: MeasureOptions): Promise<Measured> {
  const settleMs = o.settleMs ?? 3000;
  const counter = { requests: 0 };
  const countingFetch: typeof fetch = (input, init) => {
    counter.requests += 1;
    return fetch(input, init);
  };
  const ids = Array.from({ length: o.subjects }, (_, i) => `cost-${Date.now().toString(36)}-${i}`);
  const apis = ids.map(
    (id) =>
      new FacegateApi({
        baseUrl: o.url,
        fetch: countingFetch,
        // A token per request (the per-token rate limit); verifies need a relying party.
        getToken: () => mintDevToken(o.issuer, { sub: id, scope: "face:enroll face:verify", ttlSeconds: 600, clientId: "facegate-cost" }),
      }),
  );
  const read = async (id: string): Promise<MeterReading> => {
    const res = await fetch(`${o.url}/demo/meter/${DEFAULT_TENANT}/${encodeURIComponent(id)}`);
    if (res.status !== 200) throw new Error(`the dev server does not meter (GET /demo/meter: ${res.status}); start it with FACEGATE_METER=1`);
    return (await res.json()) as MeterReading;
  };
  const cpu = () => (o.pgid === null ? 0 : groupCpuMs(o.pgid));

  // The dev stack's own CPU while idle, to take out of each phase.
  const idleStart = cpu();
  const idleT0 = performance.now();
  await sleep(settleMs);
  const idleCpuPerMs = (cpu() - idleStart) / (performance.now() - idleT0);

  const phase = async (samples: number, run: () => Promise<Record<string, number>>): Promise<PhaseUnits> => {
    await Promise.all(ids.map(read)); // start from zero
    const requestsBefore = counter.requests;
    const cpuBefore = cpu();
    const t0 = performance.now();
    const { wallMs, ...outcomes } = await run();
    await sleep(settleMs);
    const elapsed = performance.now() - t0;
    const cpuMs = Math.max(0, cpu() - cpuBefore - idleCpuPerMs * elapsed);
    const readings = await Promise.all(ids.map(read));
    const sum = (f: (r: MeterReading) => number) => readings.reduce((s, r) => s + f(r), 0) / samples;
    const byMethod: Record<string, number> = {};
    for (const r of readings) for (const [m, n] of Object.entries(r.requests)) byMethod[m] = (byMethod[m] ?? 0) + n / samples;
    byMethod["alarm"] = sum((r) => r.alarms);
    return {
      samples,
      workerRequests: (counter.requests - requestsBefore) / samples,
      workerCpuMs: cpuMs / samples,
      doRequests: Object.values(byMethod).reduce((a, b) => a + b, 0),
      // Estimate: the object is taken to be active for the whole client-observed time of each
      // request that reaches it, plus its alarm's run (which awaits the D1 flush).
      doActiveSeconds: ((wallMs ?? 0) + readings.reduce((s, r) => s + r.alarmMs, 0)) / samples / 1000,
      doRowsRead: sum((r) => r.rowsRead),
      doRowsWritten: sum((r) => r.rowsWritten + r.alarmWrites),
      d1RowsRead: sum((r) => r.d1RowsRead),
      d1RowsWritten: sum((r) => r.d1RowsWritten),
      doRequestsByMethod: byMethod,
      outcomes,
    };
  };

  const timed = async <T>(wall: { ms: number }, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      wall.ms += performance.now() - t;
    }
  };

  // One enrollment: the consent, then the SDK's challenge + enroll.
  const enroll = await phase(ids.length, async () => {
    const wall = { ms: 0 };
    const outcomes: Record<string, number> = {};
    await Promise.all(
      ids.map(async (id, i) => {
        await timed(wall, () => apis[i]!.grantConsent(id, "2026-11"));
        const r = await timed(wall, () => apis[i]!.enrollEmbedding(id, o.modelId, o.enrollEmbedding));
        const k = r.anchor ? "enrolled" : "enrolled:additional";
        outcomes[k] = (outcomes[k] ?? 0) + 1;
      }),
    );
    return { ...outcomes, wallMs: wall.ms };
  });

  // Every audit row goes AUDIT_RETENTION_DAYS later: the retention run deletes the phase's rows now
  // (all of this run's D1 log), and its counts are shared out over the phase's operations.
  const retention = async (samples: number): Promise<AuditRetentionUnits> => {
    const res = await fetch(`${o.url}/demo/meter/audit-retention`, { method: "POST" });
    if (res.status !== 200) throw new Error(`POST /demo/meter/audit-retention: ${res.status}`);
    const r = (await res.json()) as { deleted: number; rowsRead: number; rowsWritten: number };
    return { rowsDeleted: r.deleted / samples, d1RowsRead: r.rowsRead / samples, d1RowsWritten: r.rowsWritten / samples };
  };
  const enrollRetention = await retention(ids.length);

  // Verifies: each round, every subject once (challenge + verify), then the flush.
  const rounds: PhaseUnits[] = [];
  for (const probe of o.verifyEmbeddings) {
    rounds.push(
      await phase(ids.length, async () => {
        const wall = { ms: 0 };
        const outcomes: Record<string, number> = {};
        await Promise.all(
          ids.map(async (id, i) => {
            const r = await timed(wall, () => apis[i]!.verifyEmbedding(id, o.modelId, probe));
            const k = r.match ? "match" : "no-match";
            outcomes[k] = (outcomes[k] ?? 0) + 1;
          }),
        );
        return { ...outcomes, wallMs: wall.ms };
      }),
    );
  }
  // Later: each spent challenge is purged by the vault's alarm once past its expiry and grace
  // (minutes after the attempt); the vaults run that housekeeping now, on a clock moved forward.
  await Promise.all(ids.map(read));
  const later = await Promise.all(
    ids.map(async (id) => {
      const res = await fetch(`${o.url}/demo/meter/${DEFAULT_TENANT}/${encodeURIComponent(id)}/later?ms=${PURGE_LATER_MS}`, { method: "POST" });
      if (res.status !== 200) throw new Error(`POST /demo/meter/.../later: ${res.status}`);
      return read(id);
    }),
  );
  const purge = deferredPurge(later, o.verifyEmbeddings.length + 1);
  const verifyRetention = await retention(ids.length * o.verifyEmbeddings.length);
  return {
    enroll: addRetention(addUnits(enroll, purge), enrollRetention),
    verify: addRetention(addUnits(mergePhases(rounds), purge), verifyRetention),
    purge,
    auditRetention: { enroll: enrollRetention, verify: verifyRetention },
  };
}

/** Past every challenge's expiry (CHALLENGE_TTL_SECONDS, 120 s in the dev config) and its 10 min grace. */
const PURGE_LATER_MS = 15 * 60_000;

/**
 * What the purge of one spent challenge costs, for a subject who signs in
 * less often than that purge runs: when it is the vault's alarm, one alarm
 * invocation with its reads and alarm write per attempt; either way the rows
 * of one challenge deleted. Each vault here purged `challenges` challenges at once.
 */
export function deferredPurge(readings: MeterReading[], challenges: number): DeferredUnits {
  const alarms = readings.reduce((s, r) => s + r.alarms, 0);
  const sum = (f: (r: MeterReading) => number) => readings.reduce((s, r) => s + f(r), 0);
  const perAlarm = (f: (r: MeterReading) => number) => (alarms > 0 ? sum(f) / alarms : 0);
  const deleted = sum((r) => r.rowsWritten) / (readings.length * challenges);
  return {
    doRequests: alarms > 0 ? 1 : 0,
    doRowsRead: alarms > 0 ? perAlarm((r) => r.rowsRead) : sum((r) => r.rowsRead) / (readings.length * challenges),
    doRowsWritten: perAlarm((r) => r.alarmWrites) + deleted,
    challengeRowsDeleted: deleted,
    activeSeconds: perAlarm((r) => r.alarmMs) / 1000,
  };
}

export interface DeferredUnits {
  doRequests: number;
  doRowsRead: number;
  /** Its alarm write plus the rows written deleting one challenge (`challengeRowsDeleted`). */
  doRowsWritten: number;
  challengeRowsDeleted: number;
  activeSeconds: number;
}

function addUnits(p: PhaseUnits, d: DeferredUnits): PhaseUnits {
  return {
    ...p,
    doRequests: p.doRequests + d.doRequests,
    doRowsRead: p.doRowsRead + d.doRowsRead,
    doRowsWritten: p.doRowsWritten + d.doRowsWritten,
    doActiveSeconds: p.doActiveSeconds + d.activeSeconds,
    doRequestsByMethod: { ...p.doRequestsByMethod, ...(d.doRequests > 0 ? { "alarm (challenge purge, later)": d.doRequests } : {}) },
  };
}

function addRetention(p: PhaseUnits, r: AuditRetentionUnits): PhaseUnits {
  return { ...p, d1RowsRead: p.d1RowsRead + r.d1RowsRead, d1RowsWritten: p.d1RowsWritten + r.d1RowsWritten };
}

/** The mean of several phases' per-operation units, weighted by their samples. */
export function mergePhases(phases: PhaseUnits[]): PhaseUnits {
  const samples = phases.reduce((s, p) => s + p.samples, 0);
  const mean = (f: (p: PhaseUnits) => number) => phases.reduce((s, p) => s + f(p) * p.samples, 0) / samples;
  const byMethod: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  for (const p of phases) {
    for (const [m, n] of Object.entries(p.doRequestsByMethod)) byMethod[m] = (byMethod[m] ?? 0) + (n * p.samples) / samples;
    for (const [k, n] of Object.entries(p.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + n;
  }
  return {
    samples,
    workerRequests: mean((p) => p.workerRequests),
    workerCpuMs: mean((p) => p.workerCpuMs),
    doRequests: mean((p) => p.doRequests),
    doActiveSeconds: mean((p) => p.doActiveSeconds),
    doRowsRead: mean((p) => p.doRowsRead),
    doRowsWritten: mean((p) => p.doRowsWritten),
    d1RowsRead: mean((p) => p.d1RowsRead),
    d1RowsWritten: mean((p) => p.d1RowsWritten),
    doRequestsByMethod: byMethod,
    outcomes,
  };
}
