import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { freePort, startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";
import { launchChromium } from "../../scripts/lib/chromium.js";
import { cameraFrom } from "../../scripts/lib/fake-camera.js";
import { finalStatus, openPage, shot } from "./support/demo.js";

/**
 * Device binding end to end (docs/SECURITY.md "Device binding"): the demo's
 * tenant requires a passkey beside the face. Chromium's virtual
 * authenticator (CDP WebAuthn domain: a platform authenticator with user
 * verification, presence confirmed automatically) stands in for the phone or
 * laptop; the fake camera shows real photos; the worker is wrangler dev. A
 * "device" is an authenticator's credentials: the user's device in a later
 * browser is a new virtual authenticator given the same credential (its
 * private key and counter, as the CDP exports them).
 *
 * WebAuthn needs a secure context and an RP ID the origin belongs to, so the
 * page is opened on http://localhost (RP ID "localhost"), not 127.0.0.1.
 */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

describe("passkey beside the face (device: required), in Chromium", () => {
  let server: DevServer;
  let origin: string;
  const open: Browser[] = [];
  let bobsDevice: VirtualCredential[] = [];

  beforeAll(async () => {
    ensureDevKeys();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    const policies = JSON.stringify({ default: { device: { mode: "required", rpId: "localhost", origins: [origin] } } });
    server = await startDevServer({ port, vars: { TENANT_POLICIES: policies } });
  }, 180_000);

  afterAll(async () => {
    for (const b of open.splice(0)) await b.close();
    await server?.stop();
  });

  /** A browser whose camera shows `photo` and whose device is a virtual authenticator holding `credentials`. */
  async function device(
    photo: string,
    credentials: VirtualCredential[] = [],
  ): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string; context: BrowserContext }> {
    const { browser, context } = await launchChromium({ camera: await cameraFrom(face(photo)) });
    open.push(browser);
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.message));
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    for (const credential of credentials) await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
    return { page, cdp, authenticatorId, context };
  }

  async function credentialsOf(cdp: CDPSession, authenticatorId: string): Promise<VirtualCredential[]> {
    return ((await cdp.send("WebAuthn.getCredentials", { authenticatorId })) as { credentials: VirtualCredential[] }).credentials;
  }

  /** Starts recording what the element's live region says. */
  async function listen(page: Page, element: string): Promise<void> {
    await page.evaluate((element) => {
      const region = document.querySelector(element)!.shadowRoot!.querySelector("[part=guidance]")!;
      const said: string[] = [];
      (globalThis as unknown as { said: string[] }).said = said;
      new MutationObserver(() => said.push(region.textContent ?? "")).observe(region, { childList: true, characterData: true, subtree: true });
    }, element);
  }
  const said = (page: Page) => page.evaluate(() => (globalThis as unknown as { said: string[] }).said);

  async function signUp(page: Page, username: string): Promise<string> {
    await openPage(page, `${origin}/demo/?ep=wasm#/signup`);
    await page.fill("#signup-username", username);
    await page.click("#signup-continue");
    await page.check("#consent-check");
    await page.click("#signup-capture [part=start]");
    await page.waitForSelector("#signup-capture [part=action]:not([disabled])", { timeout: 180_000 });
    await listen(page, "#signup-capture");
    await page.click("#signup-capture [part=action]");
    return finalStatus(page);
  }

  async function signIn(page: Page, username: string): Promise<string> {
    await openPage(page, `${origin}/demo/?ep=wasm#/signin`);
    await page.fill("#signin-username", username);
    await page.click("#signin-continue");
    await page.waitForSelector("#signin-capture [part=action]:not([disabled])", { timeout: 180_000 });
    await listen(page, "#signin-capture");
    await page.click("#signin-capture [part=action]");
    return finalStatus(page);
  }

  async function integrity(subject: string): Promise<{ failures: number; challengesConsumed: number }> {
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    const admin = await mintDevToken(issuer, { sub: "ops", tenant: "default", scope: "face:admin" });
    const res = await fetch(`${origin}/v1/admin/subjects/${subject}/integrity-check`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
    return (await res.json()) as { failures: number; challengesConsumed: number };
  }

  it("enrolls bob's face and a passkey on his device in one sign-up", async () => {
    const { page, cdp, authenticatorId } = await device("obama/obama_1.jpg");
    expect(await signUp(page, "bob")).toMatch(/^Enrolled bob \(1 template\)/);
    await shot(page, "passkey-01-signup");
    expect(await said(page)).toContain("Create a passkey on this device when your browser asks.");
    bobsDevice = await credentialsOf(cdp, authenticatorId);
    expect(bobsDevice).toHaveLength(1);
    expect(bobsDevice[0]).toMatchObject({ rpId: "localhost", isResidentCredential: true });
  }, 300_000);

  it("signs bob in with another photo of his face on his device: the assertion says face and hwk", async () => {
    expect(bobsDevice).toHaveLength(1);
    const { page, cdp, authenticatorId } = await device("obama/obama_2.jpg", bobsDevice);
    expect(await signIn(page, "bob")).toBe("Signed in as bob (face and this device's passkey)");
    await shot(page, "passkey-02-signin");
    expect(await said(page)).toContain("Confirm with this device's passkey when your browser asks.");
    // The authenticator signed once more: its counter moved on, as the vault checks.
    expect((await credentialsOf(cdp, authenticatorId))[0]!.signCount).toBeGreaterThan(bobsDevice[0]!.signCount);
  }, 300_000);

  it("refuses bob's right face on another device (an authenticator without his passkey): nothing is sent", async () => {
    const before = await integrity("bob");
    const { page } = await device("obama/obama_2.jpg");
    const status = await signIn(page, "bob");
    await shot(page, "passkey-03-other-device");
    expect(status).not.toMatch(/^Signed in/);
    expect(status).toMatch(/passkey/i);
    // The SDK stopped before sending: no verify reached the vault.
    expect(await integrity("bob")).toMatchObject({ failures: before.failures });
  }, 300_000);

  it("refuses bob's right face with a passkey from another device (a modified client sends carol's): 4xx, counted as a failure", async () => {
    // Carol signs up on her own device: it now holds a passkey for this RP, hers.
    const carol = await device("biden/biden_1.jpg");
    expect(await signUp(carol.page, "carol")).toMatch(/^Enrolled carol/);
    const before = await integrity("bob");
    // On carol's device, a client that ignores the challenge's allow-list has it sign bob's verify
    // challenge with whatever passkey it holds, and sends that with bob's face (computed from a photo of bob).
    const issuer = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    const token = await mintDevToken(issuer, { sub: "bob", tenant: "default", scope: "face:verify", clientId: "facegate-demo" });
    const out = await carol.page.evaluate(
      async ({ token, jpeg }) => {
        const { client, useToken } = (
          globalThis as unknown as {
            facegate: { client: import("../../client/src/index.js").FaceClient; useToken: (t: string) => void };
          }
        ).facegate;
        useToken(token);
        const img = await createImageBitmap(new Blob([Uint8Array.from(atob(jpeg), (c) => c.charCodeAt(0))], { type: "image/jpeg" }));
        const { embedding, modelId } = await client.embed(img);
        const challenge = await client.api.challenge("bob", "verify");
        const options = challenge.webauthn!.authentication as unknown as { challenge: string; rpId: string };
        const b64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
        const cred = (await navigator.credentials.get({
          publicKey: { challenge: b64(options.challenge), rpId: options.rpId, allowCredentials: [], userVerification: "preferred" },
        })) as PublicKeyCredential;
        try {
          await client.api.verifyEmbedding("bob", modelId, embedding, { challenge, webauthn: cred.toJSON() as Record<string, unknown> });
          return { sent: true, refused: null };
        } catch (e) {
          return { sent: true, refused: (e as { name: string; code?: string }).code ?? (e as Error).name };
        }
      },
      { token, jpeg: readFileSync(face("obama/obama_2.jpg")).toString("base64") },
    );
    expect(out).toEqual({ sent: true, refused: "device-invalid" });
    expect((await integrity("bob")).failures).toBe(before.failures + 1);
  }, 300_000);
});
