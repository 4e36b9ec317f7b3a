import { env } from "cloudflare:workers";
import { importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { ISSUER_KEYS } from "../../fixtures/keys.js";

export type IssuerKey = keyof typeof ISSUER_KEYS;

export interface TokenOptions {
  sub?: string;
  scope?: string;
  /** Extra or overriding claims; `undefined` removes a default claim. */
  claims?: Record<string, unknown>;
  /** Which fixture key signs (default `ed`, trusted). */
  key?: IssuerKey;
  /** Overrides of the protected header (e.g. another kid). */
  header?: Record<string, unknown>;
  /** Lifetime in seconds from now (default 300). */
  ttl?: number;
  /** Critical header parameters the *signer* treats as understood (to mint a token the server must refuse). */
  crit?: Record<string, boolean>;
}

const ALG: Record<IssuerKey, string> = { ed: "EdDSA", es: "ES256", rs: "RS256", stranger: "EdDSA", impostor: "EdDSA" };

/** The relying party test tokens name (`azp`): the audience of the assertions they get. */
export const TEST_CLIENT_ID = "rp-test";

/** Claims of a token minted right after a strong authentication at the RP (the default step-up policy). */
export function stepUpClaims(ageSeconds = 0): Record<string, unknown> {
  return { acr: "urn:facegate:acr:step-up", auth_time: Math.floor(Date.now() / 1000) - ageSeconds };
}

/** A token from the test issuer (or a key it does not trust), valid by default. */
export async function mintToken(opts: TokenOptions = {}): Promise<string> {
  const keyName = opts.key ?? "ed";
  const jwk = ISSUER_KEYS[keyName] as unknown as JWK;
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = {
    iss: env.AUTH_ISSUER,
    aud: env.AUTH_AUDIENCE,
    sub: opts.sub ?? "alice",
    scope: opts.scope ?? "face:enroll face:verify face:read face:delete",
    azp: TEST_CLIENT_ID,
    iat: now,
    exp: now + (opts.ttl ?? 300),
  };
  for (const [k, v] of Object.entries(opts.claims ?? {})) {
    if (v === undefined) delete payload[k];
    else payload[k] = v;
  }
  const key = await importJWK(jwk, ALG[keyName]);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALG[keyName]!, kid: jwk.kid!, typ: "JWT", ...opts.header })
    .sign(key, opts.crit ? { crit: opts.crit } : undefined);
}

/** A token for `sub` with exactly these scopes. */
export function tokenFor(sub: string, scope: string, claims: Record<string, unknown> = {}): Promise<string> {
  return mintToken({ sub, scope, claims });
}

export const ALL_SCOPES = "face:enroll face:verify face:read face:delete";
