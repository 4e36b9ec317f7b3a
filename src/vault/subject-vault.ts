import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { policyOf } from "../config/policy.js";
import { embeddingModel } from "../config/models.js";
import { MAX_TEMPLATES_PER_SUBJECT } from "../protocol/schemas.js";
import { claimCompletion, consumeChallenge, issueChallenge, purgeChallenges } from "./challenges.js";
import { extendRetention, grantConsent, readConsent } from "./consent.js";
import { IntegrityError } from "./integrity.js";
import { lockedUntil, purgeLockout, recordFailure, recordSuccess, retryAfterSeconds } from "./lockout.js";
import { bestCosine } from "./matching.js";
import { migrate } from "./schema.js";
import { loadOrCreateSubjectKey, loadSubjectKey } from "./subject-key.js";
import { hasTemplates, insertTemplate, openTemplates, templateCount } from "./templates.js";
import type {
  BeginAttemptInput,
  BeginAttemptResult,
  CompleteEnrollResult,
  CompleteInput,
  CompleteVerifyResult,
  GrantConsentInput,
  IssueChallengeInput,
  IssuedChallenge,
  Refusal,
  SubjectRef,
  SubjectState,
} from "./types.js";

/**
 * One SQLite-backed Durable Object per (tenant, subject): consent, the wrapped
 * subject key, sealed templates, challenges and attempt counters.
 *
 * Concurrency: a Durable Object runs one event at a time but interleaves
 * events at every await of non-storage I/O. Every decision here is therefore
 * one synchronous function inside `transactionSync` (no await between reading
 * state and writing the outcome), and the asynchronous HPKE open happens in
 * the worker *between* two RPCs: `beginAttempt` consumes the challenge,
 * `completeVerify`/`completeEnroll` re-check the lock and decide. Whatever
 * interleaving happens between the two, each decision sees the state all
 * earlier decisions left.
 */
