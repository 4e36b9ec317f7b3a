import { env } from "cloudflare:workers";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { MAX_BODY_BYTES } from "../../src/protocol/schemas.js";
import { call, expectProblem, Subject } from "./helpers/api.js";
import { tokenFor } from "./helpers/tokens.js";

const consentBody = { policyVersion: "2026-11", purposes: ["verification"] };

async function consentRequest(init: { headers?: Record<string, string>; rawBody?: BodyInit }): Promise<Response> {
  const s = await Subject.create("http");
  return call("PUT", `/v1/subjects/${s.id}/consent`, { token: s.token, ...init });
}

/** Calls the worker's fetch with a modified environment (to play a misconfigured deployment). */
async function fetchWith(overrides: Record<string, unknown>, path = "/v1/keys/envelope"): Promise<Response> {
  return await worker.fetch(new Request(`https://facegate.test${path}`), { ...env, ...overrides } as typeof env, createExecutionContext());
}

describe("routing problems", () => {
  it("an unknown path is 404 not-found", async () => {
    await expectProblem(await call("GET", "/nope"), "not-found");
    await expectProblem(await call("GET", "/v1/subjects/alice/unknown"), "not-found");
  });

  it("a known path with another method is 405 with Allow", async () => {
    const res = await call("DELETE", "/v1/health");
    await expectProblem(res, "method-not-allowed");
    expect(res.headers.get("Allow")).toBe("GET, HEAD");
    const subject = await call("POST", "/v1/subjects/alice");
    await expectProblem(subject, "method-not-allowed");
    expect(subject.headers.get("Allow")).toBe("DELETE, GET, HEAD");
    const challenges = await call("GET", "/v1/challenges");
    expect(challenges.headers.get("Allow")).toBe("POST");
    await expectProblem(challenges, "method-not-allowed");
  });

  it("every problem is uncacheable and not sniffable", async () => {
    const res = await call("GET", "/nope");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    await res.arrayBuffer();
  });
});

describe("request bodies", () => {
  it("a body without a JSON content type is 415", async () => {
    const contentTypes: Record<string, string>[] = [
      {},
      { "Content-Type": "text/plain" },
      { "Content-Type": "application/json; charset=latin1" },
      { "Content-Type": "multipart/form-data; boundary=x" },
      { "Content-Type": "image/jpeg" },
    ];
    for (const headers of contentTypes) {
      const res = await consentRequest({ headers, rawBody: JSON.stringify(consentBody) });
      await expectProblem(res, "unsupported-media-type");
    }
  });

  it("accepts application/json with a utf-8 charset", async () => {
    const res = await consentRequest({
      headers: { "Content-Type": "application/json; charset=UTF-8" },
      rawBody: JSON.stringify(consentBody),
    });
    expect(res.status).toBe(200);
  });

  it("a body over the limit with Content-Length is 413", async () => {
    const res = await consentRequest({
      headers: { "Content-Type": "application/json" },
      rawBody: JSON.stringify({ ...consentBody, pad: "x".repeat(MAX_BODY_BYTES) }),
    });
    const body = await expectProblem(res, "payload-too-large");
    expect(body.detail).toContain(String(MAX_BODY_BYTES));
  });

  it("a streamed body over the limit without Content-Length is 413 (bytes are counted)", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(" ".repeat(MAX_BODY_BYTES + 1)));
        controller.close();
      },
    });
    const res = await consentRequest({ headers: { "Content-Type": "application/json" }, rawBody: stream });
    await expectProblem(res, "payload-too-large");
  });

  it("a body of exactly the limit is read and validated", async () => {
    const json = JSON.stringify(consentBody);
    const padded = json + " ".repeat(MAX_BODY_BYTES - json.length);
    expect(new TextEncoder().encode(padded).length).toBe(MAX_BODY_BYTES);
    const res = await consentRequest({ headers: { "Content-Type": "application/json" }, rawBody: padded });
    expect(res.status).toBe(200);
    const over = await consentRequest({ headers: { "Content-Type": "application/json" }, rawBody: `${padded} ` });
    await expectProblem(over, "payload-too-large");
  });

  it("malformed JSON, invalid UTF-8 and an empty body are 400 malformed-json", async () => {
    for (const rawBody of ["{", "", "{'a':1}", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]) {
      const res = await consentRequest({ headers: { "Content-Type": "application/json" }, rawBody });
      await expectProblem(res, "malformed-json");
    }
  });

  it("an unknown field is 400 invalid-request listing it", async () => {
    const res = await consentRequest({
      headers: { "Content-Type": "application/json" },
      rawBody: JSON.stringify({ ...consentBody, extra: true }),
    });
    const body = await expectProblem(res, "invalid-request");
    expect(body["errors"]).toEqual([{ path: "body", message: expect.stringContaining("extra") }]);
  });

  it("schema violations list every path and message", async () => {
    const res = await consentRequest({
      headers: { "Content-Type": "application/json" },
      rawBody: JSON.stringify({ policyVersion: "", purposes: ["marketing"] }),
    });
    const body = await expectProblem(res, "invalid-request");
    const paths = (body["errors"] as { path: string; message: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(["body.policyVersion", "body.purposes.0"]);
  });

  it("an image in any field is refused: there is no field for one", async () => {
    const s = await Subject.create("img");
    const jpegB64 = btoa(String.fromCharCode(0xff, 0xd8, 0xff, 0xe0, ...new Array(600).fill(7)));
    for (const body of [
      { subjectId: s.id, purpose: "enroll", image: jpegB64 },
      { subjectId: s.id, purpose: "enroll", photo: { data: jpegB64 } },
    ]) {
      await expectProblem(await call("POST", "/v1/challenges", { token: s.token, body }), "invalid-request");
    }
    // Longer than the largest envelope can be (an embedding of MAX_EMBEDDING_DIM floats plus the most evidence), under the body limit.
    const big = { challengeId: "a".repeat(22), modelId: "fr512-v1", envelope: { kid: "k", enc: "A".repeat(43), ciphertext: "A".repeat(13_800) } };
    const res = await s.send("verify", big);
    const problem = await expectProblem(res, "invalid-request");
    expect(JSON.stringify(problem["errors"])).toContain("body.envelope.ciphertext");
  });
});

