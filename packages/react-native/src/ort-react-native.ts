import type { Ort, OrtPlatform, ProviderChoice, ProviderPreference } from "@facegate/client/core";
import { InferenceSession, Tensor } from "onnxruntime-react-native";

/**
 * onnxruntime-react-native's namespace as the pipeline sees it (the part of
 * onnxruntime-common's API that runtime/ort.ts of @facegate/client names). It
 * takes model bytes (`InferenceSession.create(Uint8Array)`), so the bytes that
 * run are the bytes whose sha256 was checked.
 */
export const reactNativeOrt: Ort = { InferenceSession, Tensor };

/**
 * The OrtPlatform over onnxruntime-react-native: its native CPU execution
 * provider (`cpu`), the one every device has. WebGPU and WASM are browser
 * providers and are refused when asked for by name. `ort` is for tests and
 * for apps that load ORT themselves (another build of onnxruntime-react-native).
 */
export function reactNativePlatform(ort: Ort = reactNativeOrt): OrtPlatform {
  return {
    name: "react-native",
    ort,
    threads: 1,
    async selectProvider(preference: ProviderPreference): Promise<ProviderChoice> {
      if (preference === "webgpu" || preference === "wasm") {
        throw new Error(`the ${preference} provider is a browser's; onnxruntime-react-native runs "cpu" (or "auto")`);
      }
      return { provider: "cpu", reason: preference === "cpu" ? "requested" : "onnxruntime-react-native's native CPU provider" };
    },
  };
}
