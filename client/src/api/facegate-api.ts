import type { EnvelopeHpke } from "../../../src/protocol/hpke/types.js";
import { FacegateApiClient } from "./api-client.js";
import { webCryptoHpke } from "./envelope-webcrypto.js";
import type { FacegateApiOptions } from "./http.js";

export interface FacegateApiInit extends FacegateApiOptions {
  /**
   * Seal envelopes with this HPKE implementation of the suite (protocol/envelope-wire.ts).
   * Default: hpke-js on WebCrypto. A runtime without WebCrypto X25519 passes `createNobleHpke()`.
   */
  hpke?: EnvelopeHpke<unknown>;
}

/**
 * Typed client for the wire contract v1 (docs/API.md), without any face
 * processing: it takes embeddings. createFaceClient() puts the on-device
 * pipeline in front of it; native apps can follow the same calls. Seals with
 * WebCrypto (hpke-js) unless given another implementation.
 */
export class FacegateApi extends FacegateApiClient {
  constructor(opts: FacegateApiInit) {
    super({ ...opts, hpke: opts.hpke ?? webCryptoHpke() });
  }
}

export type { FacegateApiOptions };
