import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVELOPE_SUITE_VECTORS as vectors } from "../../../test/vectors/rfc9180.js";
import { createEnvelopeSuite, hpkeCoreAdapter } from "../envelope.js";
import { decap, deriveKeyPair, encap } from "./dhkem.js";
import { createNobleHpke, HpkeOpenError, openBase, sealBase, webRandomBytes } from "./index.js";
import { keyScheduleBase } from "./key-schedule.js";

/**
 * The noble HPKE suite (src/protocol/hpke) against the RFC 9180 known
 * answers for exactly the envelope's suite (Appendix A.2.1), and against
 * hpke-js (@hpke/core on WebCrypto, what the worker opens with) both ways.
 * test/worker/hpke-noble.test.ts runs the same vectors inside workerd.
 */

const hex = hexToBytes;
/** Randomness that returns the given bytes: reproduces a vector's ephemeral key. */
const fixed = (bytes: Uint8Array) => (n: number) => bytes.slice(0, n);

describe("RFC 9180 A.2.1 (base, X25519, HKDF-SHA256, ChaCha20Poly1305) on the noble suite", () => {
  it("the vector file holds this suite", () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  for (const [i, v] of vectors.entries()) {
    it(`vector ${i}: DeriveKeyPair gives the published key pairs`, () => {
      for (const [ikm, sk, pk] of [
        [v.ikmR, v.skRm, v.pkRm],
        [v.ikmE, v.skEm, v.pkEm],
      ] as const) {
        const pair = deriveKeyPair(hex(ikm));
        expect(bytesToHex(pair.privateKey)).toBe(sk);
        expect(bytesToHex(pair.publicKey)).toBe(pk);
      }
    });

    it(`vector ${i}: Encap with the vector's ephemeral key gives enc and shared_secret, Decap the same secret`, () => {
      const { sharedSecret, enc } = encap(hex(v.pkRm), deriveKeyPair(hex(v.ikmE)));
      expect(bytesToHex(enc)).toBe(v.enc);
      expect(bytesToHex(sharedSecret)).toBe(v.shared_secret);
      expect(bytesToHex(decap(hex(v.enc), hex(v.skRm)))).toBe(v.shared_secret);
    });

    it(`vector ${i}: the base-mode key schedule gives key and base_nonce`, () => {
      const { key, baseNonce } = keyScheduleBase(hex(v.shared_secret), hex(v.info));
      expect(bytesToHex(key)).toBe(v.key);
      expect(bytesToHex(baseNonce)).toBe(v.base_nonce);
    });

    it(`vector ${i}: SealBase with ikmE as its randomness gives enc and the sequence-0 ct; OpenBase opens it`, () => {
      const e0 = v.encryptions.find((e) => e.sequence_number === 0)!;
      const { enc, ciphertext } = sealBase(hex(v.pkRm), hex(v.info), hex(e0.aad), hex(e0.pt), fixed(hex(v.ikmE)));
      expect(bytesToHex(enc)).toBe(v.enc);
      expect(bytesToHex(ciphertext)).toBe(e0.ct);
      expect(bytesToHex(openBase(hex(v.enc), hex(v.skRm), hex(v.info), hex(e0.aad), hex(e0.ct)))).toBe(e0.pt);
    });

    it(`vector ${i}: the schedule's key and base_nonce also give the later sequence numbers' ct (nonce = base_nonce XOR seq, RFC 9180 §5.2)`, () => {
      // The envelope seals one message per context; this pins the key and nonce beyond sequence 0 all the same.
      const { key, baseNonce } = keyScheduleBase(hex(v.shared_secret), hex(v.info));
      for (const e of v.encryptions) {
        const nonce = baseNonce.slice();
        for (let b = 0, s = e.sequence_number; s > 0; b++, s = Math.floor(s / 256)) nonce[nonce.length - 1 - b]! ^= s % 256;
        expect(bytesToHex(chacha20poly1305(key, nonce, hex(e.aad)).encrypt(hex(e.pt))), `sequence ${e.sequence_number}`).toBe(e.ct);
      }
    });

    it(`vector ${i}: OpenBase refuses a flipped bit, another aad, info or key, and a short enc, saying nothing more`, () => {
      const e0 = v.encryptions.find((e) => e.sequence_number === 0)!;
      const flipped = hex(e0.ct);
      flipped[3]! ^= 0x01;
      const other = deriveKeyPair(new Uint8Array(32).fill(7)).privateKey;
      const attempts: [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array][] = [
        [hex(v.enc), hex(v.skRm), hex(v.info), hex(e0.aad), flipped],
        [hex(v.enc), hex(v.skRm), hex(v.info), hex("00"), hex(e0.ct)],
        [hex(v.enc), hex(v.skRm), hex("00"), hex(e0.aad), hex(e0.ct)],
        [hex(v.enc), other, hex(v.info), hex(e0.aad), hex(e0.ct)],
        [hex(v.enc).subarray(1), hex(v.skRm), hex(v.info), hex(e0.aad), hex(e0.ct)],
      ];
      for (const a of attempts) {
        expect(() => openBase(...a)).toThrow(HpkeOpenError);
        expect(() => openBase(...a)).toThrow(/^the ciphertext did not open$/);
      }
    });
  }

  it("refuses a recipient key of low order (the all-zero DH output of RFC 9180 §7.1.4)", () => {
    expect(() => sealBase(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), new Uint8Array(1))).toThrow();
  });

  it("refuses randomness of the wrong length", () => {
    expect(() =>
      sealBase(deriveKeyPair(webRandomBytes(32)).publicKey, new Uint8Array(0), new Uint8Array(0), new Uint8Array(1), () => new Uint8Array(16)),
    ).toThrow(/must return 32 bytes/);
  });

  it("draws a fresh ephemeral key from crypto.getRandomValues on every seal", async () => {
    const r = deriveKeyPair(webRandomBytes(32));
    const noble = createNobleHpke();
    const params = { recipientPublicKey: r.publicKey, info: new Uint8Array(0), aad: new Uint8Array(0) };
    const a = await noble.seal(params, new Uint8Array(4));
    const b = await noble.seal(params, new Uint8Array(4));
    expect(bytesToHex(a.enc)).not.toBe(bytesToHex(b.enc));
  });
});

