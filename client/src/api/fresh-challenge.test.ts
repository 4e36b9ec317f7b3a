import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import { sendWithFreshChallenge } from "./fresh-challenge.js";
import type { Challenge } from "./types.js";

// The round trip against wrangler dev is test/e2e/challenge-renewal.test.ts; these pin the cases it cannot reach.
const challenge = (id: string, level?: "off" | "passive" | "active"): Challenge => ({
  challengeId: id,
  nonce: `nonce-${id}`,
  expiresAt: "2026-12-02T00:00:00Z",
  envelopeKey: { kid: "k1", publicKey: "AAAA" },
  ...(level ? { liveness: { level, ...(level === "active" ? { action: "blink" as const } : {}) } } : {}),
});
const expired = () => new ApiError(400, "challenge-expired", null, "The challenge has expired");

describe("sendWithFreshChallenge", () => {
  it("renews a passive challenge once, with the same level, and sends with the fresh one", async () => {
    const sent: string[] = [];
    const result = await sendWithFreshChallenge(
      challenge("a", "passive"),
      async () => challenge("b", "passive"),
      async (c) => {
        sent.push(c.challengeId);
        if (c.challengeId === "a") throw expired();
        return "ok";
      },
    );
    expect(result).toBe("ok");
    expect(sent).toEqual(["a", "b"]);
  });

  it("renews at most once: a second expiry reaches the caller", async () => {
    const sent: string[] = [];
    const run = sendWithFreshChallenge(
      challenge("a"),
      async () => challenge(`n${sent.length}`),
      async (c) => {
        sent.push(c.challengeId);
        throw expired();
      },
    );
    await expect(run).rejects.toMatchObject({ code: "challenge-expired" });
    expect(sent).toEqual(["a", "n1"]);
  });

  it("never renews an active challenge (its evidence shows that challenge's action)", async () => {
    let fetched = 0;
    const run = sendWithFreshChallenge(
      challenge("a", "active"),
      async () => {
        fetched++;
        return challenge("b", "active");
      },
      async () => {
        throw expired();
      },
    );
    await expect(run).rejects.toMatchObject({ code: "challenge-expired" });
    expect(fetched).toBe(0);
  });

  it("does not send when the fresh challenge asks for another liveness level", async () => {
    const sent: string[] = [];
    const run = sendWithFreshChallenge(
      challenge("a", "passive"),
      async () => challenge("b", "active"),
      async (c) => {
        sent.push(c.challengeId);
        throw expired();
      },
    );
    await expect(run).rejects.toMatchObject({ code: "challenge-expired" });
    expect(sent).toEqual(["a"]);
  });

  it("passes any other refusal through without a new challenge", async () => {
    let fetched = 0;
    const run = sendWithFreshChallenge(
      challenge("a"),
      async () => {
        fetched++;
        return challenge("b");
      },
      async () => {
        throw new ApiError(409, "challenge-used", null, "The challenge has already been used");
      },
    );
    await expect(run).rejects.toMatchObject({ code: "challenge-used" });
    expect(fetched).toBe(0);
  });
});