export class SubjectVault extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql));
  }

  grantConsent(input: GrantConsentInput): NonNullable<SubjectState["consent"]> {
    const { retentionDays } = policyOf(this.env);
    return this.decide(input, true, (now) =>
      grantConsent(this.sql, input.policyVersion, input.purposes, now, retentionDays),
    );
  }

  async issueChallenge(input: IssueChallengeInput): Promise<IssuedChallenge> {
    const ttlMs = policyOf(this.env).challengeTtlSeconds * 1000;
    const issued = this.decide(input, true, (now) =>
      issueChallenge(this.sql, input, input.purpose, input.kid, now, ttlMs),
    );
    // Housekeeping only (expired challenges are refused whether purged or not).
    const due = purgeChallenges(this.sql, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (due !== null && (current === null || current > due)) await this.ctx.storage.setAlarm(due);
    return issued;
  }

  /** Step 1 of enroll and verify: consume the challenge, refuse early what cannot succeed. */
  beginAttempt(input: BeginAttemptInput): BeginAttemptResult {
    return this.decide(input, false, (now): BeginAttemptResult => {
      const challenge = consumeChallenge(this.sql, input, input.challengeId, input.purpose, now);
      if (!challenge.ok) return challenge;
      const locked = this.lockRefusal(now);
      if (input.purpose === "verify") {
        if (locked) return locked;
        if (!hasTemplates(this.sql, input.modelId)) return { ok: false, code: "not-enrolled" };
      } else {
        if (!readConsent(this.sql)) return { ok: false, code: "consent-required" };
        if (locked) return locked;
        if (templateCount(this.sql) >= MAX_TEMPLATES_PER_SUBJECT) return { ok: false, code: "template-limit" };
      }
      return { ok: true, nonce: challenge.nonce, kid: challenge.kid };
    });
  }

  /** Step 2 of verify: re-check the lock, score best-of against the templates, count the outcome. */
  completeVerify(input: CompleteInput): CompleteVerifyResult {
    const policy = policyOf(this.env);
    const model = this.model(input.modelId);
    return this.failClosed(() => this.decide(input, false, (now): CompleteVerifyResult => {
      const locked = this.lockRefusal(now);
      if (locked) return locked;
      if (!hasTemplates(this.sql, input.modelId)) return { ok: false, code: "not-enrolled" };
      if (!claimCompletion(this.sql, input.challengeId, "verify", now)) return { ok: false, code: "challenge-used" };
      const score = bestCosine(input.embedding, this.templates(input, input.modelId, model.dim));
      if (score >= model.threshold) {
        recordSuccess(this.sql);
        extendRetention(this.sql, now, policy.retentionDays);
        return { ok: true, match: true, attemptsRemaining: policy.lockoutMaxFailures, authTime: now };
      }
      const failure = recordFailure(this.sql, now, policy);
      return { ok: true, match: false, attemptsRemaining: failure.attemptsRemaining, authTime: now };
    }));
  }

  /**
   * Step 2 of enroll. A template that does not match the enrolled face is
   * refused *and counted as a failed attempt*: otherwise a face:enroll token
   * would be an unlimited matching oracle that bypasses the lockout.
   */
  completeEnroll(input: CompleteInput): CompleteEnrollResult {
    const policy = policyOf(this.env);
    const model = this.model(input.modelId);
    return this.failClosed(() => this.decide(input, true, (now): CompleteEnrollResult => {
      if (!readConsent(this.sql)) return { ok: false, code: "consent-required" };
      const locked = this.lockRefusal(now);
      if (locked) return locked;
      const count = templateCount(this.sql);
      if (count >= MAX_TEMPLATES_PER_SUBJECT) return { ok: false, code: "template-limit" };
      if (!claimCompletion(this.sql, input.challengeId, "enroll", now)) return { ok: false, code: "challenge-used" };
      const dek = loadOrCreateSubjectKey(this.sql, this.env, input);
      const existing = openTemplates(this.sql, dek, input, input.modelId, model.dim);
      if (existing.length > 0 && bestCosine(input.embedding, existing) < model.threshold) {
        const failure = recordFailure(this.sql, now, policy);
        return {
          ok: false,
          code: "enrollment-mismatch",
          attemptsRemaining: failure.attemptsRemaining,
          ...(failure.lockedUntil !== null ? { retryAfter: retryAfterSeconds(failure.lockedUntil, now) } : {}),
        };
      }
      const templateId = insertTemplate(this.sql, dek, input, input.modelId, input.embedding, now);
      return { ok: true, templateId, templateCount: count + 1 };
    }));
  }

  /** What GET /v1/subjects/{id} may show: never biometric data. Null when nothing is held. */
  describe(input: SubjectRef): SubjectState | null {
    return this.decide(input, false, (now) => {
      const consent = readConsent(this.sql);
      const count = templateCount(this.sql);
      if (!consent && count === 0) return null;
      const until = lockedUntil(this.sql, now);
      return { consent, templateCount: count, ...(until !== null ? { lockedUntil: until } : {}) };
    });
  }

  /**
   * Crypto-shred: the subject key row goes first (in its own committed step),
   * so the sealed templates are unreadable even if what follows were cut
   * short; then everything else. Idempotent.
   */
  async erase(input: SubjectRef): Promise<{ existed: boolean }> {
    const existed = this.decide(input, false, () => {
      const had =
        readConsent(this.sql) !== null ||
        templateCount(this.sql) > 0 ||
        this.sql.exec("SELECT 1 FROM subject_key").toArray().length > 0;
      this.sql.exec("DELETE FROM subject_key");
      return had;
    });
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrate(this.sql);
    return { existed };
  }

  override async alarm(): Promise<void> {
    const policy = policyOf(this.env);
    const due = this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      purgeLockout(this.sql, now, policy);
      return purgeChallenges(this.sql, now);
    });
    if (due !== null) await this.ctx.storage.setAlarm(due);
  }

  // --- internals -------------------------------------------------------------

  /**
   * Runs one decision atomically: identity check, then `fn`, in a synchronous
   * SQLite transaction (rolled back if it throws, committed if it returns,
   * including a refusal that recorded a failure).
   */
  private decide<T>(who: SubjectRef, bindIdentity: boolean, fn: (now: number) => T): T {
    return this.ctx.storage.transactionSync(() => {
      this.checkIdentity(who, bindIdentity);
      return fn(Date.now());
    });
  }

  /**
   * The vault learns its (tenant, subject) from its first write and refuses
   * any later call that names another: the name it was addressed by is the
   * only identity that goes into AADs.
   */
  private checkIdentity(who: SubjectRef, bind: boolean): void {
    const row = this.sql.exec<{ tenant: string; subject_id: string }>("SELECT tenant, subject_id FROM meta").toArray()[0];
    if (row) {
      if (row.tenant !== who.tenant || row.subject_id !== who.subjectId) throw new Error("vault identity mismatch");
    } else if (bind) {
      this.sql.exec("INSERT INTO meta (id, tenant, subject_id) VALUES (1, ?, ?)", who.tenant, who.subjectId);
    }
  }

  /**
   * Stored data that does not open (tampered, copied from another subject,
   * KEK gone) ends the attempt as a 500 `internal`, after the transaction has
   * rolled back. Logged here, where it is known to be an integrity failure.
   */
  private failClosed<T>(fn: () => T): T | Refusal {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      console.error(JSON.stringify({ vault: "integrity failure", what: err.message }));
      return { ok: false, code: "internal" };
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

  private templates(who: SubjectRef, modelId: string, dim: number): Float32Array[] {
    const dek = loadSubjectKey(this.sql, this.env, who);
    if (!dek) throw new IntegrityError("templates without a subject key");
    return openTemplates(this.sql, dek, who, modelId, dim);
  }
}
