import type { Env } from "../env.js";

/**
 * The vault of one (tenant, subject). Both patterns exclude `/`, so the name
 * is unambiguous, and the tenant partitions every subject's state.
 */
export function vaultFor(env: Env, tenant: string, subjectId: string) {
  return env.VAULT.get(env.VAULT.idFromName(`${tenant}/${subjectId}`));
}
