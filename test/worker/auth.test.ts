import { env } from "cloudflare:workers";
import fc from "fast-check";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { b64uDecode, b64uEncode } from "../../src/protocol/base64url.js";
import { AUTH_JWKS, ISSUER_KEYS } from "../fixtures/keys.js";
import { TEST_AUTH_ISSUER } from "../fixtures/bindings.js";
import { call, callSettled, expectProblem, Subject, uniqueSubject } from "./helpers/api.js";
import { randomFace } from "./helpers/embeddings.js";
import { mintToken } from "./helpers/tokens.js";

const utf8 = new TextEncoder();
const b64json = (v: unknown) => b64uEncode(utf8.encode(JSON.stringify(v)));
const now = () => Math.floor(Date.now() / 1000);

/** GET /v1/subjects/alice with this Authorization header (alice holds nothing: a passing token gets 404). */
function readAlice(authorization?: string): Promise<Response> {
  return call("GET", "/v1/subjects/alice", authorization === undefined ? {} : { headers: { Authorization: authorization } });
}

function validClaims() {
  return { iss: env.AUTH_ISSUER, aud: env.AUTH_AUDIENCE, sub: "alice", scope: "face:read", iat: now(), exp: now() + 300 };
}

/** Re-signs nothing: swaps the payload of a valid token and keeps its signature. */
async function tamperedPayload(): Promise<string> {
  const [h, , s] = (await mintToken({ scope: "face:read" })).split(".");
  return `${h}.${b64json({ ...validClaims(), sub: "alice", scope: "face:read face:admin" })}.${s}`;
}

async function swappedAlgorithm(): Promise<string> {
  const [, p, s] = (await mintToken({ scope: "face:read", key: "es" })).split(".");
  return `${b64json({ alg: "RS256", kid: "issuer-es", typ: "JWT" })}.${p}.${s}`;
}

async function flippedSignature(): Promise<string> {
  const [h, p, s] = (await mintToken({ scope: "face:read" })).split(".");
  const sig = b64uDecode(s!);
  sig[5]! ^= 0x40;
  return `${h}.${p}.${b64uEncode(sig)}`;
}

