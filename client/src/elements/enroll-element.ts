import type { EnrollResult } from "../api/types.js";
import { FacegateCaptureElement, type BrowserFaceClient } from "./capture-element.js";

/** The detail of `facegate-enrolled`. */
export interface EnrolledDetail extends EnrollResult {
  subjectId: string;
}

/**
 * `<facegate-enroll subject="alice" base-url="https://faces.example.com" policy-version="2026-11">`
 *   `<label slot="consent"><input type="checkbox"> I agree to …</label>`
 * `</facegate-enroll>`
 *
 * Opens the camera only once every checkbox in the consent slot is checked;
 * with `policy-version` it records the consent (PUT /consent) before the
 * first template. Events: `facegate-enrolled` (EnrolledDetail),
 * `facegate-error` (ElementErrorDetail, typed `code`).
 */
export class FacegateEnrollElement extends FacegateCaptureElement {
  protected readonly defaultActionLabel = "Enroll my face";
  protected readonly defaultStartLabel = "Start the camera";

  protected async act(client: BrowserFaceClient, subject: string, video: HTMLVideoElement): Promise<void> {
    const policyVersion = this.getAttribute("policy-version");
    if (policyVersion) await client.grantConsent(subject, policyVersion);
    const result = await client.enroll(subject, video, { onGuidance: this.onGuidance });
    this.finish();
    this.emit("facegate-enrolled", { subjectId: subject, ...result } satisfies EnrolledDetail);
  }
}
