import type { Env } from "../env.js";
import { ApiError } from "../errors/api-error.js";
import type { Refusal } from "./types.js";

/**
 * The vault of one (tenant, subject). Both patterns exclude `/`, so the name
 * is unambiguous, and the tenant partitions every subject's state.
 */
export function vaultFor(env: Env, tenant: string, subjectId: string) {
  return env.VAULT.get(env.VAULT.idFromName(`${tenant}/${subjectId}`));
}

/** A vault refusal as the API error the client sees. */
export function refusalError(r: Refusal): ApiError {
  const ext: Record<string, unknown> = {};
  if (r.retryAfter !== undefined) ext["retryAfter"] = r.retryAfter;
  if (r.attemptsRemaining !== undefined) ext["attemptsRemaining"] = r.attemptsRemaining;
  return new ApiError(r.code, undefined, ext);
}
