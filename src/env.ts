import type { SubjectVault } from "./vault/subject-vault.js";

/**
 * Bindings and configuration of the worker (wrangler.toml [vars], secrets,
 * D1 and the Durable Object namespace). Secrets are JSON strings so that
 * several versions of each key can be live during a rotation:
 *
 * - HPKE_KEYS: `[{ "kid": "...", "privateKey": "<base64url 32-byte X25519 secret>" }, ...]`;
 *   the first is advertised for new challenges, the others still open
 *   envelopes for challenges that name them.
 * - TEMPLATE_KEKS: `[{ "version": 2, "key": "<base64url 32 bytes>" }, ...]`:
 *   root keys that wrap the key epochs (src/crypto/key-epochs.ts, in D1);
 *   the first wraps, older versions still unwrap (the cron rewraps the epochs
 *   under the first).
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

  /** Optional: oldest `iat` and longest lifetime of an access token (default 3600). */
  AUTH_MAX_TOKEN_AGE_SECONDS?: string;
  /** Optional: `at+jwt` to accept only RFC 9068 access tokens (default `any`). */
  AUTH_TOKEN_TYPE?: string;

  ASSERTION_ISSUER: string;
  ASSERTION_TTL_SECONDS: string;

  CHALLENGE_TTL_SECONDS: string;
  LOCKOUT_MAX_FAILURES: string;
  LOCKOUT_WINDOW_SECONDS: string;
  LOCKOUT_DURATION_SECONDS: string;
  /** Optional lockout escalation (src/vault/lockout.ts): factor, longest lock, daily limit. */
  LOCKOUT_ESCALATION?: string;
  LOCKOUT_MAX_DURATION_SECONDS?: string;
  LOCKOUT_DAILY_FAILURES?: string;
  RETENTION_DAYS: string;
  /** Optional: days an audit row is kept (default 400). */
  AUDIT_RETENTION_DAYS?: string;
  /** Optional: key epoch length and the wait before an old epoch is destroyed (default 7 and 2 days). */
  KEY_EPOCH_DAYS?: string;
  KEY_EPOCH_GRACE_DAYS?: string;
  /** Optional: per-tenant policy as JSON (src/config/tenants.ts). */
  TENANT_POLICIES?: string;
  /** Optional: the relying party's WebAuthn RP ID (a domain) and page origins (comma-separated), for passkeys. */
  WEBAUTHN_RP_ID?: string;
  WEBAUTHN_ORIGINS?: string;
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

  /** Caller rate limits (src/http/rate-limit.ts). */
  RL_ADDRESS: RateLimit;
  RL_TOKEN: RateLimit;
  RL_TENANT: RateLimit;

  /**
   * Local development only (the dev entry, demo/worker.ts): the private JWK of
   * the dev token issuer. The production worker refuses to run when it is set
   * (src/config/production-guard.ts).
   */
  DEV_ISSUER_KEY?: string;
}
