import { Platform } from "react-native";
import RNFS from "react-native-fs";
import { base64 } from "@scure/base";

/**
 * The models ship in the app: copy @facegate/client/models/*.onnx into
 * android/app/src/main/assets/models/ and into the iOS target's resources
 * (a "models" folder reference). @facegate/react-native checks each file's
 * sha256 against the manifest before ONNX Runtime opens it.
 */
export async function readBundledModel(file: string): Promise<Uint8Array> {
  const text =
    Platform.OS === "android" ? await RNFS.readFileAssets(`models/${file}`, "base64") : await RNFS.readFile(`${RNFS.MainBundlePath}/models/${file}`, "base64");
  return base64.decode(text);
}
