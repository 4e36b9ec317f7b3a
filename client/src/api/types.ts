import type {
  ChallengeResponseT,
  ConsentRecordT,
  EnrollResponseT,
  EnvelopeKeyT,
  HealthT,
  SubjectRecordT,
  TemplateInfoT,
  TemplateListT,
  VerifyResponseT,
} from "../../../src/protocol/schemas.js";
import type { LivenessAction as ProtocolLivenessAction, LivenessLevel as ProtocolLivenessLevel } from "../../../src/protocol/liveness.js";

/**
 * The API's response bodies as the SDK's public types (docs/API.md). Written
 * out rather than inferred from the worker's zod schemas, so a consumer's
 * compiler never needs zod; the checks at the bottom fail the build when the
 * two drift.
 */
export interface ConsentRecord {
  subjectId: string;
  policyVersion: string;
  purposes: "verification"[];
  /** RFC 3339 UTC. */
  grantedAt: string;
  /** RFC 3339 UTC: the consent lapses then unless a successful verify moves it. */
  retainUntil: string;
}

export interface EnrollResult {
  templateId: string;
  templateCount: number;
  /** This is the subject's first template: every decision compares with it. */
  anchor: boolean;
}

export interface VerifyResult {
  match: boolean;
  /** EdDSA JWT for the relying party (its `azp`), present only on a match: check it with @facegate/relying-party. */
  assertion?: string | undefined;
  attemptsRemaining: number;
}

export interface SubjectRecord {
  subjectId: string;
  consent: ConsentRecord | null;
  templateCount: number;
  templatesChangedAt?: string | undefined;
  lockedUntil?: string | undefined;
  /** Locked after the daily limit of failed attempts, until an operator unlocks the subject. */
  unlockRequired?: true | undefined;
}

export interface TemplateInfo {
  templateId: string;
  modelId: string;
  createdAt: string;
  anchor: boolean;
}

export interface TemplateList {
  subjectId: string;
  templates: TemplateInfo[];
}

export interface Health {
  status: "ok";
  version: string;
  models: string[];
}

export interface EnvelopeKeyInfo {
  kid: string;
  suite: { kem: "DHKEM(X25519, HKDF-SHA256)"; kdf: "HKDF-SHA256"; aead: "ChaCha20Poly1305" };
  /** Raw X25519 public key, base64url. */
  publicKey: string;
}

/** How much liveness a verify must show (docs/PAD.md): none, the passive PAD score, or an action by one face. */
export type LivenessLevel = "off" | "passive" | "active";
/** The action an active challenge asks for. */
export type LivenessAction = "blink" | "turn-left-right" | "turn-right-left";

export interface Challenge {
  challengeId: string;
  nonce: string;
  expiresAt: string;
  envelopeKey: { kid: string; publicKey: string };
  /** What the verify must show; absent when the tenant asks for nothing. */
  liveness?: { level: LivenessLevel; action?: LivenessAction | undefined } | undefined;
  /**
   * Passkey options when the tenant's device policy is on: pass them to
   * @simplewebauthn/browser's startRegistration / startAuthentication. The
   * WebAuthn challenge is this challenge's nonce.
   */
  webauthn?:
    | {
        registration?: { [k: string]: unknown; challenge: string } | undefined;
        authentication?: { [k: string]: unknown; challenge: string } | undefined;
        required: boolean;
      }
    | undefined;
}

// Compile-time drift checks (tsup's declaration build type-checks them on every `npm run build`).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Check<T extends true> = T;
type _Drift = [
  Check<Same<ConsentRecord, ConsentRecordT>>,
  Check<Same<EnrollResult, EnrollResponseT>>,
  Check<Same<VerifyResult, VerifyResponseT>>,
  Check<Same<SubjectRecord, SubjectRecordT>>,
  Check<Same<TemplateInfo, TemplateInfoT>>,
  Check<Same<TemplateList, TemplateListT>>,
  Check<Same<Health, HealthT>>,
  Check<Same<EnvelopeKeyInfo, EnvelopeKeyT>>,
  Check<Same<Challenge, ChallengeResponseT>>,
  Check<Same<LivenessLevel, ProtocolLivenessLevel>>,
  Check<Same<LivenessAction, ProtocolLivenessAction>>,
];
