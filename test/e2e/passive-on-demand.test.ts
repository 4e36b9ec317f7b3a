import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { ApiError } from "../../client/src/errors.js";
import { createFaceClient } from "../../client/src/node.js";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";

/**
 * A tenant whose policy asks every verify for passive liveness, and an app
 * that created its client without `pad` (the default, so that sign-ins
 * elsewhere never download the PAD model): the SDK loads the PAD model on
 * that first verify and sends its score, instead of failing. The worker is
 * wrangler dev; the models and photos are real.
 */
describe("passive liveness asked by the tenant, PAD loaded on demand", () => {
  let server: DevServer;
  let token: (sub: string) => Promise<string>;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer({ vars: { TENANT_POLICIES: JSON.stringify({ strict: { liveness: { level: "passive" } } }) } });
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    token = (sub) => mintDevToken(issuer, { sub, tenant: "strict", scope: "face:enroll face:verify face:read", clientId: "passive-test" });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("a client created without pad verifies with a PAD score: the server decides on it (a match says passive)", async () => {
    const client = createFaceClient({ baseUrl: server.url, getToken: () => token("dana") });
    await client.grantConsent("dana", "2026-11");
    await client.enroll("dana", face("obama/obama_1.jpg"));
    // Loaded without PAD: the enrollment's embedding carried no PAD score.
    expect((await client.embed(face("obama/obama_1.jpg"))).pad).toBeNull();
    const outcome = await client.verify("dana", face("obama/obama_2.jpg")).then(
      (r) => ({ match: r.match, acr: r.assertion ? JSON.parse(Buffer.from(r.assertion.split(".")[1]!, "base64url").toString())["acr"] : null }),
      (e: unknown) => ({ refused: e instanceof ApiError ? e.code : String(e) }),
    );
    // Either way the verify reached the vault with evidence (no LivenessError on the device):
    // a match whose assertion says passive, or the server's own liveness refusal.
    console.log("passive verify of obama_2:", JSON.stringify(outcome));
    expect([{ match: true, acr: "urn:facegate:liveness:passive" }, { refused: "liveness-failed" }]).toContainEqual(outcome);
  }, 300_000);
});
