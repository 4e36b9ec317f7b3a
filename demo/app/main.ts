import { ApiError, createFaceClient, FaceQualityError, type FaceClient, type ProviderPreference } from "../../client/src/index.js";
import { Capture, hintFor } from "./capture.js";
import { $, setStatus, show } from "./dom.js";
import { POLICY } from "./policy.js";
import { rp, type RpToken } from "./rp-client.js";

/**
 * The demo relying party's page: sign up (consent + enroll), sign in
 * (verify + assertion checked by the RP backend), privacy (what the server
 * holds, delete). `?ep=webgpu|wasm` forces an execution provider.
 */
const params = new URLSearchParams(location.search);
let accessToken = "";

const client: FaceClient = createFaceClient({
  baseUrl: location.origin,
  getToken: () => accessToken,
  modelsBaseUrl: new URL("/models/", location.origin).toString(),
  wasmPaths: new URL("/ort/", location.origin).toString(),
  executionProviders: (params.get("ep") as ProviderPreference | null) ?? "auto",
});

// A handle for developers (and the SDK's browser tests) to call the client from the console,
// with a token of their own.
(globalThis as unknown as { facegate: { client: FaceClient; useToken: (t: string) => void } }).facegate = {
  client,
  useToken: (t: string) => void (accessToken = t),
};

let capture: Capture | null = null;

function stopCapture(): void {
  capture?.stop();
  capture = null;
}

function describeError(err: unknown): string {
  if (err instanceof FaceQualityError) return hintFor(err.reason, err.message);
  if (err instanceof ApiError) {
    switch (err.code) {
      case "not-enrolled":
        return "There is no face enrolled for this username. Sign up first.";
      case "subject-locked": {
        const at = new Date(Date.now() + (err.retryAfter ?? 0) * 1000);
        return `Too many failed attempts. Face sign-in is paused until ${at.toLocaleTimeString()}.`;
      }
      case "consent-required":
        return "Consent is required before enrolling.";
      case "enrollment-mismatch":
        return "This face does not match the face already enrolled for this username.";
      case "template-limit":
        return "This username already has the maximum number of enrolled faces.";
      default:
        return err.problem?.detail ?? err.message;
    }
  }
  return (err as Error).message ?? String(err);
}

function showRuntime(): void {
  const info = client.runtime();
  if (info) $("#runtime").textContent = `Execution provider: ${info.provider.toUpperCase()} (${info.reason}; ${info.threads} thread${info.threads === 1 ? "" : "s"})`;
  const t = client.lastTimings();
  if (t) {
    $("#timings").textContent =
      "Per stage (ms): " +
      Object.entries(t)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(" · ");
  }
}

// --- views -----------------------------------------------------------------

const views = ["home", "signup", "signin", "privacy"] as const;

async function route(): Promise<void> {
  stopCapture();
  setStatus("");
  const name = (location.hash.replace(/^#\//, "") || "home") as (typeof views)[number];
  for (const v of views) show($(`[data-view=${v}]`), v === name);
  if (name === "home") {
    const who = await rp.me();
    const banner = $("#signed-in-banner");
    banner.textContent = who ? `Signed in as ${who}` : "";
    show(banner, Boolean(who));
  }
  if (name === "signup") {
    show($("#signup-form"));
    show($("#signup-camera"), false);
  }
  if (name === "signin") {
    show($("#signin-form"));
    show($("#signin-camera"), false);
  }
  if (name === "privacy") show($("#privacy-record"), false);
}

function renderPolicy(): void {
  $("#policy-version").textContent = `(policy ${POLICY.version})`;
  $("#policy-text").replaceChildren(
    ...POLICY.sections.flatMap(([title, text]) => {
      const h = document.createElement("h3");
      h.textContent = title;
      const p = document.createElement("p");
      p.textContent = text;
      return [h, p];
    }),
  );
}

/**
 * The shared shape of sign-up and sign-in: get a scoped token from the
 * relying party, open the camera, and run `act` (which returns the success
 * message) when the user presses the button.
 */
function faceStep(
  view: "signup" | "signin",
  label: string,
  before: () => string | null,
  act: (username: string, token: RpToken, video: HTMLVideoElement) => Promise<string | null>,
): void {
  $(`#${view}-form`).addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = $<HTMLInputElement>(`#${view}-username`).value.trim();
    const refusal = before();
    if (refusal) return setStatus(refusal, "bad");
    try {
      const token = await rp.token(username, view);
      accessToken = token.accessToken;
      show($(`#${view}-form`), false);
      const current = new Capture($(`#${view}-camera`), client, label);
      capture = current;
      current.onAction(async () => {
        setStatus(view === "signup" ? "Enrolling…" : "Verifying…");
        try {
          const done = await act(username, token, current.video);
          showRuntime();
          if (done) {
            stopCapture();
            setStatus(done, "ok");
          }
        } catch (err) {
          showRuntime();
          setStatus(describeError(err), "bad");
        }
      });
      await current.start();
      showRuntime();
    } catch (err) {
      setStatus(describeError(err), "bad");
    }
  });
}

