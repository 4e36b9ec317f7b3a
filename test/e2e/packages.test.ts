import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { freePort, startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { launchChromium } from "../../scripts/lib/chromium.js";
import { cameraFrom } from "../../scripts/lib/fake-camera.js";
import { cleanEnv, packAll, run, type Tarball } from "../packages/pack.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";

/**
 * facegate as a new user meets it: every package packed (`npm pack`),
 * installed from the tarballs into fresh projects outside the repository,
 * then used the way the README says.
 *
 * - A Vite app with no facegate-specific configuration, served by `vite
 *   preview` on an origin other than the worker's, enrolls and verifies in
 *   Chromium (fake camera) through <facegate-enroll>/<facegate-verify>; the
 *   relying-party package, installed in the same app, checks the assertion
 *   in plain Node.
 * - An empty folder with only the client tarball embeds a photo in plain
 *   Node 20 (no tsx, no bundler), and its `facegate` command runs from there.
 */
const VITE = "8.3.8"; // as package.json's overrides: vite 8.4 names an optional dependency the registry lacks
const TYPESCRIPT = "5.9.3";
const CLIENT_ID = "shop-app";

let tarballs: Tarball[];
const tarball = (name: string) => tarballs.find((t) => t.name === name)!.file;
// Temporary projects (a few hundred MB with their node_modules), removed at the end.
const temporary: string[] = [];

afterAll(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  tarballs = packAll();
  temporary.push(dirname(tarballs[0]!.file));
  for (const t of tarballs) {
    console.log(`npm pack ${t.name}: ${(t.bytes / 1e6).toFixed(2)} MB packed, ${(t.unpackedBytes / 1e6).toFixed(2)} MB unpacked, ${t.files.length} files`);
  }
}, 120_000);

describe("the packed packages", () => {
  it("ship only what runs: built code, types, the CLI shim, the models, README and LICENSE", () => {
    for (const t of tarballs) {
      const stray = t.files.filter((f) => !/^(dist\/[^/]+\.(js|d\.ts)|bin\/facegate\.js|models\/[^/]+\.(onnx|json)|package\.json|README\.md|LICENSE)$/.test(f));
      expect(stray, t.name).toEqual([]);
      expect(t.files, t.name).toEqual(expect.arrayContaining(["README.md", "LICENSE", "package.json"]));
    }
    const client = tarballs.find((t) => t.name === "@facegate/client")!;
    expect(client.files).toEqual(
      expect.arrayContaining(["models/manifest.json", "models/fr_feature.onnx", "dist/index.d.ts", "dist/node.d.ts", "dist/elements.d.ts"]),
    );
  });

  it("pass publint and @arethetypeswrong/cli (ESM only: no CommonJS entry is offered)", () => {
    for (const t of tarballs) {
      const lint = run(join(REPO, "node_modules/.bin/publint"), ["run", t.file, "--strict"], REPO);
      expect(lint.status, lint.output).toBe(0);
      expect(lint.output).toMatch(/All good/);
      const attw = run(join(REPO, "node_modules/.bin/attw"), [t.file, "--profile", "esm-only", "--format", "ascii"], REPO);
      expect(attw.status, attw.output).toBe(0);
      // Every entry resolves, with types, for ESM in Node and for bundlers.
      const resolutions = attw.output.split("\n").filter((l) => /^(node16 \(from ESM\)|bundler):/.test(l));
      expect(resolutions.length, attw.output).toBeGreaterThan(0);
      for (const l of resolutions) expect(l, attw.output).toMatch(/🟢|\(wildcard\)/u);
    }
  }, 120_000);
});

