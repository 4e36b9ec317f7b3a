import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { FacegateApi } from "../../client/src/api/facegate-api.js";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { readImageFile } from "../../client/src/image/decode-node.js";
import { loadNodePipeline } from "../../client/src/pipeline/load/load-node.js";
import { ACTION_MESSAGES } from "../../client/src/pipeline/active/capture.js";
import type { LivenessAction } from "../../src/protocol/liveness.js";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { REPO } from "../../scripts/lib/shared-data.js";
import { launchChromium, tempDir } from "../../scripts/lib/chromium.js";
import { cameraFromClip } from "../../scripts/lib/fake-camera.js";
import { finalStatus, openPage, shot } from "./support/demo.js";

/**
 * The active liveness challenge end to end in Chromium with the fake
 * camera: the server picks the action (each tenant here allows one, so the
 * test knows which), the SDK guides and measures, the vault decides. Real
 * clips and stills from ../shared/data/video; the enrolled template is a
 * frame of the same clip outside the captured part, computed in Node.
 */
const VIDEO = join(REPO, "../shared/data/video");
const POLICIES = JSON.stringify({
  // The demo's tenant: its sign-in page may ask for an active challenge (a checkbox); blink only here.
  default: { liveness: { level: "off", actions: ["blink"] } },
  blinkers: { liveness: { level: "off", actions: ["blink"] } },
  turners: { liveness: { level: "off", actions: ["turn-right-left"] } },
});

