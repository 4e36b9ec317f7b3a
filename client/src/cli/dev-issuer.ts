import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importJWK, SignJWT, type JWK } from "jose";

/**
 * Where `npm start` keeps the local development secrets (scripts/dev-keys.ts):
 * wrangler reads `.dev.vars.<env>` for `wrangler dev --env dev`, and the
 * production configuration (the workerd tests, `wrangler dev` without an
 * environment) never sees them.
 */
export const DEV_VARS_FILE = ".dev.vars.dev";

/** The client id (`azp`) of tokens the CLI mints locally: the audience of its assertions. */
export const CLI_CLIENT_ID = "facegate-cli";

/**
 * The local development token issuer: its private key lives in .dev.vars.dev
 * (written by scripts/dev-keys.ts) and nowhere else. Production tokens come
 * from your identity provider; this exists so the CLI and the demo work on a
 * laptop. It refuses to run without the local key.
 */
export interface DevIssuer {
  issuer: string;
  audience: string;
  key: JWK;
}

/** Parses dotenv-style `KEY='value'` lines (the format dev-keys.ts writes). */
export function parseDevVars(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

/**
 * Where the CLI looks for the local secrets, first found wins: `--dev-vars`, then
 * `FACEGATE_DEV_VARS`, then `.dev.vars.dev` in the working directory or any parent
 * (anywhere inside a facegate clone), then beside the CLI's own install (the clone's
 * workspace link: `npx facegate` from any folder on the machine that runs `npm start`).
 */
export function findDevVars(explicit?: string): string | null {
  if (explicit) return resolve(explicit);
  if (process.env.FACEGATE_DEV_VARS) return resolve(process.env.FACEGATE_DEV_VARS);
  const starts = [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, DEV_VARS_FILE);
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

export function loadDevIssuer(devVarsPath: string | null = findDevVars()): DevIssuer | null {
  if (!devVarsPath || !existsSync(devVarsPath)) return null;
  const vars = parseDevVars(readFileSync(devVarsPath, "utf8"));
  if (!vars.DEV_ISSUER_KEY || !vars.AUTH_ISSUER || !vars.AUTH_AUDIENCE) return null;
  return { issuer: vars.AUTH_ISSUER, audience: vars.AUTH_AUDIENCE, key: JSON.parse(vars.DEV_ISSUER_KEY) as JWK };
}

export interface TokenRequest {
  sub: string;
  scope: string;
  tenant?: string;
  /** Becomes the assertion audience of a successful verify. */
  clientId?: string;
  ttlSeconds?: number;
  /**
   * Step-up evidence (RFC 9470 `acr` and `auth_time` = now): what a relying
   * party puts in a token right after its user authenticated strongly. The
   * worker's default policy asks for it before a template is added to a
   * subject that already has one.
   */
  acr?: string;
}

export async function mintDevToken(issuer: DevIssuer, req: TokenRequest): Promise<string> {
  const key = await importJWK(issuer.key, "EdDSA");
  const jwt = new SignJWT({
    scope: req.scope,
    ...(req.tenant ? { tenant: req.tenant } : {}),
    ...(req.clientId ? { azp: req.clientId } : {}),
    ...(req.acr ? { acr: req.acr, auth_time: Math.floor(Date.now() / 1000) } : {}),
  })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", ...(issuer.key.kid ? { kid: issuer.key.kid } : {}) })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .setSubject(req.sub)
    .setIssuedAt()
    // Unique per token, as an identity provider's are: two tokens minted in one second differ.
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${req.ttlSeconds ?? 3600}s`);
  return jwt.sign(key);
}
