import type { Challenge } from "../api/types.js";
import { PasskeyError } from "../errors.js";

/** A passkey registration or assertion as @simplewebauthn/browser encodes it (WebAuthn's toJSON()). */
export type PasskeyResponseJSON = Record<string, unknown>;

/**
 * How a platform runs the WebAuthn ceremonies (navigator.credentials in a
 * browser; a native app bridges its own platform API). Options and results are
 * the JSON forms @simplewebauthn/server and @simplewebauthn/browser exchange.
 */
export interface PasskeyCeremonies {
  /** Whether this runtime can make or use a passkey at all. */
  available(): boolean | Promise<boolean>;
  register(options: PasskeyResponseJSON): Promise<PasskeyResponseJSON>;
  authenticate(options: PasskeyResponseJSON): Promise<PasskeyResponseJSON>;
}

/**
 * The passkey ceremony a challenge asks for, or undefined when it asks for
 * none. What cannot be given is a PasskeyError, thrown before anything is
 * sent, so no attempt is spent. Under a tenant's `device: optional` policy it
 * is not thrown but handed to `onSkipped` and the attempt goes on with the
 * face alone (the server then leaves `hwk` out of the assertion's amr, so the
 * relying party sees it; the SDK tells the user with a guidance code).
 */
export async function passkeyFor(
  challenge: Challenge,
  purpose: "enroll" | "verify",
  ceremonies: PasskeyCeremonies | undefined,
  onSkipped: (why: PasskeyError) => void = () => {},
): Promise<PasskeyResponseJSON | undefined> {
  const asked = challenge.webauthn;
  if (!asked) return undefined;
  try {
    return await ceremony(asked, purpose, ceremonies);
  } catch (e) {
    if (!(e instanceof PasskeyError) || asked.required) throw e;
    onSkipped(e);
    return undefined;
  }
}

async function ceremony(
  asked: NonNullable<Challenge["webauthn"]>,
  purpose: "enroll" | "verify",
  ceremonies: PasskeyCeremonies | undefined,
): Promise<PasskeyResponseJSON | undefined> {
  const options = purpose === "enroll" ? asked.registration : asked.authentication;
  if (!options) {
    // A verify of a subject without a passkey: under `optional` there is nothing to skip.
    if (!asked.required || purpose === "enroll") return undefined;
    throw new PasskeyError("no-passkey", "This account needs the passkey of the device it was set up on, and it has none: use the relying party's recovery.");
  }
  if (!ceremonies || !(await ceremonies.available())) {
    throw new PasskeyError("unsupported", "This sign-in needs a passkey, and this browser or device cannot use one.");
  }
  try {
    return purpose === "enroll" ? await ceremonies.register(options) : await ceremonies.authenticate(options);
  } catch (e) {
    const cancelled = isCancelled(e);
    throw new PasskeyError(
      cancelled ? "cancelled" : "failed",
      cancelled
        ? "No passkey was given: the prompt was dismissed or timed out, or this device holds no passkey for this account. Try again on the device you signed up on."
        : `The passkey could not be used: ${(e as Error)?.message ?? String(e)}`,
      { cause: e },
    );
  }
}

/**
 * A dismissed or timed-out WebAuthn prompt (DOMException NotAllowedError / AbortError, as
 * @simplewebauthn/browser passes it on). Browsers answer the same for a device without a
 * matching passkey, so that a page cannot probe which passkeys a device holds.
 */
function isCancelled(e: unknown): boolean {
  const err = e as { name?: string; code?: string; cause?: { name?: string } } | null;
  const names = [err?.name, err?.cause?.name];
  return names.includes("NotAllowedError") || names.includes("AbortError") || err?.code === "ERROR_CEREMONY_ABORTED";
}
