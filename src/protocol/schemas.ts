import { z } from "zod";
import { b64uLength, b64uTryDecode } from "./base64url.js";
import { AEAD_TAG_BYTES, ENC_BYTES, X25519_KEY_BYTES } from "./envelope.js";
import { MAX_EMBEDDING_DIM } from "./limits.js";
import { LIVENESS_ACTIONS, LIVENESS_LEVELS, MAX_EVIDENCE_BYTES } from "./liveness.js";
import {
  CHALLENGE_ID_PATTERN,
  TEMPLATE_ID_PATTERN,
  KID_PATTERN,
  LOGIN_NONCE_PATTERN,
  MODEL_ID_PATTERN,
  PIPELINE_VERSION_PATTERN,
  NONCE_PATTERN,
  POLICY_VERSION_PATTERN,
  SUBJECT_ID_PATTERN,
} from "./ids.js";

/**
 * Wire contract v1. These schemas validate requests on the server, type the
 * client, and generate `GET /openapi.json` (their `.meta()` is read by
 * @hono/zod-openapi). Request objects are strict: an unknown field is a 400,
 * which is also how "no image in any form" is enforced structurally.
 */

export { MAX_BODY_BYTES, MAX_EMBEDDING_DIM, MAX_TEMPLATES_PER_SUBJECT } from "./limits.js";

const b64u = (bytes: { exact?: number; max?: number }) => {
  const maxChars = b64uLength(bytes.exact ?? bytes.max ?? 0);
  let s = z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");
  if (bytes.exact !== undefined) s = s.length(maxChars);
  return s.refine((v) => {
    const d = b64uTryDecode(v);
    return d !== null && (bytes.exact === undefined || d.length === bytes.exact);
  }, "must be canonical base64url without padding");
};

export const SubjectId = z
  .string()
  .regex(SUBJECT_ID_PATTERN, "1-128 characters: letters, digits and . _ @ + -, starting with a letter or digit")
  .meta({ id: "SubjectId", example: "alice" });

export const ModelId = z.string().regex(MODEL_ID_PATTERN).meta({ id: "ModelId", example: "fr512-v1" });
const PipelineVersion = z.string().regex(PIPELINE_VERSION_PATTERN).meta({
  description:
    'The pipeline that computed the embedding (the SDK\'s `FacePipeline.pipelineVersion`). A tenant whose policy says `pipelines: "calibrated"` accepts only the versions the model manifest lists for this model (`pipeline-not-calibrated` otherwise); other tenants record nothing of it.',
  example: "facegate-pipeline/5:3b1c9e0d2a47:8a0f2c91d3e5:c4e2a1b07f93:5d21a9e0",
});
export const Kid = z.string().regex(KID_PATTERN);
export const ChallengeId = z.string().regex(CHALLENGE_ID_PATTERN).meta({ id: "ChallengeId" });
/** Template ids are 16 random bytes, base64url. */
export const TemplateId = z.string().regex(TEMPLATE_ID_PATTERN).meta({ id: "TemplateId" });
export const Purpose = z.enum(["enroll", "verify"]).meta({ id: "Purpose" });
export const Timestamp = z.iso.datetime().meta({ description: "RFC 3339 UTC timestamp" });

export const Envelope = z
  .strictObject({
    kid: Kid.meta({ description: "Envelope key id from the challenge" }),
    enc: b64u({ exact: ENC_BYTES }).meta({ description: "HPKE encapsulated key (32 bytes)" }),
    ciphertext: b64u({ max: MAX_EMBEDDING_DIM * 4 + MAX_EVIDENCE_BYTES + AEAD_TAG_BYTES }).meta({
      description: "HPKE ciphertext of the float32 LE embedding (then, for a liveness challenge, the evidence as UTF-8 JSON) plus the 16-byte tag",
    }),
  })
  .meta({ id: "Envelope" });

// --- requests -------------------------------------------------------------

export const ConsentRequest = z
  .strictObject({
    policyVersion: z.string().regex(POLICY_VERSION_PATTERN).meta({ example: "2026-11" }),
    purposes: z.array(z.literal("verification")).min(1).max(1),
  })
  .meta({ id: "ConsentRequest" });

export const LivenessLevelSchema = z.enum(LIVENESS_LEVELS).meta({ id: "LivenessLevel" });
export const LivenessActionSchema = z.enum(LIVENESS_ACTIONS).meta({ id: "LivenessAction" });

export const ChallengeRequest = z
  .strictObject({
    subjectId: SubjectId,
    purpose: Purpose,
    liveness: LivenessLevelSchema.optional().meta({
      description: "Verify only: ask for at least this liveness (the tenant's policy may require more, never less)",
    }),
  })
  .meta({ id: "ChallengeRequest" });

