/**
 * The conformance runner (docs/MOBILE.md, "Conformance"): judges an
 * implementation of the face pipeline against models/conformance/vectors.json,
 * stage by stage, and prints one line per photo, then `N passed, N failed`;
 * exits 1 when any photo fails.
 *
 *   npx tsx scripts/conformance/run.ts --impl "<command>" [options]
 *   npx tsx scripts/conformance/run.ts --results results.jsonl [options]
 *
 * --impl       a command (run by the shell, from the repository root) that
 *              reads image paths on stdin, one per line, and answers each
 *              with one JSON document on one line of stdout, in order
 *              (scripts/conformance/format.ts); the reference is
 *              "npx tsx scripts/conformance/reference.ts"
 * --results    instead, a file of documents already computed (a phone's test
 *              run), one per line, each naming its vector's `image`
 * --pixels     `encoded` (default): hand over the photo itself, so the
 *              implementation's decoder is judged too; `reference`: hand over
 *              the SDK decoder's RGBA as a .pam, to judge the face stages alone
 * --only       run only the photos whose path contains this (repeatable)
 * --vectors    default models/conformance/vectors.json
 * --data       where the photos are; default ../shared/data beside the repository
 * --report     also write the verdicts as JSON to this file
 * --verbose    print every stage's note (what was compared, by how much it differed), not only failures
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { decodeImage } from "../../client/src/image/decode-node.js";
import { comparePhoto, type PhotoVerdict } from "./compare.js";
import { FORMAT, VectorsSchema, type ErrorResult, type Vectors } from "./format.js";
import { writePam } from "./pam.js";
import { REPO_ROOT, sha256Hex } from "./trace.js";
import { parseCommandLine } from "../lib/command-line.js";

/** A guard against an implementation that hangs, not a performance bound: the slowest photo takes about a second here. */
const PER_PHOTO_TIMEOUT_MS = 300_000;

/** What the runner itself records when an implementation gave no document. */
const noDocument = (error: string): ErrorResult => ({ format: FORMAT, error });

class UsageError extends Error {
  override name = "UsageError";
}

/** One long-lived implementation process: a line in, a line out. */
class Implementation {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #exited: string | null = null;

