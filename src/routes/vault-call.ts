import type { Context } from "hono";
import { assertMayActOn } from "../auth/index.js";
import { requireAcceptedPipeline, requireEmbeddingModel } from "../config/models.js";
import { tenantPolicy } from "../config/tenants.js";
import { holdsEnvelopeKey } from "../crypto/envelope-keys.js";
import { ProblemError } from "../errors/problem-error.js";
import type { AppEnv } from "../context.js";
import type { EnvelopeT } from "../protocol/schemas.js";
import { vaultFor } from "../vault/address.js";
import type { Actor, AttemptInput, Refusal } from "../vault/types.js";

/** Who is calling, for the audit row the vault appends with its decision. */
export function actorOf(c: Context<AppEnv>): Actor {
  const principal = c.get("principal");
  return { sub: principal.sub, clientId: principal.clientId ?? null, requestId: c.get("requestId") };
}

/** A vault refusal as the API error the client sees (refusals cross the RPC as values: errors lose their class). */
export function refusalError(r: Refusal): ProblemError {
  const ext: Record<string, unknown> = {};
  if (r.retryAfter !== undefined) ext["retryAfter"] = r.retryAfter;
  if (r.attemptsRemaining !== undefined) ext["attemptsRemaining"] = r.attemptsRemaining;
  return new ProblemError(r.code, undefined, ext);
}

/**
 * Awaits a vault RPC and notes that the vault audits the request itself
 * (success or refusal; a challenge when its life ends, challenges.ts), so the
 * audit middleware does not write a second row.
 * If the RPC throws, nothing was committed and the middleware records the error.
 */
export async function vaultCall<P extends PromiseLike<unknown>>(c: Context<AppEnv>, rpc: P): Promise<Awaited<P>> {
  const result = await rpc;
  c.get("audit").recorded = true;
  return result;
}

/**
 * The checks shared by enroll and verify before the vault is called: the
 * caller may act on the subject, the model is one the manifest knows, and the
 * envelope names a key we hold (refused here, so an envelope for a key we
 * never held does not spend the challenge). Returns the vault and its input.
 */
export function envelopeAttempt(
  c: Context<AppEnv>,
  subjectId: string,
  body: { challengeId: string; modelId: string; pipelineVersion?: string | undefined; envelope: EnvelopeT; webauthn?: AttemptInput["webauthn"] },
) {
  const principal = c.get("principal");
  assertMayActOn(principal, subjectId);
  const model = requireEmbeddingModel(body.modelId);
  const policy = tenantPolicy(c.env, principal.tenant);
  // Before the vault is reached: a refused pipeline opens, counts and spends nothing.
  requireAcceptedPipeline(model, policy.pipelines, body.pipelineVersion);
  if (!holdsEnvelopeKey(c.env, body.envelope.kid)) throw new ProblemError("envelope-key-unknown");
  const input: AttemptInput = {
    tenant: principal.tenant,
    subjectId,
    actor: actorOf(c),
    challengeId: body.challengeId,
    modelId: model.id,
    envelope: body.envelope,
    device: policy.device,
    ...(body.webauthn ? { webauthn: body.webauthn } : {}),
  };
  return { principal, model, input, vault: vaultFor(c.env, principal.tenant, subjectId) };
}
