import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createFaceClientWith } from "../client.js";
import { ModelLoadError, type ModelLoadErrorCode } from "../errors.js";
import { MODELS_DIR } from "../pipeline/testing.js";
import { fetchManifest } from "./manifest.js";
import { webCryptoHpke } from "../api/envelope-webcrypto.js";

/**
 * Every way the models can fail to load is a ModelLoadError with a stable
 * code (errors.ts), so an app (and <facegate-verify>'s facegate-error) can
 * tell a CORS problem from a version mismatch from a corrupt download.
 */
const manifestBytes = readFileSync(`${MODELS_DIR}/manifest.json`);
const sha = createHash("sha256").update(manifestBytes).digest("hex");

async function codeOf(p: Promise<unknown>): Promise<ModelLoadErrorCode> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelLoadError);
  return (e as ModelLoadError).code;
}

const answer =
  (body: BodyInit | null, status = 200): typeof fetch =>
  async () =>
    new Response(body, { status });

describe("fetchManifest", () => {
  it("accepts the real manifest, and checks it against the content-hashed path's prefix", async () => {
    const m = await fetchManifest("https://faces.example/models/x/", { fetch: answer(manifestBytes), sha256Prefix: sha.slice(0, 16) });
    expect(Object.keys(m.models)).toContain("fr512-v1");
  });

  it("names each failure: unreachable (CORS, offline), not found, invalid, mismatched", async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    expect(await codeOf(fetchManifest("https://faces.example/models/", { fetch: offline }))).toBe("manifest-unreachable");
    expect(await codeOf(fetchManifest("https://faces.example/models/", { fetch: answer("nope", 404) }))).toBe("manifest-not-found");
    expect(await codeOf(fetchManifest("https://faces.example/models/", { fetch: answer("{not json") }))).toBe("manifest-invalid");
    expect(await codeOf(fetchManifest("https://faces.example/models/", { fetch: answer('{"models": 3}') }))).toBe("manifest-invalid");
    expect(await codeOf(fetchManifest("https://faces.example/models/", { fetch: answer(manifestBytes), sha256Prefix: "0000000000000000" }))).toBe(
      "manifest-mismatch",
    );
  });
});

describe("loadModels()", () => {
  it("turns any other failure of the platform into a ModelLoadError (runtime-unavailable), and can be retried", async () => {
    let calls = 0;
    const client = createFaceClientWith<string>(
      {
        async loadPipeline() {
          calls++;
          throw new Error("expected magic word 00 61 73 6d");
        },
        toImage: async () => ({ data: new Uint8Array(4), width: 1, height: 1 }),
        hpke: webCryptoHpke(),
        toFrames: () => null,
        toActionFrames: () => null,
      },
      { baseUrl: "https://faces.example" },
    );
    expect(await codeOf(client.loadModels())).toBe("runtime-unavailable");
    expect(await codeOf(client.loadModels())).toBe("runtime-unavailable");
    expect(calls).toBe(2);
  });
});
