import type { Env } from "../../src/env.js";
import type { MeteredSubjectVault } from "./vault.js";

/**
 * GET /demo/meter/{tenant}/{subject}: what that subject's vault counted since
 * the last reading (demo/meter/vault.ts), for `npm run cost`; POST
 * .../later?ms=N runs the housekeeping it would run N ms from now. Answers only
 * when the dev server runs with FACEGATE_METER=1; otherwise the request goes
 * on to the app (which answers 404). Dev worker only, loopback only.
 */
export function meterRoute(req: Request, env: Env & { FACEGATE_METER?: string }): Promise<Response> | null {
  const url = new URL(req.url);
  const m = /^\/demo\/meter\/([^/]+)\/([^/]+)(\/later)?$/.exec(url.pathname);
  if (!m || env.FACEGATE_METER !== "1") return null;
  const name = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
  const vault = env.VAULT.get(env.VAULT.idFromName(name)) as unknown as DurableObjectStub<MeteredSubjectVault>;
  if (!m[3] && req.method === "GET") return vault.meterReading().then((reading) => Response.json(reading));
  // POST .../later?ms=N: the vault's housekeeping as it would run N ms from now (see meterLater).
  const ms = Number(url.searchParams.get("ms"));
  if (m[3] && req.method === "POST" && Number.isInteger(ms) && ms > 0) return vault.meterLater(ms).then((by) => Response.json({ by }));
  return null;
}
