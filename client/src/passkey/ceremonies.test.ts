import { describe, expect, it } from "vitest";
import type { Challenge } from "../api/types.js";
import { PasskeyError } from "../errors.js";
import { passkeyFor, type PasskeyCeremonies } from "./ceremonies.js";

/**
 * What the SDK does with a challenge's passkey request, per tenant policy
 * (the ceremonies themselves run in Chromium: test/browser/passkey.test.ts).
 * The platform here is a stand-in that answers as a browser does: a
 * credential's JSON, or the DOMException a dismissed prompt or a device
 * without the passkey gives.
 */
const challenge = (webauthn: Challenge["webauthn"]): Challenge =>
  ({ challengeId: "c", nonce: "n", expiresAt: "2026-12-01T00:00:00Z", webauthn }) as unknown as Challenge;
const options = { challenge: "bm9uY2U" };
const dismissed = () => Promise.reject(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError"));

function platform(answer: () => Promise<Record<string, unknown>>, available = true): PasskeyCeremonies & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    available: () => available,
    register: (o) => (calls.push(`register:${String(o["challenge"])}`), answer()),
    authenticate: (o) => (calls.push(`authenticate:${String(o["challenge"])}`), answer()),
  };
}

describe("passkeyFor", () => {
  it("asks for nothing when the challenge has no webauthn (device: off)", async () => {
    const p = platform(async () => ({ id: "x" }));
    expect(await passkeyFor(challenge(undefined), "verify", p)).toBeUndefined();
    expect(p.calls).toEqual([]);
  });

  it("registers at enroll and authenticates at verify with the challenge's own options", async () => {
    const p = platform(async () => ({ id: "cred" }));
    expect(await passkeyFor(challenge({ registration: options, required: true }), "enroll", p)).toEqual({ id: "cred" });
    expect(await passkeyFor(challenge({ authentication: options, required: true }), "verify", p)).toEqual({ id: "cred" });
    expect(p.calls).toEqual(["register:bm9uY2U", "authenticate:bm9uY2U"]);
  });

  it("under required: a dismissed prompt, no WebAuthn, a failing authenticator or no passkey at all is a PasskeyError with its reason", async () => {
    const reason = (e: unknown) => (e instanceof PasskeyError ? e.reason : String(e));
    const req = (w: Omit<NonNullable<Challenge["webauthn"]>, "required">) => challenge({ ...w, required: true });
    await expect(passkeyFor(req({ authentication: options }), "verify", platform(dismissed)).catch(reason)).resolves.toBe("cancelled");
    await expect(passkeyFor(req({ authentication: options }), "verify", platform(dismissed, false)).catch(reason)).resolves.toBe("unsupported");
    await expect(passkeyFor(req({ authentication: options }), "verify", undefined).catch(reason)).resolves.toBe("unsupported");
    const broken = platform(() => Promise.reject(new DOMException("bad", "InvalidStateError")));
    await expect(passkeyFor(req({ registration: options }), "enroll", broken).catch(reason)).resolves.toBe("failed");
    await expect(passkeyFor(req({}), "verify", platform(dismissed)).catch(reason)).resolves.toBe("no-passkey");
  });

  it("under optional: the same failures go on with the face alone, and the caller is told why", async () => {
    const skipped: string[] = [];
    const onSkipped = (e: PasskeyError) => skipped.push(e.reason);
    const opt = (w: Omit<NonNullable<Challenge["webauthn"]>, "required">) => challenge({ ...w, required: false });
    expect(await passkeyFor(opt({ authentication: options }), "verify", platform(dismissed), onSkipped)).toBeUndefined();
    expect(await passkeyFor(opt({ registration: options }), "enroll", undefined, onSkipped)).toBeUndefined();
    // A subject without a passkey under optional: nothing to skip, nothing to say.
    expect(await passkeyFor(opt({}), "verify", platform(dismissed), onSkipped)).toBeUndefined();
    expect(skipped).toEqual(["cancelled", "unsupported"]);
  });
});