describe("a Vite app on another origin, with the elements and the relying-party package", () => {
  let app: string;
  let server: DevServer;
  let preview: ChildProcess | null = null;
  let appUrl: string;
  let jwksUrl: string;
  let issuer: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    ensureDevKeys();
    app = mkdtempSync(join(tmpdir(), "facegate-vite-app-"));
    temporary.push(app);
    cpSync(join(REPO, "test/packages/app"), app, { recursive: true });
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify(
        {
          name: "shop-app",
          private: true,
          type: "module",
          scripts: { build: "tsc && vite build" },
          dependencies: { "@facegate/client": `file:${tarball("@facegate/client")}`, "@facegate/relying-party": `file:${tarball("@facegate/relying-party")}` },
          devDependencies: { vite: VITE, typescript: TYPESCRIPT },
        },
        null,
        2,
      ),
    );
    const install = run("npm", ["install", "--no-audit", "--no-fund"], app);
    expect(install.status, install.output).toBe(0);
    expect(existsSync(join(app, "node_modules/@facegate/client/models/manifest.json"))).toBe(true);
    const build = run("npm", ["run", "build"], app);
    expect(build.status, build.output).toBe(0);
    console.log(
      build.output
        .split("\n")
        .filter((l) => /dist\/|built in/.test(l))
        .join("\n"),
    );

    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    // The worker allows the app's origin to call the API (CORS); the models need no such setting.
    server = await startDevServer({ vars: { CORS_ORIGINS: appUrl } });
    jwksUrl = `${server.url}/.well-known/jwks.json`;
    // A page of the same app that loads the SDK with a script tag from the worker (no import at all).
    writeFileSync(join(app, "dist/script-tag.html"), readFileSync(join(REPO, "test/packages/script-tag.html"), "utf8").replace("__WORKER__", server.url));
    issuer = "http://127.0.0.1:8787"; // ASSERTION_ISSUER of the dev environment (wrangler.toml [env.dev.vars])
    preview = spawn(join(app, "node_modules/.bin/vite"), ["preview", "--host", "127.0.0.1", "--port", String(appPort), "--strictPort"], {
      cwd: app,
      env: cleanEnv(),
      stdio: "ignore",
      detached: true,
    });
    for (let i = 0; ; i++) {
      const ok = await fetch(appUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 150) throw new Error("vite preview did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 300_000);

  afterAll(async () => {
    for (const close of closers.splice(0)) await close();
    if (preview?.pid) {
      try {
        process.kill(-preview.pid, "SIGTERM");
      } catch {
        /* gone */
      }
    }
    await server?.stop();
  });

  async function token(scope: string): Promise<string> {
    const dev = loadDevIssuer(join(REPO, DEV_VARS_FILE))!;
    return mintDevToken(dev, { sub: "alice", scope, clientId: CLIENT_ID, ttlSeconds: 600 });
  }

  async function openApp(
    photo: string,
    step: "enroll" | "verify",
    query: Record<string, string>,
    path = "/",
  ): Promise<{ page: Page; modelRequests: string[] }> {
    const { browser, context } = await launchChromium({ camera: await cameraFrom(face(photo)) });
    closers.push(() => browser.close());
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.message));
    const modelRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/models/")) modelRequests.push(r.url());
    });
    const q = new URLSearchParams({ api: server.url, subject: "alice", step, ...query });
    // Playwright's 30 s default for the load event is too short on a machine the whole test run shares.
    await page.goto(`${appUrl}${path}?${q}`, { timeout: 150_000 });
    return { page, modelRequests };
  }

  /** Waits for the first of the given element events and returns it. */
  async function nextEvent(page: Page, types: string[], after = 0): Promise<{ type: string; detail: Record<string, unknown> }> {
    await page.waitForFunction(
      ([t, n]) => (window as unknown as { facegateEvents: { type: string }[] }).facegateEvents.slice(n as number).some((e) => (t as string[]).includes(e.type)),
      [types, after] as const,
      { timeout: 240_000, polling: 250 },
    );
    const events = await page.evaluate(() => (window as unknown as { facegateEvents: { type: string; detail: Record<string, unknown> }[] }).facegateEvents);
    return events.slice(after).find((e) => types.includes(e.type))!;
  }

  async function capture(page: Page, el: "enroll" | "verify"): Promise<{ type: string; detail: Record<string, unknown> }> {
    if (el === "enroll") await page.check("#consent");
    await page.click(`#${el} [part=start]`);
    await page.waitForSelector(`#${el} [part=action]:not([disabled])`, { timeout: 240_000 });
    const before = await page.evaluate(() => (window as unknown as { facegateEvents: unknown[] }).facegateEvents.length);
    await page.click(`#${el} [part=action]`);
    return nextEvent(page, el === "enroll" ? ["facegate-enrolled", "facegate-error"] : ["facegate-match", "facegate-no-match", "facegate-error"], before);
  }

  it("type-checks with Vite's template compiler options, our declarations included (skipLibCheck off): two files of ours", () => {
    const r = run(join(app, "node_modules/.bin/tsc"), ["--noEmit", "--skipLibCheck", "false", "--listFiles"], app);
    expect(r.status, r.output).toBe(0);
    const ours = r.output.split("\n").filter((l) => l.includes("node_modules/@facegate/"));
    console.log(`the app's compiler reads ${ours.length} files of @facegate/client: ${ours.map((l) => l.slice(l.indexOf("@facegate/"))).join(", ")}`);
    expect(ours.every((l) => l.endsWith(".d.ts"))).toBe(true);
    expect(ours.length).toBeLessThanOrEqual(3);
  }, 60_000);

  it("enrolls alice through <facegate-enroll>, loading the models cross-origin with no configuration", async () => {
    const { page, modelRequests } = await openApp("obama/obama_1.jpg", "enroll", { token: await token("face:enroll") });
    const enrolled = await capture(page, "enroll");
    expect(enrolled.type, JSON.stringify(enrolled.detail)).toBe("facegate-enrolled");
    expect(enrolled.detail).toMatchObject({ subjectId: "alice", templateCount: 1, anchor: true });
    // From the worker's content-hashed folder: manifest + detector, landmarks, embedding (PAD is off).
    expect(modelRequests.length).toBe(4);
    expect(modelRequests.every((u) => u.startsWith(`${server.url}/models/`))).toBe(true);

    // A warm load (the same browser profile) takes every model from Cache Storage.
    modelRequests.length = 0;
    await page.reload();
    await page.check("#consent");
    await page.click("#enroll [part=start]");
    await nextEvent(page, ["facegate-ready"]);
    expect(modelRequests).toEqual([]);
  }, 300_000);

  it("verifies alice (another photo) through <facegate-verify>; the relying-party package accepts the assertion once", async () => {
    const nonce = `n${Date.now()}`;
    const { page } = await openApp("obama/obama_2.jpg", "verify", { token: await token("face:verify"), nonce });
    const result = await capture(page, "verify");
    expect(result.type, JSON.stringify(result.detail)).toBe("facegate-match");
    const assertion = String(result.detail["assertion"]);
    const check = run(process.execPath, ["check-assertion.mjs", assertion, nonce, jwksUrl, issuer, CLIENT_ID], app);
    expect(check.status, check.output).toBe(0);
    expect(
      JSON.parse(
        check.output
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .at(-1)!,
      ),
    ).toEqual({ sub: "alice", amr: ["face"], nonce, replay: "replayed" });
  }, 300_000);

  it("verifies alice from a page with only a script tag to the worker's /sdk/facegate.js (no npm, no bundler)", async () => {
    const nonce = `ntag${Date.now()}`;
    const { page, modelRequests } = await openApp("obama/obama_3.jpg", "verify", { token: await token("face:verify"), nonce }, "/script-tag.html");
    const result = await capture(page, "verify");
    expect(result.type, JSON.stringify(result.detail)).toBe("facegate-match");
    expect(modelRequests.every((u) => u.startsWith(`${server.url}/models/`))).toBe(true);
    const check = run(process.execPath, ["check-assertion.mjs", String(result.detail["assertion"]), nonce, jwksUrl, issuer, CLIENT_ID], app);
    expect(check.status, check.output).toBe(0);
  }, 300_000);

  it("refuses another person through <facegate-verify> (facegate-no-match, attempts remaining)", async () => {
    const { page } = await openApp("biden/biden_1.jpg", "verify", { token: await token("face:verify"), nonce: `nbiden${Date.now()}` });
    const result = await capture(page, "verify");
    expect(result.type, JSON.stringify(result.detail)).toBe("facegate-no-match");
    expect(result.detail).toMatchObject({ subjectId: "alice", attemptsRemaining: 4 });
  }, 300_000);
});

