import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import manifest from "../../models/manifest.json";
import type { VerifyResponseT } from "../../src/protocol/schemas.js";
import { callSettled, expectProblem, MODEL_ID, Subject } from "./helpers/api.js";
import { randomFace, sameFace } from "./helpers/embeddings.js";

/**
 * A drifted pipeline is refused, not silently wrong (src/config/models.ts
 * requireAcceptedPipeline): enroll and verify name the pipeline that computed
 * the embedding (`pipelineVersion`, the SDK's FacePipeline.pipelineVersion);
 * the manifest lists the versions its thresholds were calibrated on; a tenant
 * whose policy says `pipelines: "calibrated"` refuses any other with 422
 * `pipeline-not-calibrated` before the vault is reached: no challenge spent,
 * no failure counted.
 */
const CALIBRATED = manifest.models[MODEL_ID as "fr512-v1"].embedding.pipelines[0]!;
const DRIFTED = CALIBRATED.replace(/:[0-9a-f]{8}$/, ":00000000");
const STRICT: Partial<Cloudflare.Env> = { TENANT_POLICIES: JSON.stringify({ "*": { pipelines: "calibrated" } }) };
const MAX = Number(env.LOCKOUT_MAX_FAILURES);

async function send(s: Subject, purpose: "enroll" | "verify", body: Record<string, unknown>, bindings: Partial<Cloudflare.Env> = STRICT): Promise<Response> {
  const t = await s.another();
  const path = purpose === "enroll" ? "templates" : "verify";
  return callSettled("POST", `/v1/subjects/${s.id}/${path}`, { token: t.token, body, env: bindings });
}

async function enrolledUnderPolicy(prefix: string) {
  const s = await Subject.create(prefix);
  expect((await s.consent()).status).toBe(200);
  const face = randomFace();
  const { body } = await s.body("enroll", face, { pipelineVersion: CALIBRATED });
  const res = await send(s, "enroll", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return { s, face };
}

describe("pipeline versions (tenant policy `pipelines: calibrated`)", () => {
  it("the manifest lists a calibrated pipeline version for the model", () => {
    expect(CALIBRATED).toMatch(/^facegate-pipeline\/\d+:/);
    expect(DRIFTED).not.toBe(CALIBRATED);
  });

  it("accepts a calibrated version: enroll, then a matching verify", async () => {
    const { s, face } = await enrolledUnderPolicy("pv-ok");
    const { body } = await s.body("verify", sameFace(face), { pipelineVersion: CALIBRATED });
    const res = await send(s, "verify", body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as VerifyResponseT).match).toBe(true);
  });

  it("refuses a drifted or missing version with 422 pipeline-not-calibrated, spending neither the challenge nor an attempt", async () => {
    const { s, face } = await enrolledUnderPolicy("pv-drift");
    const { body } = await s.body("verify", sameFace(face), { pipelineVersion: DRIFTED });
    // More refusals than the lockout allows failures: none of them counts.
    for (let i = 0; i <= MAX; i++) {
      const p = await expectProblem(await send(s, "verify", body), "pipeline-not-calibrated");
      expect(p.detail).toContain(CALIBRATED);
    }
    const withoutVersion: Record<string, unknown> = { ...body };
    delete withoutVersion["pipelineVersion"];
    await expectProblem(await send(s, "verify", withoutVersion), "pipeline-not-calibrated");
    // The same challenge and envelope, now with the calibrated version: a match, with every attempt left.
    const res = await send(s, "verify", { ...body, pipelineVersion: CALIBRATED });
    expect(res.status, await res.clone().text()).toBe(200);
    const r = (await res.json()) as VerifyResponseT;
    expect(r.match).toBe(true);
    expect(r.attemptsRemaining).toBe(MAX);
  });

  it("refuses an enrollment from a drifted pipeline, and stores nothing", async () => {
    const s = await Subject.create("pv-enroll");
    expect((await s.consent()).status).toBe(200);
    const { body } = await s.body("enroll", randomFace(), { pipelineVersion: DRIFTED });
    await expectProblem(await send(s, "enroll", body), "pipeline-not-calibrated");
    const record = await callSettled("GET", `/v1/subjects/${s.id}`, { token: (await s.another()).token });
    expect(record.status).toBe(200);
    expect(((await record.json()) as { templateCount: number }).templateCount).toBe(0);
  });

  it("a tenant without the policy accepts any version, or none (the default: `any`)", async () => {
    const s = await Subject.create("pv-any");
    const face = randomFace();
    await s.enrolled(face);
    const { body } = await s.body("verify", sameFace(face), { pipelineVersion: DRIFTED });
    const res = await send(s, "verify", body, {});
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as VerifyResponseT).match).toBe(true);
  });

  it("a malformed pipelineVersion is 400 invalid-request", async () => {
    const s = await Subject.create("pv-bad");
    const { body } = await s.body("enroll", randomFace(), { pipelineVersion: "not a version|x" });
    await expectProblem(await send(s, "enroll", body, {}), "invalid-request");
  });

  it("a malformed policy value is 500 server-misconfigured, not a silent default", async () => {
    const s = await Subject.create("pv-conf");
    const { body } = await s.body("enroll", randomFace(), { pipelineVersion: CALIBRATED });
    await expectProblem(await send(s, "enroll", body, { TENANT_POLICIES: JSON.stringify({ "*": { pipelines: "some" } }) }), "server-misconfigured");
  });
});
