import type { FaceClient, FaceSource } from "../index.js";
import { createFaceClient } from "../index.js";
import { guidanceFor, type Guidance } from "../guidance.js";
import type { LoadProgress, PadMode } from "../pipeline/types.js";
import type { ProviderPreference } from "../runtime/ort.js";
import { elementDefaults } from "./defaults.js";
import { cameraError, describeError, type ElementErrorDetail } from "./errors.js";
import { CSS } from "./styles.js";

/** A browser FaceClient, the kind the elements use. */
export type BrowserFaceClient = FaceClient<FaceSource>;

// One client per configuration and page, so two elements (sign-up, then sign-in) load the models once.
const clients = new Map<string, BrowserFaceClient>();

const PREVIEW_INTERVAL_MS = 200;

/**
 * What <facegate-enroll> and <facegate-verify> share: the consent slot, the
 * camera with its permission handling, model-load progress, the face oval
 * with live guidance from the quality gates (an ARIA live region that speaks
 * only when the advice changes), one action button, and typed events.
 *
 * Configuration, as attributes or properties: `base-url` (the facegate
 * worker), `subject`, `models-base-url`, `wasm-paths`, `pad`,
 * `execution-providers`, `autostart`; `getToken` (property: a function
 * returning an access token) or `token`; or a ready `client` (property), which
 * wins over all of them.
 *
 * The guidance region is fed by `guide()`, which the SDK's `onGuidance`
 * callback drives during a capture: later capture steps (an active liveness
 * challenge) speak through it too.
 */
export abstract class FacegateCaptureElement extends HTMLElement {
  static get observedAttributes(): string[] {
    return ["action-label", "start-label"];
  }

  /** An access token source for the API (the relying party's short-lived token). */
  getToken: (() => string | Promise<string>) | null = null;
  #client: BrowserFaceClient | null = null;

