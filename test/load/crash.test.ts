import { describe, expect, it } from "vitest";
import { crashScenario } from "./lib/scenario.js";

/**
 * The short, fixed-size form of `npm run crash-test`: kill -9 of the whole
 * wrangler dev process group under mixed traffic, a restart on the same
 * state directory, the survivors checked through the API and the D1 audit
 * log, then traffic again. About 20-30 s here.
 */
describe("crash: kill -9 in the middle of a load run, then restart on the same state", () => {
  it("every acknowledged write survived, nothing half-written is visible, and the server serves again", async () => {
    const report = await crashScenario({
      connections: 8,
      durationMs: 30_000,
      killAfterMs: 4000,
      afterMs: 3000,
      subjectsPerConnection: 3,
    });

    expect(report.violations).toEqual([]);
    expect(report.beforeKill.fiveXx).toBe(0);
    expect(report.survivors.ackedWrites).toBeGreaterThan(0);
    expect(report.survivors.subjects).toBe(24);
    expect(report.afterRestart.fiveXx).toBe(0);
    expect(report.afterRestart.total.count).toBeGreaterThan(0);
  }, 120_000);
});
