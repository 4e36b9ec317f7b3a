import { FacegateApi } from "../../client/src/api/facegate-api.js";
import { ApiError } from "../../client/src/errors.js";
import { similarity } from "../../src/protocol/similarity.js";

/**
 * The outside review's attacks (docs/SECURITY.md, "Who can get in"), replayed
 * against a running worker with real embeddings of different people. Each
 * scenario returns one verdict; `npm run attack` prints them, and
 * test/e2e/attack.test.ts runs them against `wrangler dev`.
 *
 * The attacker here is as strong as the review's: a token for the victim
 * that even carries a fresh step-up (a borrowed, re-authenticated session),
 * one photo of the victim, and the attacker's own face.
 */
export interface AttackEnv {
  baseUrl: string;
  /** A token for `sub` with these scopes (the dev issuer; with step-up claims, as a strong attacker has). */
  mint: (sub: string, scope: string) => Promise<string>;
  /** The SDK pipeline's embedding of a photo (a path under the faces folder). */
  embed: (photo: string) => Promise<Float32Array>;
  modelId: string;
  /** Wait through the lockout's escalation to the daily cap (about 4 minutes); else only its first two locks. */
  full?: boolean;
  log?: (line: string) => void;
}

export interface Verdict {
  scenario: string;
  passed: boolean;
  detail: string;
}

const SCOPES = "face:enroll face:verify face:read face:delete";

function api(env: AttackEnv, subject: string): FacegateApi {
  // A token per request, as many sessions would bring: what is measured is the vault, not the per-token rate limit.
  return new FacegateApi({ baseUrl: env.baseUrl, getToken: () => env.mint(subject, SCOPES) });
}

let run = 0;
function subjectId(prefix: string): string {
  run += 1;
  return `attack-${prefix}-${Date.now().toString(36)}-${run}`;
}

const blend = (w: number, a: Float32Array, b: Float32Array) => {
  const v = a.map((x, i) => w * x + (1 - w) * b[i]!);
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
};

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "accepted";
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

async function enrolled(env: AttackEnv, prefix: string, photo: string): Promise<{ id: string; client: FacegateApi; face: Float32Array }> {
  const id = subjectId(prefix);
  const client = api(env, id);
  const face = await env.embed(photo);
  await client.grantConsent(id, "attack-1");
  await client.enrollEmbedding(id, env.modelId, face);
  return { id, client, face };
}

/** 1. Template bridging: blends of the victim and the attacker, then the attacker's fresh photo. */
export async function bridging(env: AttackEnv, attacker: { name: string; enrolPhoto: string; freshPhoto: string }): Promise<Verdict> {
  const v = await enrolled(env, "bridge", "obama/obama_1.jpg");
  const a = await env.embed(attacker.enrolPhoto);
  const accepted: string[] = [];
  for (const w of [0.8, 0.7, 0.6, 0.5]) {
    const o = await outcome(v.client.enrollEmbedding(v.id, env.modelId, blend(w, v.face, a)));
    accepted.push(`w=${w}:${o}`);
  }
  const attackerFresh = await v.client.verifyEmbedding(v.id, env.modelId, await env.embed(attacker.freshPhoto));
  const victimFresh = await v.client.verifyEmbedding(v.id, env.modelId, await env.embed("obama/obama_2.jpg"));
  const passed = !attackerFresh.match && victimFresh.match;
  return {
    scenario: `bridging (victim obama, attacker ${attacker.name})`,
    passed,
    detail: `blends ${accepted.join(" ")}; attacker's fresh photo match=${attackerFresh.match}; victim's fresh photo match=${victimFresh.match}`,
  };
}

