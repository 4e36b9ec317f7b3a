import { describe, expect, it } from "vitest";
import conformance from "../../../models/conformance/vectors.json";
import { bytesToProbe, createEnvelopeSuite, openEnvelope, sealEmbedding, type EnvelopeBinding } from "../envelope.js";
import { MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FRAMES, type EvidenceFrame, type LivenessEvidence } from "../liveness.js";
import { deriveKeyPair } from "./dhkem.js";
import { createNobleHpke } from "./index.js";
import { webRandomBytes } from "./base-mode.js";
import { similarity } from "../similarity.js";

/**
 * The facegate envelope itself (docs/API.md, "The envelope": info, aad,
 * embedding then evidence) sealed by one HPKE implementation and opened by
 * the other, with real embeddings: the SDK pipeline's for the development
 * photos, from the conformance vectors (models/conformance/vectors.json).
 */

type Photo = { image: string; expected: { embedding?: { values: number[] }; quality?: { pose: { yaw: number; pitch: number } } } };
const photos = (conformance as { photos: Photo[] }).photos;
const embeddingOf = (image: string): number[] => photos.find((p) => p.image === image)!.expected.embedding!.values;

const OBAMA = embeddingOf("faces/obama/obama_1.jpg");
/** SDK rounding (client/src/pipeline/active/capture.ts): agreement to 4 decimals, pose to 1. */
const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
/** Evidence in the shape the SDK seals, its poses and agreements those of the other Obama photos (no pixels, as always). */
const EVIDENCE: LivenessEvidence = {
  v: 1,
  frames: photos
    .filter((p) => p.image.includes("obama") && p.expected.embedding)
    .map(
      (p, i): EvidenceFrame => ({
        t: i * 120,
        yaw: r(p.expected.quality!.pose.yaw, 1),
        pitch: r(p.expected.quality!.pose.pitch, 1),
        ear: 0.3,
        agree: r(similarity(OBAMA, p.expected.embedding!.values), 4),
        iou: i ? 0.9 : 1,
      }),
    ),
  pad: 0.93,
};
/** As many frames as the protocol allows (MAX_EVIDENCE_FRAMES, a capture of about two seconds). */
const LONGEST: LivenessEvidence = {
  v: 1,
  frames: Array.from({ length: MAX_EVIDENCE_FRAMES }, (_, i) => ({ ...EVIDENCE.frames[i % EVIDENCE.frames.length]!, t: r(i * 33.3667, 1) })),
  pad: 0.9312,
};

const BINDING: EnvelopeBinding = { purpose: "verify", subjectId: "alice", challengeId: "c".repeat(22), nonce: "n".repeat(43), modelId: "fr512-v1" };
const CHANGES = [{ purpose: "enroll" }, { subjectId: "bob" }, { challengeId: "d".repeat(22) }, { nonce: "m".repeat(43) }, { modelId: "fr512-v2" }] as const;

/** The server's key as HPKE_KEYS holds it (a raw X25519 private key), for both implementations. */
async function recipient() {
  const core = createEnvelopeSuite();
  const raw = deriveKeyPair(webRandomBytes(32));
  const pair: CryptoKeyPair = {
    privateKey: await core.kem.deserializePrivateKey(raw.privateKey),
    publicKey: await core.kem.deserializePublicKey(raw.publicKey),
  };
  return { core, raw, pair, key: { kid: "k1", publicKey: raw.publicKey } };
}

describe("the facegate envelope across the two HPKE implementations", () => {
  it("the vectors hold real embeddings of the right length", () => {
    expect(OBAMA).toHaveLength(512);
    expect(EVIDENCE.frames.length).toBeGreaterThanOrEqual(3);
    expect(new TextEncoder().encode(JSON.stringify(LONGEST)).length).toBeLessThanOrEqual(MAX_EVIDENCE_BYTES);
  });

  for (const [name, evidence] of [
    ["the embedding alone", undefined],
    ["the embedding and its evidence", EVIDENCE],
    ["the embedding and the longest evidence allowed", LONGEST],
  ] as const) {
    it(`noble seals ${name}, @hpke/core opens it to the same probe, and only under the same binding`, async () => {
      const r = await recipient();
      const sealed = await sealEmbedding(createNobleHpke(), r.key, BINDING, OBAMA, evidence);
      expect(sealed.enc).toHaveLength(32);
      const pt = await openEnvelope(r.core, r.pair, BINDING, sealed.enc, sealed.ciphertext);
      const probe = bytesToProbe(pt!, 512);
      expect(Array.from(probe!.embedding)).toEqual(Array.from(Float32Array.from(OBAMA)));
      expect(probe!.evidence).toEqual(evidence ?? null);
      for (const change of CHANGES)
        expect(await openEnvelope(r.core, r.pair, { ...BINDING, ...change }, sealed.enc, sealed.ciphertext), JSON.stringify(change)).toBeNull();
    });

    it(`@hpke/core seals ${name}, noble opens it with the raw private key to the same probe, and only under the same binding`, async () => {
      const r = await recipient();
      const sealed = await sealEmbedding(r.core, r.key, BINDING, OBAMA, evidence);
      const noble = createNobleHpke();
      const pt = await openEnvelope(noble, r.raw.privateKey, BINDING, sealed.enc, sealed.ciphertext);
      const probe = bytesToProbe(pt!, 512);
      expect(Array.from(probe!.embedding)).toEqual(Array.from(Float32Array.from(OBAMA)));
      expect(probe!.evidence).toEqual(evidence ?? null);
      for (const change of CHANGES)
        expect(await openEnvelope(noble, r.raw.privateKey, { ...BINDING, ...change }, sealed.enc, sealed.ciphertext), JSON.stringify(change)).toBeNull();
    });
  }

  it("an envelope sealed to another key opens with neither implementation", async () => {
    const [a, b] = [await recipient(), await recipient()];
    const sealed = await sealEmbedding(createNobleHpke(), a.key, BINDING, OBAMA, EVIDENCE);
    expect(await openEnvelope(b.core, b.pair, BINDING, sealed.enc, sealed.ciphertext)).toBeNull();
    expect(await openEnvelope(createNobleHpke(), b.raw.privateKey, BINDING, sealed.enc, sealed.ciphertext)).toBeNull();
  });
});
