import { ApiError } from "../errors.js";
import type { Challenge } from "./types.js";

/**
 * Sends with the challenge fetched before the capture and, if it expired while
 * the device computed the embedding (a slow phone, a software GPU adapter:
 * minutes, against the tenant's challenge TTL), once more with a fresh one of
 * the same liveness level. The expired challenge spent nothing (the vault
 * refuses it before opening the envelope) and the capture is the same, so the
 * user is not asked to look at the camera again (a tenant with passkeys asks
 * for the passkey once more: its assertion signs the challenge's nonce). An
 * active challenge is never renewed here: its evidence shows the action that
 * challenge named.
 */
export async function sendWithFreshChallenge<T>(first: Challenge, refetch: () => Promise<Challenge>, send: (challenge: Challenge) => Promise<T>): Promise<T> {
  try {
    return await send(first);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== "challenge-expired" || first.liveness?.level === "active") throw e;
    const fresh = await refetch();
    // A policy that changed in between (now asking for an action) cannot be met with this capture.
    if ((fresh.liveness?.level ?? "off") !== (first.liveness?.level ?? "off")) throw e;
    return send(fresh);
  }
}
