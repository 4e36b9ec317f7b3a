import type { EnvelopeHpke } from "../../../src/protocol/hpke/types.js";
import type { LivenessEvidence } from "../../../src/protocol/liveness.js";
import type { PasskeyResponseJSON } from "../passkey/ceremonies.js";
import { sealForChallenge } from "./envelope.js";
import { HttpClient, type FacegateApiOptions } from "./http.js";
import type { Challenge, ConsentRecord, LivenessLevel, EnrollResult, EnvelopeKeyInfo, Health, SubjectRecord, TemplateList, VerifyResult } from "./types.js";

export type { FacegateApiOptions };

/** FacegateApiOptions with the HPKE implementation that seals envelopes, which this class does not choose. */
export interface FacegateApiClientOptions extends FacegateApiOptions {
  hpke: EnvelopeHpke<unknown>;
}

const seg = (subjectId: string) => encodeURIComponent(subjectId);

/**
 * Typed client for the wire contract v1 (docs/API.md), without any face
 * processing: it takes embeddings. createFaceClient() puts the on-device
 * pipeline in front of it; native apps can follow the same calls.
 * `FacegateApi` (facegate-api.ts) is this with WebCrypto's HPKE by default;
 * the platform-neutral core and React Native construct this one with theirs.
 */
export class FacegateApiClient {
  // Private: the transport is not part of the API (docs/API.md is).
  readonly #http: HttpClient;
  readonly #hpke: EnvelopeHpke<unknown>;

  constructor(opts: FacegateApiClientOptions) {
    this.#http = new HttpClient(opts);
    this.#hpke = opts.hpke;
  }

  health(): Promise<Health> {
    return this.#http.request("GET", "/v1/health", undefined, { auth: false });
  }

  envelopeKey(): Promise<EnvelopeKeyInfo> {
    return this.#http.request("GET", "/v1/keys/envelope", undefined, { auth: false });
  }

  grantConsent(subjectId: string, policyVersion: string): Promise<ConsentRecord> {
    return this.#http.request("PUT", `/v1/subjects/${seg(subjectId)}/consent`, {
      policyVersion,
      purposes: ["verification"],
    });
  }

  /** A single-use challenge; a verify may ask for at least `liveness` (the tenant's policy may ask for more). */
  challenge(subjectId: string, purpose: "enroll" | "verify", liveness?: LivenessLevel): Promise<Challenge> {
    return this.#http.request("POST", "/v1/challenges", { subjectId, purpose, ...(liveness ? { liveness } : {}) });
  }

  /**
   * Challenge, seal, send: one enrollment of an already computed embedding.
   * With `challenge`, one fetched before, and `webauthn`, the passkey
   * registered for its `webauthn.registration` options.
   */
  async enrollEmbedding(
    subjectId: string,
    modelId: string,
    embedding: Float32Array,
    { challenge: fetched, webauthn, pipelineVersion }: { challenge?: Challenge; webauthn?: PasskeyResponseJSON; pipelineVersion?: string } = {},
  ): Promise<EnrollResult> {
    const challenge = fetched ?? (await this.challenge(subjectId, "enroll"));
    const envelope = await sealForChallenge(this.#hpke, challenge, "enroll", subjectId, modelId, embedding);
    return this.#http.request("POST", `/v1/subjects/${seg(subjectId)}/templates`, {
      challengeId: challenge.challengeId,
      modelId,
      ...(pipelineVersion ? { pipelineVersion } : {}),
      envelope,
      ...(webauthn ? { webauthn } : {}),
    });
  }

  /**
   * Challenge, seal, send: one verification of an already computed
   * embedding. With `challenge`, one fetched before (a liveness challenge
   * whose action was captured), `evidence` sealed with the embedding, and
   * `webauthn`, an assertion for its `webauthn.authentication` options.
   */
  async verifyEmbedding(
    subjectId: string,
    modelId: string,
    embedding: Float32Array,
    {
      loginNonce,
      challenge: fetched,
      evidence,
      webauthn,
      pipelineVersion,
    }: { loginNonce?: string; challenge?: Challenge; evidence?: LivenessEvidence; webauthn?: PasskeyResponseJSON; pipelineVersion?: string } = {},
  ): Promise<VerifyResult> {
    const challenge = fetched ?? (await this.challenge(subjectId, "verify"));
    const envelope = await sealForChallenge(this.#hpke, challenge, "verify", subjectId, modelId, embedding, evidence);
    return this.#http.request("POST", `/v1/subjects/${seg(subjectId)}/verify`, {
      challengeId: challenge.challengeId,
      modelId,
      ...(pipelineVersion ? { pipelineVersion } : {}),
      envelope,
      ...(webauthn ? { webauthn } : {}),
      ...(loginNonce === undefined ? {} : { loginNonce }),
    });
  }

  getSubject(subjectId: string): Promise<SubjectRecord> {
    return this.#http.request("GET", `/v1/subjects/${seg(subjectId)}`);
  }

  deleteSubject(subjectId: string): Promise<void> {
    return this.#http.request("DELETE", `/v1/subjects/${seg(subjectId)}`);
  }

  /** The subject's templates (ids, times, models, which is the anchor); never a vector. */
  listTemplates(subjectId: string): Promise<TemplateList> {
    return this.#http.request("GET", `/v1/subjects/${seg(subjectId)}/templates`);
  }

  /** Deletes one template; the anchor is refused (ApiError `anchor-template`): it goes only with the subject. */
  deleteTemplate(subjectId: string, templateId: string): Promise<void> {
    return this.#http.request("DELETE", `/v1/subjects/${seg(subjectId)}/templates/${seg(templateId)}`);
  }
}
