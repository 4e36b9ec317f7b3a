import { FacegateApiClient } from "./api/api-client.js";
import { sendWithFreshChallenge } from "./api/fresh-challenge.js";
import type { TokenSource } from "./api/http.js";
import type { Challenge, ConsentRecord, EnrollResult, SubjectRecord, TemplateList, VerifyResult } from "./api/types.js";
import type { EnvelopeHpke } from "../../src/protocol/hpke/types.js";
import type { LivenessEvidence, LivenessLevel } from "../../src/protocol/liveness.js";
import { FaceQualityError, FacegateError, LivenessError, ModelLoadError } from "./errors.js";
import { guidanceFor, type Guidance } from "./guidance.js";
import { passkeyFor, type PasskeyCeremonies } from "./passkey/ceremonies.js";
import type { RgbaImage } from "./image/types.js";
import type { FacePipeline } from "./pipeline/face-pipeline.js";
import type {
  CheckTimings,
  DetectedFace,
  Frame,
  LoadProgress,
  PadMode,
  PadResult,
  Provider,
  QualityReason,
  QualityReport,
  StageTimings,
} from "./pipeline/types.js";
import type { ProviderPreference } from "./runtime/ort.js";

/** How a live video source is sampled: good frames are fused into one embedding (temporal fusion). */
export interface BurstOptions {
  /** Good frames to fuse. Default 5. */
  maxFrames?: number;
  /** Fewest good, mutually consistent frames for a result. Default 3. */
  minFrames?: number;
  /** The good frames must fall within this many ms. Default 1000. */
  windowMs?: number;
}

/** What enroll() and verify() accept besides the source. */
export interface CaptureOptions {
  /**
   * Plain-language guidance while a capture runs (`capturing`, `sending`...),
   * for a live region (the elements' `[part=guidance]`). Later capture steps
   * (an active liveness challenge) report through the same callback.
   */
  onGuidance?: (guidance: Guidance) => void;
}

export interface VerifyOptions extends CaptureOptions {
  /** The relying party's nonce for this sign-in, echoed in the assertion (check it with @facegate/relying-party). */
  loginNonce?: string;
  /**
   * Ask for at least this liveness (docs/PAD.md; the tenant's policy may
   * require more). `passive` loads the PAD models the first time it is asked
   * for when the client was created without `pad`;
   * `active` needs a live camera source, and `onGuidance` tells the user the
   * challenged action (codes `action` and `action-seen`).
   */
  liveness?: LivenessLevel;
}

export interface FaceClientOptions {
  /** The facegate API, e.g. `https://faces.example.com` or `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** An access token, or a function returning one (called before each request). */
  getToken?: TokenSource;
  /**
   * Where the models (manifest.json + .onnx) are served. Browser default: the worker's
   * content-hashed copy of this SDK's models, `<baseUrl>/models/<MODELS_ID>/` (any origin,
   * immutable). In Node use `modelsDir` (a directory); this name still works there.
   */
  modelsBaseUrl?: string;
  /** `auto` (default: WebGPU on a hardware GPU, else WASM), `webgpu` or `wasm`. */
  executionProviders?: ProviderPreference;
  /**
   * Passive presentation-attack detection (docs/PAD.md), off by default; its
   * models are downloaded only when it is on. `report`: every embed carries
   * `pad`; `refuse`: also refuse an attack with PresentationAttackError, so
   * enroll and verify send nothing for it.
   */
  pad?: PadMode;
  /** Burst capture for video sources (temporal fusion). Default 5 good frames within ~1 s. */
  burst?: BurstOptions;
  /** For tests and unusual runtimes; default globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * How passkeys are made and used when a tenant's device policy asks for
   * them (docs/SECURITY.md "Device binding"). Browser default: WebAuthn
   * (@simplewebauthn/browser, loaded only then); Node: none.
   */
  passkeys?: PasskeyCeremonies;
  /**
   * Seal envelopes with this HPKE implementation of the suite. Default: the
   * platform's (hpke-js on WebCrypto in browsers and Node; `createNobleHpke()`
   * in React Native, whose Hermes has no WebCrypto).
   */
  hpke?: EnvelopeHpke<unknown>;
}

