import { env } from "cloudflare:workers";
import { createExecutionContext, createScheduledController } from "cloudflare:test";
import worker from "../../src/index.js";
import { describe, expect, it } from "vitest";
import { x25519 } from "@noble/curves/ed25519.js";
import manifest from "../../models/manifest.json";
import { b64uDecode, b64uEncode } from "../../src/protocol/base64url.js";
import { PROBLEMS } from "../../src/protocol/problems.js";
import { SERVICE_VERSION } from "../../src/protocol/version.js";
import { createApp } from "../../src/app.js";
import { ASSERTION_KEYS, HPKE_KEYS } from "../fixtures/keys.js";
import { call, callSettled, expectProblem } from "./helpers/api.js";

describe("GET /v1/health", () => {
  it("answers ok with the version and the manifest's embedding models, without auth", async () => {
    const res = await call("GET", "/v1/health");
    expect(res.status).toBe(200);
    const embeddingIds = Object.entries(manifest.models)
      .filter(([, m]) => m.role === "embedding")
      .map(([id]) => id);
    expect(await res.json()).toEqual({ status: "ok", version: SERVICE_VERSION, models: embeddingIds });
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await call("HEAD", "/v1/health");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes every assertion key's public part with kid, alg and use, cacheable", async () => {
    const res = await call("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k.kid)).toEqual(ASSERTION_KEYS.map((k) => k.kid));
    for (const k of keys) {
      expect(k).toEqual({ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: expect.any(String), alg: "EdDSA", use: "sig" });
      expect(k).not.toHaveProperty("d");
    }
  });
});

describe("GET /v1/keys/envelope", () => {
  it("returns the current HPKE key as a raw 32-byte X25519 public key and the suite", async () => {
    const res = await call("GET", "/v1/keys/envelope");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { kid: string; suite: unknown; publicKey: string };
    expect(body.kid).toBe(HPKE_KEYS[0].kid);
    expect(body.suite).toEqual({ kem: "DHKEM(X25519, HKDF-SHA256)", kdf: "HKDF-SHA256", aead: "ChaCha20Poly1305" });
    expect(b64uDecode(body.publicKey)).toHaveLength(32);
    expect(body.publicKey).toBe(b64uEncode(x25519.getPublicKey(b64uDecode(HPKE_KEYS[0].privateKey))));
    expect(JSON.stringify(body)).not.toContain(HPKE_KEYS[0].privateKey);
  });
});

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

describe("GET /openapi.json", () => {
  async function doc(): Promise<OpenApiDoc> {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    return (await res.json()) as OpenApiDoc;
  }

  it("is OpenAPI 3.1 with the bearer security scheme", async () => {
    const d = await doc();
    expect(d.openapi).toBe("3.1.0");
    expect(d.info.version).toBe(SERVICE_VERSION);
    expect(d.components.securitySchemes["bearerAuth"]).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  it("lists every API route the app serves, with the right methods", async () => {
    const d = await doc();
    // Hono lists one entry per handler in a route's chain; count each route once.
    const served = [
      ...new Set(
        createApp()
          .routes.filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
          .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
      ),
    ].sort();
    const documented = Object.entries(d.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(documented).toEqual(
      [
        "get /v1/health",
        "get /.well-known/jwks.json",
        "get /v1/keys/envelope",
        "put /v1/subjects/{id}/consent",
        "post /v1/challenges",
        "post /v1/subjects/{id}/templates",
        "post /v1/subjects/{id}/verify",
        "get /v1/subjects/{id}",
        "get /v1/subjects/{id}/templates",
        "delete /v1/subjects/{id}/templates/{templateId}",
        "post /v1/admin/subjects/{id}/unlock",
        "delete /v1/subjects/{id}",
        "post /v1/admin/rewrap",
        "post /v1/admin/subjects/{id}/integrity-check",
      ].sort(),
    );
  });

  it("every $ref resolves, every authenticated operation names its scope and problem responses", async () => {
    const d = await doc();
    const refs = JSON.stringify(d).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const path = ref.slice(8, -1);
      expect(path.startsWith("#/components/schemas/"), path).toBe(true);
      expect(d.components.schemas[path.split("/").pop()!], path).toBeDefined();
    }
    for (const [path, ops] of Object.entries(d.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        expect(
          codes.some((c) => c.startsWith("2")),
          `${method} ${path}`,
        ).toBe(true);
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(Object.keys(r.content ?? {}), `${method} ${path} ${status}`).toEqual(["application/problem+json"]);
        }
        if (path.startsWith("/v1/subjects") || path.startsWith("/v1/admin") || path === "/v1/challenges") {
          expect(op.security?.length, `${method} ${path}`).toBeGreaterThan(0);
          expect(codes).toEqual(expect.arrayContaining(["401", "403"]));
        }
      }
    }
  });

  it("request schemas are closed (no unknown fields, so no room for an image)", async () => {
    const d = await doc();
    for (const name of ["ConsentRequest", "ChallengeRequest", "EnrollRequest", "VerifyRequest", "Envelope"]) {
      expect((d.components.schemas[name] as { additionalProperties?: boolean }).additionalProperties, name).toBe(false);
    }
  });

  it("documents only problem codes from the catalogue", async () => {
    const text = JSON.stringify(await doc());
    for (const m of text.matchAll(/`([a-z-]+)`: /g)) expect(Object.keys(PROBLEMS)).toContain(m[1]);
  });
});

describe("GET /docs", () => {
  it("renders the document as a self-contained HTML page", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("/v1/subjects/{id}/verify");
    expect(html).toContain("face:verify");
    expect(html).toContain('id="schema-VerifyRequest"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/i);
  });
});

describe("scheduled()", () => {
  it("runs the hourly cron without touching any subject", async () => {
    const controller = createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() });
    await expect(worker.scheduled(controller, env, createExecutionContext())).resolves.toBeUndefined();
  });
});

