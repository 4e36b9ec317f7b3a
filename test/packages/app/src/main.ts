// A web app's whole facegate integration: the elements, where the worker is, whose token.
import "@facegate/client/elements";
import type { ElementErrorDetail, MatchDetail, NoMatchDetail } from "@facegate/client/elements";

const params = new URLSearchParams(location.search);
const events: { type: string; detail: unknown }[] = [];
(window as unknown as { facegateEvents: typeof events }).facegateEvents = events;

for (const id of ["enroll", "verify"] as const) {
  const el = document.getElementById(id) as HTMLElementTagNameMap["facegate-enroll"] | HTMLElementTagNameMap["facegate-verify"];
  el.setAttribute("base-url", params.get("api") ?? "");
  el.subject = params.get("subject") ?? "";
  el.getToken = () => params.get("token") ?? "";
  el.hidden = params.get("step") !== id;
  for (const type of ["facegate-enrolled", "facegate-match", "facegate-no-match", "facegate-error", "facegate-ready"]) {
    el.addEventListener(type, (e) => events.push({ type, detail: (e as CustomEvent).detail }));
  }
}
const verify = document.getElementById("verify") as HTMLElementTagNameMap["facegate-verify"];
verify.loginNonce = params.get("nonce");
verify.addEventListener("facegate-match", (e: CustomEvent<MatchDetail>) => console.log("match", e.detail.subjectId));
verify.addEventListener("facegate-no-match", (e: CustomEvent<NoMatchDetail>) => console.log("no match", e.detail.attemptsRemaining));
verify.addEventListener("facegate-error", (e: CustomEvent<ElementErrorDetail>) => console.log("error", e.detail.code));
