import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Starts the real worker the way `npm start` does (wrangler dev on workerd,
 * local D1 and Durable Object state, secrets from .dev.vars), on a free port
 * with its own state directory, for the e2e, browser, load and crash tests.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  // wrangler prints colours and spinners for terminals only
  FORCE_COLOR: "0",
};

export interface DevServer {
  url: string;
  port: number;
  persistTo: string;
  process: ChildProcess;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  /** Graceful stop (SIGTERM to the process group), resolves when it exited. */
  stop(): Promise<void>;
  /** Simulated crash: SIGKILL to the whole process group, no chance to flush. */
  kill9(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export async function startDevServer(opts: { port?: number; persistTo?: string; vars?: Record<string, string>; timeoutMs?: number } = {}): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const persistTo = opts.persistTo ?? mkdtempSync(join(tmpdir(), "facegate-state-"));
  const varArgs = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const wrangler = join(REPO_ROOT, "node_modules/.bin/wrangler");
  const env = { ...process.env, ...QUIET_WRANGLER_ENV };
  // As `npm start` does: the audit log's D1 schema first.
  const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--env", "dev", "--persist-to", persistTo], {
    cwd: REPO_ROOT,
    env,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`D1 migrations failed:\n${migrate.stdout}${migrate.stderr}`);
  const child = spawn(
    wrangler,
    ["dev", "--env", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persistTo, "--show-interactive-dev-session=false", ...varArgs],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group, so kill reaches workerd too
    },
  );
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
    await exited;
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early (code ${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await signal("SIGKILL");
      throw new Error(`wrangler dev did not become healthy on ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    persistTo,
    process: child,
    output: () => log,
    stop: () => signal("SIGTERM"),
    kill9: () => signal("SIGKILL"),
  };
}