/** What `embed()` returns: never sent anywhere by itself. */
export interface EmbedResult {
  /** L2-normalised embedding: biometric data, keep it in memory only. */
  embedding: Float32Array;
  modelId: string;
  /** Quality of the (best) frame used; for bursts, `frames` says how many were fused. */
  quality: QualityReport;
  /** The PAD decision (for a burst, over its best frames), or null when PAD is off. */
  pad: PadResult | null;
  provider: Provider;
  timings: StageTimings;
  frames: number;
  face: DetectedFace;
}

/** A quick quality check for live previews (no embedding leaves the pipeline). */
export interface FaceCheck {
  ok: boolean;
  face?: DetectedFace;
  reason?: QualityReason;
  message: string;
  quality?: QualityReport;
  /** What to tell the user ("Move closer to the camera."), from the quality gates. */
  guidance: Guidance;
}

export interface RuntimeInfo {
  provider: Provider;
  reason: string;
  threads: number;
  modelId: string;
}

/**
 * The SDK. `Source` is what a face can be taken from: the browser entry's
 * FaceSource (a <video> is a live camera: a burst is fused), the Node
 * entry's NodeFaceSource (file path, bytes, RGBA).
 */
export interface FaceClient<Source = RgbaImage> {
  /** The typed API without face processing (embeddings in, decisions out). */
  readonly api: FacegateApiClient;
  /** Load the models once (later calls return the same promise), with download progress. */
  loadModels(opts?: { onProgress?: (p: LoadProgress) => void }): Promise<RuntimeInfo>;
  /** Which execution provider ran, once loaded. */
  runtime(): RuntimeInfo | null;
  /**
   * Per-stage timings of the last embed/enroll/verify, or of the last inspect(), which stops
   * before PAD and the embedding (so its timings have neither).
   */
  lastTimings(): StageTimings | CheckTimings | null;
  /** Run the on-device pipeline; throws FaceQualityError with a stable reason when the image is refused. */
  embed(source: Source): Promise<EmbedResult>;
  /**
   * Cheap preview check of one frame: is there one usable face, and where (with `guidance` for the
   * user). It runs the detector and the landmarks and applies the quality gates; no embedding, no PAD.
   */
  inspect(source: Source): Promise<FaceCheck>;
  grantConsent(subjectId: string, policyVersion: string): Promise<ConsentRecord>;
  enroll(subjectId: string, source: Source, opts?: CaptureOptions): Promise<EnrollResult>;
  /**
   * Verify against the subject's enrolled face. The challenge says what else
   * the attempt must show (the tenant's liveness policy, or `opts.liveness`);
   * throws LivenessError, spending no attempt, when an active challenge's
   * action was not seen or the client cannot give the evidence asked for.
   */
  verify(subjectId: string, source: Source, opts?: VerifyOptions): Promise<VerifyResult>;
  getSubject(subjectId: string): Promise<SubjectRecord>;
  deleteSubject(subjectId: string): Promise<void>;
  /** The subject's templates: ids, times, models, which is the anchor (never a vector). */
  listTemplates(subjectId: string): Promise<TemplateList>;
  /** Deletes one template other than the anchor (which goes only with the subject). */
  deleteTemplate(subjectId: string, templateId: string): Promise<void>;
}

/** What differs between the browser, Node and React Native: how models load, what a source is, how envelopes are sealed. */
export interface ClientPlatform<Source> {
  loadPipeline(opts: { provider: ProviderPreference; pad: boolean; onProgress?: (p: LoadProgress) => void }): Promise<FacePipeline>;
  /** One still image from a source. */
  toImage(source: Source): Promise<RgbaImage>;
  /** Frames for temporal fusion when the source is live video, else null. */
  toFrames(source: Source, burst: BurstOptions): AsyncIterable<Frame> | null;
  /** Frames for an active liveness challenge (about 10 a second, until the caller stops), or null for a still source. */
  toActionFrames(source: Source): AsyncIterable<Frame> | Iterable<Frame> | null;
  /** The platform's WebAuthn, if it has one. */
  passkeys?: PasskeyCeremonies;
  /** The platform's HPKE implementation of the envelope suite (FaceClientOptions.hpke overrides it). */
  hpke: EnvelopeHpke<unknown>;
}

/**
 * The SDK: on-device pipeline in front of the typed API. Platform entries
 * (index.ts for browsers, node.ts for Node) supply the ClientPlatform.
 */