describe("configuration under test", () => {
  it("uses the fixture keys, not a developer's .dev.vars", () => {
    expect(JSON.parse(env.HPKE_KEYS)).toEqual(HPKE_KEYS);
  });
});

describe("the production worker refuses a local-development configuration", () => {
  const devKey = JSON.stringify({ kty: "OKP", crv: "Ed25519", x: "AAAA", d: "BBBB", kid: "dev-issuer-20261201" });
  for (const [name, bindings] of [
    ["the dev issuer's private key bound (DEV_ISSUER_KEY)", { DEV_ISSUER_KEY: devKey }],
    ["the dev issuer as token issuer (plain http on loopback)", { AUTH_ISSUER: "http://127.0.0.1:8787/dev-issuer" }],
    ["the dev issuer's key in AUTH_JWKS", { AUTH_JWKS: JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "AAAA", kid: "dev-issuer-20261201" }] }) }],
    ["no AUTH_ISSUER (wrangler.toml's production default)", { AUTH_ISSUER: "" }],
    ["no ASSERTION_ISSUER (wrangler.toml's production default)", { ASSERTION_ISSUER: "" }],
  ] as const) {
    it(`answers 500 server-misconfigured on every route with ${name}`, async () => {
      for (const path of ["/v1/health", "/v1/subjects/alice"]) {
        const res = await callSettled("GET", path, { env: bindings as Partial<Cloudflare.Env> });
        await expectProblem(res, "server-misconfigured");
      }
    });
  }

  it("has no demo relying party or dev token issuer: /demo/rp/* is not a route", async () => {
    const res = await call("POST", "/demo/rp/token", { body: { username: "alice", step: "privacy" } });
    await expectProblem(res, "not-found");
    expect(createApp().routes.some((r) => r.path.startsWith("/demo"))).toBe(false);
  });
});

describe("headers every API response carries", () => {
  it("no sniffing, no framing, no referrer, no caching by default", async () => {
    for (const res of [await call("GET", "/v1/health"), await call("GET", "/v1/subjects/alice")]) {
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
      expect(res.headers.get("Content-Security-Policy")).toBe("frame-ancestors 'none'");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    }
  });
});
