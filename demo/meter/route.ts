import { purgeAuditLog } from "../../src/audit/audit-log.js";
import { policyOf } from "../../src/config/policy.js";
import type { Env } from "../../src/env.js";
import type { MeteredSubjectVault } from "./vault.js";

/**
 * GET /demo/meter/{tenant}/{subject}: what that subject's vault counted since
 * the last reading (demo/meter/vault.ts), for `npm run cost`; POST
 * .../later?ms=N runs the housekeeping it would run N ms from now; POST
 * /demo/meter/audit-retention deletes the audit log as its retention will,
 * and says what D1 counted for it. Answers only
 * when the dev server runs with FACEGATE_METER=1; otherwise the request goes
 * on to the app (which answers 404). Dev worker only, loopback only.
 */
export function meterRoute(req: Request, env: Env & { FACEGATE_METER?: string }): Promise<Response> | null {
  const url = new URL(req.url);
  // POST /demo/meter/audit-retention: the audit log's retention run as it will be once every row
  // now in it is past AUDIT_RETENTION_DAYS (it deletes them all: the cost run's own local D1).
  if (url.pathname === "/demo/meter/audit-retention" && req.method === "POST" && env.FACEGATE_METER === "1") {
    const days = policyOf(env).auditRetentionDays;
    return purgeAuditLog(env.DB, Date.now() + (days + 1) * 86_400_000, days).then((r) => Response.json(r));
  }
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
