/**
 * A small app on @facegate/react-native: the front camera through
 * react-native-vision-camera, frames handed to the SDK through a frame
 * queue, one button to enroll and one to verify. It type-checks against
 * React Native's types (npm run typecheck); running it needs a device
 * (docs/MOBILE.md says what that covers and what it does not).
 */
import "react-native-get-random-values"; // first: installs crypto.getRandomValues (the envelope's ephemeral key)
import manifest from "@facegate/client/models/manifest.json";
import {
  ApiError,
  createFaceClient,
  createFrameQueue,
  FaceQualityError,
  guidanceFor,
  rgbaFromVisionCameraFrame,
  type FaceClient,
  type ReactNativeFaceSource,
  type RgbaImage,
  type VisionCameraFrameLike,
} from "@facegate/react-native";
import { useEffect, useMemo, useState } from "react";
import { Button, Platform, StyleSheet, Text, View } from "react-native";
import { Camera, runAtTargetFps, useCameraDevice, useCameraPermission, useFrameProcessor } from "react-native-vision-camera";
import { Worklets } from "react-native-worklets-core";
import { readBundledModel } from "./models";

const API = "https://faces.example.com";
const SUBJECT = "alice";

/** Your sign-in: an access token for facegate, from your backend. */
async function accessToken(): Promise<string> {
  const res = await fetch("https://shop.example.com/facegate-token", { method: "POST" });
  return ((await res.json()) as { token: string }).token;
}

/**
 * The adapter with this app's orientation: a portrait phone's front sensor
 * delivers frames a quarter turn from upright, mirrored. Check `rotate` and
 * `mirror` against frame.orientation on your devices (not tested here).
 */
function rgbaFromVisionCameraFrameOnCamera(frame: VisionCameraFrameLike, order: "rgba" | "bgra"): RgbaImage {
  "worklet";
  return rgbaFromVisionCameraFrame(frame, { order, rotate: 270, mirror: true });
}

function useFaceClient(): FaceClient<ReactNativeFaceSource> {
  return useMemo(() => createFaceClient({ baseUrl: API, getToken: accessToken, models: { manifest, read: readBundledModel } }), []);
}

export default function App() {
  const client = useFaceClient();
  const device = useCameraDevice("front");
  const { hasPermission, requestPermission } = useCameraPermission();
  const [status, setStatus] = useState("Loading the face models...");
  const queue = useMemo(() => createFrameQueue({ capacity: 10 }), []);
  const push = useMemo(() => Worklets.createRunOnJS((image: RgbaImage) => queue.push(image)), [queue]);
  // vision-camera's "rgb" frames are BGRA on iOS and RGBA on Android.
  const order = Platform.OS === "ios" ? "bgra" : "rgba";

  const frameProcessor = useFrameProcessor(
    (frame) => {
      "worklet";
      runAtTargetFps(10, () => {
        "worklet";
        push(rgbaFromVisionCameraFrameOnCamera(frame, order));
      });
    },
    [push, order],
  );

  useEffect(() => {
    void requestPermission();
    client.loadModels().then(
      (info) => setStatus(`Ready (${info.provider}). Look at the camera.`),
      (e: unknown) => setStatus(`The models could not load: ${(e as Error).message}`),
    );
  }, [client, requestPermission]);

  async function run(what: "enroll" | "verify") {
    try {
      const onGuidance = (g: { message: string }) => setStatus(g.message);
      if (what === "enroll") {
        await client.grantConsent(SUBJECT, "2026-11");
        await client.enroll(SUBJECT, queue, { onGuidance });
        setStatus("Enrolled.");
      } else {
        const result = await client.verify(SUBJECT, queue, { onGuidance, loginNonce: "demo-login-nonce" });
        setStatus(result.match ? "It is you." : "Not a match.");
      }
    } catch (e) {
      if (e instanceof FaceQualityError) setStatus(guidanceFor(e.reason, e.message).message);
      else if (e instanceof ApiError) setStatus(`The server said ${e.code}.`);
      else setStatus(`Something failed: ${(e as Error).message}`);
    }
  }

  if (!hasPermission || !device) return <Text style={styles.status}>The camera is needed to see your face.</Text>;
  return (
    <View style={styles.screen}>
      <Camera style={styles.camera} device={device} isActive pixelFormat="rgb" frameProcessor={frameProcessor} />
      <Text style={styles.status} accessibilityLiveRegion="polite">
        {status}
      </Text>
      <View style={styles.buttons}>
        <Button title="Enroll" onPress={() => void run("enroll")} />
        <Button title="Verify" onPress={() => void run("verify")} />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: "#000" },
  camera: { flex: 1 },
  status: { color: "#fff", fontSize: 18, padding: 16, textAlign: "center" },
  buttons: { flexDirection: "row", justifyContent: "space-around", paddingBottom: 32 },
});
