import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CHALLENGE_GRACE_MS } from "../../src/vault/challenges.js";
import { expectProblem, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit, vaultSql, vaultStub } from "./helpers/vault.js";

/**
 * A vault with a consent sets no alarm of its own for spent challenges (an
 * alarm invocation and an alarm write per attempt): they stay refused while
 * they are kept, and go at the subject's next challenge.
 */
describe("spent challenges of an enrolled subject", () => {
  it("after a verify no alarm is set for the spent challenge; the spent challenge is refused until the next challenge deletes it", async () => {
    const face = randomFace();
    const s = await Subject.create("purge");
    await s.enrolled(face);
    const { ch, body } = await s.body("verify", sameFace(face, 0.05));
    expect((await s.send("verify", body)).status).toBe(200);
    await flushAudit(s.id);

    // Set for later than the spent challenge's purge would be due (its expiry plus the grace).
    const alarm = await runInDurableObject(vaultStub(s.id), (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeGreaterThan(Date.parse(ch.expiresAt) + CHALLENGE_GRACE_MS);

    // Kept past expiry and grace (the enrollment's and the verify's), and still refused as used.
    await vaultSql(s.id, "UPDATE challenges SET expires_at = ? WHERE used_at IS NOT NULL", Date.now() - 3_600_000);
    expect(await vaultSql(s.id, "SELECT challenge_id FROM challenges")).toHaveLength(2);
    await expectProblem(await s.send("verify", body), "challenge-used");

    const next = await s.challenge("verify");
    const left = await vaultSql<{ challenge_id: string }>(s.id, "SELECT challenge_id FROM challenges");
    expect(left.map((r) => r.challenge_id)).toEqual([next.challengeId]);
  });
});
