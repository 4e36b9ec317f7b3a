import type { Context } from "hono";
import type { AppEnv } from "../context.js";
import type { Actor } from "../vault/types.js";

/** Who is calling, for the audit row the vault appends with its decision. */
export function actorOf(c: Context<AppEnv>): Actor {
  const principal = c.get("principal");
  return { sub: principal.sub, clientId: principal.clientId ?? null, requestId: c.get("requestId") };
}

/**
 * Awaits a vault RPC and notes that the vault audited the request itself
 * (success or refusal), so the audit middleware does not write a second row.
 * If the RPC throws, nothing was committed and the middleware records the error.
 */
export async function vaultCall<P extends PromiseLike<unknown>>(c: Context<AppEnv>, rpc: P): Promise<Awaited<P>> {
  const result = await rpc;
  c.get("audit").recorded = true;
  return result;
}
