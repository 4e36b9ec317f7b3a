import { describe, expect, it } from "vitest";
import { loadScenario } from "./lib/scenario.js";

/**
 * The short, fixed-size form of `npm run load` (which runs 32 connections for
 * 30 s): same server start, same traffic mix, same checks. Starts its own
 * wrangler dev, so it runs alone (the Node project runs test/load files one
 * at a time) and takes about 15-25 s here.
 */
describe("load against the real worker (wrangler dev, as npm start runs it)", () => {
  it("mixed traffic gets no 5xx; acknowledged enrollments are all there, deletes leave nothing, every write is audited; concurrency is exact", async () => {
    const report = await loadScenario({ connections: 8, durationMs: 5000, subjectsPerConnection: 3 });

    expect(report.violations).toEqual([]);
    expect(report.traffic.fiveXx).toBe(0);
    expect(report.traffic.total.count).toBeGreaterThan(100);
    for (const kind of ["enroll", "verify-match", "verify-nomatch", "delete"]) {
      expect(report.traffic.rows.find((r) => r.kind === kind)?.count, kind).toBeGreaterThan(0);
    }
    expect(report.state.ackedWrites).toBeGreaterThan(0);
    expect(report.concurrency.lockout.answered).toEqual({ "200": 5, "429": 45 });
    expect(report.concurrency.lockout.attemptsRemaining).toEqual([0, 1, 2, 3, 4]);
    expect(report.concurrency.singleUse.answered).toEqual({ "200": 1, "409": 19 });
  }, 120_000);
});
