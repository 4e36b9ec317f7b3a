/**
 * What each dependency adds to the worker's bundle (npm run bench:bundle):
 * src/index.ts bundled and minified as wrangler would for workerd, with
 * esbuild's metafile saying how many output bytes come from each package.
 * Sizes, not timings: they do not depend on the machine.
 */
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { parseCommandLine } from "../scripts/lib/command-line.js";

parseCommandLine({
  command: "npm run bench:bundle",
  summary: "What each dependency adds to the worker's bundle: src/index.ts bundled and minified as wrangler would, bytes per package.",
  options: {},
  help: {},
});

const GROUPS: [string, RegExp][] = [
  [
    "passkeys (@simplewebauthn/server and its ASN.1/X.509 dependencies)",
    /simplewebauthn|peculiar|asn1js|tsyringe|reflect-metadata|levischuck|hexagon|pvtsutils|pvutils|tslib/,
  ],
  ["zod and the OpenAPI generator", /^zod$|zod-to-openapi|@hono\/zod-openapi/],
  ["HPKE (@hpke/*, @noble/*)", /@hpke|@noble/],
  ["jose", /^jose$/],
  ["hono", /^hono$/],
];

const r = await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*", "node:*"],
  write: false,
  metafile: true,
  logLevel: "error",
});
const out = r.outputFiles[0]!.contents;
const inputs = Object.values(r.metafile.outputs)[0]!.inputs;
const bytes = new Map<string, number>();
for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(facegate)";
  const group = GROUPS.find(([, re]) => re.test(pkg))?.[0] ?? (pkg === "(facegate)" ? "facegate's own code" : "other dependencies");
  bytes.set(group, (bytes.get(group) ?? 0) + bytesInOutput);
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
console.log(`worker bundle: ${kb(out.length)} minified, ${kb(gzipSync(out).length)} gzip`);
console.log("| part | minified | share |\n| --- | --- | --- |");
for (const [group, n] of [...bytes].sort((a, b) => b[1] - a[1])) console.log(`| ${group} | ${kb(n)} | ${((100 * n) / out.length).toFixed(1)}% |`);
