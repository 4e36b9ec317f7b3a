import { importJWK, SignJWT, type JWK } from "jose";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";
import { AssertionKeysSecret, parseJsonSecret } from "./secrets.js";
import { randomId } from "./random.js";
import type { LivenessLevel } from "../protocol/liveness.js";

/**
 * Face assertions: short-lived EdDSA JWTs a relying party verifies with our
 * /.well-known/jwks.json. ASSERTION_KEYS lists private and public JWKs; the
 * first with `d` signs; every key's public part is published (a retired key
 * stays until its last assertion has expired).
 */
export interface AssertionClaims {
  issuer: string;
  audience: string;
  subject: string;
  tenant: string;
  modelId: string;
  authTime: number;
  ttlSeconds: number;
  /** What the verify showed beyond the face (protocol/liveness.ts). */
  liveness: LivenessLevel;
  /** A passkey of the subject's device signed the attempt's challenge. */
  device: boolean;
  nonce?: string;
}

/**
 * How strongly the face was shown, as the `acr` a relying party can require
 * (OIDC-style): the liveness level the verify's challenge asked for and its
 * evidence met.
 */
export function livenessAcr(level: LivenessLevel): string {
  return `urn:facegate:liveness:${level}`;
}

const signers = new Map<string, Promise<{ kid: string; key: CryptoKey | Uint8Array }>>();

function keysOf(env: Env) {
  return parseJsonSecret("ASSERTION_KEYS", env.ASSERTION_KEYS, AssertionKeysSecret);
}

/** A published verification key: the public members only, whatever else the secret holds. */
export interface PublicAssertionJwk extends JWK {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

export function assertionJwks(env: Env): { keys: PublicAssertionJwk[] } {
  return {
    keys: keysOf(env).map((k) => ({ kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: "EdDSA", use: "sig" })),
  };
}

function signer(env: Env) {
  const raw = env.ASSERTION_KEYS;
  let s = signers.get(raw);
  if (!s) {
    const jwk = keysOf(env).find((k) => k.d !== undefined)!;
    s = importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA").then(
      (key) => ({ kid: jwk.kid, key }),
      () => {
        signers.delete(raw);
        console.error(JSON.stringify({ misconfigured: "ASSERTION_KEYS", why: "signing key does not import" }));
        throw new ProblemError("server-misconfigured");
      },
    );
    signers.set(raw, s);
  }
  return s;
}

export async function signAssertion(env: Env, c: AssertionClaims): Promise<string> {
  const { kid, key } = await signer(env);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tenant: c.tenant,
    // RFC 8176: "face" always; "hwk" (a hardware-secured key, the passkey) when one signed the
    // challenge; "user" (a presence test) when the user performed an action on command.
    amr: ["face", ...(c.device ? ["hwk"] : []), ...(c.liveness === "active" ? ["user"] : [])],
    acr: livenessAcr(c.liveness),
    auth_time: c.authTime,
    model: c.modelId,
    ...(c.nonce !== undefined ? { nonce: c.nonce } : {}),
  })
    .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
    .setIssuer(c.issuer)
    .setAudience(c.audience)
    .setSubject(c.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + c.ttlSeconds)
    .setJti(randomId(16))
    .sign(key);
}