describe("plain Node 20 in an empty folder, with only the client tarball", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "facegate-node-"));
    temporary.push(dir);
    const install = run("npm", ["install", "--no-audit", "--no-fund", tarball("@facegate/client")], dir);
    expect(install.status, install.output).toBe(0);
    cpSync(join(REPO, "test/packages/app/embed.mjs"), join(dir, "embed.mjs"));
  }, 180_000);

  it("embeds a photo with the package's own models (node embed.mjs, no tsx)", () => {
    const r = run(process.execPath, ["embed.mjs", face("obama/obama_1.jpg")], dir);
    expect(r.status, r.output).toBe(0);
    const out = JSON.parse(
      r.output
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .at(-1)!,
    ) as { length: number; norm: number; provider: string };
    expect(out).toMatchObject({ length: 512, provider: "wasm" });
    expect(out.norm).toBeCloseTo(1, 4);
    const installed = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    for (const dep of ["tsx", "esbuild", "hono", "@hono/zod-openapi", "jose", "zod"])
      expect(Object.keys(installed.packages), dep).not.toContain(`node_modules/${dep}`);
  }, 120_000);

  it("runs the facegate command from there: embed, and a dev token with --dev-vars", () => {
    const help = run(join(dir, "node_modules/.bin/facegate"), ["--help"], dir);
    expect(help.status, help.output).toBe(0);
    expect(help.output).toMatch(/the models shipped with @facegate\/client/);
    const embed = run(join(dir, "node_modules/.bin/facegate"), ["embed", face("obama/obama_2.jpg")], dir);
    expect(embed.status, embed.output).toBe(0);
    expect(embed.output).toMatch(/"modelId": "fr512-v1"/);
    ensureDevKeys();
    const tok = run(
      join(dir, "node_modules/.bin/facegate"),
      ["token", "--sub", "alice", "--scope", "face:verify", "--dev-vars", join(REPO, DEV_VARS_FILE)],
      dir,
    );
    expect(tok.status, tok.output).toBe(0);
    expect(tok.output.trim().split("\n").at(-1)!.split(".")).toHaveLength(3);
    // Without it, outside any clone, the command says where the secrets are expected.
    const none = run(join(dir, "node_modules/.bin/facegate"), ["token", "--sub", "alice"], dir, { FACEGATE_DEV_VARS: "" });
    expect(none.status).toBe(2);
    expect(none.output).toMatch(/--dev-vars/);
  }, 120_000);
});
