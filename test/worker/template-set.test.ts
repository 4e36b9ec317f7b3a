import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import manifest from "../../models/manifest.json";
import type { TemplateListT, VerifyResponseT } from "../../src/protocol/schemas.js";
import { call, expectProblem, Subject } from "./helpers/api.js";
import { similarity } from "../../src/protocol/similarity.js";
import { normalize, randomFace, sameFace } from "./helpers/embeddings.js";
import { stepUpClaims, tokenFor } from "./helpers/tokens.js";
import { flushAudit, vaultSql } from "./helpers/vault.js";

/**
 * Who can get in (src/vault/match-rule.ts, docs/SECURITY.md "Who can get
 * in"): every decision compares with the subject's anchor, so no sequence of
 * accepted enrollments lets a face that does not match the first enrollment
 * verify; a probe that is a copy of stored data is a replay. Synthetic unit
 * vectors here (the server sees nothing else); the same scenarios with real
 * embeddings of different people run against the real worker in
 * test/e2e/attack.test.ts (`npm run attack`).
 */
const EMB = manifest.models["fr512-v1"].embedding;
const STRICT = EMB.thresholds.find((t) => t.fmr === EMB.templateFmr)!.threshold;
const REPLAY = EMB.replay.limit;

const blend = (w: number, a: Float32Array, b: Float32Array) => normalize(a.map((x, i) => w * x + (1 - w) * b[i]!));

/** A unit vector at exactly cosine `c` from `v` (in the plane of v and a random direction). */
function atCosine(v: Float32Array, c: number): Float32Array {
  const r = randomFace();
  const d = similarity(r, v);
  const u = normalize(r.map((x, i) => x - d * v[i]!));
  return normalize(v.map((x, i) => c * x + Math.sqrt(1 - c * c) * u[i]!));
}

async function verdict(s: Subject, probe: Float32Array): Promise<VerifyResponseT> {
  const res = await (await s.another()).verify(probe);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as VerifyResponseT;
}

async function enrollStatus(s: Subject, embedding: Float32Array): Promise<number> {
  return (await (await s.another()).enroll(embedding)).status;
}

/** A victim enrolled with one face, and a token with a fresh step-up (the attacker's borrowed, re-authenticated session). */
async function victim(prefix: string) {
  const s = await Subject.create(prefix, stepUpClaims());
  const face = randomFace();
  await s.enrolled(face);
  return { s, face };
}

describe("template bridging: an attacker's face never gets into the victim's account", () => {
  it("the outside review's blends (w = 0.8 ... 0.5) may be stored, yet the attacker's fresh capture never matches", async () => {
    const { s, face: v } = await victim("bridge");
    const attacker = randomFace();
    for (const w of [0.8, 0.7, 0.6, 0.5]) {
      // Each blend is compared with the anchor, not with the last blend.
      const expected = similarity(blend(w, v, attacker), v) >= STRICT ? 201 : 422;
      expect(await enrollStatus(s, blend(w, v, attacker))).toBe(expected);
    }
    expect((await verdict(s, sameFace(attacker))).match).toBe(false);
    expect((await verdict(s, sameFace(v))).match).toBe(true);
  });

  it("many small steps towards the attacker get nowhere: a step is judged against the anchor, not the previous step", async () => {
    const { s, face: v } = await victim("steps");
    const attacker = randomFace();
    // Greedy: at each step, the largest move towards the attacker that the server accepts.
    let last = v;
    let accepted = 0;
    let refused = 0;
    for (let step = 0; step < 8 && accepted < 4; step++) {
      let moved = false;
      for (const w of [0.3, 0.5, 0.7, 0.9]) {
        const next = blend(w, last, attacker);
        const status = await enrollStatus(s, next);
        if (status === 201) {
          last = next;
          accepted++;
          moved = true;
          break;
        }
        expect(status).toBe(422);
        refused++;
        // A refused step counts as a failed attempt: the lockout ends the walk soon.
        if (refused >= Number(env.LOCKOUT_MAX_FAILURES)) break;
      }
      if (!moved) break;
    }
    // However far the stored set was pushed, every stored template is within the strict threshold of the anchor...
    expect(similarity(last, v)).toBeGreaterThanOrEqual(STRICT);
    // ...and the attacker does not match (the lock may even refuse the attempt outright).
    const res = await (await s.another()).verify(sameFace(attacker));
    if (res.status === 200) expect(((await res.json()) as VerifyResponseT).match).toBe(false);
    else await expectProblem(res, "subject-locked");
  });

  it("a template that matches both people is of no use: verify compares with the anchor only (no best-of)", async () => {
    const { s, face: v } = await victim("both");
    const attacker = randomFace();
    const both = blend(0.5, v, attacker);
    expect(similarity(both, attacker)).toBeGreaterThan(EMB.threshold);
    expect(await enrollStatus(s, both)).toBe(201);
    // A probe that matches the stored `both` template well, but not the anchor.
    const probe = sameFace(attacker);
    expect(similarity(probe, both)).toBeGreaterThan(EMB.threshold);
    expect((await verdict(s, probe)).match).toBe(false);
  });

  it("a new template must reach the stricter FMR 1e-5 threshold against the anchor", async () => {
    const { s, face: v } = await victim("strict");
    expect(STRICT).toBeGreaterThan(EMB.threshold);
    // Matches at the operating point, but not at the stricter one: refused, and counted.
    expect(await enrollStatus(s, atCosine(v, (STRICT + EMB.threshold) / 2))).toBe(422);
    expect(await enrollStatus(s, atCosine(v, STRICT + 0.01))).toBe(201);
    expect(await vaultSql(s.id, "SELECT * FROM failures")).toHaveLength(1);
  });
});

