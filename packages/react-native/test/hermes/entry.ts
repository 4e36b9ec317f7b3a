/**
 * The program Hermes runs (bundled by hermes.ts): @facegate/react-native's
 * built entry, its models read from "the bundle" (bytes Node put in the
 * input) and checked by sha256 in Hermes, faces embedded, enrollments and
 * verifications sealed with the noble HPKE suite and sent to a stubbed
 * network whose challenges Node supplied. Prints one JSON line (HermesOutput).
 */
import { installed, installRandomPool } from "./polyfills.js";
import { createFaceClient } from "@facegate/react-native";
import { base64 } from "@scure/base";
import type { HermesInput, HermesOutput } from "./protocol.js";
import { replayReport } from "./replay-ort.js";

declare const print: (line: string) => void;

const input = (globalThis as unknown as { __FACEGATE_INPUT: HermesInput }).__FACEGATE_INPUT;
installRandomPool(base64.decode(input.random));

const requests: HermesOutput["requests"] = [];
let served = 0;
const respond = (status: number, body: unknown) => ({
  ok: status >= 200 && status < 300,
  status,
  headers: { get: (name: string) => (name.toLowerCase() === "content-type" ? "application/json" : null) },
  json: async () => body,
});

async function stubFetch(url: string, init: { method?: string; body?: string } = {}) {
  const path = url.replace(/^https:\/\/faces\.example/, "");
  requests.push({ method: init.method ?? "GET", path, body: init.body === undefined ? null : JSON.parse(init.body) });
  if (path === "/v1/challenges") {
    const next = input.challenges[served++];
    return next === undefined ? respond(409, {}) : respond(200, next);
  }
  // The sealed bodies go back to Node (which may send them to a real worker); the answers here are placeholders.
  if (path.endsWith("/templates")) return respond(201, { templateId: "AAAAAAAAAAAAAAAAAAAAAA" });
  if (path.endsWith("/verify")) return respond(200, { match: false });
  return respond(404, {});
}

async function main(): Promise<HermesOutput> {
  const client = createFaceClient({
    baseUrl: "https://faces.example",
    getToken: "test-token",
    fetch: stubFetch as unknown as typeof fetch,
    models: {
      manifest: input.manifest,
      async read(file) {
        const b64 = input.files[file];
        if (b64 === undefined) throw new Error(`${file} is not in the bundle`);
        return base64.decode(b64);
      },
    },
  });
  const info = await client.loadModels();
  const images = input.images.map((i) => ({ width: i.width, height: i.height, data: base64.decode(i.data) }));
  const embeddings: string[] = [];
  for (const i of input.embed) {
    const e = await client.embed(images[i]!);
    embeddings.push(base64.encode(new Uint8Array(e.embedding.buffer, e.embedding.byteOffset, e.embedding.byteLength)));
  }
  for (const a of input.actions) {
    if (a.purpose === "enroll") await client.enroll(input.subjectId, images[a.image]!);
    else await client.verify(input.subjectId, images[a.image]!);
  }
  return { embeddings, inputDiff: replayReport(), requests, provider: info.provider, polyfilled: installed };
}

main().then(
  (out) => print(JSON.stringify(out)),
  (e: unknown) => print(JSON.stringify({ error: String((e as Error)?.stack ?? e), errorName: (e as Error)?.name, errorCode: (e as { code?: string })?.code })),
);
