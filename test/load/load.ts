/**
 * `npm run load`: mixed traffic (enroll, verify match, verify no-match,
 * delete) against the real worker started as `npm start` does, then the
 * checks: zero 5xx, p50/p99 per request kind, every acknowledged enrollment
 * present, no acknowledged delete left anything behind, every acknowledged
 * write audited, and the two concurrency properties on wrangler dev.
 *
 *   npm run load -- --connections 32 --duration 30 --subjects 4
 *
 * Exits 1 if any check fails.
 */
import { fmt } from "../../bench/lib/stats.js";
import { latencyTable, loadScenario } from "./lib/scenario.js";
import { parseCommandLine } from "../../scripts/lib/command-line.js";

const values = parseCommandLine({
  command: "npm run load",
  summary: "Mixed traffic against the real worker, then the checks (no 5xx, acknowledged writes present and audited, concurrency); exit 1 if any fails.",
  options: {
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "30" },
    subjects: { type: "string", default: "4" },
  },
  help: { connections: "concurrent connections", duration: "seconds of traffic", subjects: "subjects per connection" },
});

const report = await loadScenario({
  connections: Number(values.connections),
  durationMs: Number(values.duration) * 1000,
  subjectsPerConnection: Number(values.subjects),
  log: (line) => console.error(line),
});

const t = report.traffic;
console.log(latencyTable(t));
console.log(`\n${t.total.count} requests in ${fmt(t.seconds)} s (${fmt(t.requestsPerSecond)} req/s); statuses ${JSON.stringify(t.statuses)}; 5xx: ${t.fiveXx}`);
console.log(
  `concurrency: 50 wrong verifies -> ${JSON.stringify(report.concurrency.lockout.answered)} ` +
    `(attemptsRemaining ${report.concurrency.lockout.attemptsRemaining.join(",")}); ` +
    `20 uses of one challenge -> ${JSON.stringify(report.concurrency.singleUse.answered)}`,
);
console.log(
  `state: ${report.state.subjects} subjects, ${report.state.ackedWrites} acknowledged writes, ` +
    `${report.state.auditRows} audit rows; violations: ${report.violations.length}`,
);
for (const v of report.violations.slice(0, 50)) console.log(`  - ${v}`);
process.exit(report.violations.length === 0 && t.fiveXx === 0 ? 0 : 1);
