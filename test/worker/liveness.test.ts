import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import manifest from "../../models/manifest.json";
import type { ChallengeResponseT, VerifyResponseT } from "../../src/protocol/schemas.js";
import type { EvidenceFrame, LivenessAction, LivenessEvidence } from "../../src/protocol/liveness.js";
import { callSettled, expectProblem, MODEL_ID, sealFor, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";
import { flushAudit } from "./helpers/vault.js";

/**
 * The vault's decision on liveness evidence (src/vault/liveness.ts,
 * src/protocol/liveness.ts): a verify challenge carries the level the
 * tenant (or the relying party) asks for and, when active, a random action;
 * the sealed evidence must show it by one face. Synthetic evidence here (the
 * server sees only what the SDK measured); real clips in test/browser and
 * `npm run eval:active`.
 */
const PAD_THRESHOLD = manifest.pad.threshold;
const MAX = Number(env.LOCKOUT_MAX_FAILURES);

/** Frames 100 ms apart, frontal, the same face followed; `shape` sets each frame's eye openness and yaw. */
function frames(shape: { ear?: number; yaw?: number; agree?: number }[]): EvidenceFrame[] {
  return shape.map((f, i) => ({ t: i * 100, yaw: f.yaw ?? 0, pitch: -2, ear: f.ear ?? 0.28, agree: f.agree ?? 0.85, iou: i === 0 ? 1 : 0.9 }));
}
const open = { ear: 0.28 };
const shut = { ear: 0.19 };
const BLINK = frames([open, open, open, shut, shut, open, open, open]);
const TURN_LEFT_RIGHT = frames([{}, { yaw: 12 }, { yaw: 28 }, { yaw: 35 }, { yaw: 10 }, { yaw: -15 }, { yaw: -30 }, { yaw: -8 }, {}]);
const TURN_RIGHT_LEFT = TURN_LEFT_RIGHT.map((f) => ({ ...f, yaw: -f.yaw }));
const STILL = frames(Array.from({ length: 10 }, () => open));
const SHOWING: Record<LivenessAction, EvidenceFrame[]> = { blink: BLINK, "turn-left-right": TURN_LEFT_RIGHT, "turn-right-left": TURN_RIGHT_LEFT };

const policy = (tenantPolicy: unknown) => ({ TENANT_POLICIES: JSON.stringify({ "*": tenantPolicy }) });

async function challenge(s: Subject, bindings: Partial<Cloudflare.Env>, liveness?: string): Promise<ChallengeResponseT> {
  const t = await s.another();
  const res = await callSettled("POST", "/v1/challenges", {
    token: t.token,
    env: bindings,
    body: { subjectId: s.id, purpose: "verify", ...(liveness ? { liveness } : {}) },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ChallengeResponseT;
}

async function verify(s: Subject, ch: ChallengeResponseT, probe: Float32Array, evidence?: LivenessEvidence): Promise<Response> {
  const t = await s.another();
  const envelope = await sealFor(ch, "verify", s.id, probe, evidence ? { evidence } : {});
  return callSettled("POST", `/v1/subjects/${s.id}/verify`, { token: t.token, body: { challengeId: ch.challengeId, modelId: MODEL_ID, envelope } });
}

async function enrolled(prefix: string) {
  const s = await Subject.create(prefix);
  const face = randomFace();
  await s.enrolled(face);
  return { s, face };
}

async function outcomes(subjectId: string): Promise<string[]> {
  await flushAudit(subjectId);
  const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = 'verify' ORDER BY at").bind(subjectId).all();
  return results.map((r) => r["outcome"] as string);
}

describe("active liveness: the challenge names an action, the evidence must show it", () => {
  it("an active tenant's challenge names a random action of its list; the right action by the same face signs in, and the assertion says so", async () => {
    const { s, face } = await enrolled("act");
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add((await challenge(s, policy({ liveness: { level: "active" } }))).liveness!.action!);
    expect([...seen].every((a) => a in SHOWING)).toBe(true);
    expect(seen.size).toBeGreaterThan(1);

    const ch = await challenge(s, policy({ liveness: { level: "active" } }));
    const res = await verify(s, ch, sameFace(face), { v: 1, frames: SHOWING[ch.liveness!.action!] });
    const body = (await res.json()) as VerifyResponseT;
    expect(body.match).toBe(true);
    expect(decodeJwt(body.assertion!)).toMatchObject({ amr: ["face", "user"], acr: "urn:facegate:liveness:active" });
  });

  for (const [name, shown, asked] of [
    ["the wrong action (a turn for a blink)", TURN_LEFT_RIGHT, "blink"],
    ["the other turn order", TURN_RIGHT_LEFT, "turn-left-right"],
    ["no action at all (a still in front of the camera)", STILL, "blink"],
    ["no action at all, for a turn", STILL, "turn-right-left"],
  ] as const) {
    it(`refuses ${name}: 422 liveness-failed, counted as a failed attempt, audited`, async () => {
      const { s, face } = await enrolled("wrong");
      const ch = await challenge(s, policy({ liveness: { level: "active", actions: [asked] } }));
      expect(ch.liveness).toEqual({ level: "active", action: asked });
      const problem = await expectProblem(await verify(s, ch, sameFace(face), { v: 1, frames: [...shown] }), "liveness-failed");
      expect(problem["attemptsRemaining"]).toBe(MAX - 1);
      expect(await outcomes(s.id)).toEqual(["refused:liveness-failed:no-action"]);
    });
  }

  it("refuses frames of two faces: a frontal frame that is not the probe's face", async () => {
    const { s, face } = await enrolled("two");
    const ch = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
    const swapped = BLINK.map((f, i) => (i === 6 ? { ...f, agree: 0.05 } : f));
    await expectProblem(await verify(s, ch, sameFace(face), { v: 1, frames: swapped }), "liveness-failed");
    expect(await outcomes(s.id)).toEqual(["refused:liveness-failed:another-face"]);
  });

  it("refuses a capture with a gap or a jump of the face box (where a swap could hide)", async () => {
    const { s, face } = await enrolled("gap");
    for (const broken of [BLINK.map((f, i) => (i >= 4 ? { ...f, t: f.t + 2000 } : f)), BLINK.map((f, i) => (i === 4 ? { ...f, iou: 0.05 } : f))]) {
      const ch = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
      await expectProblem(await verify(s, ch, sameFace(face), { v: 1, frames: broken }), "liveness-failed");
    }
    expect(await outcomes(s.id)).toEqual(["refused:liveness-failed:not-continuous", "refused:liveness-failed:not-continuous"]);
  });

  it("refuses a verify without evidence, and evidence that is not exactly the schema (as an envelope that does not open)", async () => {
    const { s, face } = await enrolled("noev");
    const ch = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
    await expectProblem(await verify(s, ch, sameFace(face)), "liveness-failed");
    const ch2 = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
    const extra = { v: 1, frames: BLINK, score: 1 } as unknown as LivenessEvidence;
    await expectProblem(await verify(s, ch2, sameFace(face), extra), "envelope-invalid");
    expect(await outcomes(s.id)).toEqual(["refused:liveness-failed:no-evidence", "refused:envelope-invalid"]);
  });

  it("replayed evidence gets nowhere: the envelope's challenge is spent, and the same probe in a new one is a replay", async () => {
    const { s, face } = await enrolled("replay-ev");
    const ch = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
    const probe = sameFace(face);
    const evidence: LivenessEvidence = { v: 1, frames: BLINK };
    const envelope = await sealFor(ch, "verify", s.id, probe, { evidence });
    const body = { challengeId: ch.challengeId, modelId: MODEL_ID, envelope };
    const send = async () => callSettled("POST", `/v1/subjects/${s.id}/verify`, { token: (await s.another()).token, body });
    expect(((await (await send()).json()) as VerifyResponseT).match).toBe(true);
    await expectProblem(await send(), "challenge-used");
    const again = await challenge(s, policy({ liveness: { level: "active", actions: ["blink"] } }));
    expect(((await (await verify(s, again, probe, evidence)).json()) as VerifyResponseT).match).toBe(false);
  });
});

describe("passive liveness and who decides the level", () => {
  it("passive: the SDK's PAD score must reach the manifest's operating point", async () => {
    const { s, face } = await enrolled("passive");
    const ch = await challenge(s, policy({ liveness: { level: "passive" } }));
    expect(ch.liveness).toEqual({ level: "passive" });
    await expectProblem(await verify(s, ch, sameFace(face), { v: 1, frames: STILL.slice(0, 1), pad: PAD_THRESHOLD - 0.01 }), "liveness-failed");
    const ok = await verify(s, await challenge(s, policy({ liveness: { level: "passive" } })), sameFace(face), {
      v: 1,
      frames: STILL.slice(0, 1),
      pad: PAD_THRESHOLD,
    });
    const body = (await ok.json()) as VerifyResponseT;
    expect(body.match).toBe(true);
    expect(decodeJwt(body.assertion!)).toMatchObject({ amr: ["face"], acr: "urn:facegate:liveness:passive" });
  });

  it("a relying party may ask for more than its tenant requires, never less", async () => {
    const { s } = await enrolled("levels");
    expect((await challenge(s, {}, "active")).liveness?.level).toBe("active");
    expect((await challenge(s, policy({ liveness: { level: "active" } }), "passive")).liveness?.level).toBe("active");
    expect((await challenge(s, policy({ liveness: { level: "passive" } }), "off")).liveness?.level).toBe("passive");
  });

  it("by default nothing beyond the face: no liveness in the challenge, acr says off", async () => {
    const { s, face } = await enrolled("off");
    const ch = await challenge(s, {});
    expect(ch.liveness).toBeUndefined();
    const body = (await (await verify(s, ch, sameFace(face))).json()) as VerifyResponseT;
    expect(decodeJwt(body.assertion!)).toMatchObject({ amr: ["face"], acr: "urn:facegate:liveness:off" });
  });

  it("a malformed TENANT_POLICIES is 500 server-misconfigured, not a silent default", async () => {
    const { s } = await enrolled("badpol");
    const res = await callSettled("POST", "/v1/challenges", {
      token: (await s.another()).token,
      env: policy({ liveness: { level: "very" } }),
      body: { subjectId: s.id, purpose: "verify" },
    });
    await expectProblem(res, "server-misconfigured");
  });
});
