import type { FaceCheck, FaceClient } from "../../client/src/index.js";
import { $ } from "./dom.js";

/** Plain-language hints for each refusal reason the SDK can give. */
const HINTS: Record<string, string> = {
  "no-face": "No face found: look at the camera.",
  "multiple-faces": "More than one face: only you should be in view.",
  "face-too-small": "Move closer to the camera.",
  "too-blurry": "Hold still: the image is blurred.",
  "too-dark": "More light, please: the face is too dark.",
  "too-bright": "Too bright: avoid strong light behind or on you.",
  "pose-too-far": "Look straight at the camera.",
  "presentation-attack": "This does not look like a live face: use the camera directly, not a photo or a screen.",
};

export function hintFor(reason: string, fallback = "Adjust your position."): string {
  return HINTS[reason] ?? fallback;
}

/**
 * One capture widget: model loading progress, camera preview with the face
 * box, live quality hints, and an action button (enroll / sign in) that is
 * enabled once the face is good enough.
 */
export class Capture {
  readonly video: HTMLVideoElement;
  readonly #overlay: HTMLCanvasElement;
  readonly #hint: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #progress: HTMLElement;
  #stream: MediaStream | null = null;
  #running = false;
  #busy = false;
  #ready = false;

  constructor(
    readonly root: HTMLElement,
    readonly client: FaceClient,
    label: string,
  ) {
    root.replaceChildren(($<HTMLTemplateElement>("#capture-template").content.cloneNode(true) as DocumentFragment));
    this.video = $<HTMLVideoElement>("[data-role=video]", root);
    this.#overlay = $<HTMLCanvasElement>("[data-role=overlay]", root);
    this.#hint = $("[data-role=hint]", root);
    this.#button = $<HTMLButtonElement>("[data-role=action]", root);
    this.#progress = $("[data-role=progress]", root);
    this.#button.textContent = label;
  }

  /** Load the models (with progress) and the camera in parallel, then preview. */
  async start(): Promise<void> {
    this.root.hidden = false;
    const bar = $<HTMLProgressElement>("[data-role=progress-bar]", this.root);
    const label = $("[data-role=progress-label]", this.root);
    const models = this.client
      .loadModels({
        onProgress: (p) => {
          bar.value = p.total ? p.loaded / p.total : 0;
          label.textContent = `Loading face models… ${(p.loaded / 1e6).toFixed(1)} / ${(p.total / 1e6).toFixed(1)} MB`;
        },
      })
      .then((info) => {
        this.#progress.hidden = true;
        return info;
      });
    this.#stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
      audio: false,
    });
    this.video.srcObject = this.#stream;
    await this.video.play();
    await models;
    this.#running = true;
    void this.#previewLoop();
  }

  onAction(handler: () => Promise<void>): void {
    this.#button.onclick = async () => {
      this.#busy = true;
      this.#button.disabled = true;
      try {
        await handler();
      } finally {
        this.#busy = false;
        this.#button.disabled = !this.#ready;
      }
    };
  }

  stop(): void {
    this.#running = false;
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
  }

  async #previewLoop(): Promise<void> {
    while (this.#running) {
      if (!this.#busy && this.video.readyState >= 2) {
        try {
          this.#draw(await this.client.inspect(this.video));
        } catch (err) {
          this.#hint.textContent = (err as Error).message;
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  #draw(check: FaceCheck): void {
    const c = this.#overlay;
    c.width = this.video.videoWidth;
    c.height = this.video.videoHeight;
    const g = c.getContext("2d")!;
    g.clearRect(0, 0, c.width, c.height);
    if (check.face) {
      g.lineWidth = Math.max(2, c.width / 200);
      g.strokeStyle = check.ok ? "#34a853" : "#fbbc04";
      const b = check.face.box;
      g.strokeRect(b.x, b.y, b.width, b.height);
    }
    this.#ready = check.ok;
    this.#hint.textContent = check.ok ? "Face OK: hold still." : hintFor(check.reason ?? "", check.message);
    if (!this.#busy) this.#button.disabled = !check.ok;
  }
}
