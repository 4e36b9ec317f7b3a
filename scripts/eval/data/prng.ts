/**
 * mulberry32: a tiny, fast 32-bit PRNG (Tommy Ettinger's, public domain).
 * Not for cryptography; here it makes perturbations and impostor samples
 * reproducible from a seed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-8 bytes of each part (joined by NUL): a stable 32-bit seed from names. */
export function seedFrom(...parts: string[]): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(parts.join("\u0000"));
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform integer in [0, n). */
export function randomInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}
