/**
 * `facegate embed` as a user runs it (bin/facegate.js, a child process), on
 * the real models and development photos; no server is involved.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { facePath } from "../pipeline/testing.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

function facegate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/facegate.js", ...args], { cwd: REPO, env: { ...process.env, FACEGATE_TOKEN: "" } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 2) : 0, stdout, stderr }),
    );
  });
}

/** embed prints one pretty-printed JSON document per file. */
function documents(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split(/\n(?=\{)/)
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

describe("facegate embed", () => {
  it("--pad prints each image's PAD decision and score, and goes on past a refused image", async () => {
    const files = [facePath("obama/obama_1.jpg"), facePath("hard/obama_partial_face.jpg"), facePath("biden/biden_1.jpg")];
    const run = await facegate("embed", "--pad", ...files);
    expect(run.code, run.stderr).toBe(1); // one image was refused
    const docs = documents(run.stdout);
    expect(docs.map((d) => d["file"])).toEqual(files);
    for (const d of [docs[0]!, docs[2]!]) {
      const pad = d["pad"] as { decision: string; score: number };
      expect(Object.keys(pad).sort()).toEqual(["decision", "score"]);
      expect(["bona_fide", "attack"]).toContain(pad.decision);
      expect(pad.score).toBeGreaterThanOrEqual(0);
      expect(pad.score).toBeLessThanOrEqual(1);
      expect(d["modelId"]).toBe("fr512-v1");
      expect(d["embedding"]).toBeUndefined();
    }
    expect(docs[1]!["refused"]).toMatch(/^(no-face|face-cut-off)$/);
    expect(docs[1]!["pad"]).toBeUndefined();
  });

  it("without --pad prints no PAD and exits 0 when every image is accepted", async () => {
    const run = await facegate("embed", facePath("obama/obama_2.jpg"));
    expect(run.code, run.stderr).toBe(0);
    const [d] = documents(run.stdout);
    expect(d!["pad"]).toBeUndefined();
    expect(d!["quality"]).toBeTypeOf("object");
  });

  it("refuses the old --liveness flag (replaced by --pad)", async () => {
    const run = await facegate("embed", "--liveness", facePath("obama/obama_2.jpg"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/liveness/);
  });
});
