import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { useDevServer } from "../support/dev-server.js";
import { REPO } from "../../scripts/lib/shared-data.js";

/**
 * `npm run attack` (scripts/attack) against the real worker, as anyone can
 * run it against `npm start`: template bridging with real embeddings of
 * obama and three other people, small steps, replayed templates, and the
 * lockout's first two locks (about 30 s of waiting for the first to end).
 */
describe("npm run attack against the local worker", () => {
  const server = useDevServer();

  it("every scenario of the outside review is refused: the attacker never matches, replays never match, locks escalate", async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "scripts/attack/main.ts", "--url", server().url], { cwd: REPO, timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    const lines = run.stdout.trim().split("\n");
    expect(
      lines.filter((l) => l.startsWith("FAIL")),
      run.stdout + run.stderr,
    ).toEqual([]);
    expect(lines.filter((l) => l.startsWith("PASS"))).toHaveLength(6);
    expect(lines.at(-1)).toBe("6 passed, 0 failed");
    expect(run.code).toBe(0);
  }, 300_000);
});
