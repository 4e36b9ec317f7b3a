import manifest from "../../models/manifest.json" with { type: "json" };
import { embeddingModels, ModelManifest } from "../../src/protocol/manifest.js";

/**
 * The shipped embedding model as models/manifest.json names it (read the way
 * the server reads it, src/protocol/manifest.ts): the benches and scripts that
 * seal synthetic embeddings use its id and dimension, so they follow a model
 * change instead of naming one.
 */
const models = embeddingModels(ModelManifest.parse(manifest));
if (models.length !== 1) throw new Error(`models/manifest.json: expected one embedding model, found ${models.length}`);

export const EMBEDDING_MODEL_ID: string = models[0]!.id;
export const EMBEDDING_DIM: number = models[0]!.dim;
