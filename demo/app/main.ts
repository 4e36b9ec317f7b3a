import { ApiError, createFaceClient, type FaceClient, type ProviderPreference } from "@facegate/client";
import type { ElementErrorDetail, FacegateEnrollElement, FacegateVerifyElement } from "@facegate/client/elements";
import "@facegate/client/elements";
import { $, setStatus, show } from "./dom.js";
import { POLICY } from "./policy.js";
import { rp } from "./rp-client.js";

/**
 * The demo relying party's page, built on the SDK's drop-in elements:
 * sign up (<facegate-enroll>: consent in its slot, then the camera), sign in
 * (<facegate-verify>; the assertion is checked by the RP backend with
 * @facegate/relying-party), privacy (what the server holds, delete).
 * `?ep=webgpu|wasm` forces an execution provider.
 */
const params = new URLSearchParams(location.search);
let accessToken = "";

// One client for both elements, so the models load once per page. The models come from the
// worker's content-hashed default path; ORT's runtime files from /ort/ on this origin, as the
// page is cross-origin isolated for WASM threads (docs/ARCHITECTURE.md).
const client: FaceClient = createFaceClient({
  baseUrl: location.origin,
  getToken: () => accessToken,
  wasmPaths: new URL("/ort/", location.origin).toString(),
  executionProviders: (params.get("ep") as ProviderPreference | null) ?? "auto",
});

// A handle for developers (and the SDK's browser tests) to call the client from the console,
// with a token of their own.
(globalThis as unknown as { facegate: { client: FaceClient; useToken: (t: string) => void } }).facegate = {
  client,
  useToken: (t: string) => void (accessToken = t),
};

const enrollEl = $<FacegateEnrollElement>("#signup-capture");
const verifyEl = $<FacegateVerifyElement>("#signin-capture");
enrollEl.client = client;
verifyEl.client = client;

function showRuntime(): void {
  const info = client.runtime();
  if (info)
    $("#runtime").textContent = `Execution provider: ${info.provider.toUpperCase()} (${info.reason}; ${info.threads} thread${info.threads === 1 ? "" : "s"})`;
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
  enrollEl.stop();
  verifyEl.stop();
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
    show(enrollEl, false);
  }
  if (name === "signin") {
    show($("#signin-form"));
    show(verifyEl, false);
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

// --- sign up ---------------------------------------------------------------

$("#signup-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = $<HTMLInputElement>("#signup-username").value.trim();
  try {
    const token = await rp.token(username, "signup");
    accessToken = token.accessToken;
    enrollEl.subject = username;
    // The element records this consent version before the first template.
    enrollEl.setAttribute("policy-version", token.policyVersion);
    show($("#signup-form"), false);
    show(enrollEl);
  } catch (err) {
    setStatus((err as Error).message, "bad");
  }
});

enrollEl.addEventListener("facegate-enrolled", (e) => {
  showRuntime();
  const { subjectId, templateCount } = e.detail;
  setStatus(`Enrolled ${subjectId} (${templateCount} template${templateCount === 1 ? "" : "s"}). You can now sign in.`, "ok");
});

// --- sign in ---------------------------------------------------------------

$("#signin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const username = $<HTMLInputElement>("#signin-username").value.trim();
  try {
    const token = await rp.token(username, "signin");
    accessToken = token.accessToken;
    verifyEl.subject = username;
    verifyEl.loginNonce = token.loginNonce ?? null;
    // An active challenge: the server names the action, the element's live region says it.
    verifyEl.liveness = $<HTMLInputElement>("#signin-active").checked ? "active" : null;
    show($("#signin-form"), false);
    show(verifyEl);
    await verifyEl.start();
    showRuntime();
  } catch (err) {
    setStatus((err as Error).message, "bad");
  }
});

verifyEl.addEventListener("facegate-match", async (e) => {
  showRuntime();
  setStatus("Checking the assertion…");
  try {
    // The relying party's backend checks the assertion; only then is the user signed in.
    const session = await rp.session(e.detail.assertion);
    // What the assertion proved (RFC 8176 amr): the face, and the device's passkey when the tenant asks for one.
    const proven = session.amr.includes("hwk") ? "face and this device's passkey" : "face";
    setStatus(`Signed in as ${session.signedInAs} (${proven})`, "ok");
  } catch (err) {
    setStatus((err as Error).message, "bad");
  }
});

verifyEl.addEventListener("facegate-no-match", (e) => {
  showRuntime();
  setStatus(`Face did not match. Attempts remaining: ${e.detail.attemptsRemaining}.`, "bad");
});

for (const el of [enrollEl, verifyEl]) {
  el.addEventListener("facegate-ready", () => showRuntime());
  el.addEventListener("facegate-error", (e: CustomEvent<ElementErrorDetail>) => {
    showRuntime();
    setStatus(e.detail.message, "bad");
  });
}

// --- privacy ---------------------------------------------------------------

function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.problem?.detail ?? err.message;
  return (err as Error).message ?? String(err);
}

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
    const none = err instanceof ApiError && err.code === "subject-not-found";
    setStatus(none ? `The server holds nothing for ${username}.` : describeError(err), none ? "ok" : "bad");
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
