import type { ConsentRecordT, EnvelopeT } from "../protocol/schemas.js";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { DevicePolicy } from "../config/tenants.js";
import type { ChallengeLiveness } from "./challenges.js";
import type { StoredCredential } from "./credentials.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import type { ProblemCode } from "../protocol/problems.js";

/**
 * RPC shapes between the worker and the SubjectVault. Refusals are returned,
 * not thrown: errors lose their class over RPC, and a refusal that records
 * something (a consumed challenge, a failed attempt, its audit row) must
 * commit rather than roll back.
 */
export interface SubjectRef {
  tenant: string;
  subjectId: string;
}

/**
 * Who asked, for the audit row the vault appends in the same transaction as
 * its decision: the token's `sub` and client, and the request id. Never
 * biometric data, scores, keys or tokens.
 */
export interface Actor {
  sub: string;
  clientId: string | null;
  requestId: string;
}

export interface ActorRef extends SubjectRef {
  actor: Actor;
}

export interface Refusal {
  ok: false;
  code: ProblemCode;
  retryAfter?: number;
  attemptsRemaining?: number;
}

export interface GrantConsentInput extends ActorRef {
  policyVersion: string;
  purposes: "verification"[];
}

export interface IssueChallengeInput extends ActorRef {
  purpose: EnvelopePurpose;
  kid: string;
  /** Verify only: what the attempt must show, decided by the route from the tenant's policy and the request. */
  liveness?: ChallengeLiveness | null;
}

export interface IssuedChallenge {
  challengeId: string;
  nonce: string;
  expiresAt: number;
  liveness: ChallengeLiveness | null;
  /** The subject's passkeys (for the ceremony's exclude / allow lists). */
  credentials: StoredCredential[];
}

/** One enroll or verify attempt: the whole of it in one RPC (the vault opens the envelope). */
export interface AttemptInput extends ActorRef {
  challengeId: string;
  modelId: string;
  envelope: EnvelopeT;
  /**
   * Enroll only: the access token shows the recent strong authentication the
   * tenant's policy asks for before a template is added to a subject that
   * already has one (the route checks the token; the vault knows whether
   * there is a template).
   */
  stepUp?: boolean;
  /** The tenant's passkey policy (the route resolves it); absent: off. */
  device?: DevicePolicy;
  /** The passkey ceremony's result, as the client sent it (registration for enroll, assertion for verify). */
  webauthn?: RegistrationResponseJSON | AuthenticationResponseJSON;
}

export type EnrollResult = { ok: true; templateId: string; templateCount: number; anchor: boolean } | Refusal;

export type VerifyResult =
  | {
      ok: true;
      match: boolean;
      attemptsRemaining: number;
      authTime: number;
      /** What the attempt showed beyond the face (the assertion says it). */
      liveness: ChallengeLiveness | null;
      /** A passkey of the subject's signed this attempt's challenge. */
      device: boolean;
    }
  | Refusal;

export interface SubjectState {
  consent: Omit<ConsentRecordT, "subjectId"> | null;
  templateCount: number;
  /** When a template was last added or removed (Unix ms). */
  templatesChangedAt?: number;
  /** The end of a timed lock (Unix ms). */
  lockedUntil?: number;
  /** Locked until the relying party unlocks the subject (the daily cap). */
  unlockRequired?: boolean;
}

/** A template as listed: never the vector. */
export interface TemplateInfo {
  templateId: string;
  modelId: string;
  createdAt: number;
  /** The first template of its model: every decision compares with it. */
  anchor: boolean;
}

export interface DeleteTemplateInput extends ActorRef {
  templateId: string;
}

export type DeleteTemplateResult = { ok: true; templateCount: number } | Refusal;

export interface RewrapResult {
  /** The key epoch the subject key is wrapped under now, or null when the subject holds no key. */
  keyEpoch: number | null;
  rewrapped: boolean;
}

/**
 * What an operator may learn about a vault's consistency: counts and flags,
 * never biometric data. Every "…Without…" count is zero in a healthy vault.
 */
export interface IntegrityReport {
  consent: boolean;
  subjectKey: boolean;
  /** The key epoch of the subject key (null: no key, or a key from before epochs). */
  keyEpoch: number | null;
  templates: number;
  /** Templates that open under the subject key (all of them, or the vault is damaged). */
  templatesOpening: number;
  templatesWithoutKey: number;
  challengesConsumed: number;
  /** Consumed challenges whose attempt recorded no outcome or request id: must be 0. */
  consumedWithoutOutcome: number;
  /** Request ids of consumed challenges (to match against the audit log), newest first, at most 200. */
  consumedRequestIds: string[];
  /** Failed attempts counted in the last 24 h. */
  failures: number;
  lockedUntil: number | null;
  unlockRequired: boolean;
  /** Audit rows not yet in D1 (after the flush this call attempts first). */
  outboxPending: number;
}
