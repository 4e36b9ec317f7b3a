import { describe, expect, it } from "vitest";
import { createEnvelopeSuite, embeddingToBytes, envelopeAad, envelopeInfo, openEnvelope } from "../../src/protocol/envelope.js";
import { ENVELOPE_SUITE_VECTORS as vectors } from "../vectors/rfc9180.js";

/**
 * RFC 9180 known-answer tests for exactly the envelope suite
 * (DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001, ChaCha20Poly1305
 * 0x0003, base mode), run against the hpke-js build the worker uses, inside
 * workerd.
 */

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: ArrayBuffer | Uint8Array) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");

describe("RFC 9180 test vectors, base mode X25519/HKDF-SHA256/ChaCha20Poly1305", () => {
  it("the vector file holds this suite", () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  for (const [i, v] of vectors.entries()) {
    it(`vector ${i}: DeriveKeyPair gives the published key pairs`, async () => {
      const suite = createEnvelopeSuite();
      const r = await suite.kem.deriveKeyPair(hex(v.ikmR));
      const e = await suite.kem.deriveKeyPair(hex(v.ikmE));
      expect(toHex(await suite.kem.serializePublicKey(r.publicKey))).toBe(v.pkRm);
      expect(toHex(await suite.kem.serializePrivateKey(r.privateKey))).toBe(v.skRm);
      expect(toHex(await suite.kem.serializePublicKey(e.publicKey))).toBe(v.pkEm);
      expect(toHex(await suite.kem.serializePrivateKey(e.privateKey))).toBe(v.skEm);
    });

    it(`vector ${i}: a sender with the vector's ephemeral key produces enc and every ct`, async () => {
      const suite = createEnvelopeSuite();
      const r = await suite.kem.deriveKeyPair(hex(v.ikmR));
      const ekm = await suite.kem.deriveKeyPair(hex(v.ikmE));
      const sender = await suite.createSenderContext({ recipientPublicKey: r.publicKey, info: hex(v.info), ekm });
      expect(toHex(sender.enc)).toBe(v.enc);
      const bySeq = new Map(v.encryptions.map((e) => [e.sequence_number, e]));
      const last = Math.max(...bySeq.keys());
      for (let seq = 0; seq <= last; seq++) {
        const e = bySeq.get(seq);
        // Sequence numbers without a vector are sealed only to advance the context.
        const ct = await sender.seal(e ? hex(e.pt) : new Uint8Array(0), e ? hex(e.aad) : new Uint8Array(0));
        if (e) expect(toHex(ct), `sequence ${seq}`).toBe(e.ct);
      }
    });

    it(`vector ${i}: a recipient opens every ct to pt and exports the published values`, async () => {
      const suite = createEnvelopeSuite();
      const r = await suite.kem.deriveKeyPair(hex(v.ikmR));
      const ekm = await suite.kem.deriveKeyPair(hex(v.ikmE));
      const recipient = await suite.createRecipientContext({ recipientKey: r, enc: hex(v.enc), info: hex(v.info) });
      // A parallel sender produces the ciphertexts of the sequence numbers the vector skips.
      const filler = await suite.createSenderContext({ recipientPublicKey: r.publicKey, info: hex(v.info), ekm });
      const bySeq = new Map(v.encryptions.map((e) => [e.sequence_number, e]));
      const last = Math.max(...bySeq.keys());
      for (let seq = 0; seq <= last; seq++) {
        const e = bySeq.get(seq);
        const ct = e ? hex(e.ct) : new Uint8Array(await filler.seal(new Uint8Array(0), new Uint8Array(0)));
        if (e) await filler.seal(hex(e.pt), hex(e.aad));
        const pt = await recipient.open(ct, e ? hex(e.aad) : new Uint8Array(0));
        if (e) expect(toHex(pt), `sequence ${seq}`).toBe(e.pt);
      }
      for (const x of v.exports) {
        expect(toHex(await recipient.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      }
    });

    it(`vector ${i}: single-shot open of sequence 0 succeeds and fails on a flipped bit or other aad`, async () => {
      const suite = createEnvelopeSuite();
      const r = await suite.kem.deriveKeyPair(hex(v.ikmR));
      const e0 = v.encryptions.find((e) => e.sequence_number === 0)!;
      const pt = await suite.open({ recipientKey: r, enc: hex(v.enc), info: hex(v.info) }, hex(e0.ct), hex(e0.aad));
      expect(toHex(pt)).toBe(e0.pt);
      const flipped = hex(e0.ct);
      flipped[3]! ^= 0x01;
      await expect(suite.open({ recipientKey: r, enc: hex(v.enc), info: hex(v.info) }, flipped, hex(e0.aad))).rejects.toThrow();
      await expect(suite.open({ recipientKey: r, enc: hex(v.enc), info: hex(v.info) }, hex(e0.ct), hex("00"))).rejects.toThrow();
    });
  }
});

describe("the facegate envelope on top of the suite", () => {
  it("opens only with the exact binding it was sealed to", async () => {
    const suite = createEnvelopeSuite();
    const r = await suite.kem.generateKeyPair();
    const binding = { purpose: "verify", subjectId: "alice", challengeId: "c".repeat(22), nonce: "n".repeat(43), modelId: "fr512-v1" } as const;
    const { enc, ct } = await suite.seal({ recipientPublicKey: r.publicKey, info: envelopeInfo() }, embeddingToBytes([1, 0, 0]), envelopeAad(binding));
    expect(await openEnvelope(suite, r, binding, new Uint8Array(enc), new Uint8Array(ct))).not.toBeNull();
    for (const change of [
      { purpose: "enroll" },
      { subjectId: "bob" },
      { challengeId: "d".repeat(22) },
      { nonce: "m".repeat(43) },
      { modelId: "fr512-v2" },
    ] as const) {
      expect(await openEnvelope(suite, r, { ...binding, ...change }, new Uint8Array(enc), new Uint8Array(ct)), JSON.stringify(change)).toBeNull();
    }
    expect(new TextDecoder().decode(envelopeAad(binding))).toBe(`facegate/v1|verify|alice|${"c".repeat(22)}|${"n".repeat(43)}|fr512-v1`);
  });
});
