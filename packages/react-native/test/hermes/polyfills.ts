/**
 * What hermes-engine-cli 0.12's Hermes (2022) lacks and the SDK uses, installed
 * before the bundle runs. Each is a gap of that old command-line VM; React
 * Native's own Hermes and its polyfills provide them in an app, except the
 * CSPRNG, which react-native-get-random-values installs (docs/MOBILE.md).
 *
 * - `Symbol.asyncIterator` (for-await over the client's frame sources);
 * - `Array.prototype.at`;
 * - `TextEncoder`/`TextDecoder` (UTF-8 only: the envelope's labels and AAD);
 * - `performance.now()` (the pipeline's stage timings; React Native defines it);
 * - `crypto.getRandomValues`: here it hands out bytes that Node's CSPRNG made
 *   for this run (the input's `random`), standing in for the native module.
 */
type Globals = Record<string, unknown> & { crypto?: unknown };
const g = globalThis as unknown as Globals;

/** What this Hermes lacked and was given, for the programs' reports. */
export const installed: string[] = [];

const SymbolCtor = Symbol as unknown as { asyncIterator?: symbol; for(key: string): symbol };
if (!SymbolCtor.asyncIterator) {
  Object.defineProperty(Symbol, "asyncIterator", { value: SymbolCtor.for("Symbol.asyncIterator") });
  installed.push("Symbol.asyncIterator");
}

const arrayProto = Array.prototype as unknown as { at?: unknown };
if (typeof arrayProto.at !== "function") {
  Object.defineProperty(Array.prototype, "at", {
    value(this: unknown[], i: number) {
      const k = Math.trunc(i) || 0;
      return this[k < 0 ? this.length + k : k];
    },
    configurable: true,
    writable: true,
  });
  installed.push("Array.prototype.at");
}

if (typeof g["performance"] !== "object") {
  g["performance"] = { now: () => Date.now() };
  installed.push("performance.now");
}

if (typeof g["TextEncoder"] !== "function") {
  function TextEncoderShim() {}
  TextEncoderShim.prototype.encode = (s: string): Uint8Array => {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) bytes.push(c);
      else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(bytes);
  };
  g["TextEncoder"] = TextEncoderShim;
  installed.push("TextEncoder");
}

if (typeof g["TextDecoder"] !== "function") {
  function TextDecoderShim() {}
  TextDecoderShim.prototype.decode = (b: Uint8Array): string => {
    let out = "";
    for (let i = 0; i < b.length; ) {
      const c = b[i++]!;
      let cp = c;
      if (c >= 0xf0) cp = ((c & 7) << 18) | ((b[i++]! & 63) << 12) | ((b[i++]! & 63) << 6) | (b[i++]! & 63);
      else if (c >= 0xe0) cp = ((c & 15) << 12) | ((b[i++]! & 63) << 6) | (b[i++]! & 63);
      else if (c >= 0xc0) cp = ((c & 31) << 6) | (b[i++]! & 63);
      out += String.fromCodePoint(cp);
    }
    return out;
  };
  g["TextDecoder"] = TextDecoderShim;
  installed.push("TextDecoder");
}

/** Installs crypto.getRandomValues over a pool of bytes from Node's CSPRNG; refuses to reuse any. */
export function installRandomPool(pool: Uint8Array): void {
  let at = 0;
  installed.push("crypto.getRandomValues (Node's bytes)");
  g.crypto = {
    getRandomValues<T extends ArrayBufferView>(array: T): T {
      const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      if (at + view.length > pool.length) throw new Error("the test's random pool is exhausted");
      view.set(pool.subarray(at, at + view.length));
      at += view.length;
      return array;
    },
  };
}
