import { createEnvelopeSuite, hpkeCoreAdapter } from "../../../src/protocol/envelope.js";
import type { EnvelopeHpke } from "../../../src/protocol/hpke/types.js";

let shared: EnvelopeHpke<unknown> | undefined;

/** The envelope suite on WebCrypto (hpke-js): how browsers and Node seal unless told otherwise. */
export function webCryptoHpke(): EnvelopeHpke<unknown> {
  shared ??= hpkeCoreAdapter(createEnvelopeSuite()) as EnvelopeHpke<unknown>;
  return shared;
}
