import { env, exports } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../../src/index.js";
import { expect } from "vitest";
import {
  b64uDecode,
  b64uEncode,
  createEnvelopeSuite,
  sealEmbedding,
  type ChallengeResponseT,
  type EnvelopeBinding,
  type EnvelopePurpose,
  type EnvelopeT,
  type LivenessEvidence,
  PROBLEM_CONTENT_TYPE,
  PROBLEMS,
  problemType,
  type ProblemCode,
  type ProblemDetails,
} from "../../../src/protocol/index.js";
import { ALL_SCOPES, tokenFor } from "./tokens.js";

export const MODEL_ID = "fr512-v1";
const suite = createEnvelopeSuite();

let seq = 0;
/** A subject id no other test in this file uses (storage is per file, tests share it). */
export function uniqueSubject(prefix = "s"): string {
  seq += 1;
  return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /** callSettled only: the worker sees these bindings instead (a rotated key, a CORS list...). */
  env?: Partial<Cloudflare.Env>;
}

function buildRequest(method: string, path: string, opts: CallOptions): Request {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers["Authorization"] = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] ??= "application/json";
  }
  return new Request(`https://facegate.test${path}`, { method, headers, body: body ?? null });
}

/** One request through the worker's real fetch handler (same path as production). */
export function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(buildRequest(method, path, opts));
}

/**
 * Like `call`, but through the worker's fetch handler with an execution
 * context the test owns, and returns only after everything the request handed
 * to waitUntil (the worker's own audit rows) has finished.
 */
export async function callSettled(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const bindings = opts.env ? { ...env, ...opts.env } : env;
  const res = await worker.fetch(buildRequest(method, path, opts), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Asserts an RFC 9457 problem of this code and returns its body. */
export async function expectProblem(res: Response, code: ProblemCode): Promise<ProblemDetails> {
  const text = await res.text();
  expect(res.headers.get("Content-Type"), text).toBe(PROBLEM_CONTENT_TYPE);
  const body = JSON.parse(text) as ProblemDetails;
  expect({ status: res.status, code: body.code }).toEqual({ status: PROBLEMS[code].status, code });
  expect(body.type).toBe(problemType(code));
  expect(body.title).toBe(PROBLEMS[code].title);
  expect(body.status).toBe(PROBLEMS[code].status);
  expect(body.instance).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  expect(body.instance).toBe(`urn:uuid:${res.headers.get("X-Request-Id")}`);
  return body;
}

export interface SealOverrides extends Partial<EnvelopeBinding> {
  publicKey?: Uint8Array;
  kid?: string;
  /** Liveness evidence sealed after the embedding. */
  evidence?: LivenessEvidence;
}

/** Seals an embedding for a challenge the way an honest client does (binding overridable for attacks). */
export async function sealFor(
  ch: ChallengeResponseT,
  purpose: EnvelopePurpose,
  subjectId: string,
  embedding: ArrayLike<number>,
  o: SealOverrides = {},
): Promise<EnvelopeT> {
  const sealed = await sealEmbedding(
    suite,
    { kid: o.kid ?? ch.envelopeKey.kid, publicKey: o.publicKey ?? b64uDecode(ch.envelopeKey.publicKey) },
    {
      purpose: o.purpose ?? purpose,
      subjectId: o.subjectId ?? subjectId,
      challengeId: o.challengeId ?? ch.challengeId,
      nonce: o.nonce ?? ch.nonce,
      modelId: o.modelId ?? MODEL_ID,
    },
    embedding,
    o.evidence,
  );
  return { kid: sealed.kid, enc: b64uEncode(sealed.enc), ciphertext: b64uEncode(sealed.ciphertext) };
}

/** A subject with a token that may do everything to itself: the happy path in a few calls. */
export class Subject {
  constructor(
    readonly id: string,
    readonly token: string,
    readonly claims: Record<string, unknown> = {},
  ) {}

  static async create(prefix = "s", claims: Record<string, unknown> = {}): Promise<Subject> {
    const id = uniqueSubject(prefix);
    return new Subject(id, await tokenFor(id, ALL_SCOPES, claims), claims);
  }

  /**
   * The same subject with a new token (same claims): tests that send more
   * requests than one token may (the per-token rate limit) use one per request.
   */
  async another(claims: Record<string, unknown> = {}): Promise<Subject> {
    const all = { ...this.claims, ...claims, jti: crypto.randomUUID() };
    return new Subject(this.id, await tokenFor(this.id, ALL_SCOPES, all), all);
  }

  consent(policyVersion = "2026-11"): Promise<Response> {
    return call("PUT", `/v1/subjects/${this.id}/consent`, {
      token: this.token,
      body: { policyVersion, purposes: ["verification"] },
    });
  }

  async challenge(purpose: EnvelopePurpose): Promise<ChallengeResponseT> {
    const res = await call("POST", "/v1/challenges", { token: this.token, body: { subjectId: this.id, purpose } });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as ChallengeResponseT;
  }

  /** POSTs an already-built enroll or verify body. */
  send(purpose: EnvelopePurpose, body: unknown, token = this.token): Promise<Response> {
    const path = purpose === "enroll" ? "templates" : "verify";
    return call("POST", `/v1/subjects/${this.id}/${path}`, { token, body });
  }

  async body(purpose: EnvelopePurpose, embedding: ArrayLike<number>, extra: Record<string, unknown> = {}) {
    const ch = await this.challenge(purpose);
    return {
      ch,
      body: { challengeId: ch.challengeId, modelId: MODEL_ID, envelope: await sealFor(ch, purpose, this.id, embedding), ...extra },
    };
  }

  async enroll(embedding: ArrayLike<number>): Promise<Response> {
    const { body } = await this.body("enroll", embedding);
    return this.send("enroll", body);
  }

  async verify(embedding: ArrayLike<number>, extra: Record<string, unknown> = {}): Promise<Response> {
    const { body } = await this.body("verify", embedding, extra);
    return this.send("verify", body);
  }

  /** Consent plus one template; fails the test if either step fails. */
  async enrolled(face: ArrayLike<number>): Promise<this> {
    expect((await this.consent()).status).toBe(200);
    const res = await this.enroll(face);
    expect(res.status, await res.clone().text()).toBe(201);
    return this;
  }

  get(): Promise<Response> {
    return call("GET", `/v1/subjects/${this.id}`, { token: this.token });
  }

  delete(): Promise<Response> {
    return call("DELETE", `/v1/subjects/${this.id}`, { token: this.token });
  }
}
