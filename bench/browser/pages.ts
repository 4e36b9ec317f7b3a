/**
 * The two pages the browser benchmark loads, as a relying party would write
 * them. Each records, in `window.benchMarks`, milliseconds since navigation
 * start (performance.now()) at:
 *   ready    models loaded and the camera open
 *   frame    the first analysed camera frame
 *   usable   the first frame whose face passes (what the user waits for)
 *   decision the first verify decision
 * and `window.benchResult` (what was decided) or `window.benchError`; the
 * facegate page also keeps the first analysed frame's stage times
 * (`window.benchFirstFrame`, the SDK's lastTimings()).
 */

/** `<facegate-verify>` from the worker's script-tag build (`?pad=report` sets its pad attribute); it clicks its own action once the face is usable. */
export const FACEGATE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>facegate first login</title>
<script type="module" src="/sdk/facegate.js"></script>
</head><body>
<facegate-verify id="verify" autostart></facegate-verify>
<script>
  // A classic script runs before the SDK's module: autostart begins as soon as the element is defined.
  { const pad = new URLSearchParams(location.search).get("pad"); if (pad) document.getElementById("verify").setAttribute("pad", pad); }
</script>
<script type="module">
  const q = new URLSearchParams(location.search);
  const marks = (window.benchMarks = {});
  const mark = (k) => { marks[k] ??= performance.now(); };
  const el = document.getElementById("verify");
  el.subject = q.get("subject");
  el.loginNonce = q.get("nonce");
  el.getToken = () => q.get("token");
  el.addEventListener("facegate-ready", () => mark("ready"));
  // The preview loop sets data-state on every analysed frame ("adjust" or "ready").
  new MutationObserver(() => {
    const state = el.dataset.state;
    if (state !== "adjust" && state !== "ready") return;
    if (marks.frame === undefined) window.benchFirstFrame = el.client.lastTimings();
    mark("frame");
    if (state === "ready" && marks.usable === undefined) {
      mark("usable");
      el.shadowRoot.querySelector("[part=action]").click();
    }
  }).observe(el, { attributes: true, attributeFilter: ["data-state"] });
  for (const type of ["facegate-match", "facegate-no-match"]) {
    el.addEventListener(type, (e) => { mark("decision"); window.benchResult = { type, attemptsRemaining: e.detail.attemptsRemaining }; });
  }
  el.addEventListener("facegate-error", (e) => { window.benchError = e.detail.code + ": " + e.detail.message; });
</script>
</body></html>
`;

/**
 * face-api.js (@vladmandic/face-api's browser bundle, tfjs inside) on tfjs's
 * WASM backend, as bench:client runs it: SSD MobileNet v1, 68-point
 * landmarks and the 128-d descriptor, models from its npm package. It has no
 * server step, so its decision is the local comparison of the first
 * descriptor with the enrolled one (Euclidean distance < 0.6, its default).
 */
export const FACEAPI_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>face-api.js first login</title></head><body>
<video id="video" playsinline muted autoplay></video>
<script type="module">
  const marks = (window.benchMarks = {});
  const mark = (k) => { marks[k] ??= performance.now(); };
  try {
    const faceapi = await import("/bench/faceapi/face-api.esm.js");
    const reference = fetch("/bench/reference.json").then((r) => r.json());
    faceapi.tf.setWasmPaths("/bench/tfjs-wasm/");
    await faceapi.tf.setBackend("wasm");
    await faceapi.tf.ready();
    const models = "/bench/faceapi/model";
    const video = document.getElementById("video");
    const camera = navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    await Promise.all([
      faceapi.nets.ssdMobilenetv1.loadFromUri(models),
      faceapi.nets.faceLandmark68Net.loadFromUri(models),
      faceapi.nets.faceRecognitionNet.loadFromUri(models),
      camera.then(async (s) => { video.srcObject = s; await video.play(); }),
    ]);
    mark("ready");
    const enrolled = new Float32Array((await reference).descriptor);
    for (;;) {
      const r = await faceapi.detectSingleFace(video, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptor();
      mark("frame");
      if (r) {
        mark("usable");
        const distance = faceapi.euclideanDistance(r.descriptor, enrolled);
        mark("decision");
        window.benchResult = { type: distance < 0.6 ? "match" : "no-match", distance };
        break;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
  } catch (e) {
    window.benchError = String(e && e.stack || e);
  }
</script>
</body></html>
`;