  protected readonly root: ShadowRoot;
  readonly #parts: {
    progress: HTMLElement;
    progressLabel: HTMLElement;
    progressBar: HTMLProgressElement;
    start: HTMLButtonElement;
    camera: HTMLElement;
    video: HTMLVideoElement;
    guidance: HTMLElement;
    action: HTMLButtonElement;
    error: HTMLElement;
    consent: HTMLSlotElement;
  };
  #stream: MediaStream | null = null;
  #running = false;
  #busy = false;
  #ready = false;
  #spoken = "";

  protected abstract readonly defaultActionLabel: string;
  protected abstract readonly defaultStartLabel: string;
  /** The element's step: enroll or verify the face in `video`. */
  protected abstract act(client: BrowserFaceClient, subject: string, video: HTMLVideoElement): Promise<void>;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    applyStyles(this.root);
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, part: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] => {
      const e = document.createElement(tag);
      e.setAttribute("part", part);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      return e;
    };
    const container = el("div", "container");
    const consent = document.createElement("slot");
    consent.name = "consent";
    const progress = el("div", "progress", { hidden: "" });
    const progressLabel = el("span", "progress-label", { id: "progress-label" });
    const progressBar = el("progress", "progress-bar", { max: "1", value: "0", "aria-labelledby": "progress-label" });
    progress.append(progressLabel, progressBar);
    const start = el("button", "start", { type: "button" });
    const camera = el("div", "camera", { hidden: "" });
    const video = el("video", "video", { playsinline: "", muted: "", autoplay: "", "aria-label": "Camera preview" });
    video.muted = true;
    camera.append(video, oval());
    // role=status is polite: guidance never interrupts what a screen reader is saying.
    const guidance = el("p", "guidance", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    const action = el("button", "action", { type: "button", disabled: "", hidden: "" });
    const error = el("p", "error", { role: "alert", hidden: "" });
    container.append(consent, progress, start, camera, guidance, action, error);
    this.root.append(container);
    this.#parts = { progress, progressLabel, progressBar, start, camera, video, guidance, action, error, consent };
    start.addEventListener("click", () => void this.start());
    action.addEventListener("click", () => void this.#act());
    // A consent checkbox in the slot gates the start button.
    consent.addEventListener("slotchange", () => this.#syncConsent());
    this.addEventListener("change", () => this.#syncConsent());
  }

  connectedCallback(): void {
    this.#labels();
    this.#syncConsent();
    if (this.hasAttribute("autostart")) queueMicrotask(() => void this.start());
  }

  disconnectedCallback(): void {
    this.stop();
  }

  attributeChangedCallback(): void {
    this.#labels();
  }

  /** The FaceClient in use: set one to share it (and its loaded models) with your own code. */
  get client(): BrowserFaceClient {
    if (this.#client) return this.#client;
    const baseUrl = this.getAttribute("base-url") || elementDefaults.baseUrl;
    if (!baseUrl) throw new Error(`<${this.localName}> needs a base-url attribute (the facegate worker) or a client property`);
    const opts = {
      baseUrl: new URL(baseUrl, location.href).toString(),
      modelsBaseUrl: this.getAttribute("models-base-url") ?? elementDefaults.modelsBaseUrl,
      wasmPaths: this.getAttribute("wasm-paths") ?? elementDefaults.wasmPaths,
      pad: (this.getAttribute("pad") as PadMode | null) ?? undefined,
      executionProviders: (this.getAttribute("execution-providers") as ProviderPreference | null) ?? undefined,
    };
    const key = JSON.stringify(opts);
    let client = clients.get(key);
    if (!client) {
      // The token is read from whichever element is acting (each may serve another user).
      client = createFaceClient({ ...opts, getToken: () => tokenOf(active ?? this) });
      clients.set(key, client);
    }
    this.#client = client;
    return client;
  }

  set client(client: BrowserFaceClient) {
    this.#client = client;
  }

  get subject(): string {
    return this.getAttribute("subject") ?? "";
  }

  set subject(value: string) {
    this.setAttribute("subject", value);
  }

  /** Load the models (with progress) and open the camera, then preview with live guidance. */
  async start(): Promise<void> {
    if (this.#running || this.#busy) return;
    if (!this.#consentGiven()) return this.#fail({ code: "consent-required", message: "Please read and accept the policy first.", error: null });
    this.#hideError();
    this.#parts.start.disabled = true;
    let client: BrowserFaceClient;
    try {
      client = this.client;
    } catch (e) {
      this.#parts.start.disabled = false;
      return this.#fail(describeError(e));
    }
    this.guide(guidanceFor("loading"));
    const models = this.#loadModels(client);
    models.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    if (!navigator.mediaDevices?.getUserMedia) {
      this.#parts.start.disabled = false;
      const insecure = typeof isSecureContext !== "undefined" && !isSecureContext;
      return this.#fail(
        insecure
          ? { code: "camera-insecure-context", message: "The camera needs a secure page (https:// or localhost).", error: null }
          : { code: "camera-unavailable", message: "This browser cannot open a camera.", error: null },
      );
    }
    this.guide(guidanceFor("starting-camera"));
    try {
      this.#stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
        audio: false,
      });
    } catch (e) {
      this.#parts.start.disabled = false;
      return this.#fail(cameraError(e));
    }
    const video = this.#parts.video;
    video.srcObject = this.#stream;
    this.#parts.action.hidden = false;
    this.#parts.camera.hidden = false;
    this.#parts.start.hidden = true;
    try {
      await video.play();
      await models;
    } catch (e) {
      this.stop();
      this.#parts.start.hidden = false;
      this.#parts.start.disabled = false;
      return this.#fail(describeError(e));
    }
    this.#running = true;
    this.dispatchEvent(new CustomEvent("facegate-ready", { bubbles: true, composed: true, detail: { runtime: client.runtime() } }));
    void this.#previewLoop(client);
  }

  /** Stop the camera (the element can start again). */
  stop(): void {
    this.#running = false;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    this.#parts.video.srcObject = null;
    this.#parts.camera.hidden = true;
    this.#parts.action.disabled = true;
    this.#parts.action.hidden = true;
    this.#parts.start.hidden = false;
    this.#parts.start.disabled = !this.#consentGiven();
    this.removeAttribute("data-state");
  }

  /** The step succeeded: close the camera and leave only the guidance (`done`). */
  protected finish(): void {
    this.stop();
    this.#parts.start.hidden = true;
    this.#parts.action.hidden = true;
    this.guide(guidanceFor("done"));
  }

  /** Say something in the guidance live region (spoken only when it changes). */
  guide(guidance: Guidance): void {
    if (guidance.message === this.#spoken) return;
    this.#spoken = guidance.message;
    this.#parts.guidance.textContent = guidance.message;
    this.#parts.guidance.dataset.code = guidance.code;
  }

  /** Guidance for the SDK's capture callbacks (enroll/verify `onGuidance`). */
  protected readonly onGuidance = (g: Guidance): void => this.guide(g);

  protected emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
  }

  async #loadModels(client: BrowserFaceClient): Promise<void> {
    const { progress, progressBar, progressLabel } = this.#parts;
    progress.hidden = false;
    progressLabel.textContent = guidanceFor("loading").message;
    try {
      await client.loadModels({
        onProgress: (p: LoadProgress) => {
          progressBar.value = p.total ? p.loaded / p.total : 0;
          progressLabel.textContent = `Loading face models… ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB`;
        },
      });
    } finally {
      progress.hidden = true;
    }
  }

  async #previewLoop(client: BrowserFaceClient): Promise<void> {
    const video = this.#parts.video;
    while (this.#running) {
      if (!this.#busy && video.readyState >= 2) {
        try {
          const check = await client.inspect(video);
          if (!this.#running) break;
          this.#ready = check.ok;
          this.dataset.state = check.ok ? "ready" : "adjust";
          if (!this.#busy) {
            this.guide(check.guidance);
            this.#parts.action.disabled = !check.ok;
          }
        } catch (e) {
          this.#running = false;
          this.#fail(describeError(e));
          break;
        }
      }
      await new Promise((r) => setTimeout(r, PREVIEW_INTERVAL_MS));
    }
  }

  async #act(): Promise<void> {
    if (this.#busy || !this.#ready) return;
    const subject = this.subject;
    if (!subject) return this.#fail({ code: "subject-required", message: `<${this.localName}> needs a subject (the username).`, error: null });
    this.#busy = true;
    this.#parts.action.disabled = true;
    this.dataset.state = "busy";
    this.#hideError();
    active = this;
    try {
      await this.act(this.client, subject, this.#parts.video);
    } catch (e) {
      this.#fail(describeError(e));
    } finally {
      active = null;
      this.#busy = false;
      if (this.#running) {
        this.#parts.action.disabled = !this.#ready;
        this.dataset.state = this.#ready ? "ready" : "adjust";
      }
    }
  }

  #fail(detail: ElementErrorDetail): void {
    this.#parts.error.textContent = detail.message;
    this.#parts.error.hidden = false;
    this.emit("facegate-error", detail);
  }

  #hideError(): void {
    this.#parts.error.hidden = true;
    this.#parts.error.textContent = "";
  }

  #labels(): void {
    this.#parts.action.textContent = this.getAttribute("action-label") ?? this.defaultActionLabel;
    this.#parts.start.textContent = this.getAttribute("start-label") ?? this.defaultStartLabel;
  }

  /** Checkboxes in the consent slot, if any: all must be checked before the camera opens. */
  #consentBoxes(): HTMLInputElement[] {
    return this.#parts.consent
      .assignedElements({ flatten: true })
      .flatMap((e) => [e, ...Array.from(e.querySelectorAll("*"))])
      .filter((e): e is HTMLInputElement => e instanceof HTMLInputElement && e.type === "checkbox");
  }

  #consentGiven(): boolean {
    return this.#consentBoxes().every((b) => b.checked);
  }

  #syncConsent(): void {
    if (!this.#running) this.#parts.start.disabled = !this.#consentGiven();
  }
}

/** The element acting now: its token is the one the shared client sends. */
let active: FacegateCaptureElement | null = null;

async function tokenOf(el: FacegateCaptureElement): Promise<string> {
  if (el.getToken) return el.getToken();
  const token = el.getAttribute("token");
  if (token) return token;
  throw new Error(`<${el.localName}> has no access token: set its getToken property (or a token attribute)`);
}

function applyStyles(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = CSS;
    root.append(style);
  }
}

/** The face oval: a guide for where to put the face, coloured by the element's state. */
function oval(): SVGSVGElement {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("part", "oval");
  svg.setAttribute("viewBox", "0 0 100 75");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  const e = document.createElementNS(NS, "ellipse");
  e.setAttribute("cx", "50");
  e.setAttribute("cy", "37.5");
  e.setAttribute("rx", "19");
  e.setAttribute("ry", "30");
  svg.append(e);
  return svg;
}
