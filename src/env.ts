/**
 * Bindings and configuration of the worker. What wrangler.toml declares (its
 * [vars], D1, the Durable Object namespace, the rate limiters) and the secrets
 * named in .dev.vars.example are generated into src/worker-configuration.d.ts
 * by `npm run types:worker` (`wrangler types`; `npm run typecheck` fails when
 * it is stale). The [vars] are documented beside their values in
 * wrangler.toml. Written here by hand: the settings that are optional (not in
 * wrangler.toml, so `wrangler types` cannot see them) and the secrets' formats.
 *
 * Secrets are JSON strings so that several versions of each key can be live
 * during a rotation:
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
export type Env = Cloudflare.Env;

declare global {
  namespace Cloudflare {
    /** Optional settings: unset unless an operator sets them (a var or a secret). */
    interface Env {
      /** The token issuer's public JWKS inline (a secret), or AUTH_JWKS_URL. */
      AUTH_JWKS?: string;
      AUTH_JWKS_URL?: string;
      /** The relying party's WebAuthn RP ID (a domain) and page origins (comma-separated), for passkeys. */
      WEBAUTHN_RP_ID?: string;
      WEBAUTHN_ORIGINS?: string;
      /** Milliseconds a vault waits after a write before flushing its audit outbox (default 1000). */
      AUDIT_FLUSH_DELAY_MS?: string;
      /**
       * Local development only (the dev entry, demo/worker.ts): the private JWK of
       * the dev token issuer. The production worker refuses to run when it is set
       * (src/config/production-guard.ts).
       */
      DEV_ISSUER_KEY?: string;
    }
  }
}
