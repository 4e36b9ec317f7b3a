/**
 * Prints a production secret value for `wrangler secret put`, or its rotated
 * successor. Keys are printed to stdout only: pipe them straight in.
 *
 *   npx tsx scripts/gen-secret.ts hpke      | npx wrangler secret put HPKE_KEYS
 *   npx tsx scripts/gen-secret.ts kek       | npx wrangler secret put TEMPLATE_KEKS
 *   npx tsx scripts/gen-secret.ts assertion | npx wrangler secret put ASSERTION_KEYS
 *
 * Rotation: pass the current value on stdin with --rotate; the new key goes
 * first (it becomes the one used), the old ones stay after it (they still
 * open, unwrap or verify what was made with them). See docs/SECURITY.md.
 *
 *   <current-value> | npx tsx scripts/gen-secret.ts kek --rotate | npx wrangler secret put TEMPLATE_KEKS
 */
import { readFileSync } from "node:fs";
import type { JWK } from "jose";
import { newEd25519Jwk, newHpkeKey, newKek, publicJwk, stamp, type KekEntry } from "./lib/keys.js";

const [kind] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const rotate = process.argv.includes("--rotate");
function readCurrent(): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(0, "utf8"));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value)) {
    console.error("gen-secret: --rotate expects the current value (a JSON array) on stdin");
    process.exit(2);
  }
  return value;
}
const current: unknown[] = rotate ? readCurrent() : [];

let fresh: unknown;
switch (kind) {
  case "hpke":
    fresh = newHpkeKey(`hpke-${stamp()}-${Math.random().toString(36).slice(2, 6)}`);
    break;
  case "kek": {
    const top = Math.max(0, ...(current as KekEntry[]).map((k) => k.version));
    fresh = newKek(top + 1);
    break;
  }
  case "assertion":
    fresh = await newEd25519Jwk(`assert-${stamp()}-${Math.random().toString(36).slice(2, 6)}`);
    break;
  default:
    console.error("usage: gen-secret.ts hpke|kek|assertion [--rotate < current.json]");
    process.exit(2);
}
// A retired assertion key only has to verify (JWKS) until old assertions expire: drop its private part.
const kept = kind === "assertion" ? (current as JWK[]).map(publicJwk) : current;
process.stdout.write(JSON.stringify([fresh, ...kept]));
