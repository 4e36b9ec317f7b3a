import { encodeCBOR } from "@levischuck/tiny-cbor";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { b64uDecode, b64uEncode } from "../../../src/protocol/base64url.js";

/**
 * A software authenticator for the workerd tests: what a platform
 * authenticator does for `navigator.credentials.create()` and `.get()`
 * (WebAuthn Level 2, §6.1, §6.5; attestation "none", ES256), so the vault's
 * checks can be driven case by case. The browser tests use Chromium's own
 * virtual authenticator instead. CBOR and COSE are written here only to play
 * the authenticator; the product verifies with @simplewebauthn/server.
 */
const utf8 = new TextEncoder();

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A raw ECDSA signature (r || s) as the DER SEQUENCE WebAuthn carries. */
function der(raw: Uint8Array): Uint8Array {
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const v = x.subarray(i);
    return v[0]! & 0x80 ? concat(new Uint8Array([0x02, v.length + 1, 0]), v) : concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(int(raw.subarray(0, 32)), int(raw.subarray(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  /** User presence flag (default true). */
  userPresent?: boolean;
  /** Use this signature counter instead of the next one. */
  counter?: number;
  type?: string;
}

export class SoftAuthenticator {
  #counter = 0;

  private constructor(
    private readonly keys: CryptoKeyPair,
    readonly credentialId: Uint8Array,
  ) {}

  static async create(): Promise<SoftAuthenticator> {
    const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    return new SoftAuthenticator(keys, crypto.getRandomValues(new Uint8Array(16)));
  }

  get id(): string {
    return b64uEncode(this.credentialId);
  }

  async #authData(rpId: string, flags: number, counter: number, attested?: Uint8Array): Promise<Uint8Array> {
    const c = new Uint8Array(4);
    new DataView(c.buffer).setUint32(0, counter);
    return concat(await sha256(utf8.encode(rpId)), new Uint8Array([flags]), c, attested ?? new Uint8Array(0));
  }

  async register(options: { challenge: string; rp: { id?: string } }, origin: string, o: CeremonyOverrides = {}): Promise<RegistrationResponseJSON> {
    const jwk = (await crypto.subtle.exportKey("jwk", this.keys.publicKey)) as JsonWebKey;
    const cose = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, b64uDecode(jwk.x!)],
        [-3, b64uDecode(jwk.y!)],
      ]),
    );
    const len = new Uint8Array([this.credentialId.length >> 8, this.credentialId.length & 0xff]);
    const attested = concat(new Uint8Array(16), len, this.credentialId, cose);
    const flags = (o.userPresent === false ? 0 : 0x01) | 0x04 | 0x40;
    const authData = await this.#authData(o.rpId ?? options.rp.id!, flags, o.counter ?? this.#counter, attested);
    const clientData = utf8.encode(
      JSON.stringify({ type: o.type ?? "webauthn.create", challenge: o.challenge ?? options.challenge, origin: o.origin ?? origin, crossOrigin: false }),
    );
    const attestationObject = encodeCBOR(
      new Map<string, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]) as never,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: b64uEncode(clientData), attestationObject: b64uEncode(attestationObject), transports: ["internal"] },
    };
  }

  async assert(options: { challenge: string; rpId?: string }, origin: string, o: CeremonyOverrides = {}): Promise<AuthenticationResponseJSON> {
    this.#counter += 1;
    const flags = (o.userPresent === false ? 0 : 0x01) | 0x04;
    const authData = await this.#authData(o.rpId ?? options.rpId!, flags, o.counter ?? this.#counter);
    const clientData = utf8.encode(
      JSON.stringify({ type: o.type ?? "webauthn.get", challenge: o.challenge ?? options.challenge, origin: o.origin ?? origin, crossOrigin: false }),
    );
    const signed = concat(authData, await sha256(clientData));
    const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed));
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      clientExtensionResults: {},
      response: { clientDataJSON: b64uEncode(clientData), authenticatorData: b64uEncode(authData), signature: b64uEncode(der(raw)) },
    };
  }
}
