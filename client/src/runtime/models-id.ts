/**
 * The models this SDK version was built and calibrated with: the first 16
 * hex digits of sha256(models/manifest.json). The worker serves that
 * manifest and its models under `/models/<MODELS_ID>/` (immutable, any
 * origin: docs/API.md "Models"), so the SDK's default models URL names
 * exactly the files it expects and the browser may cache them forever.
 * scripts/build-demo.ts derives the same id from the file; a test
 * (client/src/runtime/models-id.test.ts) fails when this constant is stale.
 */
export const MODELS_ID = "ed6f32d08050e5eb";

/** The default models URL of a facegate worker at `baseUrl`. */
export function defaultModelsUrl(baseUrl: string): string {
  return new URL(`/models/${MODELS_ID}/`, baseUrl).toString();
}
