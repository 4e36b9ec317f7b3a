import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { policyOf } from "../config/policy.js";
import { embeddingModel, padThreshold } from "../config/models.js";
import { epochRing, type EpochRing } from "../crypto/key-epochs.js";
import { openEmbeddingEnvelope, type OpenedProbe } from "../crypto/open-envelope.js";
import { MAX_TEMPLATES_PER_SUBJECT } from "../protocol/schemas.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import { checkChallenge, consumeChallenge, issueChallenge, purgeChallenges, unconsumed, type ChallengeLiveness } from "./challenges.js";
import { livenessShown } from "./liveness.js";
import { advanceCounter, findCredential, insertCredential, listCredentials, type StoredCredential } from "./credentials.js";
import { verifyAuthentication, verifyRegistration } from "../crypto/webauthn.js";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { extendRetention, grantConsent, readConsent, retainUntil } from "./consent.js";
import { decodeEnvelope } from "./envelope.js";
import { VaultHousekeeping } from "./housekeeping.js";
import { inspectVault } from "./inspect.js";
import { IntegrityError } from "./integrity.js";
import { VaultInvariantError } from "./invariant.js";
import { attemptsRemaining, currentLock, purgeLockout, recordFailure, recordSuccess, retryAfterSeconds, unlock, type FailureOutcome } from "./lockout.js";
import { additionAccepted, verifyVerdict, type MatchThresholds } from "./match-rule.js";
import { checkIdentity, identity, templatesChanged, templatesChangedAt } from "./meta.js";
import { appendAudit, markPseudonymise, markRegistryDirty, outboxPending } from "./outbox.js";
import { recentProbes, rememberProbe } from "./recent-probes.js";
import { keyEpochOf, loadOrCreateSubjectKey, loadSubjectKey } from "./subject-key.js";
import { holdsData, shredSubject } from "./subject-state.js";
import { deleteTemplate, hasTemplates, insertTemplate, listTemplates, openTemplates, templateCount } from "./templates.js";
import type {
  Actor,
  ActorRef,
  AttemptInput,
  DeleteTemplateInput,
  DeleteTemplateResult,
  EnrollResult,
  GrantConsentInput,
  IntegrityReport,
  IssueChallengeInput,
  IssuedChallenge,
  Refusal,
  RewrapResult,
  SubjectRef,
  SubjectState,
  TemplateInfo,
  VerifyResult,
} from "./types.js";

/** What section 1 of an attempt hands to the rest: the nonce for the AADs, what the challenge asks, the passkey to check. */
interface Begun {
  ok: true;
  nonce: string;
  liveness: ChallengeLiveness | null;
  credential: StoredCredential | null;
}

/** The passkey ceremony's outcome, verified during the attempt's await. */
type DeviceOutcome =
  | { kind: "none" }
  | { kind: "registered"; credential: StoredCredential | null }
  | { kind: "asserted"; credentialId: string; counter: number | null };

/** The actor of what the service does on its own (retention purge). */
export function systemActor(what: string, requestId: string): Actor {
  return { sub: `system:${what}`, clientId: null, requestId };
}

/**
 * One SQLite-backed Durable Object per (tenant, subject): consent, the wrapped
 * subject key, sealed templates and recent probes, challenges, attempt
 * counters, and the outbox of audit rows and registry updates not yet in D1.
 * This class decides; VaultHousekeeping (housekeeping.ts) flushes and sets
 * the alarm; the rules it applies live in match-rule.ts and lockout.ts; each
 * table is read and written only through the module that owns it, so its
 * rules are in one place (docs/ARCHITECTURE.md, "The vault").
 *
 * Concurrency: a Durable Object runs one event at a time but interleaves
 * events at every await of non-storage I/O. Every decision is therefore a
 * synchronous function inside `transactionSync` that also appends its audit
 * row, and an enroll or verify is one RPC with exactly one await in it (the
 * HPKE open, with the key epochs read beside it when the isolate's copy is
 * stale) between two synchronous sections:
 *
 * 1. (reads only) the challenge exists, is unexpired, has the right purpose
 *    and is unconsumed; the subject is not locked; templates exist (verify) or
 *    consent, room for a template and, for a second template, the step-up
 *    (enroll); the envelope names the challenge's key. A refusal here consumes
 *    the challenge and audits, in one transaction.
 * 2. (one transaction) the challenge is still unconsumed (else
 *    `challenge-used`) and is consumed with the attempt's outcome; the state
 *    is re-checked; the match is decided or the template stored; failures are
 *    counted; the audit row is appended.
 *
 * Whatever runs during the await, each section-2 decision sees the state
 * every earlier decision left: of concurrent uses of one challenge exactly
 * one consumes it, and concurrent failures are counted one at a time.
 */
