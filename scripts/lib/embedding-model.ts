import manifest from "../../models/manifest.json" with { type: "json" };

/**
 * The shipped embedding model as models/manifest.json names it: the benches
 * and scripts that seal synthetic embeddings use its id and dimension, so
 * they follow a model change instead of naming one.
 */
const entries = Object.entries(manifest.models).filter(([, m]) => m.role === "embedding");
if (entries.length !== 1) throw new Error(`models/manifest.json: expected one embedding model, found ${entries.length}`);
const [id, entry] = entries[0]!;

export const EMBEDDING_MODEL_ID: string = id;
export const EMBEDDING_DIM: number = (entry as { embedding: { dim: number } }).embedding.dim;
