import { CLI_CLIENT_ID, DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { createFaceClient } from "../../client/src/node.js";
import { SCOPES } from "../../src/protocol/scopes.js";
import { REPO_ROOT } from "../../scripts/lib/dev-server.js";
import { join } from "node:path";

/**
 * Subjects to verify against, enrolled through the API from Node with dev
 * tokens (as `facegate consent` and `facegate enroll` do). One per browser
 * load: a second verify of the same fake-camera frames against one subject
 * would be refused as a replay of an accepted probe.
 */
export function subjectFactory(workerUrl: string, photo: string) {
  const issuer = loadDevIssuer(join(REPO_ROOT, DEV_VARS_FILE));
  if (!issuer) throw new Error(`no dev issuer in ${DEV_VARS_FILE}: run scripts/dev-keys.ts (npm start does)`);
  let token = "";
  const client = createFaceClient({ baseUrl: workerUrl, getToken: () => token });
  let n = 0;
  return {
    /** Enrolls a new subject and returns the query of a bench page that verifies it. */
    async next(extra: Record<string, string> = {}): Promise<string> {
      const subject = `bench-${++n}`;
      token = await mintDevToken(issuer, { sub: subject, scope: SCOPES.enroll, clientId: CLI_CLIENT_ID, ttlSeconds: 600 });
      await client.grantConsent(subject, "2026-11");
      await client.enroll(subject, photo);
      const verify = await mintDevToken(issuer, { sub: subject, scope: SCOPES.verify, clientId: CLI_CLIENT_ID, ttlSeconds: 600 });
      return new URLSearchParams({ subject, token: verify, nonce: `n${Date.now()}-${n}`, ...extra }).toString();
    },
  };
}
