import type { ReplayStore } from "@facegate/relying-party";
import { DurableObject } from "cloudflare:workers";

/**
 * The demo relying party's server-side state, in one Durable Object: login
 * attempts in progress (which user, which nonce; single use) and the `jti`
 * of every face assertion it accepted, remembered until the assertion
 * expires, so the same assertion never opens a second session: the
 * ReplayStore of @facegate/relying-party, strictly single use because one
 * Durable Object serialises its calls. Your own backend keeps the same two
 * things in its session store.
 */
export class DemoRpState extends DurableObject implements ReplayStore {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS logins (login_id TEXT PRIMARY KEY, username TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS seen_jti (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    `);
  }

  private sweep(now: number): void {
    this.sql.exec("DELETE FROM logins WHERE expires_at <= ?", now);
    this.sql.exec("DELETE FROM seen_jti WHERE expires_at <= ?", now);
  }

  startLogin(loginId: string, username: string, nonce: string, expiresAt: number): void {
    this.sweep(Date.now());
    this.sql.exec("INSERT INTO logins (login_id, username, nonce, expires_at) VALUES (?, ?, ?, ?)", loginId, username, nonce, expiresAt);
  }

  /** The login, removed as it is read: a nonce is good for one assertion check, whatever its outcome. */
  takeLogin(loginId: string): { username: string; nonce: string } | null {
    const now = Date.now();
    this.sweep(now);
    const row = this.sql
      .exec<{ username: string; nonce: string }>("SELECT username, nonce FROM logins WHERE login_id = ? AND expires_at > ?", loginId, now)
      .toArray()[0];
    this.sql.exec("DELETE FROM logins WHERE login_id = ?", loginId);
    return row ?? null;
  }

  /** True the first time a jti is presented (kept until `expiresAt`), false on every replay. */
  firstUse(jti: string, expiresAt: number): boolean {
    this.sweep(Date.now());
    if (this.sql.exec("SELECT 1 FROM seen_jti WHERE jti = ?", jti).toArray().length > 0) return false;
    this.sql.exec("INSERT INTO seen_jti (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    return true;
  }
}
