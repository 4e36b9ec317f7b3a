/**
 * `npm run openapi`: the API's OpenAPI 3.1 document as the worker serves it
 * (wrangler dev, as `npm start` runs it), written to artifacts/openapi.json,
 * then linted with Redocly (redocly.yaml) and turned into TypeScript types
 * with openapi-typescript (artifacts/openapi.d.ts). test/e2e/openapi.test.ts
 * runs the same steps.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, startDevServer } from "../lib/dev-server.js";

export interface LintResult {
  status: number;
  output: string;
}

/** Fetches /openapi.json from a worker that is already running. */
export async function fetchOpenApi(baseUrl: string): Promise<unknown> {
  const res = await fetch(`${baseUrl}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json: HTTP ${res.status}`);
  return res.json();
}

/** `redocly lint` on a file, with the repository's redocly.yaml. */
export function lintOpenApi(file: string): LintResult {
  const r = spawnSync(join(REPO_ROOT, "node_modules/.bin/redocly"), ["lint", file, "--config", join(REPO_ROOT, "redocly.yaml"), "--format", "stylish"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

/** openapi-typescript on a file: the types a client generator would see. */
export function typesFromOpenApi(file: string, out: string): LintResult {
  const r = spawnSync(join(REPO_ROOT, "node_modules/.bin/openapi-typescript"), [file, "--output", out], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startDevServer();
  try {
    const dir = join(REPO_ROOT, "artifacts");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(await fetchOpenApi(server.url), null, 2) + "\n");
    const lint = lintOpenApi(file);
    process.stdout.write(lint.output);
    const types = typesFromOpenApi(file, join(dir, "openapi.d.ts"));
    process.stdout.write(types.output);
    process.exitCode = lint.status || types.status;
  } finally {
    await server.stop();
  }
}
