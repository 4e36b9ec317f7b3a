import { describe, expect, it } from "vitest";
import { loadDevIssuer } from "../../client/src/cli/dev-issuer.js";
import { measure } from "../../scripts/cost/measure.js";
import { startDevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { unitVector } from "../../scripts/lib/unit-vector.js";
import { MODEL_ID } from "../load/lib/client.js";

/**
 * `npm run cost`'s counter against the real dev worker with its vault meter
 * on, once, with two subjects: every count comes from the running system,
 * and each must be consistent with the code path it is counted on.
 */
describe("npm run cost: counting on the dev worker", () => {
  it("counts an enrollment's and a verify's requests, rows and D1 writes, and a server without the meter refuses to be read", async () => {
    ensureDevKeys();
    const issuer = loadDevIssuer()!;
    const face = unitVector();
    const server = await startDevServer({ vars: { FACEGATE_METER: "1" } });
    let m;
    try {
      m = await measure({
        url: server.url,
        issuer,
        pgid: null,
        modelId: MODEL_ID,
        subjects: 2,
        enrollEmbedding: face,
        verifyEmbeddings: [unitVector(face, 0.005 * Math.sqrt(512))],
        settleMs: 2500,
      });
    } finally {
      await server.stop();
    }
    expect(m.verify.outcomes).toEqual({ match: 2 });
    // The client sends consent + challenge + enroll, and challenge + verify.
    expect(m.enroll.workerRequests).toBe(3);
    expect(m.verify.workerRequests).toBe(2);
    // Each worker request that names a subject is one vault RPC, and the audit flush one alarm.
    expect(m.verify.doRequestsByMethod).toMatchObject({ issueChallenge: 1, verify: 1, alarm: 1 });
    expect(m.enroll.doRequestsByMethod).toMatchObject({ grantConsent: 1, issueChallenge: 1, enroll: 1 });
    // A verify writes (challenge, its consumption, the recent probe, its audit row) and flushes that one row to D1.
    expect(m.verify.doRowsWritten).toBeGreaterThanOrEqual(4);
    expect(m.verify.d1RowsWritten).toBeGreaterThanOrEqual(2);
    // One audit row per verify (its challenge has none of its own), two per enrollment (consent,
    // enroll), each deleted later by the audit retention, which is counted in.
    expect(m.auditRetention.verify.rowsDeleted).toBe(1);
    expect(m.auditRetention.enroll.rowsDeleted).toBe(2);
    expect(m.auditRetention.verify.d1RowsWritten).toBeGreaterThanOrEqual(1);
    expect(m.verify.doRowsRead).toBeGreaterThan(0);
    expect(m.enroll.d1RowsWritten).toBeGreaterThan(m.verify.d1RowsWritten);

    const plain = await startDevServer();
    try {
      expect((await fetch(`${plain.url}/demo/meter/default/anyone`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
