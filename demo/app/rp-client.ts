import type { DemoStep } from "../rp/config.js";

/** Calls to the demo relying party's own backend (demo/rp), not to facegate. */
export interface RpToken {
  accessToken: string;
  expiresIn: number;
  policyVersion: string;
  loginNonce?: string;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/demo/rp/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const json = (await res.json()) as T & { detail?: string };
  if (!res.ok) throw new Error(json.detail ?? `relying party answered ${res.status}`);
  return json;
}

export const rp = {
  token: (username: string, step: DemoStep) => post<RpToken>("token", { username, step }),
  session: (assertion: string) => post<{ signedInAs: string; authTime: number; amr: string[]; model: string }>("session", { assertion }),
  me: async (): Promise<string | null> => {
    const res = await fetch("/demo/rp/me", { credentials: "same-origin" });
    return res.ok ? ((await res.json()) as { signedInAs: string | null }).signedInAs : null;
  },
};
