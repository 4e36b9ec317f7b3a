import { createApp } from "../src/app.js";
import type { Env } from "../src/env.js";
import { scheduled } from "../src/scheduled.js";
import { demoRelyingParty, type DemoRpEnv } from "./rp/routes.js";
import { meterRoute } from "./meter/route.js";

/**
 * The local development worker (`npm start`: `wrangler dev --env dev`): the
 * facegate API exactly as in production, plus the demo relying party and its
 * dev token issuer under /demo/rp. It answers loopback requests only, and it
 * is never deployed: `wrangler deploy` builds src/index.ts, which does not
 * import this folder (a test checks the bundle).
 */
type DevEnv = Env & DemoRpEnv;

const app = createApp({ local: true });
app.route(
  "/demo/rp",
  demoRelyingParty(async (req, env) => app.fetch(req, env as DevEnv)),
);

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Whether a request reached us on loopback: the host it was sent to, and the peer when the runtime says. */
export function isLoopback(req: Request): boolean {
  const host = new URL(req.url).hostname;
  const peer = req.headers.get("CF-Connecting-IP");
  return LOOPBACK.has(host) && (peer === null || LOOPBACK.has(peer));
}

export default {
  fetch(req, env, ctx) {
    if (!isLoopback(req)) {
      return new Response(JSON.stringify({ type: "urn:facegate:demo:local-only", title: "The development worker answers on loopback only", status: 403 }), {
        status: 403,
        headers: { "Content-Type": "application/problem+json" },
      });
    }
    return meterRoute(req, env) ?? app.fetch(req, env, ctx);
  },
  scheduled,
} satisfies ExportedHandler<DevEnv>;

// The production vault, with an opt-in meter of its billable units (demo/meter, `npm run cost`).
export { MeteredSubjectVault as SubjectVault } from "./meter/vault.js";
export { DemoRpState } from "./rp/state.js";
