import type { Env } from "../../src/env.js";
import type { MeteredSubjectVault } from "./vault.js";

/**
 * GET /demo/meter/{tenant}/{subject}: what that subject's vault counted since
 * the last reading (demo/meter/vault.ts), for `npm run cost`. Answers only
 * when the dev server runs with FACEGATE_METER=1; otherwise the request goes
 * on to the app (which answers 404). Dev worker only, loopback only.
 */
export function meterRoute(req: Request, env: Env & { FACEGATE_METER?: string }): Promise<Response> | null {
  const m = /^\/demo\/meter\/([^/]+)\/([^/]+)$/.exec(new URL(req.url).pathname);
  if (!m || req.method !== "GET" || env.FACEGATE_METER !== "1") return null;
  const name = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
  const vault = env.VAULT.get(env.VAULT.idFromName(name)) as unknown as DurableObjectStub<MeteredSubjectVault>;
  return vault.meterReading().then((reading) => Response.json(reading));
}