export function createFaceClientWith<Source>(platform: ClientPlatform<Source>, opts: FaceClientOptions): FaceClient<Source> {
  const api = new FacegateApiClient({
    baseUrl: opts.baseUrl,
    hpke: opts.hpke ?? platform.hpke,
    ...(opts.getToken !== undefined ? { getToken: opts.getToken } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  let loading: Promise<{ pipeline: FacePipeline; info: RuntimeInfo }> | null = null;
  let info: RuntimeInfo | null = null;
  let timings: StageTimings | CheckTimings | null = null;
  // The pipeline reuses its buffers: one analysis at a time, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  };

  // PAD's models load with the pipeline when the client asks for PAD, or later, the first time a
  // tenant's policy asks a verify for passive liveness (padOnDemand).
  let withPad = (opts.pad ?? "off") !== "off";
  const load = (onProgress?: (p: LoadProgress) => void) => {
    loading ??= platform
      .loadPipeline({
        provider: opts.executionProviders ?? "auto",
        pad: withPad,
        ...(onProgress ? { onProgress } : {}),
      })
      .then((pipeline) => {
        info = { provider: pipeline.provider, reason: pipeline.providerReason, threads: pipeline.threads, modelId: pipeline.modelId };
        return { pipeline, info };
      })
      .catch((e: unknown) => {
        loading = null; // allow a retry after a failed download
        // Every failure of loadModels() is a ModelLoadError with a code (errors.ts).
        if (e instanceof FacegateError) throw e;
        throw new ModelLoadError("runtime", `the face pipeline could not load: ${(e as Error).message ?? String(e)}`, {
          cause: e,
          code: "runtime-unavailable",
        });
      });
    return loading;
  };

  /**
   * A pipeline with PAD, for a verify whose challenge asks for passive
   * liveness when the client was created without it: the current pipeline
   * is replaced by one that also loads the PAD models (the others come from
   * the model cache). PAD does not change an embedding, so enrolled
   * templates still match.
   */
  async function padOnDemand(): Promise<void> {
    if (withPad) return;
    const previous = loading;
    withPad = true;
    loading = null;
    await load();
    await serial(async () => (await previous?.catch(() => null))?.pipeline.dispose());
  }

  async function embed(source: Source, padMode: PadMode = opts.pad ?? "off"): Promise<EmbedResult> {
    const { pipeline } = await load();
    const analyzeOpts = { pad: padMode };
    const frames = platform.toFrames(source, opts.burst ?? {});
    return serial(async () => {
      if (frames) {
        const burst = await pipeline.analyzeBurst(frames, { ...opts.burst, ...analyzeOpts });
        const best = burst.frames.reduce((a, b) => (b.quality.score > a.quality.score ? b : a));
        timings = burst.timings;
        return {
          embedding: burst.embedding,
          modelId: burst.modelId,
          quality: best.quality,
          pad: burst.pad,
          provider: burst.provider,
          timings: burst.timings,
          frames: burst.frames.length,
          face: best.face,
        };
      }
      const a = await pipeline.analyze(await platform.toImage(source), analyzeOpts);
      timings = a.timings;
      return { ...a, frames: 1 };
    });
  }

  const passkeys = opts.passkeys ?? platform.passkeys;
  async function passkeyStep(challenge: Challenge, purpose: "enroll" | "verify", copts: CaptureOptions) {
    if (!challenge.webauthn) return undefined;
    copts.onGuidance?.(guidanceFor(purpose === "enroll" ? "passkey-create" : "passkey-use"));
    return passkeyFor(challenge, purpose, passkeys, () => copts.onGuidance?.(guidanceFor("passkey-skipped")));
  }

  return {
    api,
    async loadModels(lopts = {}) {
      return (await load(lopts.onProgress)).info;
    },
    runtime: () => info,
    lastTimings: () => timings,
    embed,
    async inspect(source) {
      const { pipeline } = await load();
      const image = await platform.toImage(source);
      return serial(async () => {
        try {
          // The preview needs the face and its quality, not an embedding: the embedding model first
          // runs in the capture itself (docs/BENCHMARKS.md, "First login").
          const a = await pipeline.check(image);
          timings = a.timings;
          return { ok: true, face: a.face, message: "ok", quality: a.quality, guidance: guidanceFor("ok") };
        } catch (e) {
          if (!(e instanceof FaceQualityError)) throw e;
          return { ok: false, reason: e.reason, message: e.message, guidance: guidanceFor(e.reason, e.message) };
        }
      });
    },
    grantConsent: (subjectId, policyVersion) => api.grantConsent(subjectId, policyVersion),
    async enroll(subjectId, source, copts = {}) {
      const { pipeline } = await load();
      const challenge = await api.challenge(subjectId, "enroll");
      copts.onGuidance?.(guidanceFor("capturing"));
      const e = await embed(source);
      return sendWithFreshChallenge(
        challenge,
        () => api.challenge(subjectId, "enroll"),
        async (c) => {
          const webauthn = await passkeyStep(c, "enroll", copts);
          copts.onGuidance?.(guidanceFor("sending"));
          // The pipeline's version travels with the envelope: a tenant may accept only calibrated ones.
          return api.enrollEmbedding(subjectId, e.modelId, e.embedding, {
            challenge: c,
            pipelineVersion: pipeline.pipelineVersion,
            ...(webauthn ? { webauthn } : {}),
          });
        },
      );
    },
    async verify(subjectId, source, vopts = {}) {
      const { pipeline } = await load();
      const challenge = await api.challenge(subjectId, "verify", vopts.liveness);
      const asked = challenge.liveness;
      const send = (embedding: Float32Array, evidence?: LivenessEvidence) =>
        sendWithFreshChallenge(
          challenge,
          () => api.challenge(subjectId, "verify", vopts.liveness),
          async (c) => {
            // The face first, then the device: the passkey prompt is the last thing the user does.
            const webauthn = await passkeyStep(c, "verify", vopts);
            vopts.onGuidance?.(guidanceFor("sending"));
            return api.verifyEmbedding(subjectId, pipeline.modelId, embedding, {
              challenge: c,
              pipelineVersion: pipeline.pipelineVersion,
              ...(evidence ? { evidence } : {}),
              ...(webauthn ? { webauthn } : {}),
              ...(vopts.loginNonce !== undefined ? { loginNonce: vopts.loginNonce } : {}),
            });
          },
        );
      if (asked?.level === "active") {
        const frames = platform.toActionFrames(source);
        if (!frames) throw new LivenessError("needs-video", "This sign-in asks for an action in front of the camera: pass a live video source.");
        // Loaded on first use: most sign-ins never need it, and the browser entry has a size budget.
        const { captureAction } = await import("./pipeline/active/capture.js");
        const onPrompt = vopts.onGuidance
          ? (p: { action: string; message: string; stage: "start" | "seen" }) =>
              vopts.onGuidance!(p.stage === "start" ? guidanceFor("action", p.message) : guidanceFor("action-seen"))
          : undefined;
        const capture = await serial(() => captureAction(pipeline, frames, asked.action!, onPrompt ? { onPrompt } : {}));
        return send(capture.embedding, capture.evidence);
      }
      if (asked?.level === "passive") await padOnDemand();
      vopts.onGuidance?.(guidanceFor("capturing"));
      const e = await embed(source, asked?.level === "passive" && (opts.pad ?? "off") === "off" ? "report" : (opts.pad ?? "off"));
      return send(e.embedding, asked?.level === "passive" ? passiveEvidence(e) : undefined);
    },
    getSubject: (subjectId) => api.getSubject(subjectId),
    deleteSubject: (subjectId) => api.deleteSubject(subjectId),
    listTemplates: (subjectId) => api.listTemplates(subjectId),
    deleteTemplate: (subjectId, templateId) => api.deleteTemplate(subjectId, templateId),
  };
}

/** A passive challenge's evidence: the capture's PAD score, and its best frame's pose (no pixels). */
function passiveEvidence(e: EmbedResult): LivenessEvidence {
  if (!e.pad) throw new LivenessError("pad-not-loaded", "This tenant requires presentation-attack detection, and these models have none.");
  const { yaw, pitch } = e.quality.pose;
  return { v: 1, pad: e.pad.score, frames: [{ t: 0, yaw: Math.round(yaw * 10) / 10, pitch: Math.round(pitch * 10) / 10, ear: 0, agree: 1, iou: 1 }] };
}