describe("path parameters", () => {
  it("a subject id outside the shared pattern is 400 invalid-request at path.id", async () => {
    const token = await tokenFor("x", "face:read face:admin");
    for (const id of ["-dash-first", "a".repeat(129), "a%7Cb", "%C3%A9t%C3%A9", "a%20b"]) {
      const res = await call("GET", `/v1/subjects/${id}`, { token });
      const body = await expectProblem(res, "invalid-request");
      expect((body["errors"] as { path: string }[])[0]!.path).toBe("path.id");
    }
  });
});

describe("server-side failures", () => {
  it("a malformed secret is 500 server-misconfigured and names nothing", async () => {
    for (const HPKE_KEYS of ["not json", "[]", '[{"kid":"k","privateKey":"short"}]']) {
      const res = await fetchWith({ HPKE_KEYS });
      const body = await expectProblem(res, "server-misconfigured");
      expect(JSON.stringify(body)).not.toMatch(/HPKE|privateKey|short/);
    }
  });

  it("malformed lockout vars are 500 server-misconfigured, not a disabled lockout", async () => {
    const s = await Subject.create("vars");
    const res = await worker.fetch(
      new Request(`https://facegate.test/v1/subjects/${s.id}/verify`, {
        method: "POST",
        headers: { Authorization: `Bearer ${s.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          challengeId: "a".repeat(22),
          modelId: "fr512-v1",
          envelope: { kid: "hpke-test-current", enc: "A".repeat(43), ciphertext: "AAAA" },
        }),
      }),
      { ...env, LOCKOUT_MAX_FAILURES: "five" },
      createExecutionContext(),
    );
    await expectProblem(res, "server-misconfigured");
  });

  it("an unexpected exception is 500 internal revealing nothing", async () => {
    const s = await Subject.create("boom");
    const VAULT = {
      idFromName() {
        throw new Error("sensitive internals: kek=abc");
      },
    };
    const res = await worker.fetch(
      new Request(`https://facegate.test/v1/subjects/${s.id}`, { headers: { Authorization: `Bearer ${s.token}` } }),
      { ...env, VAULT } as unknown as typeof env,
      createExecutionContext(),
    );
    const body = await expectProblem(res, "internal");
    expect(body.detail).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain("sensitive");
    expect(Object.keys(body).sort()).toEqual(["code", "instance", "status", "title", "type"]);
  });

  it("with neither AUTH_JWKS nor AUTH_JWKS_URL, authenticated routes are 500 server-misconfigured", async () => {
    const s = await Subject.create("nojwks");
    const res = await worker.fetch(
      new Request(`https://facegate.test/v1/subjects/${s.id}`, { headers: { Authorization: `Bearer ${s.token}` } }),
      { ...env, AUTH_JWKS: undefined, AUTH_JWKS_URL: undefined },
      createExecutionContext(),
    );
    await expectProblem(res, "server-misconfigured");
  });
});
