/**
 * `npm run bench:browser`: first login in a real browser. Debian's Chromium
 * (playwright-core), a fake camera made of a photo, the real worker
 * (wrangler dev, as `npm start`), the real models. For each throttle
 * setting, a cold load (fresh profile) and a warm one (same profile, Cache
 * Storage and HTTP cache kept) of a `<facegate-verify>` page and of
 * face-api.js's equivalent page; seconds to models loaded, first analysed
 * frame, first usable face and first verify decision; bytes per resource.
 *
 *   npm run bench:browser [-- --runs N] [--json artifacts/bench-browser.json]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { readImageFile } from "../../client/src/image/decode-node.js";
import { MODELS_ID } from "../../client/src/node.js";
import { freePort, REPO_ROOT, startDevServer } from "../../scripts/lib/dev-server.js";
import { CHROMIUM, launchChromium } from "../../scripts/lib/chromium.js";
import { cameraFrom } from "../../scripts/lib/fake-camera.js";
import { face } from "../../scripts/lib/shared-data.js";
import { analyzeFaceApi, loadFaceApi } from "../lib/faceapi-node.js";
import { measureLoad, THROTTLES, type Load, type Throttle } from "./measure.js";
import { startBenchServer, stageFaceApiAssets } from "./server.js";
import { subjectFactory } from "./subjects.js";
import { formatReport, type Row } from "./report.js";
import { parseCommandLine } from "../../scripts/lib/command-line.js";

const values = parseCommandLine({
  command: "npm run bench:browser",
  summary: "First login in Debian's Chromium: cold and warm loads of <facegate-verify> and of face-api.js's page, per throttle setting.",
  options: { runs: { type: "string", default: "1" }, json: { type: "string", default: "artifacts/bench-browser.json" } },
  help: { runs: "loads per page and setting (medians are reported)", json: "the JSON report" },
});
const runs = Math.max(1, Number(values.runs));
const ENROLL_PHOTO = "obama/obama_1.jpg";
const CAMERA_PHOTO = "obama/obama_2.jpg";

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
console.log("building the packages and public/ (as npm start does)…");
sh(process.execPath, ["--import", "tsx", "scripts/dev-keys.ts"]);
sh("npm", ["run", "build", "--silent"]);
sh(process.execPath, ["--import", "tsx", "scripts/build-demo.ts"]);
stageFaceApiAssets();

const loadBefore = loadavg();
const benchPort = await freePort();
const worker = await startDevServer({ vars: { CORS_ORIGINS: `http://127.0.0.1:${benchPort}` } });

// face-api.js's "enrolled" descriptor: the enrolment photo through the same nets, in Node.
const faceapi = await loadFaceApi(1);
const ref = await analyzeFaceApi(faceapi, await readImageFile(face(ENROLL_PHOTO)));
if (!ref.descriptor) throw new Error("face-api.js found no face in the enrolment photo");
const server = await startBenchServer(worker.url, benchPort, Array.from(ref.descriptor));

const subjects = subjectFactory(worker.url, face(ENROLL_PHOTO));
const { browser } = await launchChromium({ camera: await cameraFrom(face(CAMERA_PHOTO)) });

const rows: Row[] = [];
try {
  for (let run = 0; run < runs; run++) {
    for (const t of THROTTLES) {
      for (const page of ["facegate", "face-api.js"] as const) {
        const context = await browser.newContext({ permissions: ["camera"] });
        try {
          for (const visit of ["cold", "warm"] as const) {
            const url = page === "facegate" ? `${server.url}/bench/facegate.html?${await subjects.next()}` : `${server.url}/bench/faceapi.html`;
            const load = await measureLoad(context, server, url, t);
            report(page, visit, t, load);
            rows.push({ run, page, visit, throttle: t.name, ...summarise(load) });
          }
        } finally {
          await context.close();
        }
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  await worker.stop();
}

function summarise(load: Load): Omit<Row, "run" | "page" | "visit" | "throttle"> {
  return {
    marks: load.marks,
    result: load.result,
    ...(load.firstFrame ? { firstFrame: load.firstFrame } : {}),
    ...(load.error ? { error: load.error } : {}),
    wire: Object.fromEntries([...load.wire].sort((a, b) => b[1] - a[1])),
    timing: Object.fromEntries([...load.timing].map(([p, [a, b]]) => [p, [Math.round(a * 1000) / 1000, Math.round(b * 1000) / 1000]])),
    served: Object.fromEntries([...load.served].sort((a, b) => b[1] - a[1])),
  };
}

function report(page: string, visit: string, t: Throttle, load: Load): void {
  const s = (ms?: number) => (ms === undefined ? "-" : (ms / 1000).toFixed(2));
  const mb = [...load.wire.values()].reduce((a, b) => a + b, 0) / 1e6;
  const m = load.marks;
  console.log(
    `${page.padEnd(11)} ${visit} ${t.name.padEnd(24)} ready ${s(m.ready)} s, frame ${s(m.frame)} s, usable ${s(m.usable)} s, decision ${s(m.decision)} s, ${mb.toFixed(2)} MB${load.firstFrame ? `, first frame ms ${JSON.stringify(load.firstFrame, (_k, v) => (typeof v === "number" ? Math.round(v) : v))}` : ""} ${load.error ? `ERROR ${load.error}` : JSON.stringify(load.result)}`,
  );
}

const cpu = cpus()[0]?.model ?? "unknown";
const loadAfter = loadavg();
const chromiumVersion = execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const meta = {
  date: new Date().toISOString(),
  cpu: `${cpu}, ${cpus().length} cores`,
  load: `load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} before, ${loadAfter.map((x) => x.toFixed(2)).join(" ")} after`,
  chromium: chromiumVersion,
  runs,
  modelsId: MODELS_ID,
};
console.log(`\n${formatReport(meta, rows)}`);
mkdirSync(dirname(join(REPO_ROOT, values.json!)), { recursive: true });
writeFileSync(join(REPO_ROOT, values.json!), JSON.stringify({ meta, rows }, null, 2));
console.log(`\nwrote ${values.json}`);
