/**
 * `npm run crash-test`: mixed traffic against the real worker, `kill -9` of
 * its whole process group in the middle, a restart on the same state
 * directory, then: every acknowledged write survived, nothing half-written is
 * visible (a template without its key or that does not open, a consumed
 * challenge without its outcome, an outcome without its audit row, audit rows
 * that do not add up to the templates held), and the restarted server serves
 * traffic with zero 5xx.
 *
 *   npm run crash-test -- --connections 32 --duration 20 --kill-after 10 --after 5
 *
 * Exits 1 if any check fails.
 */
import { fmt } from "../../bench/lib/stats.js";
import { crashScenario, latencyTable } from "./lib/scenario.js";
import { parseCommandLine } from "../../scripts/lib/command-line.js";

const values = parseCommandLine({
  command: "npm run crash-test",
  summary:
    "Mixed traffic, kill -9 of the worker mid-way, a restart on the same state, then the checks (acknowledged writes survived, nothing half-written); exit 1 if any fails.",
  options: {
    connections: { type: "string", default: "32" },
    duration: { type: "string", default: "20" },
    "kill-after": { type: "string", default: "10" },
    after: { type: "string", default: "5" },
    subjects: { type: "string", default: "4" },
  },
  help: {
    connections: "concurrent connections",
    duration: "seconds the first traffic may run (the kill ends it)",
    "kill-after": "seconds of traffic before the kill",
    after: "seconds of traffic after the restart",
    subjects: "subjects per connection",
  },
});

const report = await crashScenario({
  connections: Number(values.connections),
  durationMs: Number(values.duration) * 1000,
  killAfterMs: Number(values["kill-after"]) * 1000,
  afterMs: Number(values.after) * 1000,
  subjectsPerConnection: Number(values.subjects),
  log: (line) => console.error(line),
});

console.log("before the kill:");
console.log(latencyTable(report.beforeKill));
console.log(`statuses ${JSON.stringify(report.beforeKill.statuses)} (0 = no answer: in flight at the kill); 5xx: ${report.beforeKill.fiveXx}`);
console.log(
  `\nrestart in ${fmt(report.restartedInMs / 1000)} s; ${report.survivors.subjects} subjects checked, ` +
    `${report.uncertain} with an unacknowledged operation, ${report.survivors.ackedWrites} acknowledged writes, ` +
    `${report.survivors.auditRows} audit rows`,
);
console.log("\nafter the restart:");
console.log(latencyTable(report.afterRestart));
console.log(`statuses ${JSON.stringify(report.afterRestart.statuses)}; 5xx: ${report.afterRestart.fiveXx}`);
console.log(`\nviolations: ${report.violations.length}`);
for (const v of report.violations.slice(0, 50)) console.log(`  - ${v}`);
process.exit(report.violations.length === 0 ? 0 : 1);
