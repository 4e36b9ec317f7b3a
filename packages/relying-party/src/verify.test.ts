import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { FaceAssertionError, memoryReplayStore, verifyFaceAssertion, type FaceAssertionErrorCode, type VerifyFaceAssertionOptions } from "./index.js";

/**
 * verifyFaceAssertion with real EdDSA keys (jose), the JWKS served by a
 * fetch function as facegate's /.well-known/jwks.json would be, and an
 * assertion shaped like the worker's (src/crypto/assertion.ts).
 */
const ISSUER = "https://faces.example.com";
const JWKS_URL = `${ISSUER}/.well-known/jwks.json`;

let signKey: CryptoKey;
let otherKey: CryptoKey;
let jwks: { keys: JWK[] };
let jwksFetches = 0;
const jwksFetch: typeof fetch = async (input) => {
  jwksFetches++;
  if (String(input instanceof Request ? input.url : input) !== JWKS_URL) return new Response("no", { status: 404 });
  return Response.json(jwks);
};

beforeAll(async () => {
  const a = await generateKeyPair("EdDSA", { extractable: true });
  const b = await generateKeyPair("EdDSA", { extractable: true });
  signKey = a.privateKey;
  otherKey = b.privateKey;
  jwks = { keys: [{ ...(await exportJWK(a.publicKey)), kid: "a1", alg: "EdDSA", use: "sig" }] };
});

interface Claims {
  [k: string]: unknown;
}

async function assertion(claims: Claims = {}, opts: { key?: CryptoKey; kid?: string; iatOffset?: number; ttl?: number; alg?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000) + (opts.iatOffset ?? 0);
  const body: Claims = { tenant: "default", nonce: "n-1", amr: ["face"], auth_time: now, model: "fr512-v1", ...claims };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  const jwt = new SignJWT(body)
    .setProtectedHeader({ alg: opts.alg ?? "EdDSA", kid: opts.kid ?? "a1", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience("shop")
    .setSubject("alice")
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttl ?? 120))
    .setJti(crypto.randomUUID());
  return jwt.sign(opts.key ?? signKey);
}

function options(over: Partial<VerifyFaceAssertionOptions> = {}): VerifyFaceAssertionOptions {
  return {
    issuer: ISSUER,
    jwksUrl: JWKS_URL,
    audience: "shop",
    tenant: "default",
    nonce: "n-1",
    subject: "alice",
    replayStore: memoryReplayStore(),
    fetch: jwksFetch,
    ...over,
  };
}

async function codeOf(p: Promise<unknown>): Promise<FaceAssertionErrorCode> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FaceAssertionError);
  return (e as FaceAssertionError).code;
}

describe("verifyFaceAssertion", () => {
  it("accepts a good assertion once and returns its claims; the same jti again is a replay", async () => {
    const store = memoryReplayStore();
    const jwt = await assertion();
    const claims = await verifyFaceAssertion(jwt, options({ replayStore: store }));
    expect(claims).toMatchObject({ sub: "alice", tenant: "default", nonce: "n-1", amr: ["face"], model: "fr512-v1" });
    expect(await codeOf(verifyFaceAssertion(jwt, options({ replayStore: store })))).toBe("replayed");
  });

  it("fetches the JWKS once for many assertions", async () => {
    const fetchOnce: typeof fetch = (input, init) => jwksFetch(input, init);
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) await verifyFaceAssertion(await assertion(), options({ fetch: fetchOnce }));
    expect(jwksFetches - before).toBe(1);
  });

  it("says which check failed, with a stable code", async () => {
    expect(await codeOf(verifyFaceAssertion(await assertion(), options({ audience: "other-client" })))).toBe("audience");
    expect(await codeOf(verifyFaceAssertion(await assertion(), options({ issuer: "https://evil.example" })))).toBe("issuer");
    expect(await codeOf(verifyFaceAssertion(await assertion(), options({ subject: "bob" })))).toBe("subject");
    expect(await codeOf(verifyFaceAssertion(await assertion({ tenant: "acme" }), options()))).toBe("tenant");
    expect(await codeOf(verifyFaceAssertion(await assertion({ nonce: "n-2" }), options()))).toBe("nonce");
    expect(await codeOf(verifyFaceAssertion(await assertion({ amr: ["pwd"] }), options()))).toBe("amr");
    expect(await codeOf(verifyFaceAssertion(await assertion({ nonce: undefined }), options()))).toBe("claims-missing");
    expect(await codeOf(verifyFaceAssertion(await assertion({}, { key: otherKey }), options()))).toBe("signature");
    expect(await codeOf(verifyFaceAssertion(await assertion({}, { iatOffset: -400, ttl: 60 }), options()))).toBe("expired");
    expect(await codeOf(verifyFaceAssertion(await assertion({}, { iatOffset: -400, ttl: 3600 }), options()))).toBe("too-old");
    expect(await codeOf(verifyFaceAssertion(await assertion({}, { iatOffset: 600 }), options()))).toBe("not-yet-valid");
    expect(await codeOf(verifyFaceAssertion("not.a.jwt", options()))).toBe("malformed");
  });

  it("refuses an unsigned (alg none) token and a JWKS it cannot fetch", async () => {
    const [h, p] = (await assertion()).split(".");
    const none = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${p}.`;
    expect(h).toBeTruthy();
    expect(await codeOf(verifyFaceAssertion(none, options()))).toMatch(/^(algorithm|malformed)$/);
    const down: typeof fetch = async () => {
      throw new TypeError("fetch failed");
    };
    expect(await codeOf(verifyFaceAssertion(await assertion(), options({ fetch: down })))).toBe("jwks-unavailable");
  });

  it("refuses to run without a replay store or a nonce", async () => {
    const jwt = await assertion();
    await expect(verifyFaceAssertion(jwt, { ...options(), nonce: "" })).rejects.toThrow(TypeError);
    await expect(verifyFaceAssertion(jwt, { ...options(), replayStore: undefined as never })).rejects.toThrow(/replayStore/);
  });
});

describe("memoryReplayStore", () => {
  it("forgets a jti once it has expired", () => {
    let now = 1_000;
    const store = memoryReplayStore({ now: () => now });
    expect(store.firstUse("a", 2_000)).toBe(true);
    expect(store.firstUse("a", 2_000)).toBe(false);
    now = 2_001;
    expect(store.firstUse("a", 3_000)).toBe(true);
  });
});
