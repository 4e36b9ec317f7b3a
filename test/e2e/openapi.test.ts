import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { fetchOpenApi, lintOpenApi, typesFromOpenApi } from "../../scripts/openapi/export.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";

/**
 * The OpenAPI document as the running worker serves it: Redocly's
 * recommended rules with no error (redocly.yaml), and openapi-typescript can
 * turn it into types that name every operation.
 */
describe("/openapi.json", () => {
  let server: DevServer;
  let file: string;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer();
    file = join(mkdtempSync(join(tmpdir(), "facegate-openapi-")), "openapi.json");
    writeFileSync(file, JSON.stringify(await fetchOpenApi(server.url)));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("passes redocly lint with no errors", () => {
    const r = lintOpenApi(file);
    console.log(
      r.output
        .split("\n")
        .filter((l) => /error|warning|valid/i.test(l) && !/Node\.js/.test(l))
        .join("\n"),
    );
    expect(r.output).not.toMatch(/\berror\b/);
    expect(r.status, r.output).toBe(0);
  }, 60_000);

  it("gives every operation an operationId, and public routes an empty security list", () => {
    const doc = JSON.parse(readFileSync(file, "utf8")) as {
      servers?: unknown[];
      info: { license?: { name: string } };
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
    };
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license?.name).toBe("MIT");
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ line: `${m} ${path}`, op })));
    expect(ops.filter(({ op }) => !op.operationId).map(({ line }) => line)).toEqual([]);
    for (const line of ["get /v1/health", "get /.well-known/jwks.json", "get /v1/keys/envelope"]) {
      expect(ops.find((o) => o.line === line)?.op.security, line).toEqual([]);
    }
  });

  it("generates TypeScript types with openapi-typescript", () => {
    const out = file.replace(/\.json$/, ".d.ts");
    const r = typesFromOpenApi(file, out);
    expect(r.status, r.output).toBe(0);
    const types = readFileSync(out, "utf8");
    expect(types).toContain("export interface operations");
    for (const id of ["getHealth", "getJwks", "getEnvelopeKey", "verifyFace", "enrollTemplate"]) expect(types).toMatch(new RegExp(`\\b${id}\\b`));
  }, 60_000);
});
