import { describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";

describe("happy path", () => {
  it("consent, enroll and verify a matching face yields an assertion", async () => {
    const s = await Subject.create("happy");
    const face = randomFace();
    await s.enrolled(face);
    const res = await s.verify(sameFace(face));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { match: boolean; assertion?: string; attemptsRemaining: number };
    expect(body.match).toBe(true);
    expect(decodeJwt(body.assertion!).sub).toBe(s.id);
  });
});
