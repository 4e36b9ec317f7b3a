import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { auditStatement } from "../audit/audit-log.js";
import { policyOf } from "../config/policy.js";
import { embeddingModel } from "../config/models.js";
import { openEmbeddingEnvelope } from "../crypto/open-envelope.js";
import { MAX_TEMPLATES_PER_SUBJECT } from "../protocol/schemas.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import { registryStatement } from "../retention/registry.js";
import { checkChallenge, consumeChallenge, issueChallenge, purgeChallenges, unconsumed } from "./challenges.js";
import { extendRetention, grantConsent, readConsent, retainUntil } from "./consent.js";
import { inspectVault } from "./inspect.js";
import { IntegrityError } from "./integrity.js";
import { lockedUntil, purgeLockout, recordFailure, recordSuccess, retryAfterSeconds } from "./lockout.js";
import { bestCosine } from "./matching.js";
import { ackBatch, appendAudit, markRegistryDirty, outboxPending, readBatch } from "./outbox.js";
import { migrate } from "./schema.js";
import { decodeEnvelope } from "./envelope.js";
import { kekVersion, loadOrCreateSubjectKey, loadSubjectKey } from "./subject-key.js";
import { hasTemplates, insertTemplate, openTemplates, templateCount } from "./templates.js";
import type {
  Actor,
  ActorRef,
  AttemptInput,
  EnrollResult,
  GrantConsentInput,
  IntegrityReport,
  IssueChallengeInput,
  IssuedChallenge,
  Refusal,
  RewrapResult,
  SubjectRef,
  SubjectState,
  VerifyResult,
} from "./types.js";

/** Audit rows sent to D1 per batch, and batches per flush (the rest waits for the next alarm). */
const FLUSH_BATCH_ROWS = 50;
const FLUSH_MAX_BATCHES = 20;
/** After a failed flush the alarm retries with exponential backoff, capped here. */
const MAX_FLUSH_BACKOFF_MS = 5 * 60_000;
/** Tables that hold a subject's state; a vault where all are empty gives its storage back. */
const STATE_TABLES = ["meta", "consent", "subject_key", "templates", "challenges", "failures", "lockout"] as const;

/** The actor of what the service does on its own (retention purge). */
export function systemActor(what: string, requestId: string): Actor {
  return { sub: `system:${what}`, clientId: null, requestId };
}

/**
 * One SQLite-backed Durable Object per (tenant, subject): consent, the wrapped
 * subject key, sealed templates, challenges, attempt counters, and the outbox
 * of audit rows and registry updates not yet in D1.
 *
 * Concurrency: a Durable Object runs one event at a time but interleaves
 * events at every await of non-storage I/O. Every decision is therefore a
 * synchronous function inside `transactionSync` that also appends its audit
 * row, and an enroll or verify is one RPC with exactly one await in it, the
 * HPKE open, between two synchronous sections:
 *
 * 1. (reads only) the challenge exists, is unexpired, has the right purpose
 *    and is unconsumed; the subject is not locked; templates exist (verify) or
 *    consent and room for a template (enroll); the envelope names the
 *    challenge's key. A refusal here consumes the challenge and audits, in one
 *    transaction.
 * 2. (one transaction) the challenge is still unconsumed (else
 *    `challenge-used`) and is consumed with the attempt's outcome; the lock is
 *    re-checked; the match is scored or the template stored; failures are
 *    counted; the audit row is appended.
 *
 * Whatever runs during the HPKE open, each section-2 decision sees the state
 * every earlier decision left: of concurrent uses of one challenge exactly
 * one consumes it, and concurrent failures are counted one at a time.
 *
 * One alarm serves all housekeeping: the outbox flush shortly after a write,
 * expired challenges, and the retention deadline. It does what is due and is
 * set again for the earliest next due time.
 */
