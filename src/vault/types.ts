import type { ConsentRecordT } from "../protocol/schemas.js";
import type { EnvelopePurpose } from "../protocol/envelope.js";
import type { ProblemCode } from "../protocol/problems.js";

/**
 * RPC shapes between the worker and the SubjectVault. Refusals are returned,
 * not thrown: errors lose their class over RPC, and a refusal that records
 * something (a failed attempt) must commit rather than roll back.
 */
export interface SubjectRef {
  tenant: string;
  subjectId: string;
}

export interface Refusal {
  ok: false;
  code: ProblemCode;
  retryAfter?: number;
  attemptsRemaining?: number;
}

export interface GrantConsentInput extends SubjectRef {
  policyVersion: string;
  purposes: "verification"[];
}

export interface IssueChallengeInput extends SubjectRef {
  purpose: EnvelopePurpose;
  kid: string;
}

export interface IssuedChallenge {
  challengeId: string;
  nonce: string;
  expiresAt: number;
}

export interface BeginAttemptInput extends SubjectRef {
  challengeId: string;
  purpose: EnvelopePurpose;
  modelId: string;
}

export type BeginAttemptResult = { ok: true; nonce: string; kid: string } | Refusal;

export interface CompleteInput extends SubjectRef {
  challengeId: string;
  modelId: string;
  embedding: Float32Array;
}

export type CompleteEnrollResult = { ok: true; templateId: string; templateCount: number } | Refusal;

export type CompleteVerifyResult = { ok: true; match: boolean; attemptsRemaining: number; authTime: number } | Refusal;

export interface SubjectState {
  consent: Omit<ConsentRecordT, "subjectId"> | null;
  templateCount: number;
  lockedUntil?: number;
}
