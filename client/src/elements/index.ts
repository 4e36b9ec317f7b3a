/**
 * Drop-in elements: `import "@facegate/client/elements"` defines
 * <facegate-enroll> and <facegate-verify> (README "Quickstart"). Importing
 * this module has that side effect once; the classes are exported for
 * subclassing or registering under other names.
 */
import { FacegateEnrollElement } from "./enroll-element.js";
import { FacegateVerifyElement } from "./verify-element.js";

export { FacegateCaptureElement, type BrowserFaceClient } from "./capture-element.js";
export { FacegateEnrollElement, type EnrolledDetail } from "./enroll-element.js";
export { FacegateVerifyElement, type MatchDetail, type NoMatchDetail } from "./verify-element.js";
export type { ElementErrorCode, ElementErrorDetail } from "./errors.js";
export { setElementDefaults, type ElementDefaults } from "./defaults.js";

if (typeof customElements !== "undefined") {
  if (!customElements.get("facegate-enroll")) customElements.define("facegate-enroll", FacegateEnrollElement);
  if (!customElements.get("facegate-verify")) customElements.define("facegate-verify", FacegateVerifyElement);
}

declare global {
  interface HTMLElementTagNameMap {
    "facegate-enroll": FacegateEnrollElement;
    "facegate-verify": FacegateVerifyElement;
  }
  interface HTMLElementEventMap {
    "facegate-enrolled": CustomEvent<import("./enroll-element.js").EnrolledDetail>;
    "facegate-match": CustomEvent<import("./verify-element.js").MatchDetail>;
    "facegate-no-match": CustomEvent<import("./verify-element.js").NoMatchDetail>;
    "facegate-error": CustomEvent<import("./errors.js").ElementErrorDetail>;
    "facegate-ready": CustomEvent<{ runtime: import("../client.js").RuntimeInfo | null }>;
  }
}
