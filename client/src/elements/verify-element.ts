import type { LivenessLevel } from "../api/types.js";
import { FacegateCaptureElement, type BrowserFaceClient } from "./capture-element.js";

/** The detail of `facegate-match`: hand `assertion` to your backend (@facegate/relying-party checks it). */
export interface MatchDetail {
  subjectId: string;
  assertion: string;
  attemptsRemaining: number;
}

/** The detail of `facegate-no-match`. */
export interface NoMatchDetail {
  subjectId: string;
  attemptsRemaining: number;
}

/**
 * `<facegate-verify subject="alice" base-url="https://faces.example.com" login-nonce="…" liveness="active">`
 *
 * Verifies the face in front of the camera against the subject's templates.
 * `liveness` asks for at least that much (docs/PAD.md; the tenant's policy
 * may ask for more): with `active`, the guidance region tells the user the
 * action the challenge names ("blink slowly") and that it was seen.
 * Events: `facegate-match` (MatchDetail), `facegate-no-match` (NoMatchDetail;
 * the camera stays open for another try), `facegate-error` (ElementErrorDetail).
 */
export class FacegateVerifyElement extends FacegateCaptureElement {
  protected readonly defaultActionLabel = "Sign in with my face";
  protected readonly defaultStartLabel = "Start the camera";

  /** The relying party's nonce for this sign-in (attribute `login-nonce`). */
  get loginNonce(): string | null {
    return this.getAttribute("login-nonce");
  }

  set loginNonce(value: string | null) {
    if (value === null) this.removeAttribute("login-nonce");
    else this.setAttribute("login-nonce", value);
  }

  /** The least liveness to ask for (attribute `liveness`: `off`, `passive` or `active`). */
  get liveness(): LivenessLevel | null {
    const v = this.getAttribute("liveness");
    return v === "off" || v === "passive" || v === "active" ? v : null;
  }

  set liveness(value: LivenessLevel | null) {
    if (value === null) this.removeAttribute("liveness");
    else this.setAttribute("liveness", value);
  }

  protected async act(client: BrowserFaceClient, subject: string, video: HTMLVideoElement): Promise<void> {
    const nonce = this.loginNonce;
    const liveness = this.liveness;
    const result = await client.verify(subject, video, {
      onGuidance: this.onGuidance,
      ...(nonce ? { loginNonce: nonce } : {}),
      ...(liveness ? { liveness } : {}),
    });
    if (result.match && result.assertion) {
      this.finish();
      this.emit("facegate-match", { subjectId: subject, assertion: result.assertion, attemptsRemaining: result.attemptsRemaining } satisfies MatchDetail);
    } else {
      this.emit("facegate-no-match", { subjectId: subject, attemptsRemaining: result.attemptsRemaining } satisfies NoMatchDetail);
    }
  }
}
