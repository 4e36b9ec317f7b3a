import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { QUIET_WRANGLER_ENV, REPO_ROOT } from "../../../scripts/lib/dev-server.js";
import { unitVector } from "../../../scripts/lib/unit-vector.js";
import type { Api } from "./client.js";
import type { Ledger } from "./traffic.js";

/**
 * After a run (or a crash and restart): what every acknowledged write must
 * have left behind, and that nothing half-written is visible.
 *
 * Per subject, through the API: the template count is what the acknowledged
 * enrolls and deletes say (an enroll or delete whose answer never came may
 * have happened or not, atomically); an acknowledged delete left nothing; the
 * vault's integrity check finds no template without its key, none that does
 * not open, no consumed challenge without its outcome, nothing stuck in the
 * outbox. In the D1 audit log: every acknowledged write has its row (by
 * request id), and the `enrolled` rows since the subject's last delete are
 * exactly its templates (no audit row without its operation, and the reverse).
 */
export interface AuditRow {
  subject_id: string;
  action: string;
  outcome: string;
  request_id: string | null;
}

export function readAuditLog(persistTo: string): AuditRow[] {
  const wrangler = join(REPO_ROOT, "node_modules/.bin/wrangler");
  const out = spawnSync(
    wrangler,
    [
      "d1",
      "execute",
      "DB",
      "--local",
      "--persist-to",
      persistTo,
      "--json",
      "--command",
      "SELECT subject_id, action, outcome, request_id FROM audit_log ORDER BY at",
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...QUIET_WRANGLER_ENV }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  if (out.status !== 0) throw new Error(`reading the audit log failed:\n${out.stderr}`);
  const parsed = JSON.parse(out.stdout) as { results: AuditRow[] }[];
  return parsed[0]!.results;
}

export interface StateCheck {
  subjects: number;
  /** Subjects with an operation whose answer never came (crash): checked for either outcome. */
  uncertain: number;
  ackedWrites: number;
  auditRows: number;
  violations: string[];
}

export async function checkState(api: Api, ledgers: Ledger[], persistTo: string): Promise<StateCheck> {
  const violations: string[] = [];
  const reports = new Map<string, { templates: number; consent: boolean }>();
  // The integrity check flushes each vault's outbox first, so D1 is complete when we read it below.
  for (const s of ledgers) {
    const [got, integrity] = [await api.get(s.id, s.token), await api.integrity(s.id)];
    if (integrity.status !== 200 || !integrity.body) {
      violations.push(`${s.id}: integrity check answered ${integrity.status}`);
      continue;
    }
    const r = integrity.body;
    const held = got.status === 200 && got.body ? got.body.templateCount : 0;
    if (got.status !== 200 && got.status !== 404) violations.push(`${s.id}: read answered ${got.status}`);
    if (r.templates !== held) violations.push(`${s.id}: API says ${held} templates, vault ${r.templates}`);
    if (r.templatesWithoutKey !== 0) violations.push(`${s.id}: ${r.templatesWithoutKey} templates without their key`);
    if (r.templatesOpening !== r.templates) violations.push(`${s.id}: ${r.templates - r.templatesOpening} templates do not open`);
    if (r.consumedWithoutOutcome !== 0) violations.push(`${s.id}: ${r.consumedWithoutOutcome} consumed challenges without an outcome`);
    if (r.outboxPending !== 0) violations.push(`${s.id}: ${r.outboxPending} audit rows stuck in the outbox`);
    if (r.templates > 0 && !r.consent) violations.push(`${s.id}: templates without consent`);

    const allowed = new Set([s.templates]);
    if (s.uncertain === "enroll") allowed.add(s.templates + 1);
    if (s.uncertain === "delete") allowed.add(0);
    if (!allowed.has(r.templates)) {
      violations.push(`${s.id}: ${r.templates} templates, acknowledged writes say ${[...allowed].join(" or ")}`);
    }
    const consentPossible = s.uncertain === "delete" || s.uncertain === "consent" ? [true, false] : [s.consent];
    if (!consentPossible.includes(r.consent)) violations.push(`${s.id}: consent ${r.consent}, acknowledged writes say ${s.consent}`);
    if (s.lastAcked === "delete" && s.uncertain === null) {
      if (got.status !== 404 || r.subjectKey || r.consent || r.templates !== 0 || r.failures !== 0) {
        violations.push(`${s.id}: something left behind after an acknowledged delete`);
      }
    }
    reports.set(s.id, { templates: r.templates, consent: r.consent });
  }

  const audit = readAuditLog(persistTo);
  const byRequest = new Set(audit.flatMap((a) => (a.request_id ? [a.request_id] : [])));
  let ackedWrites = 0;
  for (const s of ledgers) {
    for (const w of s.acked) {
      ackedWrites += 1;
      if (!byRequest.has(w.requestId)) violations.push(`${s.id}: acknowledged ${w.kind} (${w.requestId}) has no audit row`);
    }
    const rows = audit.filter((a) => a.subject_id === s.id);
    const lastErase = rows.map((a) => a.action === "delete" || a.action === "purge").lastIndexOf(true);
    // (rows before a delete are pseudonymised: what is left under the id is the life since the last one)
    const enrolled = rows.slice(lastErase + 1).filter((a) => a.action === "enroll" && a.outcome.startsWith("enrolled")).length;
    const held = reports.get(s.id)?.templates;
    if (held !== undefined && enrolled !== held) {
      violations.push(`${s.id}: audit shows ${enrolled} enrollments since the last delete, vault holds ${held}`);
    }
  }
  return {
    subjects: ledgers.length,
    uncertain: ledgers.filter((s) => s.uncertain !== null).length,
    ackedWrites,
    auditRows: audit.length,
    violations,
  };
}

export interface ConcurrencyCheck {
  lockout: { answered: Record<string, number>; attemptsRemaining: number[] };
  singleUse: { answered: Record<string, number> };
  violations: string[];
}

function statusCounts(statuses: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[String(s)] = (out[String(s)] ?? 0) + 1;
  return out;
}

/**
 * Against the real server: 50 simultaneous wrong-face verifies on one subject
 * count exactly `maxFailures` failures and the rest are 429; 20 simultaneous
 * uses of one challenge succeed exactly once.
 */
export async function checkConcurrency(api: Api, mint: (sub: string) => Promise<string>, prefix: string, maxFailures: number): Promise<ConcurrencyCheck> {
  const violations: string[] = [];
  const face = unitVector();

  const lockId = `${prefix}-lockout`;
  const lockToken = await mint(lockId);
  await api.consent(lockId, lockToken);
  const enrolled = await api.prepare(lockId, lockToken, "enroll", face);
  await api.enroll(lockId, lockToken, enrolled.body);
  // A token per attempt, as 50 sessions would have: this pins the vault's count, not the per-token rate limit.
  const wrong = [];
  for (let i = 0; i < 50; i++) {
    const token = await mint(lockId);
    wrong.push({ token, body: (await api.prepare(lockId, token, "verify", unitVector())).body });
  }
  const lockAnswers = await Promise.all(wrong.map((w) => api.verify(lockId, w.token, w.body)));
  const counted = lockAnswers.filter((a) => a.status === 200 && a.body?.match === false);
  const attemptsRemaining = counted.map((a) => a.body!.attemptsRemaining).sort((x, y) => x - y);
  if (counted.length !== maxFailures) violations.push(`lockout: ${counted.length} failures counted, expected ${maxFailures}`);
  if (lockAnswers.filter((a) => a.status === 429).length !== 50 - maxFailures) violations.push("lockout: not every other attempt was 429");
  if (attemptsRemaining.join() !== Array.from({ length: maxFailures }, (_, i) => i).join()) {
    violations.push(`lockout: attemptsRemaining ${attemptsRemaining.join()}`);
  }

  const onceId = `${prefix}-once`;
  const onceToken = await mint(onceId);
  await api.consent(onceId, onceToken);
  await api.enroll(onceId, onceToken, (await api.prepare(onceId, onceToken, "enroll", face)).body);
  const { body } = await api.prepare(onceId, onceToken, "verify", unitVector(face));
  const onceAnswers = await Promise.all(Array.from({ length: 20 }, () => api.verify(onceId, onceToken, body)));
  const successes = onceAnswers.filter((a) => a.status === 200).length;
  if (successes !== 1) violations.push(`single use: ${successes} of 20 uses of one challenge succeeded`);
  if (onceAnswers.filter((a) => a.status === 409).length !== 19) violations.push("single use: the other uses were not all 409 challenge-used");

  return {
    lockout: { answered: statusCounts(lockAnswers.map((a) => a.status)), attemptsRemaining },
    singleUse: { answered: statusCounts(onceAnswers.map((a) => a.status)) },
    violations,
  };
}
