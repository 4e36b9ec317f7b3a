import { x25519 } from "@noble/curves/ed25519.js";
import type { CipherSuite } from "@hpke/core";
import { createEnvelopeSuite } from "../protocol/envelope.js";
import type { Env } from "../env.js";
import { HpkeKeysSecret, parseJsonSecret } from "./secrets.js";

/**
 * The HPKE envelope keys (HPKE_KEYS): the first is advertised for new
 * challenges; the others still open envelopes of challenges that name them.
 */
export interface EnvelopeKeyInfo {
  kid: string;
  publicKey: Uint8Array;
}

let suite: CipherSuite | undefined;

export function envelopeSuite(): CipherSuite {
  suite ??= createEnvelopeSuite();
  return suite;
}

/** Public keys derived once per secret value (noble's x25519 is synchronous). */
const publicKeys = new Map<string, EnvelopeKeyInfo[]>();
/** Deserialised key pairs, one per kid and private key (WebCrypto import is async, so cache the promise). */
const keyPairs = new Map<string, Promise<CryptoKeyPair>>();

function keysOf(env: Env) {
  return parseJsonSecret("HPKE_KEYS", env.HPKE_KEYS, HpkeKeysSecret);
}

export function envelopeKeys(env: Env): EnvelopeKeyInfo[] {
  const raw = env.HPKE_KEYS;
  let infos = publicKeys.get(raw);
  if (!infos) {
    infos = keysOf(env).map((k) => ({ kid: k.kid, publicKey: x25519.getPublicKey(k.privateKey) }));
    publicKeys.set(raw, infos);
  }
  return infos;
}

export function currentEnvelopeKey(env: Env): EnvelopeKeyInfo {
  return envelopeKeys(env)[0]!;
}

export function holdsEnvelopeKey(env: Env, kid: string): boolean {
  return envelopeKeys(env).some((k) => k.kid === kid);
}

/**
 * The recipient key pair for `kid`, or null if we hold no such key. A pair
 * (not the bare private key) spares hpke-js deriving the public key for the
 * KEM context on every open.
 */
export function envelopeKeyPair(env: Env, kid: string): Promise<CryptoKeyPair> | null {
  const entry = keysOf(env).find((k) => k.kid === kid);
  const info = envelopeKeys(env).find((k) => k.kid === kid);
  if (!entry || !info) return null;
  const cacheKey = `${kid}\u0000${env.HPKE_KEYS}`;
  let pair = keyPairs.get(cacheKey);
  if (!pair) {
    const s = envelopeSuite();
    pair = Promise.all([s.kem.deserializePrivateKey(entry.privateKey), s.kem.deserializePublicKey(info.publicKey)]).then(([privateKey, publicKey]) => ({
      privateKey,
      publicKey,
    }));
    // A failed import must not stay cached as a rejected promise forever.
    pair.catch(() => keyPairs.delete(cacheKey));
    keyPairs.set(cacheKey, pair);
  }
  return pair;
}
