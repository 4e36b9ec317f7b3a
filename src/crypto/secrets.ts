import { z } from "zod";
import { b64uTryDecode } from "../protocol/base64url.js";
import { KID_PATTERN } from "../protocol/ids.js";
import { ProblemError } from "../errors/problem-error.js";

/**
 * The JSON secrets (formats in src/env.ts), validated with zod on first use
 * and cached per isolate by their raw value: workerd forbids crypto and I/O at
 * global scope, and a rotated secret arrives as a new value (new isolate).
 * A malformed secret is a 500 `server-misconfigured`; the log names the
 * secret, never its content.
 */
const bytes32 = z.string().transform((s, ctx) => {
  const b = b64uTryDecode(s);
  if (b?.length !== 32) {
    ctx.addIssue({ code: "custom", message: "must be 32 bytes, base64url without padding" });
    return z.NEVER;
  }
  return b;
});

const allDistinct = (values: unknown[]) => new Set(values).size === values.length;

export const HpkeKeysSecret = z
  .array(z.strictObject({ kid: z.string().regex(KID_PATTERN), privateKey: bytes32 }))
  .min(1)
  .refine((keys) => allDistinct(keys.map((k) => k.kid)), "kids must be unique");

export const TemplateKeksSecret = z
  .array(
    z.strictObject({
      version: z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1),
      key: bytes32,
    }),
  )
  .min(1)
  .refine((keys) => allDistinct(keys.map((k) => k.version)), "versions must be unique");

const Ed25519Jwk = z.looseObject({
  kty: z.literal("OKP"),
  crv: z.literal("Ed25519"),
  kid: z.string().regex(KID_PATTERN),
  x: z.string(),
  d: z.string().optional(),
});

export const AssertionKeysSecret = z
  .array(Ed25519Jwk)
  .min(1)
  .refine((keys) => allDistinct(keys.map((k) => k.kid)), "kids must be unique")
  .refine((keys) => keys.some((k) => k.d !== undefined), "one key must have `d` (the signing key)");

export const JwksSecret = z.looseObject({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) });

const cache = new Map<string, unknown>();

export function parseJsonSecret<S extends z.ZodType>(name: string, raw: string | undefined, schema: S): z.output<S> {
  const cacheKey = `${name}\u0000${raw ?? ""}`;
  if (cache.has(cacheKey)) return cache.get(cacheKey) as z.output<S>;
  let json: unknown;
  try {
    if (raw === undefined || raw === "") throw new Error("missing");
    json = JSON.parse(raw);
  } catch {
    return misconfigured(name, "missing or not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return misconfigured(name, parsed.error.issues.map((i) => i.message).join("; "));
  cache.set(cacheKey, parsed.data);
  return parsed.data;
}

function misconfigured(name: string, why: string): never {
  // `why` comes from our own schema messages, which never echo the value.
  console.error(JSON.stringify({ misconfigured: name, why }));
  throw new ProblemError("server-misconfigured");
}
