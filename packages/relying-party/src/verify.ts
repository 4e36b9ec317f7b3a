import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { FaceAssertionError, type FaceAssertionErrorCode } from "./errors.js";
import type { ReplayStore } from "./replay-store.js";

/**
 * What a relying party expects of a face assertion (docs/SECURITY.md, "What a
 * relying party checks"). Every member is required except where noted: an
 * assertion is believed only when all of them hold.
 */
export interface VerifyFaceAssertionOptions {
  /** facegate's ASSERTION_ISSUER, e.g. `https://faces.example.com`. */
  issuer: string;
  /** facegate's JWKS, `<issuer>/.well-known/jwks.json`; fetched once and cached (re-fetched for an unknown kid). */
  jwksUrl: string | URL;
  /** Your client id: the `azp` of the access token the browser used, which facegate signs as `aud`. */
  audience: string;
  /** The facegate tenant your users live in (`default` unless your tokens carry `tenant`). */
  tenant: string;
  /** The nonce your backend issued for this sign-in (single use, kept server-side). */
  nonce: string;
  /** Remembers accepted `jti`s until they expire: one assertion, one session. */
  replayStore: ReplayStore;
  /** The user who started signing in; recommended (otherwise check `sub` yourself). */
  subject?: string;
  /** Largest accepted age from `iat`, seconds. Default 300 (facegate's assertions live 120 s). */
  maxAgeSeconds?: number;
  /** Clock skew allowed on exp/iat, seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** The fetch used for the JWKS (a Workers service binding, a proxy); default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** The claims of an accepted face assertion. */
export interface FaceAssertion extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  tenant: string;
  nonce: string;
  /** Authentication methods: contains "face". */
  amr: string[];
  /** When the face was verified (Unix seconds). */
  auth_time: number;
  /** The face model that produced the embedding, e.g. `fr512-v1`. */
  model?: string;
}

const REQUIRED = ["exp", "iat", "jti", "nonce", "amr", "auth_time", "tenant", "sub"] as const;

// One remote key set per JWKS URL (and per custom fetch): jose caches the keys and
// refetches at most every 30 s when a token names a kid it does not know (key rotation).
const byFetch = new WeakMap<typeof fetch, Map<string, JWTVerifyGetKey>>();
const plain = new Map<string, JWTVerifyGetKey>();

function keySet(url: URL, fetchImpl: typeof fetch | undefined): JWTVerifyGetKey {
  let cache = plain;
  if (fetchImpl) {
    cache = byFetch.get(fetchImpl) ?? new Map();
    byFetch.set(fetchImpl, cache);
  }
  let set = cache.get(url.href);
  if (!set) {
    set = createRemoteJWKSet(url, {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
      ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
    });
    cache.set(url.href, set);
  }
  return set;
}

function claimCode(claim: string, reason: string): FaceAssertionErrorCode {
  if (reason === "missing") return "claims-missing";
  switch (claim) {
    case "iss":
      return "issuer";
    case "aud":
      return "audience";
    case "sub":
      return "subject";
    case "iat": // a JWTClaimValidationFailed on iat: in the future (too old is a JWTExpired, below)
    case "nbf":
      return "not-yet-valid";
    default:
      return "claims-missing";
  }
}

/** jose's error classes to our stable codes; crypto failures say little on purpose. */
function translate(e: unknown): FaceAssertionError {
  if (e instanceof FaceAssertionError) return e;
  if (e instanceof errors.JWTExpired) {
    // jose reports `iat` older than maxTokenAge as expired too; it is a different failure.
    return e.claim === "iat"
      ? new FaceAssertionError("too-old", "the assertion was issued too long ago", { cause: e })
      : new FaceAssertionError("expired", "the assertion has expired", { cause: e });
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    const code = claimCode(e.claim, e.reason);
    return new FaceAssertionError(code, `assertion claim "${e.claim}" ${e.reason === "missing" ? "is missing" : "is not the expected one"}`, { cause: e });
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return new FaceAssertionError("algorithm", "the assertion is not signed with EdDSA", { cause: e });
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return new FaceAssertionError("signature", "assertion signature verification failed", { cause: e });
  }
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || e instanceof errors.JOSENotSupported) {
    return new FaceAssertionError("jwks-unavailable", `the JWKS is unavailable or invalid: ${(e as Error).message}`, { cause: e });
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return new FaceAssertionError("malformed", "not a JWT", { cause: e });
  // A fetch that threw (offline, DNS) or answered an HTTP error.
  if (e instanceof TypeError || (e instanceof errors.JOSEError && e.code === "ERR_JOSE_GENERIC")) {
    return new FaceAssertionError("jwks-unavailable", `the JWKS could not be fetched: ${(e as Error).message}`, { cause: e });
  }
  return new FaceAssertionError("malformed", `the assertion could not be checked: ${(e as Error).message ?? String(e)}`, { cause: e });
}

/**
 * Checks a face assertion the way a relying party must before it opens a
 * session: EdDSA signature against facegate's JWKS, `iss`, `aud` (your client
 * id), `exp` and `iat` (fresh, not in the future), `sub`, `tenant`, your
 * login's `nonce`, `amr` containing "face", and single use of `jti`
 * (remembered by `replayStore` until `exp`). Throws FaceAssertionError with a
 * stable `code`; returns the claims.
 */
export async function verifyFaceAssertion(jwt: string, opts: VerifyFaceAssertionOptions): Promise<FaceAssertion> {
  for (const k of ["issuer", "audience", "tenant", "nonce"] as const) {
    if (typeof opts[k] !== "string" || opts[k] === "") throw new TypeError(`verifyFaceAssertion: options.${k} is required`);
  }
  if (!opts.replayStore || typeof opts.replayStore.firstUse !== "function") throw new TypeError("verifyFaceAssertion: options.replayStore is required");
  const jwks = keySet(new URL(opts.jwksUrl), opts.fetch);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, jwks, {
      algorithms: ["EdDSA"],
      issuer: opts.issuer,
      audience: opts.audience,
      ...(opts.subject === undefined ? {} : { subject: opts.subject }),
      requiredClaims: [...REQUIRED],
      maxTokenAge: opts.maxAgeSeconds ?? 300,
      clockTolerance: opts.clockToleranceSeconds ?? 5,
    }));
  } catch (e) {
    throw translate(e);
  }
  if (payload["tenant"] !== opts.tenant) throw new FaceAssertionError("tenant", "the assertion is for another tenant");
  if (payload["nonce"] !== opts.nonce) throw new FaceAssertionError("nonce", "the assertion's nonce is not this login's");
  const amr = payload["amr"];
  if (!Array.isArray(amr) || !amr.includes("face")) throw new FaceAssertionError("amr", "the assertion does not say a face was verified");
  let first: boolean;
  try {
    first = await opts.replayStore.firstUse(String(payload.jti), payload.exp! * 1000);
  } catch (e) {
    throw new FaceAssertionError("replay-store", `the replay store failed: ${(e as Error).message}`, { cause: e });
  }
  if (!first) throw new FaceAssertionError("replayed", "the assertion was used already");
  return payload as FaceAssertion;
}
