import { randomBytes } from "node:crypto";
import { x25519 } from "@noble/curves/ed25519.js";
import { base64 } from "@scure/base";
import { beforeAll, describe, expect, it } from "vitest";
import { readImageFile } from "../../../client/src/image/decode-node.js";
import type { RgbaImage } from "../../../client/src/image/types.js";
import { b64uDecode, b64uEncode } from "../../../src/protocol/base64url.js";
import { bytesToProbe, createEnvelopeSuite, openEnvelope } from "../../../src/protocol/envelope.js";
import { similarity as cosineSimilarity } from "../../../src/protocol/similarity.js";
import { face } from "../../../scripts/lib/shared-data.js";
import { bundledModels, bundleForHermes, encodeImage, hermesVersion, recordInNode, runInHermes } from "./hermes/hermes.js";
import type { HermesInput, HermesOutput } from "./hermes/protocol.js";

/**
 * @facegate/react-native's built entry, bundled for Hermes and run in the
 * `hermes` binary of hermes-engine-cli (0.12.0, a devDependency): the pipeline's
 * JavaScript (preprocessing, NMS, landmarks, alignment, quality, fusion), the
 * models read from "the bundle" and checked by sha256 with @noble/hashes, the
 * typed client, and the envelope sealed with the noble HPKE suite.
 *
 * The model runs are replaced by outputs recorded from the real models on
 * the same real photos in Node (onnxruntime-web WASM, the SDK's own
 * pipeline): onnxruntime-react-native's native binding cannot run here. Each
 * replayed run first compares the input Hermes built with the input Node
 * built, so the replay cannot hide a preprocessing difference.
 */
const PHOTOS = ["obama/obama_1.jpg", "obama/obama_2.jpg", "biden/biden_1.jpg"];
const SUBJECT = "hermes-user";

const floats = (b64: string): Float32Array => {
  const b = base64.decode(b64);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

let node: Awaited<ReturnType<typeof recordInNode>>;
let bundle: Awaited<ReturnType<typeof bundleForHermes>>;
let input: HermesInput;
let out: HermesOutput;
const privateKey = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  const images: RgbaImage[] = await Promise.all(PHOTOS.map((p) => readImageFile(face(p))));
  // Hermes embeds the three photos, then enrolls the first: four analyses, in this order.
  node = await recordInNode(images, [0, 1, 2, 0]);
  bundle = await bundleForHermes();
  input = {
    manifest: (await import("../../../models/manifest.json", { with: { type: "json" } })).default,
    files: bundledModels(),
    recording: node.recording,
    images: images.map(encodeImage),
    embed: [0, 1, 2],
    actions: [{ purpose: "enroll", image: 0 }],
    challenges: [
      {
        challengeId: b64uEncode(new Uint8Array(randomBytes(16))),
        nonce: b64uEncode(new Uint8Array(randomBytes(32))),
        expiresAt: new Date(Date.now() + 120_000).toISOString(),
        envelopeKey: { kid: "hermes-test", publicKey: b64uEncode(x25519.getPublicKey(privateKey)) },
      },
    ],
    subjectId: SUBJECT,
    random: base64.encode(new Uint8Array(randomBytes(4096))),
  };
  out = runInHermes(bundle.code, input);
  console.log(
    `Hermes ${hermesVersion()}: bundle ${(bundle.code.length / 1024).toFixed(0)} KiB (esbuild ${(bundle.esbuildBytes / 1024).toFixed(0)} KiB before Babel's class transform); ` +
      `input diffs ${out.inputDiff?.map((d) => d.maxAbsDiff.toExponential(2)).join(", ")}`,
  );
}, 600_000);

