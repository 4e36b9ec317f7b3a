import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.js";
import { ProblemError } from "../errors/problem-error.js";
import { MAX_BODY_BYTES } from "../protocol/schemas.js";

const JSON_CONTENT_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Guards every body route before validation: 415 unless the body is declared
 * JSON, 413 above MAX_BODY_BYTES (by Content-Length when given, and always by
 * counting the bytes actually read, since the header may be absent or lie),
 * 400 `malformed-json` unless it is UTF-8 JSON. The text is handed to Hono's
 * body cache so the zod validator parses the bytes we measured.
 */
export const jsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const contentType = c.req.header("Content-Type");
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType.trim())) throw new ProblemError("unsupported-media-type");

  const declared = c.req.header("Content-Length");
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > MAX_BODY_BYTES)) {
    throw new ProblemError("payload-too-large", `The limit is ${MAX_BODY_BYTES} bytes.`);
  }

  const bytes = await readLimited(c.req.raw.body, MAX_BODY_BYTES);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    JSON.parse(text);
  } catch {
    throw new ProblemError("malformed-json");
  }
  // Hono caches body reads as promises (its BodyCache type says otherwise).
  (c.req.bodyCache as Record<string, unknown>)["text"] = Promise.resolve(text);
  await next();
};

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ProblemError("payload-too-large", `The limit is ${limit} bytes.`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