export class SubjectVault extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** The alarm time as last set (mirrors storage, so the hot path need not read it). */
  private alarmAt: number | null = null;
  /** Flushes run one after another, never interleaved. */
  private flushing: Promise<void> = Promise.resolve();
  private flushFailures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql);
      this.alarmAt = await ctx.storage.getAlarm();
      // A commit and its alarm are written together; this re-arms a vault
      // whose alarm was lost anyway (e.g. storage restored from a backup).
      if (this.alarmAt === null) {
        const due = this.nextDue(this.now());
        if (due !== null) await this.armAlarm(due);
      }
    });
  }

  /** The vault's clock (Unix ms). A method, so tests can move time for retention. */
  protected now(): number {
    return Date.now();
  }

  // --- consent, challenges, reads ----------------------------------------------

  async grantConsent(input: GrantConsentInput): Promise<NonNullable<SubjectState["consent"]>> {
    const { retentionDays } = policyOf(this.env);
    return this.commit(input, true, (now) => {
      const record = grantConsent(this.sql, input.policyVersion, input.purposes, now, retentionDays);
      markRegistryDirty(this.sql, input);
      appendAudit(this.sql, input, input.actor, "consent", `granted:${input.policyVersion}`, now);
      return record;
    });
  }

  async issueChallenge(input: IssueChallengeInput): Promise<IssuedChallenge> {
    const ttlMs = policyOf(this.env).challengeTtlSeconds * 1000;
    return this.commit(input, true, (now) => {
      const issued = issueChallenge(this.sql, input, input.purpose, input.kid, now, ttlMs);
      appendAudit(this.sql, input, input.actor, "challenge", `issued:${input.purpose}`, now);
      return issued;
    });
  }

  /** What GET /v1/subjects/{id} may show: never biometric data. Null when nothing is held. */
  async describe(input: ActorRef): Promise<SubjectState | null> {
    return this.commit(input, false, (now) => {
      const consent = readConsent(this.sql);
      const count = templateCount(this.sql);
      if (!consent && count === 0) {
        appendAudit(this.sql, input, input.actor, "read", "refused:subject-not-found", now);
        return null;
      }
      appendAudit(this.sql, input, input.actor, "read", "read", now);
      const until = lockedUntil(this.sql, now);
      return { consent, templateCount: count, ...(until !== null ? { lockedUntil: until } : {}) };
    });
  }

  // --- enroll and verify: one RPC each ---------------------------------------------

  /**
   * A template that does not match the enrolled face is refused *and counted
   * as a failed attempt*: otherwise a face:enroll token would be an unlimited
   * matching oracle that bypasses the lockout.
   */
  async enroll(input: AttemptInput): Promise<EnrollResult> {
    const policy = policyOf(this.env);
    const model = this.model(input.modelId);
    return this.attempt(input, "enroll", model.dim, (now, embedding): EnrollResult => {
      const key = loadOrCreateSubjectKey(this.sql, this.env, input);
      if (key.created || key.rewrapped) markRegistryDirty(this.sql, input);
      const existing = openTemplates(this.sql, key.dek, input, input.modelId, model.dim);
      if (existing.length > 0 && bestCosine(embedding, existing) < model.threshold) {
        const failure = recordFailure(this.sql, now, policy);
        return this.settleRefusal(input, "enroll", now, {
          ok: false,
          code: "enrollment-mismatch",
          attemptsRemaining: failure.attemptsRemaining,
          ...(failure.lockedUntil !== null ? { retryAfter: retryAfterSeconds(failure.lockedUntil, now) } : {}),
        });
      }
      const count = templateCount(this.sql);
      const templateId = insertTemplate(this.sql, key.dek, input, input.modelId, embedding, now);
      this.settle(input, "enroll", now, "enrolled");
      return { ok: true, templateId, templateCount: count + 1 };
    });
  }

  async verify(input: AttemptInput): Promise<VerifyResult> {
    const policy = policyOf(this.env);
    const model = this.model(input.modelId);
    return this.attempt(input, "verify", model.dim, (now, embedding): VerifyResult => {
      const key = loadSubjectKey(this.sql, this.env, input);
      if (!key) throw new IntegrityError("templates without a subject key");
      if (key.rewrapped) markRegistryDirty(this.sql, input);
      const score = bestCosine(embedding, openTemplates(this.sql, key.dek, input, input.modelId, model.dim));
      if (score >= model.threshold) {
        recordSuccess(this.sql);
        if (extendRetention(this.sql, now, policy.retentionDays)) markRegistryDirty(this.sql, input);
        this.settle(input, "verify", now, "match");
        return { ok: true, match: true, attemptsRemaining: policy.lockoutMaxFailures, authTime: now };
      }
      const failure = recordFailure(this.sql, now, policy);
      this.settle(input, "verify", now, failure.lockedUntil !== null ? "no-match:locked" : "no-match");
      return { ok: true, match: false, attemptsRemaining: failure.attemptsRemaining, authTime: now };
    });
  }

  // --- erasure, retention, key maintenance ------------------------------------------

  /**
   * Crypto-shred: the subject key, templates, consent, challenges and
   * counters go in one transaction with the delete's audit row, so the erase
   * and its record are one commit. Then the outbox is flushed to D1 and only
   * after that is the vault's storage given back. If D1 is unreachable the
   * data is gone all the same and the alarm finishes the flush. Idempotent.
   */
  async erase(input: ActorRef): Promise<{ existed: boolean }> {
    const existed = await this.commit(input, false, (now) => {
      const had = this.holdsData();
      this.shred();
      appendAudit(this.sql, input, input.actor, "delete", had ? "deleted" : "deleted:nothing-held", now);
      markRegistryDirty(this.sql, input);
      return had;
    });
    await this.flushThenRelease();
    return { existed };
  }

  /**
   * Called by the retention cron for a subject the registry says is due. The
   * vault decides from its own retainUntil (a verify may have extended it
   * since the registry entry was written); if not due it refreshes the entry.
   * Expired challenges go too.
   */
  async purgeIfDue(input: ActorRef): Promise<{ purged: boolean }> {
    const purged = await this.commit(input, false, (now) => {
      purgeChallenges(this.sql, now);
      const until = retainUntil(this.sql);
      if (until !== null && until <= now) {
        this.purge(input, input.actor, now);
        return true;
      }
      markRegistryDirty(this.sql, input);
      return false;
    });
    await this.flushThenRelease();
    return { purged };
  }

  /**
   * Maintenance after a KEK rotation: rewraps the subject key under the
   * current KEK (as any verify would) and refreshes the registry entry, so
   * the registry shows when no subject depends on an old KEK version.
   */
  async rewrap(input: ActorRef): Promise<RewrapResult> {
    const result = await this.commit(input, false, (now): RewrapResult => {
      const key = loadSubjectKey(this.sql, this.env, input);
      const version = kekVersion(this.sql);
      if (key?.rewrapped) appendAudit(this.sql, input, input.actor, "rewrap", `rewrapped:kek-${version}`, now);
      markRegistryDirty(this.sql, input);
      return { kekVersion: version, rewrapped: key?.rewrapped ?? false };
    });
    await this.flushThenRelease();
    return result;
  }

  /** Consistency report for operators (after flushing the outbox): counts only, nothing biometric. */
  async inspect(input: SubjectRef): Promise<IntegrityReport> {
    try {
      await this.flushOutbox();
    } catch (err) {
      this.flushFailed(err);
    }
    return this.ctx.storage.transactionSync(() => {
      this.checkIdentity(input, false);
      return { ...inspectVault(this.sql, this.env, input, this.now()), outboxPending: outboxPending(this.sql) };
    });
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = this.now();
    const policy = policyOf(this.env);
    this.ctx.storage.transactionSync(() => {
      purgeLockout(this.sql, now, policy);
      purgeChallenges(this.sql, now);
      const until = retainUntil(this.sql);
      const who = this.identity();
      if (until !== null && until <= now && who) this.purge(who, systemActor("retention", crypto.randomUUID()), now);
    });
    await this.flushThenRelease();
    if (this.isEmpty()) return;
    const due = this.nextDue(this.now());
    if (due !== null) await this.armAlarm(due);
  }

  // --- internals -------------------------------------------------------------

  /**
   * Runs one decision atomically: identity check, then `fn`, in a synchronous
   * SQLite transaction (rolled back if it throws, committed if it returns,
   * including a refusal that recorded a failure), then sets the alarm that
   * flushes its audit row. The alarm write is issued in the same synchronous
   * block as the commit, so the runtime coalesces the two into one.
   */
  private async commit<T>(who: SubjectRef, bindIdentity: boolean, fn: (now: number) => T): Promise<T> {
    const now = this.now();
    const result = this.ctx.storage.transactionSync(() => {
      this.checkIdentity(who, bindIdentity);
      return fn(now);
    });
    await this.armFlush(now);
    return result;
  }

  /**
   * The two synchronous sections of an enroll or verify around the HPKE open
   * (see the class comment). `decide` runs inside section 2 once every
   * re-check has passed; it must end the attempt with `settle` or
   * `settleRefusal`.
   */
  private async attempt<T extends { ok: true }>(
    input: AttemptInput,
    purpose: EnvelopePurpose,
    dim: number,
    decide: (now: number, embedding: Float32Array) => T | Refusal,
  ): Promise<T | Refusal> {
    const bind = purpose === "enroll";
    const started = this.now();
    const begun = this.ctx.storage.transactionSync(() => {
      this.checkIdentity(input, false);
      return this.begin(input, purpose, started);
    });
    if (!begun.ok) {
      await this.armFlush(started);
      return begun;
    }

    const envelope = decodeEnvelope(input.envelope);
    let embedding: Float32Array | null = null;
    let now = started;
    let result: T | Refusal;
    try {
      embedding = envelope
        ? await openEmbeddingEnvelope(
            this.env,
            envelope,
            { purpose, subjectId: input.subjectId, challengeId: input.challengeId, nonce: begun.nonce, modelId: input.modelId },
            dim,
          )
        : null;
      now = this.now();
      const opened = embedding;
      result = this.ctx.storage.transactionSync(() => {
        this.checkIdentity(input, bind);
        const gone = unconsumed(this.sql, input.challengeId);
        if (gone) return this.refuse(input, purpose, now, { ok: false, code: gone }, false);
        if (!opened) return this.refuse(input, purpose, now, { ok: false, code: "envelope-invalid" }, true);
        const refusal = this.stateRefusal(input, purpose, now);
        if (refusal) return this.refuse(input, purpose, now, refusal, true);
        return decide(now, opened);
      });
    } catch (err) {
      // Whatever failed (stored data that does not open because it was tampered
      // with, copied from another subject or its KEK is gone; or a fault), the
      // decision rolled back, but the attempt still spends its challenge and is
      // audited: single use holds on every path. Integrity failures answer 500
      // `internal`; anything else is rethrown as the bug it is.
      result = this.ctx.storage.transactionSync(() => this.refuse(input, purpose, now, { ok: false, code: "internal" }, true));
      if (!(err instanceof IntegrityError)) {
        await this.armFlush(now);
        throw err;
      }
      console.error(JSON.stringify({ vault: "integrity failure", what: err.message }));
    } finally {
      embedding?.fill(0);
    }
    await this.armFlush(now);
    return result;
  }

  /** Section 1: reads only, unless it refuses. Returns the challenge's nonce for the HPKE AAD. */
  private begin(input: AttemptInput, purpose: EnvelopePurpose, now: number): { ok: true; nonce: string } | Refusal {
    const challenge = checkChallenge(this.sql, input, input.challengeId, purpose, now);
    if (!challenge.ok) {
      const { consume, ...refusal } = challenge;
      return this.refuse(input, purpose, now, refusal, consume);
    }
    const refusal = this.stateRefusal(input, purpose, now);
    if (refusal) return this.refuse(input, purpose, now, refusal, true);
    // The envelope must be sealed to the key the challenge named, not merely to some key we hold.
    if (challenge.kid !== input.envelope.kid) return this.refuse(input, purpose, now, { ok: false, code: "envelope-invalid" }, true);
    return { ok: true, nonce: challenge.nonce };
  }

  /** What the subject's state refuses, checked in both sections (it may change during the HPKE open). */
  private stateRefusal(input: AttemptInput, purpose: EnvelopePurpose, now: number): Refusal | null {
    if (purpose === "verify") {
      return this.lockRefusal(now) ?? (hasTemplates(this.sql, input.modelId) ? null : { ok: false, code: "not-enrolled" });
    }
    if (!readConsent(this.sql)) return { ok: false, code: "consent-required" };
    return (
      this.lockRefusal(now) ??
      (templateCount(this.sql) >= MAX_TEMPLATES_PER_SUBJECT ? { ok: false, code: "template-limit" } : null)
    );
  }

  /** Ends an attempt: consumes its challenge with the outcome and appends the audit row. */
  private settle(input: AttemptInput, action: EnvelopePurpose, now: number, outcome: string): void {
    consumeChallenge(this.sql, input.challengeId, now, outcome, input.actor.requestId);
    appendAudit(this.sql, input, input.actor, action, outcome, now);
  }

  private settleRefusal(input: AttemptInput, action: EnvelopePurpose, now: number, r: Refusal): Refusal {
    this.settle(input, action, now, `refused:${r.code}`);
    return r;
  }

  /** A refusal that spends the challenge when there is one to spend, and is audited either way. */
  private refuse(input: AttemptInput, action: EnvelopePurpose, now: number, r: Refusal, consume: boolean): Refusal {
    if (consume) return this.settleRefusal(input, action, now, r);
    appendAudit(this.sql, input, input.actor, action, `refused:${r.code}`, now);
    return r;
  }

  /** Retention: the same shred as an erase, recorded as a purge. Inside the caller's transaction. */
  private purge(who: SubjectRef, actor: Actor, now: number): void {
    this.shred();
    appendAudit(this.sql, who, actor, "purge", "purged:retention", now);
    markRegistryDirty(this.sql, who);
  }

  private shred(): void {
    for (const table of STATE_TABLES) this.sql.exec(`DELETE FROM ${table}`);
  }

  private holdsData(): boolean {
    return (
      readConsent(this.sql) !== null ||
      templateCount(this.sql) > 0 ||
      this.sql.exec("SELECT 1 FROM subject_key").toArray().length > 0
    );
  }

  private isEmpty(): boolean {
    if (outboxPending(this.sql) > 0) return false;
    return STATE_TABLES.every((t) => this.sql.exec(`SELECT 1 FROM ${t} LIMIT 1`).toArray().length === 0);
  }

  /**
   * Flushes the outbox, then, if the vault holds nothing at all, gives its
   * storage back (deleteAll). A failed flush leaves everything in place for
   * the alarm to retry: nothing is destroyed before its audit rows are in D1.
   */
  private async flushThenRelease(): Promise<void> {
    try {
      await this.flushOutbox();
      this.flushFailures = 0;
    } catch (err) {
      this.flushFailed(err);
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

  /** Sends the outbox to D1 in batches; a batch's rows are deleted here only after D1 accepted it. */
  private flushOutbox(): Promise<void> {
    const run = this.flushing.then(() => this.flushBatches());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushBatches(): Promise<void> {
    for (let i = 0; i < FLUSH_MAX_BATCHES; i++) {
      const batch = readBatch(this.sql, FLUSH_BATCH_ROWS);
      if (!batch) return;
      const db = this.env.DB;
      const statements = batch.audit.map((row) => auditStatement(db, row));
      if (batch.registry) statements.push(registryStatement(db, batch.registry, this.now()));
      await db.batch(statements);
      this.ctx.storage.transactionSync(() => ackBatch(this.sql, batch));
    }
  }

  private flushFailed(err: unknown): void {
    this.flushFailures += 1;
    console.error(JSON.stringify({ vault: "audit flush failed", attempt: this.flushFailures, error: (err as Error)?.name }));
    const due = this.nextDue(this.now());
    // Best effort here: every later write arms the alarm again anyway.
    if (due !== null) this.armAlarm(due).catch(() => (this.alarmAt = null));
  }

  /** The earliest time housekeeping is due: an outbox flush, an expired challenge, the retention deadline. */
  private nextDue(now: number): number | null {
    const candidates: number[] = [];
    if (outboxPending(this.sql) > 0) {
      const delay =
        this.flushFailures > 0
          ? Math.min(MAX_FLUSH_BACKOFF_MS, 1000 * 2 ** Math.min(this.flushFailures, 16))
          : policyOf(this.env).auditFlushDelayMs;
      candidates.push(now + delay);
    }
    const challenge = this.sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM challenges").one().next;
    if (challenge !== null) candidates.push(challenge + 10 * 60_000);
    const until = retainUntil(this.sql);
    if (until !== null) candidates.push(until);
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  /** Sets the alarm for a flush after a write, unless it is already due sooner. */
  private armFlush(now: number): Promise<void> {
    return this.armAlarm(now + policyOf(this.env).auditFlushDelayMs);
  }

  /** Moves the alarm earlier when `at` is earlier; never later (something else may be due first). */
  private armAlarm(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return Promise.resolve();
    this.alarmAt = at;
    return this.ctx.storage.setAlarm(at);
  }

  private identity(): SubjectRef | null {
    const row = this.sql.exec<{ tenant: string; subject_id: string }>("SELECT tenant, subject_id FROM meta").toArray()[0];
    return row ? { tenant: row.tenant, subjectId: row.subject_id } : null;
  }

  /**
   * The vault learns its (tenant, subject) from its first write and refuses
   * any later call that names another: the name it was addressed by is the
   * only identity that goes into AADs.
   */
  private checkIdentity(who: SubjectRef, bind: boolean): void {
    const row = this.identity();
    if (row) {
      if (row.tenant !== who.tenant || row.subjectId !== who.subjectId) throw new Error("vault identity mismatch");
    } else if (bind) {
      this.sql.exec("INSERT INTO meta (id, tenant, subject_id) VALUES (1, ?, ?)", who.tenant, who.subjectId);
    }
  }

  private lockRefusal(now: number): Refusal | null {
    const until = lockedUntil(this.sql, now);
    return until === null
      ? null
      : { ok: false, code: "subject-locked", retryAfter: retryAfterSeconds(until, now), attemptsRemaining: 0 };
  }

  private model(modelId: string) {
    const model = embeddingModel(modelId);
    if (!model) throw new Error("model not in manifest");
    return model;
  }
}
