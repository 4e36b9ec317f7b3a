/**
 * Shared by the pipeline's Node tests: where the repository's models and
 * the development photos are, and one pipeline per test file.
 */
import { fileURLToPath } from "node:url";
import { readImageFile } from "../image/decode-node.js";
import type { RgbaImage } from "../image/types.js";
import type { FacePipeline, ToolingOptions } from "./face-pipeline.js";
import { loadNodePipeline, type NodePipelineOptions } from "./load/load-node.js";

const REPO = new URL("../../../", import.meta.url);
export const MODELS_DIR = fileURLToPath(new URL("models/", REPO));
/** ../shared/data/faces next to the repository (see its README: tests only, never tuning). */
export const FACES_DIR = fileURLToPath(new URL("../shared/data/faces/", REPO));

export function facePath(rel: string): string {
  return fileURLToPath(new URL(rel, new URL("../shared/data/faces/", REPO)));
}

export function readFace(rel: string): Promise<RgbaImage> {
  return readImageFile(facePath(rel));
}

export function testPipeline(opts: Partial<NodePipelineOptions> = {}, tools?: ToolingOptions): Promise<FacePipeline> {
  return loadNodePipeline({ modelsDir: MODELS_DIR, ...opts }, tools);
}

/** A flat-colour RGBA image. */
export function solid(width: number, height: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  return { data, width, height };
}
