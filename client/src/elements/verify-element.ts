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
 * `<facegate-verify subject="alice" base-url="https://faces.example.com" login-nonce="…">`
 *
 * Verifies the face in front of the camera against the subject's templates.
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

  protected async act(client: BrowserFaceClient, subject: string, video: HTMLVideoElement): Promise<void> {
    const nonce = this.loginNonce;
    const result = await client.verify(subject, video, { onGuidance: this.onGuidance, ...(nonce ? { loginNonce: nonce } : {}) });
    if (result.match && result.assertion) {
      this.finish();
      this.emit("facegate-match", { subjectId: subject, assertion: result.assertion, attemptsRemaining: result.attemptsRemaining } satisfies MatchDetail);
    } else {
      this.emit("facegate-no-match", { subjectId: subject, attemptsRemaining: result.attemptsRemaining } satisfies NoMatchDetail);
    }
  }
}
