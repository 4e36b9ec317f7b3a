import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../scripts/lib/ensure-dev-keys.js";
import { face, REPO } from "../../scripts/lib/shared-data.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function facegate(server: DevServer, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/facegate.js", ...args, "--url", server.url],
      { cwd: REPO, env: { ...process.env, FACEGATE_TOKEN: "" } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 2) : 0, stdout, stderr }),
    );
  });
}

describe("CLI against the local worker (wrangler dev, as npm start runs it)", () => {
  let server: DevServer;

  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("enrolls alice from obama_1, matches obama_2 and refuses biden_1", async () => {
    const consent = await facegate(server, "consent", "alice");
    expect(consent.code, consent.stderr).toBe(0);
    expect(JSON.parse(consent.stdout)).toMatchObject({ subjectId: "alice", purposes: ["verification"] });

    const enroll = await facegate(server, "enroll", "alice", face("obama/obama_1.jpg"));
    expect(enroll.code, enroll.stderr).toBe(0);
    expect(JSON.parse(enroll.stdout)).toMatchObject({ templateCount: 1 });

    const same = await facegate(server, "verify", "alice", face("obama/obama_2.jpg"));
    expect(same.code, same.stderr).toBe(0);
    const sameResult = JSON.parse(same.stdout);
    expect(sameResult.match).toBe(true);
    expect(typeof sameResult.assertion).toBe("string");
    expect(same.stdout).not.toMatch(/score/i);

    const other = await facegate(server, "verify", "alice", face("biden/biden_1.jpg"));
    expect(other.code, other.stderr).toBe(1);
    const otherResult = JSON.parse(other.stdout);
    expect(otherResult.match).toBe(false);
    expect(otherResult.assertion).toBeUndefined();
    expect(otherResult.attemptsRemaining).toBe(4);
  });

  it("exits 2 with a one-line reason when the image has no usable face", async () => {
    const run = await facegate(server, "verify", "alice", face("hard/obama_partial_face.jpg"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/image refused \(face-cut-off\)/);
  });

  it("deletes alice; afterwards verify says nothing is enrolled", async () => {
    expect((await facegate(server, "delete", "alice")).code).toBe(0);
    const after = await facegate(server, "verify", "alice", face("obama/obama_2.jpg"));
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/not-enrolled/);
  });
});
