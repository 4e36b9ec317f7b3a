import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from "jose";

/**
 * What a relying party checks before it believes a face assertion. Every
 * check is required: signature (EdDSA only) against the issuer's JWKS,
 * issuer, audience = our client id, expiry (jose also rejects `iat`/`nbf` in
 * the future), the subject and the tenant we expected, the nonce bound to
 * this browser's login attempt (kept server-side, single use), and a `jti`
 * not seen before (remembered until `exp`). `amr` must say a face was verified.
 */
export interface ExpectedAssertion {
  issuer: string;
  audience: string;
  subject: string;
  tenant: string;
  nonce: string;
  /** Remembers a jti until `expiresAt` (Unix ms); false when it was seen already. */
  firstUse: (jti: string, expiresAt: number) => Promise<boolean>;
}

export interface FaceAssertion extends JWTPayload {
  sub: string;
  tenant: string;
  amr: string[];
  auth_time: number;
  nonce: string;
  model: string;
}

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * `fetchImpl` lets the demo, which runs inside the facegate worker itself,
 * fetch the JWKS without a network loop; a separate RP backend uses the
 * default fetch. Either way the keys come from /.well-known/jwks.json.
 */
export async function verifyFaceAssertion(
  assertion: string,
  jwksUrl: string,
  expected: ExpectedAssertion,
  fetchImpl?: typeof fetch,
): Promise<FaceAssertion> {
  let jwks = jwksCache.get(jwksUrl);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(jwksUrl), {
      cacheMaxAge: 5 * 60_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
    });
    jwksCache.set(jwksUrl, jwks);
  }
  const { payload } = await jwtVerify(assertion, jwks, {
    algorithms: ["EdDSA"],
    issuer: expected.issuer,
    audience: expected.audience,
    subject: expected.subject,
    requiredClaims: ["exp", "iat", "nonce", "amr", "auth_time", "jti", "tenant"],
    maxTokenAge: "5 minutes",
  });
  if (payload.nonce !== expected.nonce) throw new Error("assertion nonce does not match this login");
  if (payload["tenant"] !== expected.tenant) throw new Error("assertion is for another tenant");
  if (!Array.isArray(payload.amr) || !payload.amr.includes("face")) throw new Error("assertion does not say face");
  if (!(await expected.firstUse(payload.jti!, payload.exp! * 1000))) throw new Error("assertion was used already");
  return payload as FaceAssertion;
}
