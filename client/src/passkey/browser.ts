import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import type { PasskeyCeremonies, PasskeyResponseJSON } from "./ceremonies.js";

/**
 * The browser's WebAuthn ceremonies through @simplewebauthn/browser, loaded
 * only when a challenge asks for a passkey (the tenant's device policy): most
 * tenants never do, and the SDK's main chunk has a size budget.
 *
 * The options arrive opaque on the wire (the protocol schema keeps them as the
 * JSON the worker's @simplewebauthn/server generate*Options() returned), so
 * they are handed on as that library's own JSON types; the browser and the
 * worker's verify*Response() check every field.
 */
export const browserPasskeys: PasskeyCeremonies = {
  available: () => typeof window !== "undefined" && typeof window.PublicKeyCredential === "function",
  async register(options) {
    const { startRegistration } = await import("./webauthn-lib.js");
    const optionsJSON = options as unknown as PublicKeyCredentialCreationOptionsJSON;
    return (await startRegistration({ optionsJSON })) as unknown as PasskeyResponseJSON;
  },
  async authenticate(options) {
    const { startAuthentication } = await import("./webauthn-lib.js");
    const optionsJSON = options as unknown as PublicKeyCredentialRequestOptionsJSON;
    return (await startAuthentication({ optionsJSON })) as unknown as PasskeyResponseJSON;
  },
};
