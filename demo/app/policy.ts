import { DEMO_POLICY_VERSION } from "../rp/config.js";

/**
 * The consent policy the user reads before enrolling. Versioned: the version
 * is recorded with the consent on the server, so a changed text means asking
 * again. Keep it short, concrete and true to what the code does.
 */
export const POLICY = {
  version: DEMO_POLICY_VERSION,
  sections: [
    [
      "What is collected",
      "A face template: 512 numbers computed from your camera image on this device. " +
        "No photo or video leaves your device; the server never receives an image.",
    ],
    [
      "Why",
      "Only to check that it is you when you sign in to this site. It is not used to identify you " +
        "among other people, not shared, and not used for anything else.",
    ],
    [
      "How it is protected",
      "The template is encrypted on your device for the server (HPKE), then stored encrypted under " +
        "a key that exists only for your account. Sign-in answers match or no match, never a score.",
    ],
    [
      "How long it is kept",
      "Until you delete it, and at most 3 years after you last signed in with your face. " +
        "After 5 failed attempts in 15 minutes, face sign-in is paused for 15 minutes.",
    ],
    [
      "How to withdraw",
      "Open “My face data” and choose “Delete my face data”. Your template and its key are destroyed " + "at once; this cannot be undone and needs no reason.",
    ],
  ] as const,
};