describe("replay refusal", () => {
  it("a copy of the stored template is refused as a replay (answered as no match, counted, audited as replay)", async () => {
    const { s, face } = await victim("replay-copy");
    const res = await verdict(s, face);
    expect(res).toEqual({ match: false, attemptsRemaining: Number(env.LOCKOUT_MAX_FAILURES) - 1 });
    await flushAudit(s.id);
    const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = 'verify'").bind(s.id).all();
    expect(results.map((r) => r["outcome"])).toEqual(["no-match:replay"]);
  });

  it("a recently accepted probe, replayed, is refused; a fresh capture still matches", async () => {
    const { s, face } = await victim("replay-probe");
    const probe = sameFace(face);
    expect((await verdict(s, probe)).match).toBe(true);
    expect((await verdict(s, probe)).match).toBe(false);
    expect((await verdict(s, sameFace(face))).match).toBe(true);
  });

  it("a copy of an additional template is refused too", async () => {
    const { s, face } = await victim("replay-extra");
    const extra = sameFace(face, 0.3);
    expect(await enrollStatus(s, extra)).toBe(201);
    expect((await verdict(s, extra)).match).toBe(false);
  });

  it(`the limit is the manifest's (${REPLAY}): just above it is a replay, just below it a live capture`, async () => {
    const { s, face } = await victim("replay-limit");
    expect(REPLAY).toBeGreaterThan(EMB.replay.liveMax);
    expect((await verdict(s, atCosine(face, REPLAY + 0.0005))).match).toBe(false);
    expect((await verdict(s, atCosine(face, EMB.replay.liveMax))).match).toBe(true);
  });
});

describe("the template set: listable, deletable one by one, the anchor stays", () => {
  it("lists ids, times, models and the anchor, never a vector; the subject says when the set last changed", async () => {
    const { s, face } = await victim("list");
    const before = (await (await s.get()).json()) as { templatesChangedAt: string };
    expect(Date.parse(before.templatesChangedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await enrollStatus(s, sameFace(face))).toBe(201);

    const res = await call("GET", `/v1/subjects/${s.id}/templates`, { token: s.token });
    expect(res.status).toBe(200);
    const list = (await res.json()) as TemplateListT;
    expect(list.templates).toHaveLength(2);
    expect(list.templates.map((t) => t.anchor)).toEqual([true, false]);
    for (const t of list.templates) {
      expect(Object.keys(t).sort()).toEqual(["anchor", "createdAt", "modelId", "templateId"]);
      expect(t.modelId).toBe("fr512-v1");
    }
    const after = (await (await s.get()).json()) as { templatesChangedAt: string };
    expect(Date.parse(after.templatesChangedAt)).toBeGreaterThanOrEqual(Date.parse(before.templatesChangedAt));
  });

  it("deletes an additional template (204, audited), refuses the anchor (409 anchor-template) and an unknown id (404)", async () => {
    const { s, face } = await victim("del-one");
    expect(await enrollStatus(s, sameFace(face))).toBe(201);
    const { templates } = (await (await call("GET", `/v1/subjects/${s.id}/templates`, { token: s.token })).json()) as TemplateListT;
    const [anchor, extra] = templates;

    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}/templates/${anchor!.templateId}`, { token: s.token }), "anchor-template");
    expect((await call("DELETE", `/v1/subjects/${s.id}/templates/${extra!.templateId}`, { token: s.token })).status).toBe(204);
    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}/templates/${extra!.templateId}`, { token: s.token }), "template-not-found");
    await expectProblem(await call("DELETE", `/v1/subjects/${s.id}/templates/not-a-template-id`, { token: s.token }), "invalid-request");

    const left = (await (await call("GET", `/v1/subjects/${s.id}/templates`, { token: s.token })).json()) as TemplateListT;
    expect(left.templates.map((t) => t.templateId)).toEqual([anchor!.templateId]);
    expect((await verdict(s, sameFace(face))).match).toBe(true);
    await flushAudit(s.id);
    const { results } = await env.DB.prepare("SELECT outcome FROM audit_log WHERE subject_id = ? AND action = 'template-delete'").bind(s.id).all();
    // Three decided (and audited) by the vault; the malformed id refused (and audited) by the worker.
    expect(results.map((r) => r["outcome"]).sort()).toEqual(
      ["refused:anchor-template", "deleted", "refused:template-not-found", "refused:invalid-request"].sort(),
    );
  });

  it("listing needs face:read and deleting face:delete, for the token's own subject", async () => {
    const { s } = await victim("tscope");
    const other = await Subject.create("tscope-other");
    await expectProblem(await call("GET", `/v1/subjects/${s.id}/templates`, { token: other.token }), "subject-mismatch");
    await expectProblem(await call("GET", `/v1/subjects/${s.id}/templates`, { token: await tokenFor(s.id, "face:verify") }), "insufficient-scope");
    await expectProblem(
      await call("DELETE", `/v1/subjects/${s.id}/templates/AAAAAAAAAAAAAAAAAAAAAA`, { token: await tokenFor(s.id, "face:read") }),
      "insufficient-scope",
    );
  });
});
