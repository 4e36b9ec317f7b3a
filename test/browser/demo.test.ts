import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face } from "../../scripts/lib/shared-data.js";
import { launchChromium } from "../../scripts/lib/chromium.js";
import { cameraFrom } from "../../scripts/lib/fake-camera.js";
import { finalStatus, openPage, shot } from "./support/demo.js";

/**
 * The consent-based login demo, end to end in Debian's Chromium with a fake
 * camera made of a photo: sign up, sign in, refusal, delete. The worker is
 * the real one (wrangler dev, as `npm start`); nothing is mocked.
 */
describe("demo: sign in with your face, in Chromium", () => {
  let server: DevServer;
  const open: { browser: Browser; context: BrowserContext }[] = [];

  async function pageWithCamera(photo: string, opts: { webgpu?: boolean } = {}): Promise<Page> {
    const launched = await launchChromium({ camera: await cameraFrom(face(photo)), ...opts });
    open.push(launched);
    const page = await launched.context.newPage();
    page.on("dialog", (d) => void d.accept());
    page.on("pageerror", (e) => console.error("page error:", e.message));
    return page;
  }

  /**
   * Runs one face step of the demo: username, then the SDK's element
   * (<facegate-enroll>: consent in its slot and the start button; <facegate-verify>
   * starts by itself) until its guidance says the face is usable, then its
   * action button. Returns the page's final status line. Playwright's CSS
   * selectors reach into the elements' open shadow roots.
   */
  async function faceStep(page: Page, view: "signup" | "signin", username: string, timeout = 180_000): Promise<string> {
    await page.fill(`#${view}-username`, username);
    await page.click(`#${view}-continue`);
    if (view === "signup") {
      await page.check("#consent-check");
      await page.click("#signup-capture [part=start]");
    }
    await page.waitForSelector(`#${view}-capture [part=action]:not([disabled])`, { timeout });
    await page.click(`#${view}-capture [part=action]`);
    return finalStatus(page, timeout);
  }

  async function closeAll(): Promise<void> {
    for (const { browser } of open.splice(0)) await browser.close();
  }

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer();
  }, 180_000);

  afterAll(async () => {
    await closeAll();
    await server?.stop();
  });

  it("signs up alice with consent, using obama_1 as the camera", async () => {
    const page = await pageWithCamera("obama/obama_1.jpg");
    const res = await openPage(page, `${server.url}/demo/#/signup`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The page may not be framed (a consent button under someone else's page) and runs only its own
    // scripts; the whole flow below runs under this policy.
    const csp = res!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(res!.headers()["x-frame-options"]).toBe("DENY");
    await page.fill("#signup-username", "alice");
    await page.click("#signup-continue");
    await page.waitForSelector("#signup-capture #consent-check");
    await shot(page, "01-signup-consent");
    // The policy must be accepted explicitly: the camera does not open before.
    expect(await page.isDisabled("#signup-capture [part=start]")).toBe(true);
    expect(await page.isVisible("#signup-capture [part=camera]")).toBe(false);
    await page.check("#consent-check");
    await page.click("#signup-capture [part=start]");
    await page.waitForSelector("#signup-capture [part=action]:not([disabled])", { timeout: 180_000 });
    expect(await page.textContent("#signup-capture [part=guidance]")).toMatch(/Face OK/);
    // The guidance is a polite live region, so a screen reader announces it.
    expect(await page.getAttribute("#signup-capture [part=guidance]", "aria-live")).toBe("polite");
    await shot(page, "02-signup-camera");
    await page.click("#signup-capture [part=action]");
    const status = await finalStatus(page);
    await shot(page, "03-signup-enrolled");
    expect(status).toMatch(/^Enrolled alice \(1 template\)/);
    expect(await page.textContent("#runtime")).toMatch(/Execution provider: WASM/);
    expect(await page.textContent("#timings")).toMatch(/detect [\d.]+ .*embed [\d.]+/);
    await closeAll();
  });

  it("signs alice in with obama_2: the relying party accepts the assertion", async () => {
    const page = await pageWithCamera("obama/obama_2.jpg");
    await openPage(page, `${server.url}/demo/#/signin`);
    const status = await faceStep(page, "signin", "alice");
    await shot(page, "04-signin-match");
    expect(status).toBe("Signed in as alice (face)");
    // The relying party's session is established (its own cookie, checked server-side).
    await openPage(page, `${server.url}/demo/#/`);
    await page.waitForSelector("#signed-in-banner:not([hidden])");
    expect(await page.textContent("#signed-in-banner")).toBe("Signed in as alice");
    await closeAll();
  });

  it("refuses biden_1 for alice and shows the attempts remaining", async () => {
    const page = await pageWithCamera("biden/biden_1.jpg");
    await openPage(page, `${server.url}/demo/#/signin`);
    const status = await faceStep(page, "signin", "alice");
    await shot(page, "05-signin-refused");
    expect(status).toBe("Face did not match. Attempts remaining: 4.");
    await closeAll();
  });

  it("signs in on WebGPU (SwiftShader) when forced, against a template enrolled on WASM", async () => {
    // Sign-up on WASM, sign-in on WebGPU: one pass of the pipeline on the software adapter (which
    // is 15-40x slower than WASM; both steps on it took 133 s of npm test), and a template made on
    // one execution provider must match a capture made on the other.
    const page = await pageWithCamera("obama/obama_3.jpg");
    await openPage(page, `${server.url}/demo/#/signup`);
    expect(await faceStep(page, "signup", "carol")).toMatch(/^Enrolled carol/);
    expect(await page.textContent("#runtime")).toMatch(/Execution provider: WASM/);
    // Another photo of the same person: the same one again would be refused as a replay of the
    // stored template (a still image fed twice gives the same embedding; live captures never do).
    const again = await pageWithCamera("obama/obama_1.jpg", { webgpu: true });
    await openPage(again, `${server.url}/demo/?ep=webgpu#/signin`);
    expect(await faceStep(again, "signin", "carol", 280_000)).toBe("Signed in as carol (face)");
    expect(await again.textContent("#runtime")).toMatch(/Execution provider: WEBGPU \(requested \(software adapter\)/);
    await shot(again, "09-webgpu-signed-in");
    await closeAll();
  });

  it("shows what the server holds, deletes it, and sign-in then says nothing is enrolled", async () => {
    const page = await pageWithCamera("obama/obama_2.jpg");
    await openPage(page, `${server.url}/demo/#/privacy`);
    await page.fill("#privacy-username", "alice");
    await page.click("#privacy-show");
    await page.waitForSelector("#privacy-record:not([hidden])");
    const details = (await page.textContent("#privacy-details")) ?? "";
    expect(details).toMatch(/policy 2026-11/);
    expect(details).toMatch(/Face templates1 \(encrypted; no images\)/);
    await shot(page, "06-privacy-record");
    await page.click("#privacy-delete");
    expect(await finalStatus(page)).toBe("Deleted. The server no longer holds any face data for alice.");
    await shot(page, "07-privacy-deleted");

    await openPage(page, `${server.url}/demo/#/signin`);
    expect(await faceStep(page, "signin", "alice")).toBe("There is no face enrolled for this username. Sign up first.");
    await shot(page, "08-signin-after-delete");
    await closeAll();
  });

  it("openPage: a load given up on (here after 1 ms) is loaded once more, from about:blank with the cache off, and the page works", async () => {
    const page = await pageWithCamera("obama/obama_2.jpg");
    const res = await openPage(page, `${server.url}/demo/#/privacy`, { stuckMs: 1 });
    expect(res?.status()).toBe(200);
    await page.fill("#privacy-username", "nobody");
    await page.click("#privacy-show");
    expect(await finalStatus(page)).toBe("The server holds nothing for nobody.");
    await closeAll();
  });
});
