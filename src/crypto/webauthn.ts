import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { DevicePolicy } from "../config/tenants.js";
import { b64uDecode } from "../protocol/base64url.js";
import type { StoredCredential } from "../vault/credentials.js";

/**
 * Passkeys with @simplewebauthn/server (no CBOR or COSE of our own). The
 * WebAuthn challenge of an enroll or verify is the facegate challenge's
 * nonce: one single-use value binds the face envelope and the passkey
 * ceremony to the same attempt.
 */
const RP_NAME = "facegate";

/** A stable, opaque WebAuthn user handle for the subject: no identifier in the authenticator. */
async function userHandle(tenant: string, subjectId: string): Promise<Uint8Array<ArrayBuffer>> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`facegate/v1|webauthn-user|${tenant}|${subjectId}`));
  return new Uint8Array(digest).slice(0, 16);
}

export async function registrationOptions(
  device: DevicePolicy,
  who: { tenant: string; subjectId: string },
  nonce: string,
  existing: readonly StoredCredential[],
) {
  return generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: device.rpId!,
    userName: who.subjectId,
    userID: await userHandle(who.tenant, who.subjectId),
    challenge: new Uint8Array(b64uDecode(nonce)),
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
}

export async function authenticationOptions(device: DevicePolicy, nonce: string, existing: readonly StoredCredential[]) {
  return generateAuthenticationOptions({
    rpID: device.rpId!,
    challenge: new Uint8Array(b64uDecode(nonce)),
    allowCredentials: existing.map((c) => ({ id: c.id, transports: c.transports as never })),
    userVerification: "preferred",
  });
}

/** The new credential, or null when the registration does not verify (origin, RP ID, challenge, user presence, format). */
export async function verifyRegistration(device: DevicePolicy, response: RegistrationResponseJSON, nonce: string): Promise<StoredCredential | null> {
  try {
    const r = await verifyRegistrationResponse({
      response,
      expectedChallenge: nonce,
      expectedOrigin: [...device.origins],
      expectedRPID: device.rpId!,
      requireUserVerification: false,
    });
    if (!r.verified) return null;
    const c = r.registrationInfo.credential;
    return { id: c.id, publicKey: new Uint8Array(c.publicKey), counter: c.counter, transports: c.transports ?? response.response.transports ?? [] };
  } catch {
    return null;
  }
}

/**
 * The authenticator's new signature counter, or null when the assertion does
 * not verify for this credential (signature, origin, RP ID, challenge, user
 * presence). The counter's regression is checked by the vault, in its
 * synchronous section, so concurrent uses are ordered (credentials.ts).
 */
export async function verifyAuthentication(
  device: DevicePolicy,
  response: AuthenticationResponseJSON,
  nonce: string,
  credential: StoredCredential,
): Promise<number | null> {
  try {
    const r = await verifyAuthenticationResponse({
      response,
      expectedChallenge: nonce,
      expectedOrigin: [...device.origins],
      expectedRPID: device.rpId!,
      // Counter 0 here: the vault compares it with the stored one itself (above).
      credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: 0, transports: credential.transports as never },
      requireUserVerification: false,
    });
    return r.verified ? r.authenticationInfo.newCounter : null;
  } catch {
    return null;
  }
}