  constructor(command: string) {
    this.#child = spawn(command, { shell: true, cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
    // The implementation's log is its business; pass it through so a failure can be read.
    this.#child.stderr.on("data", (b: Buffer) => process.stderr.write(b));
    this.#child.on("exit", (code, signal) => (this.#exited = `exited (${signal ?? `code ${code}`})`));
    this.#child.stdin.on("error", () => undefined);
    this.#lines = createInterface({ input: this.#child.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async ask(imagePath: string): Promise<unknown> {
    if (this.#exited) return noDocument(`the implementation ${this.#exited}`);
    this.#child.stdin.write(`${imagePath}\n`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<IteratorResult<string>>((resolve) => {
      timer = setTimeout(() => resolve({ done: true, value: undefined }), PER_PHOTO_TIMEOUT_MS);
    });
    const next = await Promise.race([this.#lines.next(), timeout]);
    clearTimeout(timer);
    if (next.done)
      return noDocument(this.#exited ? `the implementation ${this.#exited} without answering` : `no answer within ${PER_PHOTO_TIMEOUT_MS / 1000} s`);
    try {
      return JSON.parse(next.value) as unknown;
    } catch {
      return noDocument(`not JSON: ${next.value.slice(0, 120)}`);
    }
  }

  async close(): Promise<void> {
    this.#child.stdin.end();
    if (this.#exited) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#child.kill();
        resolve();
      }, 30_000);
      this.#child.on("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

async function main(): Promise<number> {
  const values = parseCommandLine({
    command: "npm run conformance",
    summary: "Judges an implementation of the face pipeline against models/conformance/vectors.json, stage by stage (docs/MOBILE.md).",
    options: {
      impl: { type: "string" },
      results: { type: "string" },
      pixels: { type: "string", default: "encoded" },
      only: { type: "string", multiple: true },
      vectors: { type: "string", default: path.join(REPO_ROOT, "models/conformance/vectors.json") },
      data: { type: "string", default: path.join(REPO_ROOT, "../shared/data") },
      report: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    help: {
      impl: "a command that reads image paths on stdin and answers each with one JSON line (scripts/conformance/format.ts)",
      results: "instead, a file of documents already computed, one per line",
      pixels: "encoded: hand over the photo; reference: the SDK decoder's RGBA as a .pam",
      only: "run only the photos whose path contains this",
      vectors: "the conformance vectors",
      data: "where the photos are",
      report: "also write the verdicts as JSON to this file",
      verbose: "print every stage's note, not only failures",
    },
  });
  if (!values.impl === !values.results) throw new UsageError('give exactly one of --impl "<command>" and --results <file.jsonl>');
  if (values.pixels !== "encoded" && values.pixels !== "reference") throw new UsageError("--pixels must be encoded or reference");
  const referencePixels = values.pixels === "reference";
  if (referencePixels && values.results) throw new UsageError("--pixels reference hands pixels to a running implementation; it does not apply to --results");

  const vectors: Vectors = VectorsSchema.parse(JSON.parse(await readFile(values.vectors, "utf8")));
  const only = values.only ?? [];
  const photos = vectors.photos.filter((p) => only.length === 0 || only.some((o) => p.image.includes(o)));
  if (photos.length === 0) throw new UsageError(`no photo matches --only ${only.join(", ")}`);
  const dataDir = path.resolve(values.data);
  const g = vectors.generated;
  console.log(`${photos.length} of ${vectors.photos.length} photos, vectors of ${g.date} (pipeline ${g.pipelineSourceVersion}, ${g.runtime})`);
  console.log(
    values.impl
      ? `implementation: ${values.impl} (${referencePixels ? "the reference decoder's pixels, as PAM" : "encoded photos"})`
      : `results: ${values.results}`,
  );

  let answers: (imagePath: string, image: string) => Promise<unknown>;
  let finish = async (): Promise<void> => undefined;
  const tmp = referencePixels ? await mkdtemp(path.join(os.tmpdir(), "facegate-conformance-")) : null;
  if (values.impl) {
    const impl = new Implementation(values.impl);
    answers = (p) => impl.ask(p);
    finish = async () => {
      await impl.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    };
  } else {
    const byImage = new Map<string, unknown>();
    for (const line of (await readFile(values.results!, "utf8")).split("\n")) {
      if (!line.trim()) continue;
      const doc = JSON.parse(line) as { image?: unknown };
      if (typeof doc.image !== "string") throw new UsageError(`${values.results}: every line must name its vector's "image"`);
      byImage.set(doc.image, doc);
    }
    answers = async (_p, image) => {
      return byImage.get(image) ?? noDocument("no line for this image in the results file");
    };
  }

  const verdicts: PhotoVerdict[] = [];
  const width = Math.max(...photos.map((p) => p.image.length));
  try {
    for (const [i, p] of photos.entries()) {
      const file = path.join(dataDir, p.image);
      const bytes = new Uint8Array(await readFile(file));
      if (sha256Hex(bytes) !== p.fileSha256) throw new UsageError(`${file} is not the file the vectors were made from (sha256 differs)`);
      let input = file;
      if (tmp) {
        input = path.join(tmp, `${i}.pam`);
        await writePam(input, decodeImage(bytes));
      }
      const raw = await answers(input, p.image);
      const verdict = comparePhoto(p.image, p.expected, raw, vectors.tolerances, { referencePixels });
      verdicts.push(verdict);
      const stages = verdict.stages.map((s) => `${s.stage} ${s.status === "fail" ? "FAIL" : s.status === "pass" ? "ok" : "-"}`).join(", ");
      console.log(`${verdict.ok ? "pass" : "FAIL"}  ${p.image.padEnd(width)}  ${stages}`);
      for (const s of verdict.stages) if (s.status === "fail" || values.verbose) console.log(`        ${s.stage}: ${s.note}`);
    }
  } finally {
    await finish();
  }
  if (values.report)
    await writeFile(
      values.report,
      `${JSON.stringify({ vectors: values.vectors, implementation: values.impl ?? values.results, pixels: values.pixels, verdicts }, null, 2)}\n`,
    );
  const passed = verdicts.filter((v) => v.ok).length;
  console.log(`${passed} passed, ${verdicts.length - passed} failed`);
  return passed === verdicts.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof UsageError ? `conformance: ${e.message}` : e);
    process.exit(2);
  },
);