describe.skipIf(!existsSync(VIDEO))("active liveness in Chromium", () => {
  let server: DevServer;
  let mint: (sub: string, tenant: string) => Promise<string>;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer({ vars: { TENANT_POLICIES: POLICIES } });
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    mint = (sub, tenant) => mintDevToken(issuer, { sub, tenant, scope: "face:enroll face:verify face:read", clientId: "liveness-test", ttlSeconds: 600 });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** Enrolls `subject` from one frame of `clip` at `at` seconds (Node pipeline, as a sign-up would). */
  async function enrollFrom(subject: string, tenant: string, clip: string, at: number): Promise<void> {
    const still = join(tempDir("facegate-enrol-"), "frame.png");
    const seek = /\.(jpe?g|png)$/i.test(clip) ? [] : ["-ss", String(at)];
    spawnSync("ffmpeg", ["-v", "error", ...seek, "-i", join(VIDEO, clip), "-frames:v", "1", "-y", still]);
    const pipe = await loadNodePipeline({ modelsDir: join(REPO, "models") });
    const embedding = (await pipe.analyze(await readImageFile(still))).embedding;
    await pipe.dispose();
    const api = new FacegateApi({ baseUrl: server.url, getToken: () => mint(subject, tenant) });
    await api.grantConsent(subject, "2026-11");
    await api.enrollEmbedding(subject, "fr512-v1", embedding);
  }

  /** Verifies in the page through the SDK with an active challenge; the prompts it showed and the outcome. */
  async function verifyInPage(page: Page, subject: string, token: string) {
    await openPage(page, `${server.url}/demo/?ep=wasm`);
    return page.evaluate(
      async ({ subject, token }) => {
        const { client, useToken } = (
          globalThis as unknown as {
            facegate: { client: import("../../client/src/index.js").FaceClient; useToken: (t: string) => void };
          }
        ).facegate;
        useToken(token);
        await client.loadModels();
        const video = document.createElement("video");
        video.muted = true;
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        await video.play();
        const prompts: string[] = [];
        try {
          const r = await client.verify(subject, video, {
            liveness: "active",
            onGuidance: (g) => prompts.push(g.code === "action" ? `action:${g.message}` : g.code),
          });
          return { match: r.match, acr: JSON.parse(atob(r.assertion!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")))["acr"] as string, prompts };
        } catch (e) {
          // details: how many frames were analysed and the longest wait between two (what a loaded machine shows).
          const { name, reason, details } = e as { name: string; reason?: string; details?: unknown };
          return { error: name, reason, details, prompts };
        }
      },
      { subject, token },
    );
  }

  async function run(camera: string, subject: string, tenant: string) {
    const { browser, context } = await launchChromium({ camera });
    try {
      const page = await context.newPage();
      const out = await verifyInPage(page, subject, await mint(subject, tenant));
      await shot(page, `liveness-${subject}`);
      return out;
    } finally {
      await browser.close();
    }
  }

  const cases: [string, LivenessAction, string, string, number, number, number][] = [
    // name, action, tenant, clip, capture from (s), capture length (s), enrolment frame (s)
    ["a live blink", "blink", "blinkers", "liveportrait_d9.mp4", 0, 4, 8],
    // From 5 s: 1.85 s facing the camera before the turn, so the capture may begin up to that late
    // after the camera opened (a loaded machine) and still see the turn from its start, as the SDK
    // needs; the person faces the camera again about 7 s in, inside the SDK's 8 s budget (measured
    // in Chromium here with three busy processes beside it: the action seen 6.8-7.0 s after the
    // video started playing). From 6 s, as before, 0.8 s was all the slack at the start.
    ["a live head turn, right then left", "turn-right-left", "turners", "anit-spoofing_real.webm", 5, 8.3, 2],
  ];
  for (const [name, action, tenant, clip, from, seconds, enrolAt] of cases) {
    it(`${name} passes the challenge and signs in; the assertion says active`, async () => {
      const subject = `live-${action}`;
      await enrollFrom(subject, tenant, clip, enrolAt);
      const out = await run(cameraFromClip(join(VIDEO, clip), from, seconds), subject, tenant);
      expect(out).toMatchObject({ match: true, acr: "urn:facegate:liveness:active" });
      // The user was told the action, then that it was seen, through the same guidance channel as the quality hints.
      expect(out.prompts).toEqual([`action:${ACTION_MESSAGES[action]}`, "action-seen", "sending"]);
    }, 240_000);
  }

  it("the demo page: its checkbox asks for an active challenge, <facegate-verify> says the action in its live region, and the user is signed in", async () => {
    const subject = "demo-blinker";
    await enrollFrom(subject, "default", "liveportrait_d9.mp4", 8);
    const { browser, context } = await launchChromium({ camera: cameraFromClip(join(VIDEO, "liveportrait_d9.mp4"), 0, 4) });
    try {
      const page = await context.newPage();
      await openPage(page, `${server.url}/demo/?ep=wasm#/signin`);
      await page.fill("#signin-username", subject);
      await page.check("#signin-active");
      await page.click("#signin-continue");
      await page.waitForSelector("#signin-capture [part=action]:not([disabled])", { timeout: 180_000 });
      // Everything the live region (role=status, aria-live=polite) said from here on.
      await page.evaluate(() => {
        const region = document.querySelector("#signin-capture")!.shadowRoot!.querySelector("[part=guidance]")!;
        const said: string[] = [];
        (globalThis as unknown as { said: string[] }).said = said;
        new MutationObserver(() => said.push(region.textContent ?? "")).observe(region, { childList: true, characterData: true, subtree: true });
      });
      await page.click("#signin-capture [part=action]");
      expect(await finalStatus(page)).toBe(`Signed in as ${subject} (face)`);
      const said = await page.evaluate(() => (globalThis as unknown as { said: string[] }).said);
      await shot(page, "liveness-demo-signin");
      expect(said).toContain(ACTION_MESSAGES.blink);
      expect(said.indexOf(ACTION_MESSAGES.blink)).toBeLessThan(said.lastIndexOf("Thank you: hold still…"));
    } finally {
      await browser.close();
    }
  }, 300_000);

  for (const [name, still] of [
    ["a printed photo", "silent-face_image_F1_print.jpg"],
    ["a tablet showing a photo", "silent-face_image_F2_tablet-replay.jpg"],
  ] as const) {
    it(`${name} does not blink on command: the SDK sends nothing, no attempt is spent`, async () => {
      const subject = `still-${still.slice(18, 20)}`;
      await enrollFrom(subject, "blinkers", still, 0);
      const out = await run(cameraFromClip(join(VIDEO, still), 0, 1), subject, "blinkers");
      expect(out).toMatchObject({ error: "LivenessError", reason: "action-not-shown" });
      // Nothing reached the vault: no failed attempt counted, no challenge consumed.
      const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
      const admin = await mintDevToken(issuer, { sub: "ops", tenant: "blinkers", scope: "face:admin" });
      const res = await fetch(`${server.url}/v1/admin/subjects/${subject}/integrity-check`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
      expect(await res.json()).toMatchObject({ failures: 0, challengesConsumed: 1 });
    }, 240_000);
  }
});
