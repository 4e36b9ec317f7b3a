import type { Env } from "../../src/env.js";
import { purgeChallenges } from "../../src/vault/challenges.js";
import { SubjectVault } from "../../src/vault/subject-vault.js";
import type { MeterReading } from "./reading.js";

export type { MeterReading };

type MeterEnv = Env & { FACEGATE_METER?: string };

/** The vault's public RPC methods (each call is one billed Durable Object request). */
const RPC_METHODS = [
  "grantConsent",
  "issueChallenge",
  "describe",
  "listTemplates",
  "deleteTemplate",
  "unlock",
  "enroll",
  "verify",
  "erase",
  "purgeIfDue",
  "rewrap",
  "inspect",
] as const;

class Meter {
  private cursors: { rowsRead: number; rowsWritten: number }[] = [];
  private reading = Meter.empty();

  static empty(): MeterReading {
    return { requests: {}, alarms: 0, rowsRead: 0, rowsWritten: 0, alarmWrites: 0, d1Batches: 0, d1RowsRead: 0, d1RowsWritten: 0, alarmMs: 0 };
  }

  /** Counts every statement through `sql.exec` and every `setAlarm`, on the objects the vault itself uses. */
  watchStorage(storage: DurableObjectStorage): void {
    const sql = storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      // A cursor's counters are final once it is consumed; they are summed at reading time.
      this.cursors.push(cursor);
      return cursor;
    }) as typeof sql.exec;
    const setAlarm = storage.setAlarm.bind(storage);
    storage.setAlarm = ((...args: Parameters<typeof setAlarm>) => {
      this.reading.alarmWrites += 1;
      return setAlarm(...args);
    }) as typeof storage.setAlarm;
  }

  /** The same D1 binding, with the rows of each batch's results added up. */
  watchD1(db: D1Database): D1Database {
    return new Proxy(db, {
      get: (target, prop) => {
        if (prop === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            const results = await target.batch(statements);
            this.reading.d1Batches += 1;
            for (const r of results) {
              this.reading.d1RowsRead += r.meta.rows_read ?? 0;
              this.reading.d1RowsWritten += r.meta.rows_written ?? 0;
            }
            return results;
          };
        }
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  request(method: string): void {
    this.reading.requests[method] = (this.reading.requests[method] ?? 0) + 1;
  }

  alarm(ms: number): void {
    this.reading.alarms += 1;
    this.reading.alarmMs += ms;
  }

  take(): MeterReading {
    for (const c of this.cursors) {
      this.reading.rowsRead += c.rowsRead;
      this.reading.rowsWritten += c.rowsWritten;
    }
    const out = this.reading;
    this.cursors = [];
    this.reading = Meter.empty();
    return out;
  }
}

/**
 * The development worker's SubjectVault: the production class unchanged,
 * plus, only when the dev server is started with FACEGATE_METER=1, a count
 * of what Cloudflare bills a SQLite-backed Durable Object for: requests (RPC
 * calls and alarm invocations), SQLite rows read and written (summed from
 * the runtime's own cursor counters, so nothing is estimated), alarm writes,
 * and the rows D1 reports for the vault's audit flushes (`meta`). `npm run
 * cost` reads and resets it through /demo/meter. Never part of the
 * production build: src/index.ts exports SubjectVault itself.
 */
export class MeteredSubjectVault extends SubjectVault {
  private readonly meter: Meter | null;

  constructor(ctx: DurableObjectState, env: MeterEnv) {
    const meter = env.FACEGATE_METER === "1" ? new Meter() : null;
    // Before super(): the constructor's schema migration is counted too (a cold start's cost).
    if (meter) meter.watchStorage(ctx.storage);
    super(ctx, meter ? { ...env, DB: meter.watchD1(env.DB) } : env);
    this.meter = meter;
  }

  /** Added to the vault's clock by `meterLater` (metering only). */
  private clockOffsetMs = 0;

  protected override now(): number {
    // ?? 0: the base constructor's housekeeping may read the clock before this class's fields exist.
    return super.now() + (this.clockOffsetMs ?? 0);
  }

  /**
   * Moves the vault's clock `ms` forward and runs what purges spent
   * challenges by then: its alarm if one is due, else the DELETE the next
   * challenge would run. How `npm run cost` counts that purge, due minutes
   * after an attempt. Metering only; not itself counted, the alarm it runs is.
   */
  async meterLater(ms: number): Promise<"alarm" | "next-challenge" | null> {
    if (!this.meter) return null;
    this.clockOffsetMs += ms;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm !== null && alarm <= this.now()) {
      await this.alarm();
      return "alarm";
    }
    // No alarm due: spent challenges wait for the subject's next challenge, whose first statement
    // deletes them (issueChallenge); the same DELETE is run here so its rows are counted.
    this.ctx.storage.transactionSync(() => purgeChallenges(this.ctx.storage.sql, this.now()));
    return "next-challenge";
  }

  /** What was counted since the last reading (and resets it); null when metering is off. Not itself counted. */
  meterReading(): MeterReading | null {
    return this.meter?.take() ?? null;
  }

  override async alarm(): Promise<void> {
    const started = Date.now();
    try {
      await super.alarm();
    } finally {
      this.meter?.alarm(Date.now() - started);
    }
  }
}

// Each public RPC method counts itself, then runs the production code.
for (const name of RPC_METHODS) {
  const original = SubjectVault.prototype[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(MeteredSubjectVault.prototype, name, {
    configurable: true,
    writable: true,
    value: function (this: MeteredSubjectVault, ...args: unknown[]) {
      (this as unknown as { meter: Meter | null }).meter?.request(name);
      return original.apply(this, args);
    },
  });
}
