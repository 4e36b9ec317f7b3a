import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { FacegateApi } from "../../client/src/api/facegate-api.js";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../client/src/cli/dev-issuer.js";
import { useDevServer } from "../support/dev-server.js";
import { REPO } from "../../scripts/lib/shared-data.js";
import { unitVector } from "../../scripts/lib/unit-vector.js";

/**
 * The demo relying party (dev entry only): what it checks before it opens a
 * session for a face assertion. The nonce of a sign-in is kept server-side
 * and good for one assertion check; an accepted assertion's jti is
 * remembered until it expires; the tenant must be the demo's.
 */
const MODEL = "fr512-v1";

describe("demo relying party against the local worker", () => {
  const dev = useDevServer();

  async function rpToken(username: string, step: "signup" | "signin") {
    const res = await fetch(`${dev().url}/demo/rp/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, step }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; loginNonce?: string };
    return { ...body, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]! };
  }

  function session(assertion: string, cookie: string) {
    return fetch(`${dev().url}/demo/rp/session`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ assertion }),
    });
  }

  async function signedUp(username: string): Promise<Float32Array> {
    const { accessToken } = await rpToken(username, "signup");
    const api = new FacegateApi({ baseUrl: dev().url, getToken: accessToken });
    const face = unitVector();
    await api.grantConsent(username, "2026-11");
    await api.enrollEmbedding(username, MODEL, face);
    return face;
  }

  async function signIn(username: string, face: Float32Array) {
    const login = await rpToken(username, "signin");
    const api = new FacegateApi({ baseUrl: dev().url, getToken: login.accessToken });
    const r = await api.verifyEmbedding(username, MODEL, unitVector(face), { loginNonce: login.loginNonce! });
    expect(r.match).toBe(true);
    return { ...login, assertion: r.assertion! };
  }

  it("accepts an assertion once: the same assertion again, in the same or a new sign-in, is refused", async () => {
    const face = await signedUp("dana");
    const first = await signIn("dana", face);
    const ok = await session(first.assertion, first.cookie);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ signedInAs: "dana" });
    // The same login again: its nonce was used.
    expect((await session(first.assertion, first.cookie)).status).toBe(401);
    // A new sign-in with the old assertion: another nonce.
    const second = await rpToken("dana", "signin");
    const replayed = await session(first.assertion, second.cookie);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { detail: string }).detail).toMatch(/nonce/);
  });

  it("refuses an assertion for the right user from another tenant", async () => {
    const face = await signedUp("erin");
    const login = await rpToken("erin", "signin");
    // The same username enrolled in another tenant, verified with the demo's client id and this login's nonce.
    const issuer = loadDevIssuer(`${REPO}/${DEV_VARS_FILE}`)!;
    const acme = await mintDevToken(issuer, { sub: "erin", scope: "face:enroll face:verify", tenant: "acme", clientId: "facegate-demo" });
    const api = new FacegateApi({ baseUrl: dev().url, getToken: acme });
    await api.grantConsent("erin", "2026-11");
    await api.enrollEmbedding("erin", MODEL, face);
    const r = await api.verifyEmbedding("erin", MODEL, unitVector(face), { loginNonce: login.loginNonce! });
    expect(r.match).toBe(true);
    const res = await session(r.assertion!, login.cookie);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/tenant/);
  });

  it("answers only requests addressed to loopback", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: dev().port,
          path: "/demo/rp/token",
          method: "POST",
          headers: { host: "facegate.example.com", "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ username: "mallory", step: "privacy" }));
    });
    expect(status).toBe(403);
  });
});