/** base64url without padding, at most `max` characters (WebAuthn's JSON encoding of its buffers). */
const b64uText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url without padding");

/** What a browser's WebAuthn ceremony returns, as @simplewebauthn/browser encodes it: closed, bounded (no room for an image). */
const ClientExtensionResults = z.strictObject({ credProps: z.strictObject({ rk: z.boolean().optional() }).optional() });

/** The members every PublicKeyCredential JSON has (WebAuthn Level 3 §5.1, toJSON()). */
const credentialMembers = {
  id: b64uText(1366),
  rawId: b64uText(1366),
  type: z.literal("public-key"),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: ClientExtensionResults,
};

export const WebAuthnRegistration = z
  .strictObject({
    ...credentialMembers,
    response: z.strictObject({
      clientDataJSON: b64uText(4096),
      attestationObject: b64uText(6144),
      authenticatorData: b64uText(4096).optional(),
      transports: z.array(z.string().max(32)).max(8).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: b64uText(2048).optional(),
    }),
  })
  .meta({ id: "WebAuthnRegistration", description: "A passkey registration (navigator.credentials.create), JSON-encoded" });

export const WebAuthnAuthentication = z
  .strictObject({
    ...credentialMembers,
    response: z.strictObject({
      clientDataJSON: b64uText(4096),
      authenticatorData: b64uText(4096),
      signature: b64uText(2048),
      userHandle: b64uText(1366).optional(),
    }),
  })
  .meta({ id: "WebAuthnAuthentication", description: "A passkey assertion (navigator.credentials.get), JSON-encoded" });

export const EnrollRequest = z
  .strictObject({
    challengeId: ChallengeId,
    modelId: ModelId,
    pipelineVersion: PipelineVersion.optional(),
    envelope: Envelope,
    webauthn: WebAuthnRegistration.optional().meta({
      description: "A passkey registered for the challenge's `webauthn.registration` options: bound to the subject with this template",
    }),
  })
  .meta({ id: "EnrollRequest" });

export const VerifyRequest = z
  .strictObject({
    challengeId: ChallengeId,
    modelId: ModelId,
    pipelineVersion: PipelineVersion.optional(),
    envelope: Envelope,
    webauthn: WebAuthnAuthentication.optional().meta({
      description: "An assertion by one of the subject's passkeys for the challenge's `webauthn.authentication` options",
    }),
    loginNonce: z.string().regex(LOGIN_NONCE_PATTERN).optional().meta({ description: "Relying party nonce, echoed in the assertion's `nonce` claim" }),
  })
  .meta({ id: "VerifyRequest" });

/** Operators: rewrap up to `limit` subject keys still wrapped under an older key epoch or root KEK (face:admin). */
export const RewrapRequest = z.strictObject({ limit: z.number().int().min(1).max(100).optional() }).meta({ id: "RewrapRequest" });

// --- responses ------------------------------------------------------------

export const Health = z.object({ status: z.literal("ok"), version: z.string(), models: z.array(ModelId) }).meta({ id: "Health" });

export const EnvelopeKey = z
  .object({
    kid: Kid,
    suite: z.object({
      kem: z.literal("DHKEM(X25519, HKDF-SHA256)"),
      kdf: z.literal("HKDF-SHA256"),
      aead: z.literal("ChaCha20Poly1305"),
    }),
    publicKey: b64u({ exact: X25519_KEY_BYTES }).meta({ description: "Raw X25519 public key" }),
  })
  .meta({ id: "EnvelopeKey" });

export const Jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })) }).meta({ id: "JWKS" });

export const ConsentRecord = z
  .object({
    subjectId: SubjectId,
    policyVersion: z.string(),
    purposes: z.array(z.literal("verification")),
    grantedAt: Timestamp,
    retainUntil: Timestamp,
  })
  .meta({ id: "ConsentRecord" });

export const ChallengeResponse = z
  .object({
    challengeId: ChallengeId,
    nonce: z.string().regex(NONCE_PATTERN),
    expiresAt: Timestamp,
    envelopeKey: z.object({ kid: Kid, publicKey: b64u({ exact: X25519_KEY_BYTES }) }),
    liveness: z.object({ level: LivenessLevelSchema, action: LivenessActionSchema.optional() }).optional().meta({
      description: "What the verify must show: `passive` (the SDK's PAD score in the evidence), `active` (the evidence shows `action` by one face)",
    }),
    webauthn: z
      .object({
        registration: z.looseObject({ challenge: z.string() }).optional(),
        authentication: z.looseObject({ challenge: z.string() }).optional(),
        required: z.boolean(),
      })
      .optional()
      .meta({
        description:
          "Passkey options when the tenant's device policy is on (pass them to @simplewebauthn/browser's startRegistration / " +
          "startAuthentication); the WebAuthn challenge is this challenge's nonce. With `required` true the attempt fails without one",
      }),
  })
  .meta({ id: "Challenge" });

