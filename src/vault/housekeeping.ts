import type { Env } from "../env.js";
import { auditStatement, pseudonymiseStatement } from "../audit/audit-log.js";
import { policyOf } from "../config/policy.js";
import { registryStatement } from "../registry/subject-registry.js";
import { challengesNextDue } from "./challenges.js";
import { retainUntil } from "./consent.js";
import { lockoutNextDue } from "./lockout.js";
import { ackBatch, outboxPending, readBatch } from "./outbox.js";
import { migrate } from "./schema.js";
import { holdsNothing } from "./subject-state.js";

/** Audit rows sent to D1 per batch, and batches per flush (the rest waits for the next alarm). */
const FLUSH_BATCH_ROWS = 50;
const FLUSH_MAX_BATCHES = 20;
/** After a failed flush the alarm retries with exponential backoff, capped here. */
const MAX_FLUSH_BACKOFF_MS = 5 * 60_000;

/**
 * The plumbing of a SubjectVault that decides nothing: sending its outbox to
 * D1, setting its one alarm, and giving its storage back when it holds
 * nothing. The vault's decisions (subject-vault.ts) call in here after they
 * commit.
 *
 * One alarm serves all housekeeping: the outbox flush shortly after a write,
 * expired challenges (in a vault without a consent; one with a consent
 * deletes them at its next challenge or alarm), lockout counters that stop
 * counting, and the retention deadline. It is set for the earliest of these
 * and never moved later.
 */
export class VaultHousekeeping {
  /** The alarm time as last set (mirrors storage, so the hot path need not read it). */
  private alarmAt: number | null = null;
  /** Flushes run one after another, never interleaved. */
  private flushing: Promise<void> = Promise.resolve();
  private flushFailures = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: () => Env,
    private readonly now: () => number,
  ) {}

  private get sql(): SqlStorage {
    return this.ctx.storage.sql;
  }

  /** At construction: schema, and re-arming an alarm that was lost (e.g. storage restored from a backup). */
  async start(): Promise<void> {
    migrate(this.sql);
    this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null) {
      const due = this.nextDue(this.now());
      if (due !== null) await this.armAlarm(due);
    }
  }

  /** The alarm fired: the next one is armed again by whoever writes next, or by `rearm`. */
  fired(): void {
    this.alarmAt = null;
  }

  /** Sets the alarm for a flush after a write, unless it is already due sooner. */
  armFlush(now: number): Promise<void> {
    return this.armAlarm(now + policyOf(this.env()).auditFlushDelayMs);
  }

  /** After the alarm's work: set it for whatever is due next. */
  async rearm(): Promise<void> {
    if (this.isEmpty()) return;
    const due = this.nextDue(this.now());
    if (due !== null) await this.armAlarm(due);
  }

  /** Sends the outbox to D1 in batches; a batch's rows are deleted here only after D1 accepted it. */
  flushOutbox(): Promise<void> {
    const run = this.flushing.then(() => this.flushBatches());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /**
   * Flushes the outbox, then, if the vault holds nothing at all, gives its
   * storage back (deleteAll). A failed flush leaves everything in place for
   * the alarm to retry: nothing is destroyed before its audit rows are in D1.
   * With `strict`, a failed flush is thrown to the caller (who must know it
   * reached D1, e.g. a consent that registers the subject).
   */
  async flushThenRelease(opts: { strict?: boolean } = {}): Promise<void> {
    try {
      await this.flushOutbox();
      this.flushFailures = 0;
    } catch (err) {
      this.flushFailed(err);
      if (opts.strict) throw err;
      return;
    }
    if (!this.isEmpty()) return;
    this.alarmAt = null;
    // On SQLite-backed storage deleteAll takes effect when called, so the
    // schema is recreated in the same synchronous block: code of this vault
    // that is mid-await (an attempt in its HPKE open, a queued flush) resumes
    // on empty tables, never on missing ones.
    const done = Promise.all([this.ctx.storage.deleteAlarm(), this.ctx.storage.deleteAll()]);
    migrate(this.sql);
    await done;
  }

  /** The integrity report's flush: the report shows what is still pending rather than failing, so a D1 failure is left to the alarm's retry. */
  async flushQuietly(): Promise<void> {
    try {
      await this.flushOutbox();
    } catch (err) {
      this.flushFailed(err);
    }
  }

  private flushFailed(err: unknown): void {
    this.flushFailures += 1;
    console.error(JSON.stringify({ vault: "audit flush failed", attempt: this.flushFailures, error: (err as Error)?.name }));
    const due = this.nextDue(this.now());
    // Best effort here: every later write arms the alarm again anyway.
    if (due !== null) this.armAlarm(due).catch(() => (this.alarmAt = null));
  }

  private async flushBatches(): Promise<void> {
    for (let i = 0; i < FLUSH_MAX_BATCHES; i++) {
      const batch = readBatch(this.sql, FLUSH_BATCH_ROWS);
      if (!batch) return;
      const db = this.env().DB;
      const statements = batch.audit.map((row) => auditStatement(db, row));
      if (batch.registry) statements.push(registryStatement(db, batch.registry, this.now()));
      const p = batch.pseudonymise;
      if (p) statements.push(pseudonymiseStatement(db, p.tenant, p.subjectId, p.pseudonym));
      await db.batch(statements);
      this.ctx.storage.transactionSync(() => ackBatch(this.sql, batch));
    }
  }

  isEmpty(): boolean {
    return outboxPending(this.sql) === 0 && holdsNothing(this.sql);
  }

  /** The earliest time housekeeping is due, or null when nothing ever will be. */
  private nextDue(now: number): number | null {
    const candidates: number[] = [];
    if (outboxPending(this.sql) > 0) {
      const delay =
        this.flushFailures > 0 ? Math.min(MAX_FLUSH_BACKOFF_MS, 1000 * 2 ** Math.min(this.flushFailures, 16)) : policyOf(this.env()).auditFlushDelayMs;
      candidates.push(now + delay);
    }
    const until = retainUntil(this.sql);
    if (until !== null) candidates.push(until);
    // Spent and expired challenges are refused by what their row says, not by being deleted, so
    // deleting them is storage upkeep only. A vault with a consent has an alarm anyway (its
    // retention deadline) and deletes them at its next challenge (issueChallenge) or alarm: an alarm
    // of their own would cost every attempt one more alarm invocation and alarm write. A vault
    // without one (challenges asked for a subject that holds nothing) keeps that alarm, so it gives
    // its storage back.
    const challenge = challengesNextDue(this.sql);
    if (challenge !== null && until === null) candidates.push(challenge);
    const lockout = lockoutNextDue(this.sql);
    if (lockout !== null) candidates.push(lockout);
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  /** Moves the alarm earlier when `at` is earlier; never later (something else may be due first). */
  private armAlarm(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return Promise.resolve();
    this.alarmAt = at;
    return this.ctx.storage.setAlarm(at);
  }
}
