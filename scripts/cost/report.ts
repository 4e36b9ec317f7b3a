import { fmt, table } from "../../bench/lib/stats.js";
import type { AuditRetentionUnits, Measured, PhaseUnits } from "./measure.js";
import { costLine, monthlyBill, priceUnits, total, type Units } from "./price.js";
import { CLOUD_FACE_APIS, PRICES, PRICES_READ } from "./prices.js";

const MILLION = 1_000_000;

const UNIT_ROWS: [string, keyof Units, number][] = [
  ["worker requests", "workerRequests", 2],
  ["worker CPU ms (dev process group, upper bound)", "workerCpuMs", 2],
  ["Durable Object requests (RPC + alarms)", "doRequests", 2],
  ["Durable Object active seconds (estimate)", "doActiveSeconds", 4],
  ["Durable Object SQLite rows read", "doRowsRead", 1],
  ["Durable Object rows written (SQLite + setAlarm)", "doRowsWritten", 2],
  ["D1 rows read", "d1RowsRead", 1],
  ["D1 rows written", "d1RowsWritten", 2],
];

/** The report of `npm run cost`; its last line is `cost: $N.NN per million verifies`. */
export function report(m: Measured): string {
  const out: string[] = [];
  out.push(`Units per operation (measured; ${m.enroll.samples} enrollments, ${m.verify.samples} verifies):`);
  out.push(table([["unit", "per enrollment", "per verify"], ...UNIT_ROWS.map(([label, key, d]) => [label, fmt(m.enroll[key], d), fmt(m.verify[key], d)])]));
  const methods = (p: PhaseUnits) =>
    Object.entries(p.doRequestsByMethod)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${fmt(n, 2)}`)
      .join(", ");
  out.push(`Durable Object requests: enrollment ${methods(m.enroll)}; verify ${methods(m.verify)}`);
  out.push(
    `Included above: the later purge of the attempt's spent challenge (${m.purge.doRequests > 0 ? "by its own alarm" : "by the subject's next challenge"}): ${fmt(m.purge.doRequests, 0)} request, ` +
      `${fmt(m.purge.doRowsWritten, 2)} rows written (${fmt(m.purge.challengeRowsDeleted, 2)} deleting the challenge), ${fmt(m.purge.doRowsRead, 1)} rows read`,
  );
  const kept = (r: AuditRetentionUnits) => `${fmt(r.rowsDeleted, 2)} audit rows deleted, ${fmt(r.d1RowsWritten, 2)} D1 rows written`;
  out.push(
    `Included above: the audit retention's later deletion of the audit rows (AUDIT_RETENTION_DAYS on): enrollment ${kept(m.auditRetention.enroll)}; verify ${kept(m.auditRetention.verify)}`,
  );
  out.push(`Outcomes: enrollment ${JSON.stringify(m.enroll.outcomes)}, verify ${JSON.stringify(m.verify.outcomes)}`);
  out.push("");
  const verify = priceUnits(m.verify, MILLION);
  out.push(`One million verifies at published prices (read ${PRICES_READ}; monthly included amounts not deducted):`);
  out.push(
    table([
      ["term", "quantity", "unit", "USD"],
      ...verify.map((l) => [l.item, fmt(l.quantity, 0), l.unit, fmt(l.usd, 2)]),
      ["total", "", "", fmt(total(verify), 2)],
    ]),
  );
  out.push(`One million enrollments: $${fmt(total(priceUnits(m.enroll, MILLION)), 2)}`);
  out.push(
    `A month of one million verifies as an account's only use of the Workers Paid plan ($5 minimum, whose included amounts cover most of it): $${fmt(monthlyBill(verify), 2)}`,
  );
  out.push("");
  out.push("The same million comparisons elsewhere (one probe against one enrolled face):");
  out.push(
    table([
      ["service", "USD per million"],
      ["facegate on Cloudflare (this run)", fmt(total(verify), 2)],
      ...CLOUD_FACE_APIS.map((c) => [c.name, c.usdPerComparison === null ? "not found" : fmt(c.usdPerComparison * MILLION, 2)]),
    ]),
  );
  for (const c of CLOUD_FACE_APIS) out.push(`- ${c.name}: ${c.source}; ${c.note}`);
  out.push("");
  out.push("Prices:");
  for (const [name, p] of Object.entries(PRICES)) out.push(`- ${name}: $${p.usd} per ${p.per}${"note" in p ? ` (${p.note})` : ""}; ${p.source}`);
  out.push(costLine(total(verify)));
  return out.join("\n");
}