describe("@facegate/react-native in Hermes (hermes-engine-cli)", () => {
  it("loads its models from the bundle, checked by sha256 in Hermes, on the react-native platform", () => {
    expect(out.error).toBeUndefined();
    expect(out.provider).toBe("cpu");
    // Hermes 0.12's gaps, each given by polyfills.ts (and nothing else): React Native's runtime has them.
    expect(out.polyfilled.sort()).toEqual([
      "Array.prototype.at",
      "Symbol.asyncIterator",
      "TextDecoder",
      "TextEncoder",
      "crypto.getRandomValues (Node's bytes)",
      "performance.now",
    ]);
    // Every model was created (create() finds its recording by size only after the sha256 check passed).
    expect(out.inputDiff).toHaveLength(node.recording.length);
  });

  it("refuses a model file whose sha256 is not the manifest's, in Hermes (ModelLoadError model-integrity)", () => {
    const files = { ...input.files };
    const bytes = base64.decode(files["fr_detect.onnx"]!);
    bytes[bytes.length >> 1]! ^= 1;
    files["fr_detect.onnx"] = base64.encode(bytes);
    const refused = runInHermes(bundle.code, { ...input, files });
    expect(refused.errorName, refused.error).toBe("ModelLoadError");
    expect(refused.errorCode).toBe("model-integrity");
    expect(refused.error).toMatch(/fr_detect\.onnx.*failed its integrity check/);
  });

  it("feeds every model the same input Node fed it, run for run", () => {
    for (const d of out.inputDiff) {
      expect(d.runs, `model of ${d.bytes} bytes`).toBe(d.recorded);
      expect(d.runs).toBeGreaterThan(0);
      // Float32 arithmetic in both engines; the same JavaScript kernels.
      expect(d.maxAbsDiff, `model of ${d.bytes} bytes`).toBeLessThanOrEqual(1e-5);
    }
  });

  it("computes Node's embeddings (cosine at least 0.9999)", () => {
    expect(out.embeddings).toHaveLength(PHOTOS.length);
    expect(node.embeddings).toHaveLength(PHOTOS.length + 1);
    const cosines = out.embeddings.map((e, i) => cosineSimilarity(floats(e), node.embeddings[i]!));
    console.log(`cosine Hermes vs Node: ${cosines.map((c) => c.toFixed(7)).join(", ")}`);
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.9999);
    // Not one embedding three times: two people's photos differ.
    expect(cosineSimilarity(floats(out.embeddings[0]!), floats(out.embeddings[2]!))).toBeLessThan(0.5);
  });

  it("seals an enrollment envelope that the server's openEnvelope opens, holding that embedding", async () => {
    const enroll = out.requests.find((r) => r.method === "POST" && r.path === `/v1/subjects/${SUBJECT}/templates`);
    expect(enroll, JSON.stringify(out.requests.map((r) => r.path))).toBeDefined();
    const body = enroll!.body as { challengeId: string; modelId: string; envelope: { kid: string; enc: string; ciphertext: string } };
    const challenge = input.challenges[0] as { challengeId: string; nonce: string };
    expect(body.challengeId).toBe(challenge.challengeId);
    expect(body.envelope.kid).toBe("hermes-test");
    // The worker's way (src/crypto/envelope-keys.ts): hpke-js on WebCrypto, the raw private key deserialised.
    const suite = createEnvelopeSuite();
    const pair = {
      privateKey: await suite.kem.deserializePrivateKey(privateKey),
      publicKey: await suite.kem.deserializePublicKey(x25519.getPublicKey(privateKey)),
    };
    const binding = { purpose: "enroll" as const, subjectId: SUBJECT, challengeId: challenge.challengeId, nonce: challenge.nonce, modelId: body.modelId };
    const plain = await openEnvelope(suite, pair, binding, b64uDecode(body.envelope.enc), b64uDecode(body.envelope.ciphertext));
    expect(plain).not.toBeNull();
    const probe = bytesToProbe(plain!, node.embeddings[0]!.length);
    expect(probe).not.toBeNull();
    expect(cosineSimilarity(probe!.embedding, node.embeddings[0]!)).toBeGreaterThanOrEqual(0.9999);
    // Bound to its challenge: another nonce does not open it.
    expect(
      await openEnvelope(
        suite,
        pair,
        { ...binding, nonce: b64uEncode(new Uint8Array(32)) },
        b64uDecode(body.envelope.enc),
        b64uDecode(body.envelope.ciphertext),
      ),
    ).toBeNull();
  });
});
