import { x25519 } from "@noble/curves/ed25519.js";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { b64uEncode } from "../../src/protocol/base64url.js";

/**
 * Generators for the worker's secrets, in the formats src/env.ts documents.
 * Used by dev-keys.ts (local .dev.vars) and gen-secret.ts (production values
 * for `wrangler secret put`, including rotation: a new key first, the old
 * ones kept after it).
 */
export interface HpkeKeyEntry {
  kid: string;
  privateKey: string;
}
export interface KekEntry {
  version: number;
  key: string;
}

export const stamp = (): string => new Date().toISOString().slice(0, 10).replaceAll("-", "");

export function newHpkeKey(kid = `hpke-${stamp()}`): HpkeKeyEntry {
  return { kid, privateKey: b64uEncode(x25519.utils.randomSecretKey()) };
}

export function newKek(version: number): KekEntry {
  return { version, key: b64uEncode(crypto.getRandomValues(new Uint8Array(32))) };
}

/** An Ed25519 private JWK with kid/alg/use, for assertions or a dev token issuer. */
export async function newEd25519Jwk(kid: string): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "EdDSA", use: "sig" };
}

/** The public half of a private JWK (what may be published or kept after retirement). */
export function publicJwk(jwk: JWK): JWK {
  const { d: _d, ...pub } = jwk;
  return pub;
}
