import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";
import { JwksSecret, parseJsonSecret } from "../crypto/secrets.js";

/**
 * Where the token issuer's public keys come from: AUTH_JWKS (inline JWKS, a
 * secret) or AUTH_JWKS_URL (fetched and cached by jose). Built on first use
 * and kept per isolate; a remote set keeps its own cache and cooldown.
 */
const resolvers = new Map<string, JWTVerifyGetKey>();

export function tokenKeys(env: Env): JWTVerifyGetKey {
  if (env.AUTH_JWKS) {
    const cacheKey = `inline\u0000${env.AUTH_JWKS}`;
    let r = resolvers.get(cacheKey);
    if (!r) {
      const jwks = parseJsonSecret("AUTH_JWKS", env.AUTH_JWKS, JwksSecret) as JSONWebKeySet;
      r = createLocalJWKSet(jwks);
      resolvers.set(cacheKey, r);
    }
    return r;
  }
  if (env.AUTH_JWKS_URL) {
    const cacheKey = `remote\u0000${env.AUTH_JWKS_URL}`;
    let r = resolvers.get(cacheKey);
    if (!r) {
      r = createRemoteJWKSet(jwksUrl(env.AUTH_JWKS_URL), {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      resolvers.set(cacheKey, r);
    }
    return r;
  }
  console.error(JSON.stringify({ misconfigured: "AUTH_JWKS", why: "neither AUTH_JWKS nor AUTH_JWKS_URL is set" }));
  throw new ProblemError("server-misconfigured");
}

function jwksUrl(raw: string): URL {
  try {
    const url = new URL(raw);
    // Plain http only for a local issuer during development.
    const local = url.hostname === "127.0.0.1" || url.hostname === "localhost";
    if (url.protocol === "https:" || (url.protocol === "http:" && local)) return url;
  } catch {
    // fall through
  }
  console.error(JSON.stringify({ misconfigured: "AUTH_JWKS_URL", why: "not an https URL" }));
  throw new ProblemError("server-misconfigured");
}
