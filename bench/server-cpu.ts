/**
 * Server CPU per request, verify against GET /v1/health, on the real worker
 * (wrangler dev, as `npm start`): the user + system CPU time the whole
 * wrangler dev process group spends per request, read from /proc (Linux).
 *
 * On a shared machine request rates swing with everyone else's load; the CPU
 * the server itself spends per request moves much less, so this complements
 * `npm run bench:api`. Verify requests are prepared ahead (challenge fetched,
 * envelope sealed) and their CPU is counted including the audit flush that
 * follows them.
 *
 *   npx tsx bench/server-cpu.ts --requests 600 --rounds 3
 */
import { parseArgs } from "node:util";
import { FacegateApi } from "../client/src/api/facegate-api.js";
import { sealForChallenge } from "../client/src/api/envelope.js";
import { webCryptoHpke } from "../client/src/api/envelope-webcrypto.js";
import { loadDevIssuer, mintDevToken } from "../client/src/cli/dev-issuer.js";
import { startDevServer } from "../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../scripts/lib/ensure-dev-keys.js";
import { unitVector } from "../scripts/lib/unit-vector.js";
import { pool } from "./lib/pool.js";
import { groupCpuMs } from "./lib/proc-cpu.js";
import { fmt, median, table } from "./lib/stats.js";
import { EMBEDDING_MODEL_ID } from "../scripts/lib/embedding-model.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "600" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "8" },
  },
});
const N = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const MODEL = EMBEDDING_MODEL_ID;
/** A probe of the same person: per-component noise 0.005. */
const PROBE_NOISE = 0.005 * Math.sqrt(512);
/** Long enough for the vaults' audit flush (1 s after a write) to have run. */
const SETTLE_MS = 2500;

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

ensureDevKeys();
const issuer = loadDevIssuer();
if (!issuer) throw new Error(".dev.vars.dev has no dev issuer (run npm run dev-keys)");
const server = await startDevServer();
const pgid = server.process.pid!;
try {
  const subjects: { id: string; token: () => Promise<string>; api: FacegateApi; face: Float32Array }[] = [];
  for (let i = 0; i < 32; i++) {
    const id = `cpu-${i}`;
    // A token per request (the per-token rate limit), naming the relying party (a verify needs it).
    const token = () => mintDevToken(issuer, { sub: id, scope: "face:enroll face:verify", ttlSeconds: 3600, clientId: "facegate-bench" });
    const api = new FacegateApi({ baseUrl: server.url, getToken: token });
    const face = unitVector();
    await api.grantConsent(id, "2026-11");
    await api.enrollEmbedding(id, MODEL, face);
    subjects.push({ id, token, api, face });
  }
  const health: number[] = [];
  const verify: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    await settle();
    let before = groupCpuMs(pgid);
    await pool(N, CONNECTIONS, async () => {
      await (await fetch(`${server.url}/v1/health`)).arrayBuffer();
    });
    await settle();
    health.push((groupCpuMs(pgid) - before) / N);

    const bodies: { path: string; token: string; body: string }[] = [];
    await pool(N, CONNECTIONS, async (i) => {
      const s = subjects[i % subjects.length]!;
      const ch = await s.api.challenge(s.id, "verify");
      const envelope = await sealForChallenge(webCryptoHpke(), ch, "verify", s.id, MODEL, unitVector(s.face, PROBE_NOISE));
      bodies.push({
        path: `/v1/subjects/${s.id}/verify`,
        token: await s.token(),
        body: JSON.stringify({ challengeId: ch.challengeId, modelId: MODEL, envelope }),
      });
    });
    await settle();
    before = groupCpuMs(pgid);
    let failed = 0;
    await pool(bodies.length, CONNECTIONS, async (i) => {
      const b = bodies[i]!;
      const res = await fetch(server.url + b.path, {
        method: "POST",
        headers: { authorization: `Bearer ${b.token}`, "content-type": "application/json" },
        body: b.body,
      });
      if (res.status !== 200) failed += 1;
      await res.arrayBuffer();
    });
    await settle();
    verify.push((groupCpuMs(pgid) - before) / N);
    console.error(`round ${round}: health ${fmt(health.at(-1)!, 2)} ms, verify ${fmt(verify.at(-1)!, 2)} ms CPU per request (${failed} not 200)`);
  }
  console.log(
    table([
      ["route", "server CPU ms per request (median)"],
      ["GET /v1/health", fmt(median(health), 2)],
      ["POST .../verify (match)", fmt(median(verify), 2)],
    ]),
  );
  console.log(`\nverify / trivial (server CPU) = ${fmt(median(verify) / median(health), 2)}x; ${N} requests x ${ROUNDS} rounds, ${CONNECTIONS} connections`);
} finally {
  await server.stop();
}
