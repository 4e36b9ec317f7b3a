import type { SubjectVault } from "./vault/subject-vault.js";

/**
 * Bindings and configuration of the worker (wrangler.toml [vars], secrets,
 * D1 and the Durable Object namespace). Secrets are JSON strings so that
 * several versions of each key can be live during a rotation:
 *
 * - HPKE_KEYS: `[{ "kid": "...", "privateKey": "<base64url 32-byte X25519 secret>" }, ...]`;
 *   the first is advertised for new challenges, the others still open
 *   envelopes for challenges that name them.
 * - TEMPLATE_KEKS: `[{ "version": 2, "key": "<base64url 32 bytes>" }, ...]`;
 *   the first wraps new subject keys, older versions still unwrap (and are
 *   rewrapped under the first on use).
 * - ASSERTION_KEYS: `[<Ed25519 private JWK with kid>, <public JWK>, ...]`;
 *   the first key with `d` signs, every key is published at
 *   /.well-known/jwks.json (keep a retired public key until its last
 *   assertion has expired).
 * - AUTH_JWKS: the token issuer's public JWKS (or set AUTH_JWKS_URL).
 */
export interface Env {
  VAULT: DurableObjectNamespace<SubjectVault>;
  DB: D1Database;

  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_JWKS?: string;
  AUTH_JWKS_URL?: string;

  ASSERTION_ISSUER: string;
  ASSERTION_DEFAULT_AUDIENCE: string;
  ASSERTION_TTL_SECONDS: string;

  CHALLENGE_TTL_SECONDS: string;
  LOCKOUT_MAX_FAILURES: string;
  LOCKOUT_WINDOW_SECONDS: string;
  LOCKOUT_DURATION_SECONDS: string;
  RETENTION_DAYS: string;
  /** Optional: milliseconds a vault waits after a write before flushing its audit outbox (default 1000). */
  AUDIT_FLUSH_DELAY_MS?: string;
  /**
   * Optional: origins (comma-separated, e.g. `https://rp.example,https://app.example`)
   * whose pages may call the API from a browser (CORS). Empty: same-origin only.
   */
  CORS_ORIGINS?: string;

  HPKE_KEYS: string;
  TEMPLATE_KEKS: string;
  ASSERTION_KEYS: string;

  /** Local development only: the private JWK of the dev token issuer (demo RP, `facegate token`). */
  DEV_ISSUER_KEY?: string;
}