faceStep(
  "signup",
  "Enroll my face",
  () => ($<HTMLInputElement>("#consent-check").checked ? null : "Please read and accept the policy."),
  async (username, token, video) => {
    await client.grantConsent(username, token.policyVersion);
    const { templateCount } = await client.enroll(username, video);
    return `Enrolled ${username} (${templateCount} template${templateCount === 1 ? "" : "s"}). You can now sign in.`;
  },
);

faceStep(
  "signin",
  "Sign in with my face",
  () => null,
  async (username, token, video) => {
    const result = await client.verify(username, video, { loginNonce: token.loginNonce! });
    if (!result.match || !result.assertion) {
      setStatus(`Face did not match. Attempts remaining: ${result.attemptsRemaining}.`, "bad");
      return null;
    }
    // The relying party's backend checks the assertion; only then is the user signed in.
    const session = await rp.session(result.assertion);
    return `Signed in as ${session.signedInAs}`;
  },
);

$("#privacy-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = $<HTMLInputElement>("#privacy-username").value.trim();
  try {
    accessToken = (await rp.token(username, "privacy")).accessToken;
    const record = await client.getSubject(username);
    const rows: [string, string][] = [
      ["Username", record.subjectId],
      ["Consent", record.consent ? `policy ${record.consent.policyVersion}, given ${new Date(record.consent.grantedAt).toLocaleString()}` : "none"],
      ["Kept until", record.consent ? new Date(record.consent.retainUntil).toLocaleDateString() : "-"],
      ["Face templates", `${record.templateCount} (encrypted; no images)`],
      ["Locked", record.lockedUntil ? `until ${new Date(record.lockedUntil).toLocaleTimeString()}` : "no"],
    ];
    $("#privacy-details").replaceChildren(
      ...rows.flatMap(([k, v]) => {
        const dt = document.createElement("dt");
        dt.textContent = k;
        const dd = document.createElement("dd");
        dd.textContent = v;
        return [dt, dd];
      }),
    );
    show($("#privacy-record"));
    setStatus("");
  } catch (err) {
    show($("#privacy-record"), false);
    setStatus(err instanceof ApiError && err.code === "subject-not-found" ? `The server holds nothing for ${username}.` : describeError(err), err instanceof ApiError && err.code === "subject-not-found" ? "ok" : "bad");
  }
});

$("#privacy-delete").addEventListener("click", async () => {
  const username = $<HTMLInputElement>("#privacy-username").value.trim();
  if (!confirm(`Delete all face data for ${username}? This cannot be undone.`)) return;
  try {
    await client.deleteSubject(username);
    show($("#privacy-record"), false);
    setStatus(`Deleted. The server no longer holds any face data for ${username}.`, "ok");
  } catch (err) {
    setStatus(describeError(err), "bad");
  }
});

renderPolicy();
window.addEventListener("hashchange", () => void route());
void route();
