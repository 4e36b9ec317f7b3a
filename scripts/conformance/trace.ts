import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { decodeImage } from "../../client/src/image/decode-node.js";
import type { RgbaImage } from "../../client/src/image/types.js";
import type { FivePointMode } from "../../client/src/pipeline/landmarks/five-points.js";
import { directoryModelSource, readManifest } from "../../client/src/runtime/model-dir-node.js";
import type { Ort, OrtPlatform } from "../../client/src/runtime/ort.js";
import { nodePlatform } from "../../client/src/runtime/ort-node.js";
import type { ToolingOverrides } from "../../client/src/runtime/session.js";
import type { ConformanceResult } from "./format.js";
import { readPam } from "./pam.js";
import { ReferenceCore } from "./trace-core.js";

export { sha256Hex } from "./trace-core.js";

/**
 * The reference implementation of the conformance format in Node
 * (trace-core.ts is the implementation; this loads it from a models
 * directory on onnxruntime-web or onnxruntime-node).
 */

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MODELS_DIR = fileURLToPath(new URL("../../models/", import.meta.url));

export type OrtChoice = "web" | "node";

export interface ReferenceOptions {
  /**
   * `web` (default): onnxruntime-web WASM, 1 thread, exactly the SDK.
   * `node`: the same code on onnxruntime-node's native CPU kernels, the
   * ONNX Runtime a native iOS/Android port links: the nearest thing to a
   * port this machine can run.
   */
  ort?: OrtChoice;
  /** A deliberately drifted pipeline (the conformance test shows the runner refuses it). */
  fivePoints?: FivePointMode;
  modelsDir?: string;
}

/** An input line: a JPEG/PNG to decode with the SDK's Node decoder, or a PAM of already-decoded RGBA. */
export async function readInput(path: string): Promise<RgbaImage> {
  if (/\.pam$/i.test(path)) return readPam(path);
  return decodeImage(new Uint8Array(await readFile(path)));
}

export class ReferencePipeline {
  private constructor(
    readonly core: ReferenceCore,
    /** What runs, for reports. */
    readonly runtime: string,
  ) {}

  static async load(opts: ReferenceOptions = {}): Promise<ReferencePipeline> {
    const modelsDir = opts.modelsDir ?? MODELS_DIR;
    const manifest = await readManifest(modelsDir);
    let platform: OrtPlatform;
    let tooling: ToolingOverrides = {};
    let runtime: string;
    if (opts.ort === "node") {
      const ortNodeModule = await import("onnxruntime-node");
      const ortNode = ortNodeModule as unknown as Ort;
      // The same pipeline code; only the ORT namespace and its kernels differ (as bench/lib/client-child.ts does).
      platform = { name: "onnxruntime-node", ort: ortNode, threads: 1, selectProvider: async () => ({ provider: "wasm", reason: "onnxruntime-node CPU EP" }) };
      tooling = { executionProviders: ["cpu"], intraOpNumThreads: 1 };
      runtime = `onnxruntime-node ${ortNodeModule.env.versions.node ?? "?"} CPU EP, 1 thread`;
    } else {
      platform = nodePlatform({ threads: 1 });
      runtime = `onnxruntime-web ${(await import("onnxruntime-web")).env.versions.web ?? "?"} WASM, 1 thread`;
    }
    const core = await ReferenceCore.build({
      platform,
      manifest,
      source: directoryModelSource(modelsDir),
      tooling,
      ...(opts.fivePoints ? { fivePoints: opts.fivePoints } : {}),
    });
    return new ReferencePipeline(core, runtime);
  }

  get pipeline() {
    return this.core.pipeline;
  }

  /** The document for one image, its fields in the format's order. */
  trace(image: RgbaImage): Promise<ConformanceResult> {
    return this.core.trace(image);
  }

  dispose(): Promise<void> {
    return this.core.dispose();
  }
}
