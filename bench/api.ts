/**
 * `npm run bench:api`: verify round trips per second against a trivial JSON
 * route, in one run, on the real worker (wrangler dev, as `npm start`).
 *
 * The machine is shared and noisy, so the result is a ratio of two rates
 * measured alternately in the same run (trivial, verify, trivial, verify...),
 * each the median over rounds. Verify requests are prepared ahead (challenge
 * fetched, embedding sealed) so the measured window is the server's verify
 * work: JWT check, challenge consumption in the subject's Durable Object,
 * HPKE open, unsealing templates, matching, signing the assertion, audit row.
 * The full client flow (challenge + seal + verify) is reported separately.
 */
import autocannon from "autocannon";
import { FacegateApi } from "../client/src/api/facegate-api.js";
import { sealForChallenge } from "../client/src/api/envelope.js";
import { webCryptoHpke } from "../client/src/api/envelope-webcrypto.js";
import { loadDevIssuer, mintDevToken } from "../client/src/cli/dev-issuer.js";
import { startDevServer } from "../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../scripts/lib/ensure-dev-keys.js";
import { unitVector } from "../scripts/lib/unit-vector.js";
import { pool } from "./lib/pool.js";
import { fmt, median, table } from "./lib/stats.js";
import { EMBEDDING_MODEL_ID } from "../scripts/lib/embedding-model.js";
import { parseCommandLine } from "../scripts/lib/command-line.js";

const values = parseCommandLine({
  command: "npm run bench:api",
  summary: "Verify round trips per second against a trivial JSON route, alternating in one run on wrangler dev.",
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "16" },
    rounds: { type: "string", default: "3" },
    subjects: { type: "string", default: "64" },
  },
  help: {
    duration: "seconds per measured window",
    connections: "concurrent connections",
    rounds: "rounds of trivial, verify (the median is reported)",
    subjects: "enrolled subjects the verifies are spread over",
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const SUBJECTS = Number(values.subjects);
const MODEL = EMBEDDING_MODEL_ID;
/** A probe of the same person: per-component noise 0.01 (cosine to the template about 0.97). */
const PROBE_NOISE = 0.01 * Math.sqrt(512);

interface Rate {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function cannon(opts: autocannon.Options): Promise<Rate> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, r) => {
      if (err) return reject(err);
      const ok = r.requests.total - r.non2xx;
      resolve({ rps: ok / (r.duration || DURATION), p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors });
    });
  });
}

ensureDevKeys();
const issuer = loadDevIssuer();
if (!issuer) throw new Error(".dev.vars.dev has no dev issuer (run npm run dev-keys)");
const server = await startDevServer();
process.on("exit", () => void server.kill9());
console.error(`worker at ${server.url}; preparing ${SUBJECTS} subjects`);

try {
  const subjects = await pool(SUBJECTS, 8, async (i) => {
    const id = `bench-${i}`;
    // A token per request, as a relying party's sessions bring them (the per-token rate limit is
    // 60 a minute); naming the RP, which a verify needs.
    const token = () => mintDevToken(issuer, { sub: id, scope: "face:enroll face:verify", ttlSeconds: 3600, clientId: "facegate-bench" });
    const api = new FacegateApi({ baseUrl: server.url, getToken: token });
    const template = unitVector();
    await api.grantConsent(id, "2026-11");
    await api.enrollEmbedding(id, MODEL, template);
    return { id, token, api, template };
  });

  /** Challenges fetched and envelopes sealed ahead: one body per verify request. */
  async function prepareVerifies(n: number) {
    return pool(n, 8, async (i) => {
      const s = subjects[i % subjects.length]!;
      const challenge = await s.api.challenge(s.id, "verify");
      const probe = unitVector(s.template, PROBE_NOISE);
      const envelope = await sealForChallenge(webCryptoHpke(), challenge, "verify", s.id, MODEL, probe);
      return {
        path: `/v1/subjects/${s.id}/verify`,
        token: await s.token(),
        body: JSON.stringify({ challengeId: challenge.challengeId, modelId: MODEL, envelope }),
      };
    });
  }

  const trivial: Rate[] = [];
  const verify: Rate[] = [];
  let estimate = 400;
  for (let round = 1; round <= ROUNDS; round++) {
    const t = await cannon({ url: `${server.url}/v1/health`, connections: CONNECTIONS, duration: DURATION });
    trivial.push(t);
    // Enough prepared requests to keep the connections busy for about DURATION seconds.
    // A subject holds at most 64 open challenges, so never prepare more than 48 per subject.
    const n = Math.min(Math.ceil(Math.max(estimate, 50) * DURATION * 1.1), subjects.length * 48);
    console.error(`round ${round}: trivial ${fmt(t.rps)} req/s; preparing ${n} verify requests`);
    const queue = await prepareVerifies(n);
    let next = 0;
    const statuses = new Map<number, number>();
    const v = await cannon({
      url: server.url,
      connections: CONNECTIONS,
      amount: queue.length,
      requests: [
        {
          method: "POST",
          setupRequest: (req) => {
            const item = queue[next++ % queue.length]!;
            return {
              ...req,
              path: item.path,
              body: item.body,
              headers: { "content-type": "application/json", authorization: `Bearer ${item.token}` },
            };
          },
          onResponse: (status: number, body: string) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status !== 200 && statuses.get(status) === 1) console.error(`first ${status}: ${body.slice(0, 200)}`);
          },
        },
      ],
    });
    verify.push(v);
    estimate = v.rps;
    console.error(
      `round ${round}: verify ${fmt(v.rps)} req/s (${v.errors} non-2xx; statuses ${JSON.stringify([...statuses])}; setupRequest calls ${next} for ${queue.length} bodies)`,
    );
  }

  // Full client flow at the same concurrency: challenge, seal, verify.
  let flows = 0;
  const until = Date.now() + DURATION * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      const s = subjects[c % subjects.length]!;
      while (Date.now() < until) {
        const r = await s.api.verifyEmbedding(s.id, MODEL, unitVector(s.template, PROBE_NOISE));
        if (r.match) flows++;
      }
    }),
  );
  const flowRate = flows / DURATION;

  const tr = median(trivial.map((r) => r.rps));
  const vr = median(verify.map((r) => r.rps));
  console.log(
    table([
      ["route", "req/s (median)", "p50 ms", "p99 ms", "non-2xx"],
      [
        "GET /v1/health (trivial)",
        fmt(tr),
        fmt(median(trivial.map((r) => r.p50))),
        fmt(median(trivial.map((r) => r.p99))),
        trivial.reduce((a, r) => a + r.errors, 0),
      ],
      [
        "POST .../verify (match)",
        fmt(vr),
        fmt(median(verify.map((r) => r.p50))),
        fmt(median(verify.map((r) => r.p99))),
        verify.reduce((a, r) => a + r.errors, 0),
      ],
      ["full flow (challenge+seal+verify)", fmt(flowRate), "", "", ""],
    ]),
  );
  console.log(`\nverify cost / trivial cost = ${fmt(tr / vr, 2)}x (target <= 1.5x); full flow ${fmt(tr / flowRate, 2)}x`);
  console.log(`connections ${CONNECTIONS}, ${ROUNDS} rounds of ${DURATION} s each, ${SUBJECTS} subjects`);
} finally {
  await server.stop();
}