export class SubjectVault extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly housekeeping: VaultHousekeeping;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.housekeeping = new VaultHousekeeping(
      ctx,
      () => this.env,
      () => this.now(),
    );
    void ctx.blockConcurrencyWhile(() => this.housekeeping.start());
  }

  /** The vault's clock (Unix ms). A method, so tests can move time for retention and lockout. */
  protected now(): number {
    return Date.now();
  }

  // --- consent, challenges, reads ----------------------------------------------

  /**
   * Records the consent, then waits until the subject's registry entry is in
   * D1 before answering: every subject that can hold a key is registered, so
   * the key rotation and the epoch destruction (which find vaults through the
   * registry) never miss one. If D1 is unreachable the call fails (500) and a
   * retry re-grants.
   */
  async grantConsent(input: GrantConsentInput): Promise<NonNullable<SubjectState["consent"]>> {
    const { retentionDays } = policyOf(this.env);
    const record = await this.commit(input, true, (now) => {
      const record = grantConsent(this.sql, input.policyVersion, input.purposes, now, retentionDays);
      markRegistryDirty(this.sql, input);
      appendAudit(this.sql, input, input.actor, "consent", `granted:${input.policyVersion}`, now);
      return record;
    });
    await this.housekeeping.flushThenRelease({ strict: true });
    return record;
  }

  async issueChallenge(input: IssueChallengeInput): Promise<IssuedChallenge> {
    const ttlMs = policyOf(this.env).challengeTtlSeconds * 1000;
    return this.commit(input, true, (now) => {
      // Audited when it ends: by its attempt, or as unused when it is deleted (challenges.ts).
      const issued = issueChallenge(this.sql, input, input.purpose, input.kid, now, ttlMs, input.liveness ?? null);
      return { ...issued, credentials: listCredentials(this.sql) };
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
      const lock = currentLock(this.sql, now);
      const changed = templatesChangedAt(this.sql);
      return {
        consent,
        templateCount: count,
        ...(changed !== null ? { templatesChangedAt: changed } : {}),
        ...(lock?.until ? { lockedUntil: lock.until } : {}),
        ...(lock?.hard ? { unlockRequired: true } : {}),
      };
    });
  }

  /** The subject's templates: ids, times, models and which is the anchor; never a vector. */
  async listTemplates(input: ActorRef): Promise<TemplateInfo[]> {
    return this.commit(input, false, (now) => {
      appendAudit(this.sql, input, input.actor, "read", "read:templates", now);
      return listTemplates(this.sql);
    });
  }

  /** Deletes one template other than the anchor (the anchor goes only with the subject). */
  async deleteTemplate(input: DeleteTemplateInput): Promise<DeleteTemplateResult> {
    return this.commit(input, false, (now): DeleteTemplateResult => {
      const done = deleteTemplate(this.sql, input.templateId);
      if (done !== "deleted") {
        const code = done === "anchor" ? "anchor-template" : "template-not-found";
        appendAudit(this.sql, input, input.actor, "template-delete", `refused:${code}`, now);
        return { ok: false, code };
      }
      templatesChanged(this.sql, now);
      appendAudit(this.sql, input, input.actor, "template-delete", "deleted", now);
      return { ok: true, templateCount: templateCount(this.sql) };
    });
  }

  /** The relying party's unlock (face:admin): ends a lock, including the daily one, and the day's count. */
  async unlock(input: ActorRef): Promise<{ wasLocked: boolean }> {
    return this.commit(input, false, (now) => {
      const wasLocked = unlock(this.sql, now);
      appendAudit(this.sql, input, input.actor, "unlock", wasLocked ? "unlocked" : "unlocked:not-locked", now);
      return { wasLocked };
    });
  }

  // --- enroll and verify: one RPC each ---------------------------------------------

  /**
   * The first template of a model becomes the subject's anchor. A further one
   * needs the step-up (checked in section 1) and must match the anchor at the
   * stricter threshold; a mismatch is refused *and counted as a failed
   * attempt*, otherwise a face:enroll token would be an unlimited matching
   * oracle that bypasses the lockout.
   */
  async enroll(input: AttemptInput): Promise<EnrollResult> {
    const policy = policyOf(this.env);
    const { model, thresholds } = this.model(input.modelId);
    let keyCreated = false;
    const result = await this.attempt(input, "enroll", model.dim, (now, { embedding }, ring, _liveness, device): EnrollResult | Refusal => {
      // A passkey sent with the template must verify; it is stored only with the template it came with.
      if (device.kind === "registered" && !device.credential) return this.settleRefusal(input, "enroll", now, { ok: false, code: "device-invalid" });
      const key = loadOrCreateSubjectKey(this.sql, this.env, ring, input);
      keyCreated = key.created;
      if (key.created || key.rewrapped) markRegistryDirty(this.sql, input);
      const existing = openTemplates(this.sql, key.dek, input, input.modelId, model.dim);
      if (existing && !additionAccepted(embedding, existing, thresholds)) {
        const failure = recordFailure(this.sql, now, policy.lockout);
        return this.settleRefusal(input, "enroll", now, this.failureRefusal("enrollment-mismatch", failure, now));
      }
      const count = templateCount(this.sql);
      const { templateId, anchor } = insertTemplate(this.sql, key.dek, input, input.modelId, embedding, now);
      templatesChanged(this.sql, now);
      const bound = device.kind === "registered" && device.credential && !findCredential(this.sql, device.credential.id);
      if (bound) insertCredential(this.sql, device.credential!, now);
      this.settle(input, "enroll", now, `${anchor ? "enrolled" : "enrolled:additional"}${bound ? ":passkey" : ""}`);
      return { ok: true, templateId, templateCount: count + 1, anchor };
    });
    // A new subject key: its epoch goes to the registry now rather than at the next alarm, so the
    // epoch maintenance sees it at once (should D1 fail here, the alarm retries; epochs are only
    // destroyed KEY_EPOCH_GRACE_DAYS after they stop being current, far longer than any retry).
    if (keyCreated && result.ok) await this.housekeeping.flushThenRelease();
    return result;
  }

  async verify(input: AttemptInput): Promise<VerifyResult> {
    const policy = policyOf(this.env);
    const { model, thresholds } = this.model(input.modelId);
    return this.attempt(input, "verify", model.dim, (now, { embedding, evidence }, ring, liveness, device): VerifyResult | Refusal => {
      // The passkey first: an assertion that does not verify, or whose counter did not move forward
      // (a cloned authenticator, a replayed assertion), is refused, counted and audited.
      if (device.kind === "asserted") {
        const why =
          device.counter === null ? "" : advanceCounter(this.sql, device.credentialId, device.counter) === "regression" ? ":counter-regression" : null;
        if (why !== null) {
          const failure = recordFailure(this.sql, now, policy.lockout);
          return this.settleRefusal(input, "verify", now, this.failureRefusal("device-invalid", failure, now), why);
        }
      }
      // Liveness first: a capture that did not show what the challenge asked is refused (and
      // counted) before any face is compared, so the answer says nothing about the match.
      if (liveness) {
        const shown = livenessShown(liveness, evidence, thresholds.verify, padThreshold());
        if (!shown.ok) {
          const failure = recordFailure(this.sql, now, policy.lockout);
          return this.settleRefusal(input, "verify", now, this.failureRefusal("liveness-failed", failure, now), `:${shown.why}`);
        }
      }
      const key = loadSubjectKey(this.sql, this.env, ring, input);
      if (!key) throw new IntegrityError("templates without a subject key");
      if (key.rewrapped) markRegistryDirty(this.sql, input);
      const templates = openTemplates(this.sql, key.dek, input, input.modelId, model.dim);
      if (!templates) throw new IntegrityError("verify without templates");
      const recent = recentProbes(this.sql, key.dek, input, input.modelId, model.dim);
      const verdict = verifyVerdict(embedding, templates, recent, thresholds);
      if (verdict === "match") {
        recordSuccess(this.sql, now);
        rememberProbe(this.sql, key.dek, input, input.modelId, embedding, now);
        if (extendRetention(this.sql, now, policy.retentionDays)) markRegistryDirty(this.sql, input);
        const proven = device.kind === "asserted";
        this.settle(input, "verify", now, `match${liveness ? `:liveness-${liveness.level}` : ""}${proven ? ":passkey" : ""}`);
        return { ok: true, match: true, attemptsRemaining: attemptsRemaining(this.sql, now, policy.lockout), authTime: now, liveness, device: proven };
      }
      // A replay is answered as any other no-match (it teaches a replayer nothing) and audited as what it is.
      const failure = recordFailure(this.sql, now, policy.lockout);
      const outcome = `no-match${verdict === "replay" ? ":replay" : ""}${failure.lock ? ":locked" : ""}`;
      this.settle(input, "verify", now, outcome);
      return { ok: true, match: false, attemptsRemaining: failure.attemptsRemaining, authTime: now, liveness, device: device.kind === "asserted" };
    });
  }

  // --- erasure, retention, key maintenance ------------------------------------------

  /**
   * Crypto-shred: the subject key, templates, recent probes, consent,
   * challenges and counters go in one transaction with the delete's audit row
   * and the mark that pseudonymises the subject's audit rows, so the erase
   * and its record are one commit. Then the outbox is flushed to D1 and only
   * after that is the vault's storage given back. If D1 is unreachable the
   * data is gone all the same and the alarm finishes the flush. Idempotent.
   */
  async erase(input: ActorRef): Promise<{ existed: boolean }> {
    const existed = await this.commit(input, false, (now) => {
      const had = holdsData(this.sql);
      shredSubject(this.sql);
      appendAudit(this.sql, input, input.actor, "delete", had ? "deleted" : "deleted:nothing-held", now);
      markRegistryDirty(this.sql, input);
      markPseudonymise(this.sql, input);
      return had;
    });
    await this.housekeeping.flushThenRelease();
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
    await this.housekeeping.flushThenRelease();
    return { purged };
  }

  /**
   * Maintenance of the key epochs: rewraps the subject key under the current
   * epoch (as any verify would) and refreshes the registry entry, so the
   * registry shows when no subject depends on an old epoch any more.
   */
  async rewrap(input: ActorRef): Promise<RewrapResult> {
    const ring = await epochRing(this.env, this.now());
    const result = await this.commit(input, false, (now): RewrapResult => {
      const key = loadSubjectKey(this.sql, this.env, ring, input);
      const epoch = keyEpochOf(this.sql);
      if (key?.rewrapped) appendAudit(this.sql, input, input.actor, "rewrap", `rewrapped:epoch-${epoch}`, now);
      markRegistryDirty(this.sql, input);
      return { keyEpoch: epoch, rewrapped: key?.rewrapped ?? false };
    });
    await this.housekeeping.flushThenRelease();
    return result;
  }

  /** Consistency report for operators (after flushing the outbox): counts only, nothing biometric. */
  async inspect(input: SubjectRef): Promise<IntegrityReport> {
    await this.housekeeping.flushQuietly();
    const ring = await epochRing(this.env, this.now());
    return this.ctx.storage.transactionSync(() => {
      checkIdentity(this.sql, input, false);
      return { ...inspectVault(this.sql, this.env, ring, input, this.now()), outboxPending: outboxPending(this.sql) };
    });
  }

  /** For tests and the integrity check: flush now (the alarm does it otherwise). */
  flushOutbox(): Promise<void> {
    return this.housekeeping.flushOutbox();
  }

  override async alarm(): Promise<void> {
    this.housekeeping.fired();
    const now = this.now();
    this.ctx.storage.transactionSync(() => {
      purgeLockout(this.sql, now);
      purgeChallenges(this.sql, now);
      const until = retainUntil(this.sql);
      const who = identity(this.sql);
      if (until !== null && until <= now && who) this.purge(who, systemActor("retention", crypto.randomUUID()), now);
    });
    await this.housekeeping.flushThenRelease();
    await this.housekeeping.rearm();
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
      checkIdentity(this.sql, who, bindIdentity);
      return fn(now);
    });
    await this.housekeeping.armFlush(now);
    return result;
  }

  /**
   * The two synchronous sections of an enroll or verify around the await
   * (see the class comment). `decide` runs inside section 2 once every
   * re-check has passed; it must end the attempt with `settle` or
   * `settleRefusal`.
   */
  private async attempt<T extends { ok: true }>(
    input: AttemptInput,
    purpose: EnvelopePurpose,
    dim: number,
    decide: (now: number, probe: OpenedProbe, ring: EpochRing, liveness: ChallengeLiveness | null, device: DeviceOutcome) => T | Refusal,
  ): Promise<T | Refusal> {
    const bind = purpose === "enroll";
    const started = this.now();
    const begun = this.ctx.storage.transactionSync(() => {
      checkIdentity(this.sql, input, false);
      return this.begin(input, purpose, started);
    });
    if (!begun.ok) {
      await this.housekeeping.armFlush(started);
      return begun;
    }

    const envelope = decodeEnvelope(input.envelope);
    let opened: OpenedProbe | null = null;
    let now = started;
    let result: T | Refusal;
    try {
      const binding = { purpose, subjectId: input.subjectId, challengeId: input.challengeId, nonce: begun.nonce, modelId: input.modelId };
      const [probe, ring, device] = await Promise.all([
        envelope ? openEmbeddingEnvelope(this.env, envelope, binding, dim) : Promise.resolve(null),
        epochRing(this.env, started),
        this.deviceWork(input, purpose, begun),
      ]);
      opened = probe;
      now = this.now();
      result = this.ctx.storage.transactionSync(() => {
        checkIdentity(this.sql, input, bind);
        const gone = unconsumed(this.sql, input.challengeId);
        if (gone) return this.refuse(input, purpose, now, { ok: false, code: gone }, false);
        if (!probe) return this.refuse(input, purpose, now, { ok: false, code: "envelope-invalid" }, true);
        const refusal = this.stateRefusal(input, purpose, now);
        if (refusal) return this.refuse(input, purpose, now, refusal, true);
        return decide(now, probe, ring, begun.liveness, device);
      });
    } catch (err) {
      // Whatever failed (stored data that does not open because it was tampered
      // with, copied from another subject or its epoch is gone; or a fault), the
      // decision rolled back, but the attempt still spends its challenge and is
      // audited: single use holds on every path. Integrity failures answer 500
      // `internal`; anything else is rethrown as the bug it is.
      result = this.ctx.storage.transactionSync(() => this.refuse(input, purpose, now, { ok: false, code: "internal" }, true));
      if (!(err instanceof IntegrityError)) {
        await this.housekeeping.armFlush(now);
        throw err;
      }
      console.error(JSON.stringify({ vault: "integrity failure", what: err.message }));
    } finally {
      opened?.embedding.fill(0);
    }
    await this.housekeeping.armFlush(now);
    return result;
  }

  /** Section 1: reads only, unless it refuses. Returns the challenge's nonce for the HPKE AAD and what it asks to show. */
  private begin(input: AttemptInput, purpose: EnvelopePurpose, now: number): Begun | Refusal {
    const challenge = checkChallenge(this.sql, input, input.challengeId, purpose, now);
    if (!challenge.ok) {
      const { consume, ...refusal } = challenge;
      return this.refuse(input, purpose, now, refusal, consume);
    }
    const refusal = this.stateRefusal(input, purpose, now);
    if (refusal) return this.refuse(input, purpose, now, refusal, true);
    // The envelope must be sealed to the key the challenge named, not merely to some key we hold.
    if (challenge.kid !== input.envelope.kid) return this.refuse(input, purpose, now, { ok: false, code: "envelope-invalid" }, true);
    const mode = input.device?.mode ?? "off";
    let credential: StoredCredential | null = null;
    if (mode !== "off") {
      if (!input.webauthn && mode === "required") return this.deviceRefusal(input, purpose, now, "device-required");
      if (input.webauthn && purpose === "verify") {
        // Only this subject's own passkeys: another subject's (or an unknown) credential is refused here.
        credential = findCredential(this.sql, input.webauthn.id);
        if (!credential) return this.deviceRefusal(input, purpose, now, "device-invalid", ":unknown-credential");
      }
    }
    return { ok: true, nonce: challenge.nonce, liveness: challenge.liveness, credential };
  }

  /** What the subject's state refuses, checked in both sections (it may change during the await). */
  private stateRefusal(input: AttemptInput, purpose: EnvelopePurpose, now: number): Refusal | null {
    if (purpose === "verify") {
      return this.lockRefusal(now) ?? (hasTemplates(this.sql, input.modelId) ? null : { ok: false, code: "not-enrolled" });
    }
    if (!readConsent(this.sql)) return { ok: false, code: "consent-required" };
    const locked = this.lockRefusal(now);
    if (locked) return locked;
    if (templateCount(this.sql) >= MAX_TEMPLATES_PER_SUBJECT) return { ok: false, code: "template-limit" };
    if (hasTemplates(this.sql, input.modelId) && !input.stepUp) return { ok: false, code: "step-up-required" };
    return null;
  }

  /** Ends an attempt: consumes its challenge with the outcome and appends the audit row. */
  private settle(input: AttemptInput, action: EnvelopePurpose, now: number, outcome: string): void {
    consumeChallenge(this.sql, input.challengeId, now, outcome, input.actor.requestId);
    appendAudit(this.sql, input, input.actor, action, outcome, now);
  }

  private settleRefusal(input: AttemptInput, action: EnvelopePurpose, now: number, r: Refusal, detail = ""): Refusal {
    this.settle(input, action, now, `refused:${r.code}${detail}`);
    return r;
  }

  /** A refusal that spends the challenge when there is one to spend, and is audited either way. */
  private refuse(input: AttemptInput, action: EnvelopePurpose, now: number, r: Refusal, consume: boolean): Refusal {
    if (consume) return this.settleRefusal(input, action, now, r);
    appendAudit(this.sql, input, input.actor, action, `refused:${r.code}`, now);
    return r;
  }

  /** A passkey refusal in section 1: spends the challenge; on a verify it counts as a failed attempt. */
  private deviceRefusal(input: AttemptInput, purpose: EnvelopePurpose, now: number, code: "device-required" | "device-invalid", detail = ""): Refusal {
    if (purpose === "enroll") return this.settleRefusal(input, purpose, now, { ok: false, code }, detail);
    const failure = recordFailure(this.sql, now, policyOf(this.env).lockout);
    return this.settleRefusal(input, purpose, now, this.failureRefusal(code, failure, now), detail);
  }

  /** The passkey ceremony's verification, in the attempt's one await (beside the HPKE open). */
  private async deviceWork(input: AttemptInput, purpose: EnvelopePurpose, begun: Begun): Promise<DeviceOutcome> {
    const device = input.device;
    if (!device || device.mode === "off" || !input.webauthn) return { kind: "none" };
    if (purpose === "enroll") {
      return { kind: "registered", credential: await verifyRegistration(device, input.webauthn as RegistrationResponseJSON, begun.nonce) };
    }
    const counter = await verifyAuthentication(device, input.webauthn as AuthenticationResponseJSON, begun.nonce, begun.credential!);
    return { kind: "asserted", credentialId: begun.credential!.id, counter };
  }

  private failureRefusal(
    code: "enrollment-mismatch" | "liveness-failed" | "device-required" | "device-invalid",
    failure: FailureOutcome,
    now: number,
  ): Refusal {
    return {
      ok: false,
      code,
      attemptsRemaining: failure.attemptsRemaining,
      ...(failure.lock ? { retryAfter: retryAfterSeconds(failure.lock, now) } : {}),
    };
  }

  /** Retention: the same shred as an erase, recorded as a purge. Inside the caller's transaction. */
  private purge(who: SubjectRef, actor: Actor, now: number): void {
    shredSubject(this.sql);
    appendAudit(this.sql, who, actor, "purge", "purged:retention", now);
    markRegistryDirty(this.sql, who);
    markPseudonymise(this.sql, who);
  }

  private lockRefusal(now: number): Refusal | null {
    const lock = currentLock(this.sql, now);
    return lock === null ? null : { ok: false, code: "subject-locked", retryAfter: retryAfterSeconds(lock, now), attemptsRemaining: 0 };
  }

  /**
   * The route refuses a model the manifest lacks (400 `model-unknown`) before
   * it calls the vault, so a miss here is the worker's bug, not the client's:
   * it fails as one (500 `internal`).
   */
  private model(modelId: string): { model: { dim: number }; thresholds: MatchThresholds } {
    const model = embeddingModel(modelId);
    if (!model) throw new VaultInvariantError("model not in manifest");
    return {
      model,
      thresholds: { verify: model.threshold, addTemplate: model.templateThreshold, replay: model.replayLimit },
    };
  }
}
