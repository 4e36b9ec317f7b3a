/** The demo relying party's identity: the audience of the assertions it accepts. */
export const DEMO_CLIENT_ID = "facegate-demo";

/** The consent policy the demo shows; its version is recorded with the consent. */
export const DEMO_POLICY_VERSION = "2026-11";

/** What each step of the demo may do with the face API (least privilege). */
export const STEP_SCOPES = {
  signup: "face:enroll face:read",
  signin: "face:verify face:read",
  privacy: "face:read face:delete",
} as const;

export type DemoStep = keyof typeof STEP_SCOPES;

/** Access tokens for the browser live a few minutes: long enough for one step. */
export const ACCESS_TOKEN_TTL_SECONDS = 300;

/** The login cookie holds the nonce and the user who started signing in. */
export const LOGIN_COOKIE = "fg_demo_login";
export const SESSION_COOKIE = "fg_demo_session";
