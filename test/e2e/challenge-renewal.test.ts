import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { createFaceClient } from "../../client/src/node.js";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";

/**
 * A device slower than the tenant's challenge TTL (a software GPU adapter in
 * CI took longer than 120 s for one sign-in): the challenge fetched before the
 * capture has expired when the envelope arrives. The SDK fetches a fresh one
 * and sends the same capture again, once; the expired one cost no attempt.
 * Here the TTL is 1 s and the token source stalls the send past it, so the
 * expiry is certain rather than timed. The worker is wrangler dev.
 */
describe("a challenge that expired during the capture is renewed once by the SDK", () => {
  let server: DevServer;
  let mint: (sub: string) => Promise<string>;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer({ vars: { CHALLENGE_TTL_SECONDS: "1" } });
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    mint = (sub) => mintDevToken(issuer, { sub, tenant: "default", scope: "face:enroll face:verify face:read", clientId: "renewal-test" });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("enroll and verify are sent with a second challenge; the expired one spends no attempt", async () => {
    let calls = 0;
    let stallOn = -1;
    const getToken = async () => {
      calls += 1;
      if (calls === stallOn) await new Promise((r) => setTimeout(r, 2_200));
      return mint("erin");
    };
    const client = createFaceClient({ baseUrl: server.url, getToken });
    await client.grantConsent("erin", "2026-11");

    // Token calls of an enroll: 1 the challenge, 2 the envelope (stalled: the challenge expires),
    // 3 a fresh challenge, 4 the envelope again.
    stallOn = calls + 2;
    const enrolled = await client.enroll("erin", face("obama/obama_1.jpg"));
    expect(enrolled.templateId).toMatch(/\S/);
    expect(calls - (stallOn - 2)).toBe(4);

    // Another person's face, sent late: one failure is counted (the fresh challenge's), not two.
    let before = calls;
    stallOn = before + 2;
    const refused = await client.verify("erin", face("biden/biden_1.jpg"));
    expect(calls - before).toBe(4);
    expect(refused).toMatchObject({ match: false, attemptsRemaining: 4 });

    before = calls;
    stallOn = before + 2;
    const verified = await client.verify("erin", face("obama/obama_2.jpg"));
    expect(calls - before).toBe(4);
    expect(verified.match).toBe(true);
    expect(verified.assertion).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  }, 300_000);
});
