import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import conformance from "../../models/conformance/vectors.json";
import { b64uDecode, b64uEncode, type ChallengeResponseT, type EnvelopePurpose } from "../../src/protocol/index.js";
import { sealEmbedding } from "../../src/protocol/envelope.js";
import { createNobleHpke, deriveKeyPair, openBase, sealBase } from "../../src/protocol/hpke/index.js";
import { ENVELOPE_SUITE_VECTORS as vectors } from "../vectors/rfc9180.js";
import { MODEL_ID, Subject } from "./helpers/api.js";

/**
 * The noble HPKE suite (src/protocol/hpke) inside workerd: the RFC 9180
 * known answers (as src/protocol/hpke/index.test.ts on Node), and
 * envelopes it seals going through the real worker, which opens them with
 * hpke-js on WebCrypto: what a React Native client will send. The
 * embeddings are the SDK pipeline's, from the conformance vectors.
 */

type Photo = { image: string; expected: { embedding?: { values: number[] } } };
const embeddingOf = (image: string): number[] => (conformance as { photos: Photo[] }).photos.find((p) => p.image === image)!.expected.embedding!.values;

describe("the noble HPKE suite in workerd", () => {
  for (const [i, v] of vectors.entries()) {
    it(`RFC 9180 vector ${i}: DeriveKeyPair, SealBase with ikmE as randomness, OpenBase`, () => {
      expect(bytesToHex(deriveKeyPair(hexToBytes(v.ikmR)).publicKey)).toBe(v.pkRm);
      expect(bytesToHex(deriveKeyPair(hexToBytes(v.ikmE)).publicKey)).toBe(v.pkEm);
      const e0 = v.encryptions.find((e) => e.sequence_number === 0)!;
      const ikmE = hexToBytes(v.ikmE);
      const sealed = sealBase(hexToBytes(v.pkRm), hexToBytes(v.info), hexToBytes(e0.aad), hexToBytes(e0.pt), (n) => ikmE.slice(0, n));
      expect(bytesToHex(sealed.enc)).toBe(v.enc);
      expect(bytesToHex(sealed.ciphertext)).toBe(e0.ct);
      expect(bytesToHex(openBase(hexToBytes(v.enc), hexToBytes(v.skRm), hexToBytes(v.info), hexToBytes(e0.aad), hexToBytes(e0.ct)))).toBe(e0.pt);
    });
  }
});

describe("envelopes sealed by the noble suite, opened by the worker", () => {
  const noble = createNobleHpke();

  async function send(s: Subject, purpose: EnvelopePurpose, embedding: readonly number[]): Promise<Response> {
    const ch: ChallengeResponseT = await s.challenge(purpose);
    const sealed = await sealEmbedding(
      noble,
      { kid: ch.envelopeKey.kid, publicKey: b64uDecode(ch.envelopeKey.publicKey) },
      { purpose, subjectId: s.id, challengeId: ch.challengeId, nonce: ch.nonce, modelId: MODEL_ID },
      embedding,
    );
    return s.send(purpose, {
      challengeId: ch.challengeId,
      modelId: MODEL_ID,
      envelope: { kid: sealed.kid, enc: b64uEncode(sealed.enc), ciphertext: b64uEncode(sealed.ciphertext) },
    });
  }

  it("enrol one photo of Obama, then another photo of him matches and a photo of Rose Leslie does not", async () => {
    const s = await Subject.create("noble");
    expect((await s.consent()).status).toBe(200);
    const enrolled = await send(s, "enroll", embeddingOf("faces/obama/obama_1.jpg"));
    expect(enrolled.status, await enrolled.clone().text()).toBe(201);
    const same = await send(s, "verify", embeddingOf("faces/obama/obama_4.jpg"));
    expect(same.status, await same.clone().text()).toBe(200);
    expect(((await same.json()) as { match: boolean }).match).toBe(true);
    const other = await send(s, "verify", embeddingOf("faces/rose_leslie/rose_leslie_1.jpg"));
    expect(other.status).toBe(200);
    expect(((await other.json()) as { match: boolean }).match).toBe(false);
  });
});