describe("token verification failures are 401 invalid-token (the JWT failure matrix)", () => {
  const cases: [string, () => Promise<string>][] = [
    ["garbage", async () => "not-a-jwt"],
    ["three garbage segments", async () => "aaa.bbb.ccc"],
    ["alg none, unsigned", async () => `${b64json({ alg: "none", typ: "JWT" })}.${b64json(validClaims())}.`],
    [
      "HS256 signed with the issuer's public key bytes",
      async () => new SignJWT(validClaims()).setProtectedHeader({ alg: "HS256", kid: "issuer-ed" }).sign(b64uDecode(ISSUER_KEYS.ed.x)),
    ],
    [
      "HS256 signed with the issuer's public JWK as text",
      async () => new SignJWT(validClaims()).setProtectedHeader({ alg: "HS256", kid: "issuer-ed" }).sign(utf8.encode(JSON.stringify(AUTH_JWKS.keys[0]))),
    ],
    ["expired (beyond the clock tolerance)", () => mintToken({ scope: "face:read", claims: { exp: now() - 120 } })],
    ["not yet valid (nbf in the future)", () => mintToken({ scope: "face:read", claims: { nbf: now() + 600 } })],
    ["wrong issuer", () => mintToken({ scope: "face:read", claims: { iss: "https://evil.test" } })],
    ["wrong audience", () => mintToken({ scope: "face:read", claims: { aud: "someone-else" } })],
    ["missing exp", () => mintToken({ scope: "face:read", claims: { exp: undefined } })],
    ["missing sub", () => mintToken({ scope: "face:read", claims: { sub: undefined } })],
    ["missing iat", () => mintToken({ scope: "face:read", claims: { iat: undefined } })],
    ["issued longer ago than AUTH_MAX_TOKEN_AGE_SECONDS", () => mintToken({ scope: "face:read", claims: { iat: now() - 3700, exp: now() + 60 } })],
    ["a ten-year token, however fresh (exp - iat beyond the maximum)", () => mintToken({ scope: "face:read", ttl: 10 * 365 * 86_400 })],
    ["a typ that is neither JWT nor at+jwt (an ID token's header)", () => mintToken({ scope: "face:read", header: { typ: "id_token+jwt" } })],
    ["unknown kid (a key the server does not trust)", () => mintToken({ scope: "face:read", key: "stranger" })],
    ["a trusted kid signed by another key (bad signature)", () => mintToken({ scope: "face:read", key: "impostor" })],
    ["flipped signature bit", flippedSignature],
    ["tampered payload", tamperedPayload],
    ["invalid tenant claim", () => mintToken({ scope: "face:read", claims: { tenant: "Not A Tenant!" } })],
    ["non-string tenant claim", () => mintToken({ scope: "face:read", claims: { tenant: 42 } })],
    ["non-string scope claim", () => mintToken({ scope: "face:read", claims: { scope: ["face:read"] } })],
    ["algorithm swapped in the header (ES256-signed, claims RS256)", swappedAlgorithm],
    ["unknown critical header", () => mintToken({ scope: "face:read", header: { crit: ["x-unknown"], "x-unknown": 1 }, crit: { "x-unknown": true } })],
    ["huge token", async () => `${"a".repeat(6000)}.${"b".repeat(6000)}.${"c".repeat(100)}`],
    ["Latin-1 characters", async () => "\u00e9\u00fc.\u00df\u00e7.\u00f1"],
    ["empty bearer", async () => ""],
  ];

  for (const [name, make] of cases) {
    it(`refuses: ${name}`, async () => {
      const res = await readAlice(`Bearer ${await make()}`);
      const body = await expectProblem(res, "invalid-token");
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="facegate", error="invalid_token"');
      expect(body.detail).toBe("The token could not be verified.");
    });
  }

  it("has at least 20 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
});

describe("missing credentials are 401 missing-token", () => {
  it("no Authorization header", async () => {
    const res = await readAlice();
    await expectProblem(res, "missing-token");
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="facegate"');
  });

  it("another scheme (Basic)", async () => {
    await expectProblem(await readAlice("Basic YWxpY2U6c2VjcmV0"), "missing-token");
  });
});

describe("authorisation", () => {
  it("a missing scope is 403 insufficient-scope naming the scope", async () => {
    const res = await readAlice(`Bearer ${await mintToken({ scope: "" })}`);
    const body = await expectProblem(res, "insufficient-scope");
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="facegate", error="insufficient_scope", scope="face:read"');
    expect(body["requiredScope"]).toBe("face:read");
  });

  it("a wrong scope is 403 insufficient-scope", async () => {
    await expectProblem(await readAlice(`Bearer ${await mintToken({ scope: "face:verify face:enroll" })}`), "insufficient-scope");
  });

  it("a token for another subject is 403 subject-mismatch", async () => {
    const res = await readAlice(`Bearer ${await mintToken({ sub: "bob", scope: "face:read" })}`);
    await expectProblem(res, "subject-mismatch");
  });

  it("face:admin does not act as another subject: it grants the operator endpoints only", async () => {
    const admin = await mintToken({ sub: "ops", scope: "face:read face:enroll face:verify face:delete face:admin" });
    await expectProblem(await readAlice(`Bearer ${admin}`), "subject-mismatch");
    await expectProblem(await call("DELETE", "/v1/subjects/alice", { token: admin }), "subject-mismatch");
    await expectProblem(await call("POST", "/v1/challenges", { token: admin, body: { subjectId: "alice", purpose: "enroll" } }), "subject-mismatch");
    // What it does grant: an operator endpoint on a subject of its tenant.
    expect((await call("POST", "/v1/admin/subjects/alice/integrity-check", { token: admin })).status).toBe(200);
  });

  it("face:admin does not stand in for the operation's own scope", async () => {
    await expectProblem(await readAlice(`Bearer ${await mintToken({ sub: "ops", scope: "face:admin" })}`), "insufficient-scope");
  });
});

describe("accepted tokens", () => {
  for (const key of ["ed", "es", "rs"] as const) {
    it(`accepts a ${key === "ed" ? "EdDSA" : key === "es" ? "ES256" : "RS256"} token from a trusted key`, async () => {
      await expectProblem(await readAlice(`Bearer ${await mintToken({ scope: "face:read", key })}`), "subject-not-found");
    });
  }

  it("tolerates a small clock skew on exp", async () => {
    const token = await mintToken({ scope: "face:read", claims: { exp: now() - 10 } });
    await expectProblem(await readAlice(`Bearer ${token}`), "subject-not-found");
  });

  it("matches the scheme name case-insensitively", async () => {
    await expectProblem(await readAlice(`bearer ${await mintToken({ scope: "face:read" })}`), "subject-not-found");
  });

  it("accepts an RFC 9068 access token (typ at+jwt), and a token without typ", async () => {
    await expectProblem(await readAlice(`Bearer ${await mintToken({ scope: "face:read", header: { typ: "at+jwt" } })}`), "subject-not-found");
    await expectProblem(await readAlice(`Bearer ${await mintToken({ scope: "face:read", header: { typ: undefined } })}`), "subject-not-found");
  });

  it("with AUTH_TOKEN_TYPE=at+jwt only RFC 9068 access tokens pass", async () => {
    const strict = { env: { AUTH_TOKEN_TYPE: "at+jwt" } };
    const jwt = await mintToken({ scope: "face:read" });
    const at = await mintToken({ scope: "face:read", header: { typ: "application/at+jwt" } });
    await expectProblem(await callSettled("GET", "/v1/subjects/alice", { token: jwt, ...strict }), "invalid-token");
    await expectProblem(await callSettled("GET", "/v1/subjects/alice", { token: at, ...strict }), "subject-not-found");
  });

  it("the tests run against the fixture issuer, not .dev.vars", () => {
    expect(env.AUTH_ISSUER).toBe(TEST_AUTH_ISSUER);
  });
});

describe("tenants", () => {
  it("partition subjects: the same id in another tenant holds nothing", async () => {
    const s = await Subject.create("tenanted");
    await s.enrolled(randomFace());
    expect((await s.get()).status).toBe(200);
    const other = await mintToken({ sub: s.id, scope: "face:read", claims: { tenant: "acme" } });
    await expectProblem(await call("GET", `/v1/subjects/${s.id}`, { token: other }), "subject-not-found");
  });

  it("a challenge issued in one tenant is unknown in another", async () => {
    const id = uniqueSubject("t");
    const acme = new Subject(id, await mintToken({ sub: id, claims: { tenant: "acme" } }));
    const dflt = new Subject(id, await mintToken({ sub: id }));
    await acme.enrolled(randomFace());
    await dflt.enrolled(randomFace());
    const { body } = await acme.body("verify", randomFace());
    await expectProblem(await dflt.send("verify", body), "challenge-unknown");
  });
});

describe("no token a client can send causes a 500", () => {
  it("random bearer strings are 401", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (s) => {
        const latin1 = [...s].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) <= 0xff && ch !== "\u007f").join("");
        const res = await readAlice(`Bearer ${latin1}`);
        expect(res.status).toBe(401);
        await res.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });

  it("random JWT-shaped tokens (random JSON header and payload) are 401", async () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    await fc.assert(
      fc.asyncProperty(json, json, fc.uint8Array({ maxLength: 80 }), async (h, p, sig) => {
        const header = typeof h === "object" && h !== null && !Array.isArray(h) ? { ...h, alg: "EdDSA", kid: "issuer-ed" } : h;
        const res = await readAlice(`Bearer ${b64json(header)}.${b64json(p)}.${b64uEncode(sig)}`);
        expect(res.status).toBe(401);
        await res.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });
});