export const EnrollResponse = z
  .object({
    templateId: TemplateId,
    templateCount: z.number().int().min(1),
    anchor: z.boolean().meta({ description: "This is the subject's first template: every decision compares with it" }),
  })
  .meta({ id: "EnrollResult" });

export const TemplateInfo = z
  .object({
    templateId: TemplateId,
    modelId: ModelId,
    createdAt: Timestamp,
    anchor: z.boolean(),
  })
  .meta({ id: "TemplateInfo" });

export const TemplateList = z.object({ subjectId: SubjectId, templates: z.array(TemplateInfo) }).meta({ id: "TemplateList" });

export const VerifyResponse = z
  .object({
    match: z.boolean(),
    assertion: z.string().optional().meta({ description: "EdDSA JWT, present only on match" }),
    attemptsRemaining: z.number().int().min(0),
  })
  .meta({ id: "VerifyResult" });

export const SubjectRecord = z
  .object({
    subjectId: SubjectId,
    consent: ConsentRecord.nullable(),
    templateCount: z.number().int().min(0),
    templatesChangedAt: Timestamp.optional().meta({
      description: "When a template was last added or removed: a relying party can tell its user",
    }),
    lockedUntil: Timestamp.optional().meta({ description: "The end of a timed lock after failed attempts" }),
    unlockRequired: z.literal(true).optional().meta({ description: "Locked after the daily limit of failed attempts, until an operator unlocks the subject" }),
  })
  .meta({ id: "Subject" });

export const RewrapResponse = z
  .object({
    kekVersion: z.number().int().meta({ description: "The current root KEK version (TEMPLATE_KEKS[0])" }),
    keyEpoch: z.number().int().meta({ description: "The current key epoch, under which subject keys are wrapped" }),
    rewrapped: z.number().int().min(0),
    unchanged: z.number().int().min(0),
    failed: z.number().int().min(0),
    remaining: z.number().int().min(0).meta({ description: "Subjects of this tenant still registered under an older epoch or root KEK" }),
  })
  .meta({ id: "RewrapResult" });

export const UnlockResponse = z.object({ subjectId: SubjectId, wasLocked: z.boolean() }).meta({ id: "UnlockResult" });

export const IntegrityReport = z
  .object({
    subjectId: SubjectId,
    consent: z.boolean(),
    subjectKey: z.boolean(),
    keyEpoch: z.number().int().nullable(),
    templates: z.number().int().min(0),
    templatesOpening: z.number().int().min(0),
    templatesWithoutKey: z.number().int().min(0),
    challengesConsumed: z.number().int().min(0),
    consumedWithoutOutcome: z.number().int().min(0),
    consumedRequestIds: z.array(z.string()),
    failures: z.number().int().min(0).meta({ description: "Failed attempts in the last 24 h" }),
    lockedUntil: Timestamp.nullable(),
    unlockRequired: z.boolean(),
    outboxPending: z.number().int().min(0),
  })
  .meta({ id: "IntegrityReport" });

export const Problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
  })
  .meta({ id: "Problem" });

export type EnvelopeT = z.infer<typeof Envelope>;
export type ConsentRequestT = z.infer<typeof ConsentRequest>;
export type ChallengeRequestT = z.infer<typeof ChallengeRequest>;
export type EnrollRequestT = z.infer<typeof EnrollRequest>;
export type VerifyRequestT = z.infer<typeof VerifyRequest>;
export type HealthT = z.infer<typeof Health>;
export type EnvelopeKeyT = z.infer<typeof EnvelopeKey>;
export type ConsentRecordT = z.infer<typeof ConsentRecord>;
export type ChallengeResponseT = z.infer<typeof ChallengeResponse>;
export type EnrollResponseT = z.infer<typeof EnrollResponse>;
export type VerifyResponseT = z.infer<typeof VerifyResponse>;
export type SubjectRecordT = z.infer<typeof SubjectRecord>;
export type TemplateInfoT = z.infer<typeof TemplateInfo>;
export type TemplateListT = z.infer<typeof TemplateList>;
export type UnlockResponseT = z.infer<typeof UnlockResponse>;
export type RewrapResponseT = z.infer<typeof RewrapResponse>;
export type IntegrityReportT = z.infer<typeof IntegrityReport>;
