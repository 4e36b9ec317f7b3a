import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fmt, table } from "../../../bench/lib/stats.js";
import { DEV_VARS_FILE, loadDevIssuer, mintDevToken } from "../../../client/src/cli/dev-issuer.js";
import { STEP_UP_ACR } from "../../../src/protocol/scopes.js";
import { REPO_ROOT, startDevServer, type DevServer } from "../../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "../../../scripts/lib/ensure-dev-keys.js";
import { Api } from "./client.js";
import { runTraffic, summarize, type TrafficResult } from "./traffic.js";
import { checkConcurrency, checkState, type ConcurrencyCheck, type StateCheck } from "./verify.js";

/**
 * The load and crash scenarios, shared by the CLIs (`npm run load`,
 * `npm run crash-test`) and their short forms in `npm test`. Each starts its
 * own worker exactly as `npm start` does (scripts/lib/dev-server.ts: D1
 * migrations, wrangler dev, a fresh --persist-to directory) and stops it.
 * Traffic goes to 127.0.0.1 only; every loop is bounded in time.
 */
export interface ScenarioOptions {
  connections: number;
  durationMs: number;
  subjectsPerConnection: number;
  log?: (line: string) => void;
}

interface Harness {
  mint: (sub: string) => Promise<string>;
  admin: string;
  maxFailures: number;
}

async function harness(): Promise<Harness> {
  ensureDevKeys();
  const issuer = loadDevIssuer(join(REPO_ROOT, DEV_VARS_FILE));
  if (!issuer) throw new Error(`${DEV_VARS_FILE} has no local token issuer (run npm run dev-keys)`);
  // As a relying party mints them: naming itself (the assertions' audience) and, right after its
  // user's strong authentication, the step-up a second template needs.
  const mint = (sub: string) =>
    mintDevToken(issuer, { sub, scope: "face:enroll face:verify face:read face:delete", ttlSeconds: 3600, clientId: "facegate-load", acr: STEP_UP_ACR });
  const admin = await mintDevToken(issuer, { sub: "load-operator", scope: "face:admin face:read", ttlSeconds: 3600 });
  // The lockout the server enforces is configured in wrangler.toml [vars].
  const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
  const maxFailures = Number(/^LOCKOUT_MAX_FAILURES\s*=\s*"(\d+)"/m.exec(toml)?.[1] ?? "5");
  return { mint, admin, maxFailures };
}

export interface LoadReport {
  traffic: ReturnType<typeof summarize> & { violations: string[]; seconds: number; requestsPerSecond: number };
  concurrency: ConcurrencyCheck;
  state: StateCheck;
  violations: string[];
}

export async function loadScenario(o: ScenarioOptions): Promise<LoadReport> {
  const log = o.log ?? (() => undefined);
  const h = await harness();
  const server = await startDevServer();
  log(`worker at ${server.url} (state in ${server.persistTo})`);
  let ok = false;
  try {
    const api = new Api(server.url, h.admin);
    log(`mixed traffic: ${o.connections} connections for ${o.durationMs / 1000} s`);
    const traffic = await runTraffic(api, { ...o, prefix: "load", mint: h.mint });
    log("concurrency: 50 wrong verifies on one subject, 20 uses of one challenge");
    const concurrency = await checkConcurrency(api, h.mint, "conc", h.maxFailures);
    log("checking every subject and the audit log");
    const state = await checkState(api, traffic.ledgers, server.persistTo);
    const report = {
      traffic: trafficReport(traffic),
      concurrency,
      state,
      violations: [...traffic.violations, ...concurrency.violations, ...state.violations],
    };
    ok = report.violations.length === 0;
    return report;
  } finally {
    await server.stop();
    if (ok) rmSync(server.persistTo, { recursive: true, force: true });
    else keepForInspection(server, log);
  }
}

/** On a failed check: the server's error lines and where its state is, for whoever investigates. */
function keepForInspection(server: DevServer, log: (line: string) => void): void {
  const errors = server
    .output()
    .split("\n")
    .filter((l) => /error|exception|uncaught/i.test(l))
    .slice(-40);
  for (const line of errors) log(`server: ${line}`);
  log(`state kept for inspection in ${server.persistTo}`);
}

export interface CrashReport {
  beforeKill: LoadReport["traffic"];
  uncertain: number;
  restartedInMs: number;
  survivors: StateCheck;
  afterRestart: LoadReport["traffic"];
  afterRestartState: StateCheck;
  violations: string[];
}

/**
 * Mixed traffic, SIGKILL to the whole server process group in the middle of
 * it, a restart on the same state directory, then: every acknowledged write
 * is there, nothing half-written is visible, and the server serves again.
 */
export async function crashScenario(o: ScenarioOptions & { killAfterMs: number; afterMs: number }): Promise<CrashReport> {
  const log = o.log ?? (() => undefined);
  const h = await harness();
  let server: DevServer = await startDevServer();
  const persistTo = server.persistTo;
  log(`worker at ${server.url} (state in ${persistTo})`);
  let ok = false;
  try {
    let api = new Api(server.url, h.admin);
    const stop = { requested: false };
    log(`mixed traffic: ${o.connections} connections; kill -9 after ${o.killAfterMs / 1000} s`);
    const running = runTraffic(api, { ...o, prefix: "crash", mint: h.mint, stop });
    await new Promise((r) => setTimeout(r, o.killAfterMs));
    await server.kill9();
    stop.requested = true;
    const traffic = await running;
    // A connection cut by the kill is a failure of the transport, not a 5xx from the server.
    const uncertain = traffic.ledgers.filter((s) => s.uncertain !== null).length;
    log(`killed: ${traffic.samples.length} requests sent, ${uncertain} operations in flight (unacknowledged)`);

    const t = performance.now();
    server = await startDevServer({ persistTo });
    const restartedInMs = performance.now() - t;
    api = new Api(server.url, h.admin);
    log(`restarted on the same state at ${server.url} in ${fmt(restartedInMs / 1000)} s; checking survivors`);
    const survivors = await checkState(api, traffic.ledgers, persistTo);

    log(`traffic again for ${o.afterMs / 1000} s`);
    const after = await runTraffic(api, { ...o, durationMs: o.afterMs, prefix: "after", mint: h.mint });
    const afterState = await checkState(api, after.ledgers, persistTo);
    const report: CrashReport = {
      beforeKill: trafficReport(traffic),
      uncertain,
      restartedInMs,
      survivors,
      afterRestart: trafficReport(after),
      afterRestartState: afterState,
      violations: [...traffic.violations, ...survivors.violations, ...after.violations, ...afterState.violations],
    };
    ok = report.violations.length === 0;
    return report;
  } finally {
    await server.stop();
    if (ok) rmSync(persistTo, { recursive: true, force: true });
    else keepForInspection(server, log);
  }
}

function trafficReport(t: TrafficResult) {
  const s = summarize(t.samples);
  return { ...s, violations: t.violations, seconds: t.elapsedMs / 1000, requestsPerSecond: s.total.count / (t.elapsedMs / 1000) };
}

/** The latency table both CLIs print. */
export function latencyTable(t: LoadReport["traffic"]): string {
  return table([
    ["request", "count", "p50 ms", "p99 ms"],
    ...t.rows.map((r) => [r.kind, r.count, fmt(r.p50), fmt(r.p99)]),
    ["all", t.total.count, fmt(t.total.p50), fmt(t.total.p99)],
  ]);
}