/** 1b. A template as close to both people as the server allows, and small greedy steps towards the attacker. */
export async function smallSteps(env: AttackEnv): Promise<Verdict> {
  const v = await enrolled(env, "steps", "obama/obama_1.jpg");
  const a = await env.embed("kit_harington/kit_harington_1.jpg");
  let last = v.face;
  const steps: string[] = [];
  for (let i = 0; i < 6; i++) {
    const next = blend(0.75, last, a);
    const o = await outcome(v.client.enrollEmbedding(v.id, env.modelId, next));
    steps.push(o === "accepted" ? `+${similarity(next, a).toFixed(2)}` : o);
    if (o === "accepted") last = next;
    if (o === "template-limit" || o === "subject-locked") break;
  }
  const probe = await outcome(
    v.client.verifyEmbedding(v.id, env.modelId, await env.embed("kit_harington/kit_harington_2.jpg")).then((r) => {
      if (r.match) throw new Error("the attacker got in");
    }),
  );
  return {
    scenario: "many small steps towards the attacker",
    passed: probe === "accepted" || probe === "subject-locked",
    detail: `steps (similarity of each stored step to the attacker) ${steps.join(" ")}; attacker's fresh photo: ${probe === "accepted" ? "no match" : probe}`,
  };
}

/** 2. Lockout: wrong faces lock for at least 30 s, the next lock is longer; with `full`, the daily cap. */
export async function lockout(env: AttackEnv): Promise<Verdict> {
  const v = await enrolled(env, "lockout", "obama/obama_1.jpg");
  const others = [
    "biden/biden_1.jpg",
    "kit_harington/kit_harington_1.jpg",
    "rose_leslie/rose_leslie_1.jpg",
    "alex_lacamoire/alex_lacamoire_1.jpg",
    "biden/biden_2.jpg",
  ];
  const wrong = await Promise.all(others.map((p) => env.embed(p)));
  const locks: number[] = [];
  let failures = 0;
  const rounds = env.full ? 5 : 2;
  for (let round = 0; round < rounds; round++) {
    for (;;) {
      try {
        const r = await v.client.verifyEmbedding(v.id, env.modelId, wrong[failures % wrong.length]!);
        if (r.match) return { scenario: "lockout", passed: false, detail: "a wrong face matched" };
        failures++;
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== "subject-locked") throw e;
        locks.push(e.retryAfter ?? 0);
        break;
      }
    }
    const wait = locks.at(-1)!;
    if (wait >= 86_400 || round === rounds - 1) break;
    env.log?.(`  lockout: locked for ${wait} s after ${failures} failures; waiting`);
    await new Promise((r) => setTimeout(r, wait * 1000 + 500));
  }
  const [first, second] = locks;
  const escalates = first !== undefined && first >= 30 && second !== undefined && second >= 2 * first;
  const capped = !env.full || (locks.at(-1)! >= 86_400 && failures <= 20);
  return {
    scenario: env.full ? "lockout escalates to the daily cap" : "lockout escalates",
    passed: escalates && capped,
    detail: `locks (Retry-After, s) ${locks.join(", ")} after ${failures} failed attempts`,
  };
}

/** 3. Replayed templates: the stored template itself, and an accepted probe sent again. */
export async function replay(env: AttackEnv): Promise<Verdict> {
  const v = await enrolled(env, "replay", "obama/obama_3.jpg");
  const copy = await v.client.verifyEmbedding(v.id, env.modelId, v.face);
  const fresh = await env.embed("obama/obama_4.jpg");
  const live = await v.client.verifyEmbedding(v.id, env.modelId, fresh);
  const again = await v.client.verifyEmbedding(v.id, env.modelId, fresh);
  return {
    scenario: "replayed templates",
    passed: !copy.match && live.match && !again.match,
    detail: `the stored template sent as a probe match=${copy.match}; a fresh photo match=${live.match}; that probe replayed match=${again.match}`,
  };
}

export async function runAttack(env: AttackEnv): Promise<Verdict[]> {
  const out: Verdict[] = [];
  const attackers = [
    { name: "biden", enrolPhoto: "biden/biden_1.jpg", freshPhoto: "biden/biden_2.jpg" },
    { name: "rose_leslie", enrolPhoto: "rose_leslie/rose_leslie_1.jpg", freshPhoto: "rose_leslie/rose_leslie_2.jpg" },
    { name: "alex_lacamoire", enrolPhoto: "alex_lacamoire/alex_lacamoire_1.jpg", freshPhoto: "alex_lacamoire/alex_lacamoire_2.jpg" },
  ];
  for (const a of attackers) out.push(await bridging(env, a));
  out.push(await smallSteps(env));
  out.push(await replay(env));
  out.push(await lockout(env));
  return out;
}
