import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import apiDoc from "../../docs/API.md?raw";
import { PROBLEMS } from "../../src/protocol/problems.js";

/** docs/API.md must stay true to the code: every route and every problem type. */
describe("docs/API.md", () => {
  it("lists every endpoint of /openapi.json", async () => {
    const res = await exports.default.fetch("http://facegate.test/openapi.json");
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const line = `${method.toUpperCase()} ${path}`;
        if (!apiDoc.includes(line)) missing.push(line);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(9);
  });

  it("lists every problem type of the catalogue with its status", () => {
    for (const [code, { status }] of Object.entries(PROBLEMS)) {
      expect(apiDoc, code).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    }
  });
});
