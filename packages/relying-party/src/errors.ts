/**
 * Why an assertion was refused. Stable: switch on `code`, log `message`.
 * - `malformed`: not a compact JWS/JWT;
 * - `algorithm`: not EdDSA (the only algorithm facegate signs with);
 * - `signature`: no key of the JWKS verifies it (unknown `kid`, forged, altered);
 * - `jwks-unavailable`: the JWKS could not be fetched or is not a JWKS;
 * - `claims-missing`: a required claim is absent (exp, iat, jti, nonce, amr, auth_time, tenant, sub);
 * - `issuer`, `audience`, `subject`, `tenant`, `nonce`, `amr`: that claim is not the expected one;
 * - `expired`: past `exp`; `too-old`: `iat` older than maxAgeSeconds; `not-yet-valid`: `iat`/`nbf` in the future;
 * - `replayed`: this `jti` was accepted before (the store said so);
 * - `replay-store`: the replay store failed, so single use could not be checked.
 */
export type FaceAssertionErrorCode =
  | "malformed"
  | "algorithm"
  | "signature"
  | "jwks-unavailable"
  | "claims-missing"
  | "issuer"
  | "audience"
  | "subject"
  | "tenant"
  | "nonce"
  | "amr"
  | "expired"
  | "too-old"
  | "not-yet-valid"
  | "replayed"
  | "replay-store";

export class FaceAssertionError extends Error {
  override name = "FaceAssertionError";
  constructor(
    readonly code: FaceAssertionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
