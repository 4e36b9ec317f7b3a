import { sealForChallenge } from "../../../client/src/api/envelope.js";
import { webCryptoHpke } from "../../../client/src/api/envelope-webcrypto.js";
import type { ChallengeResponseT, EnrollResponseT, SubjectRecordT, VerifyResponseT } from "../../../src/protocol/schemas.js";
import type { IntegrityReportT } from "../../../src/protocol/schemas.js";
import { EMBEDDING_MODEL_ID } from "../../../scripts/lib/embedding-model.js";

/**
 * The few HTTP calls the load and crash drivers make, on plain fetch so that
 * every answer's status, request id and latency are seen (the SDK hides
 * them). Embeddings are synthetic unit vectors: the server never sees images.
 */
export const MODEL_ID = EMBEDDING_MODEL_ID;

export interface Answer<T = unknown> {
  /** HTTP status, or 0 when no answer arrived (connection refused or reset: not acknowledged). */
  status: number;
  requestId: string | null;
  body: T | null;
  ms: number;
}

export async function request<T>(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (token) headers["authorization"] = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const started = performance.now();
  try {
    const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let parsed: T | null = null;
    try {
      parsed = text ? (JSON.parse(text) as T) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, requestId: res.headers.get("x-request-id"), body: parsed, ms: performance.now() - started };
  } catch {
    return { status: 0, requestId: null, body: null, ms: performance.now() - started };
  }
}

export class Api {
  constructor(
    readonly base: string,
    readonly admin: string,
  ) {}

  consent(id: string, token: string) {
    return request(this.base, "PUT", `/v1/subjects/${id}/consent`, token, { policyVersion: "2026-11", purposes: ["verification"] });
  }

  challenge(id: string, token: string, purpose: "enroll" | "verify") {
    return request<ChallengeResponseT>(this.base, "POST", "/v1/challenges", token, { subjectId: id, purpose });
  }

  /** A challenge fetched and an embedding sealed to it: the body of one enroll or verify. */
  async prepare(id: string, token: string, purpose: "enroll" | "verify", embedding: Float32Array) {
    const ch = await this.challenge(id, token, purpose);
    if (ch.status !== 201 || !ch.body) return { challenge: ch, body: null };
    const envelope = await sealForChallenge(webCryptoHpke(), ch.body, purpose, id, MODEL_ID, embedding);
    return { challenge: ch, body: { challengeId: ch.body.challengeId, modelId: MODEL_ID, envelope } };
  }

  send<T>(id: string, token: string, purpose: "enroll" | "verify", body: unknown) {
    return request<T>(this.base, "POST", `/v1/subjects/${id}/${purpose === "enroll" ? "templates" : "verify"}`, token, body);
  }

  enroll(id: string, token: string, body: unknown) {
    return this.send<EnrollResponseT>(id, token, "enroll", body);
  }

  verify(id: string, token: string, body: unknown) {
    return this.send<VerifyResponseT>(id, token, "verify", body);
  }

  remove(id: string, token: string) {
    return request(this.base, "DELETE", `/v1/subjects/${id}`, token);
  }

  /** With the subject's own token: face:admin does not read subjects. */
  get(id: string, token: string) {
    return request<SubjectRecordT>(this.base, "GET", `/v1/subjects/${id}`, token);
  }

  integrity(id: string) {
    return request<IntegrityReportT>(this.base, "POST", `/v1/admin/subjects/${id}/integrity-check`, this.admin);
  }
}