describe("interoperability with @hpke/core (WebCrypto)", () => {
  const core = createEnvelopeSuite();
  const coreHpke = hpkeCoreAdapter(core);
  const noble = createNobleHpke();
  const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
  const inputs = fc.record({ ikmR: fc.uint8Array({ minLength: 32, maxLength: 32 }), info: bytes(64), aad: bytes(256), pt: bytes(8192) });

  it("noble seals, @hpke/core opens (random keys, info, aad, plaintexts)", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async ({ ikmR, info, aad, pt }) => {
        const r = deriveKeyPair(ikmR);
        const sealed = await noble.seal({ recipientPublicKey: r.publicKey, info, aad }, pt);
        const recipientKey = await core.kem.deserializePrivateKey(r.privateKey);
        const opened = await coreHpke.open({ recipientKey, enc: sealed.enc, info, aad }, sealed.ciphertext);
        expect(bytesToHex(opened)).toBe(bytesToHex(pt));
      }),
      { numRuns: 40 },
    );
  });

  it("@hpke/core seals, noble opens (random keys, info, aad, plaintexts)", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async ({ ikmR, info, aad, pt }) => {
        const r = await core.kem.deriveKeyPair(ikmR);
        const pk = new Uint8Array(await core.kem.serializePublicKey(r.publicKey));
        const sk = new Uint8Array(await core.kem.serializePrivateKey(r.privateKey));
        const sealed = await coreHpke.seal({ recipientPublicKey: pk, info, aad }, pt);
        const opened = await noble.open({ recipientKey: sk, enc: sealed.enc, info, aad }, sealed.ciphertext);
        expect(bytesToHex(opened)).toBe(bytesToHex(pt));
      }),
      { numRuns: 40 },
    );
  });

  it("each refuses what the other sealed once a bit of the ciphertext or enc is flipped", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, fc.nat(), fc.boolean(), async ({ ikmR, info, aad, pt }, at, inEnc) => {
        const r = deriveKeyPair(ikmR);
        const coreKey = await core.kem.deserializePrivateKey(r.privateKey);
        for (const [sealer, open] of [
          [noble, (enc: Uint8Array, ct: Uint8Array) => coreHpke.open({ recipientKey: coreKey, enc, info, aad }, ct)],
          [coreHpke, (enc: Uint8Array, ct: Uint8Array) => noble.open({ recipientKey: r.privateKey, enc, info, aad }, ct)],
        ] as const) {
          const { enc, ciphertext } = await sealer.seal({ recipientPublicKey: r.publicKey, info, aad }, pt);
          const target = inEnc ? enc : ciphertext;
          target[at % target.length]! ^= 1 << (at % 8);
          await expect(open(enc, ciphertext)).rejects.toThrow();
        }
      }),
      { numRuns: 20 },
    );
  });
});
