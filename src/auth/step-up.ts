import type { Principal } from "../context.js";
import type { AddTemplatePolicy } from "../config/tenants.js";
import { CLOCK_TOLERANCE_SECONDS } from "./verify-token.js";

/**
 * Whether the access token shows the recent strong authentication a tenant
 * asks for before a template is added to a subject that already has one
 * (RFC 9470 step-up): `auth_time` at most `maxAuthAgeSeconds` ago (and not in
 * the future), and an `acr` the policy lists. A relying party that lets a
 * borrowed, unlocked session add a face would otherwise let anyone with the
 * victim's photo and their own face bridge into the account.
 */
export function stepUpSatisfied(principal: Principal, policy: AddTemplatePolicy, nowSeconds: number): boolean {
  const { authTime, acr } = principal;
  if (authTime === undefined || acr === undefined || !policy.acr.includes(acr)) return false;
  const age = nowSeconds - authTime;
  return age <= policy.maxAuthAgeSeconds + CLOCK_TOLERANCE_SECONDS && age >= -CLOCK_TOLERANCE_SECONDS;
}
