import { errors, jwtVerify, type JWTPayload } from "jose";
import type { Env } from "../env.js";
import type { Principal } from "../context.js";
import { policyOf } from "../config/policy.js";
import { ProblemError } from "../errors/problem-error.js";
import { DEFAULT_TENANT, TENANT_PATTERN } from "../protocol/ids.js";
import { tokenKeys } from "./token-keys.js";

/** Exactly these: asymmetric only, so a public key can never double as an HMAC secret. */
export const TOKEN_ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;
/** Issuer and worker clocks may disagree a little. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Far above any real access token; anything larger is refused before parsing. */
const MAX_TOKEN_CHARS = 8192;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const PRINTABLE = /^[\x21-\x7e]{1,256}$/;

/** RFC 9068 access tokens say `typ: at+jwt` (or its media type); plain JWTs say `JWT` or nothing. */
const AT_JWT = new Set(["at+jwt", "application/at+jwt"]);
const PLAIN_JWT = new Set(["jwt", "application/jwt"]);

/**
 * Verifies a bearer token and returns who it speaks for. Every failure is the
 * same 401 `invalid-token` with a terse detail, so the endpoint teaches an
 * attacker nothing about which check failed. The token is never logged.
 *
 * Beyond signature, algorithm, issuer, audience and expiry: `iat` is
 * required, at most AUTH_MAX_TOKEN_AGE_SECONDS old, and `exp - iat` may not
 * exceed it either (a ten-year token is refused however fresh); `typ` must be
 * `at+jwt` when AUTH_TOKEN_TYPE says so, else `at+jwt`, `JWT` or absent.
 */
export async function verifyBearer(env: Env, token: string): Promise<Principal> {
  if (token.length > MAX_TOKEN_CHARS || !JWS_COMPACT.test(token)) throw invalidToken();
  const keys = tokenKeys(env);
  const { maxTokenAgeSeconds, tokenType } = policyOf(env);
  let payload: JWTPayload;
  let typ: unknown;
  try {
    const verified = await jwtVerify(token, keys, {
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      algorithms: [...TOKEN_ALGORITHMS],
      requiredClaims: ["exp", "sub", "iat"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: maxTokenAgeSeconds,
    });
    payload = verified.payload;
    typ = verified.protectedHeader.typ;
  } catch (err) {
    // Client mistakes are not logged (they are the client's to debug and
    // would let anyone fill the logs); failures that point at our side are.
    if (!(err instanceof errors.JOSEError) || SERVER_SIDE.has(err.code)) {
      console.error(JSON.stringify({ auth: "token verification failed on our side", reason: errorCode(err) }));
    }
    throw invalidToken();
  }
  const t = typeof typ === "string" ? typ.toLowerCase() : typ === undefined ? undefined : null;
  const typeOk = t !== null && (AT_JWT.has(t ?? "") || (tokenType === "any" && (t === undefined || PLAIN_JWT.has(t))));
  if (!typeOk) throw invalidToken();
  if (payload.exp! - payload.iat! > maxTokenAgeSeconds + CLOCK_TOLERANCE_SECONDS) throw invalidToken();
  return principalOf(payload);
}

function principalOf(payload: JWTPayload): Principal {
  const { sub } = payload;
  if (typeof sub !== "string" || !PRINTABLE.test(sub)) throw invalidToken();

  const tenant = payload["tenant"] ?? DEFAULT_TENANT;
  if (typeof tenant !== "string" || !TENANT_PATTERN.test(tenant)) throw invalidToken();

  const scope = payload["scope"] ?? "";
  if (typeof scope !== "string" || scope.length > 2048) throw invalidToken();
  const scopes = new Set(scope.split(" ").filter((s) => s.length > 0));

  const azp = payload["azp"] ?? payload["client_id"];
  const clientId = typeof azp === "string" && PRINTABLE.test(azp) ? azp : undefined;

  // Step-up evidence (RFC 9470): when the user last authenticated, and how strongly.
  const authTime = payload["auth_time"];
  const acr = payload["acr"];

  return {
    sub,
    tenant,
    scopes,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(typeof authTime === "number" && Number.isFinite(authTime) ? { authTime } : {}),
    ...(typeof acr === "string" && PRINTABLE.test(acr) ? { acr } : {}),
  };
}

/** jose error codes that mean the issuer's keys could not be fetched, not that the token is bad. */
const SERVER_SIDE = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID"]);

function errorCode(err: unknown): string {
  return err instanceof errors.JOSEError ? err.code : err instanceof Error ? err.name : "unknown";
}

function invalidToken(): ProblemError {
  return new ProblemError("invalid-token", "The token could not be verified.");
}
