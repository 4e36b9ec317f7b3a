import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../../client/src/runtime/model-dir-node.js";
import { comparePhoto } from "./compare.js";
import { FORMAT, VectorsSchema, type Vectors } from "./format.js";
import { MODELS_DIR, REPO_ROOT, sha256Hex } from "./trace.js";

/**
 * The conformance vectors and runner (docs/MOBILE.md, "Conformance") on
 * the real models and photos: the SDK pipeline passes its own vectors, the
 * same code on onnxruntime-node's native kernels (what a native port links)
 * passes them from the reference pixels, and a drifted pipeline is refused.
 * Each runner call spawns the reference once; the four runs over the 23
 * photos take about 40 s together on the shared 2-core machine.
 */

const DATA = path.join(REPO_ROOT, "../shared/data");
const VECTORS = path.join(REPO_ROOT, "models/conformance/vectors.json");
const node = JSON.stringify(process.execPath);
const reference = (args = "") => `${node} --import tsx scripts/conformance/reference.ts ${args}`.trim();
const SLOW = 300_000;

function runner(args: string[], stdin?: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "scripts/conformance/run.ts", ...args],
      { cwd: REPO_ROOT, maxBuffer: 16 << 20 },
      (err, stdout) => {
        if (err && typeof err.code !== "number") reject(err);
        else resolve({ code: err ? (err.code as number) : 0, stdout });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

const summary = (stdout: string) => stdout.trim().split("\n").at(-1);

let vectors: Vectors;
beforeAll(async () => {
  vectors = VectorsSchema.parse(JSON.parse(await readFile(VECTORS, "utf8")));
});

/** The Hermes run's photos in npm test: every restoration step's (conformance/photos.ts) and one person's. */
const HERMES_SHORT = ["Gary_Winnick", "Luis_Ernesto_Derbez_Bautista", "Mireya_Moscoso", "faces/obama/"];

describe("models/conformance/vectors.json", () => {
  it("names the models the manifest ships, and each photo is the file its vector was made from", async () => {
    const manifest = await readManifest(MODELS_DIR);
    for (const [id, m] of Object.entries(vectors.generated.models)) expect(manifest.models[id]?.sha256, id).toBe(m.sha256);
    for (const p of vectors.photos) {
      expect(p.image, "relative to ../shared/data").not.toMatch(/^\/|\.\./);
      expect(sha256Hex(new Uint8Array(await readFile(path.join(DATA, p.image)))), p.image).toBe(p.fileSha256);
    }
  });

  it("covers every stage a port must get right: both detection passes, each restoration, sharpening, refusals before and at the quality gates, LFW DevTest", () => {
    const e = vectors.photos.map((p) => p.expected);
    expect(vectors.photos.length).toBeGreaterThanOrEqual(20);
    expect(new Set(e.map((x) => x.detection.pass))).toEqual(new Set(["coarse", "full"]));
    expect(e.some((x) => x.restoration.impulse)).toBe(true);
    expect(e.some((x) => x.restoration.median)).toBe(true);
    expect(e.some((x) => x.embedding?.sharpened)).toBe(true);
    expect(e.some((x) => x.refusal && !x.points)).toBe(true);
    expect(e.some((x) => x.refusal && x.quality)).toBe(true);
    expect(e.some((x) => !x.refusal && x.detection.faces.length > 1)).toBe(true);
    expect(vectors.photos.filter((p) => p.image.startsWith("lfw-dev/")).length).toBeGreaterThanOrEqual(5);
  });

  it("holds no face image: the crop is a hash, statistics and an 8x8 thumbnail", async () => {
    for (const p of vectors.photos) {
      if (p.expected.aligned) expect(Object.keys(p.expected.aligned).sort()).toEqual(["mean", "rgbSha256", "std", "thumbnail"]);
    }
    expect((await readFile(VECTORS)).length).toBeLessThan(400_000);
  });
});

describe("scripts/conformance/run.ts", () => {
  it(
    "the reference implementation (the SDK pipeline, onnxruntime-web WASM) passes every vector",
    async () => {
      const { code, stdout } = await runner(["--impl", reference()]);
      expect(summary(stdout), stdout).toBe(`${vectors.photos.length} passed, 0 failed`);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    "the pipeline in Hermes (hermes-engine-cli, the model runs replayed from the real models) passes the vectors of the restoration photos and of one person, from the reference decoder's pixels",
    async () => {
      // One Hermes process per photo (about 5 s each here): npm test runs the photos that exercise every
      // restoration step and one person's; `npm run conformance:hermes` runs all of them.
      const hermes = `${node} --import tsx packages/react-native/test/hermes/conformance-impl.ts`;
      const only = HERMES_SHORT.flatMap((o) => ["--only", o]);
      const { code, stdout } = await runner(["--impl", hermes, "--pixels", "reference", ...only]);
      const n = vectors.photos.filter((p) => HERMES_SHORT.some((o) => p.image.includes(o))).length;
      expect(n).toBeGreaterThanOrEqual(5);
      expect(summary(stdout), stdout).toBe(`${n} passed, 0 failed`);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    "the same code on onnxruntime-node's native CPU kernels passes every vector from the reference decoder's pixels (PAM)",
    async () => {
      const { code, stdout } = await runner(["--impl", reference("--ort node"), "--pixels", "reference"]);
      expect(summary(stdout), stdout).toBe(`${vectors.photos.length} passed, 0 failed`);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    "a drifted pipeline (the package's five-point reduction) is refused at the points, the crop and the quality, and the run exits 1",
    async () => {
      const { code, stdout } = await runner(["--impl", reference("--five-points package"), "--only", "faces/obama/"]);
      const n = vectors.photos.filter((p) => p.image.includes("faces/obama/")).length;
      expect(summary(stdout)).toBe(`0 passed, ${n} failed`);
      expect(code).toBe(1);
      const rows = stdout.split("\n").filter((l) => l.startsWith("FAIL  faces/obama/"));
      expect(rows).toHaveLength(n);
      // The embedding computes in int8, so its bound (cosine 0.985) is loose enough for two correct
      // runtimes; this drift's embeddings land at 0.993-0.996, inside it. The stages before catch it.
      for (const row of rows) expect(row).toMatch(/detection ok, subject ok, points FAIL, aligned FAIL, quality FAIL, embedding ok/);
    },
    SLOW,
  );

  describe("a results file, as a phone's test run writes it", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "facegate-conformance-test-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it(
      "is judged like a running implementation, and a missing line fails its photo",
      async () => {
        const chosen = vectors.photos.filter((p) => /obama_1|two_people|Gary_Winnick/.test(p.image));
        // The reference's documents, each tagged with its vector's image, as a port's test target would write them.
        const lines = await new Promise<string[]>((resolve, reject) => {
          const child = execFile(
            process.execPath,
            ["--import", "tsx", "scripts/conformance/reference.ts"],
            { cwd: REPO_ROOT, maxBuffer: 16 << 20 },
            (err, stdout) => (err ? reject(err) : resolve(stdout.trim().split("\n"))),
          );
          child.stdin?.end(`${chosen.map((p) => path.join(DATA, p.image)).join("\n")}\n`);
        });
        const docs = lines.map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), image: chosen[i]!.image }));
        const file = path.join(dir, "results.jsonl");
        await writeFile(file, `${docs.join("\n")}\n`);
        const args = chosen.flatMap((p) => ["--only", p.image]);
        const ok = await runner(["--results", file, ...args]);
        expect(summary(ok.stdout), ok.stdout).toBe(`${chosen.length} passed, 0 failed`);
        await writeFile(file, `${docs.slice(1).join("\n")}\n`);
        const missing = await runner(["--results", file, ...args]);
        expect(summary(missing.stdout)).toBe(`${chosen.length - 1} passed, 1 failed`);
        expect(missing.stdout).toMatch(/no line for this image in the results file/);
        expect(missing.code).toBe(1);
      },
      SLOW,
    );
  });

  it("an implementation's error or a document of another shape fails every stage, saying why", () => {
    const p = vectors.photos[0]!;
    const error = comparePhoto(p.image, p.expected, { format: FORMAT, error: "decoder crashed" }, vectors.tolerances);
    expect(error.ok).toBe(false);
    expect(error.stages.every((s) => s.status === "fail" && /decoder crashed/.test(s.note))).toBe(true);
    const { embedding: _dropped, ...rest } = p.expected;
    const shaped = comparePhoto(p.image, p.expected, { ...rest, extra: 1 }, vectors.tolerances);
    expect(shaped.ok).toBe(false);
    expect(shaped.stages[0]!.note).toMatch(/not a facegate-conformance\/1 document/);
  });
});
