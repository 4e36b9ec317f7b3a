import { existsSync, readFileSync } from "node:fs";
import { importJWK, SignJWT, type JWK } from "jose";

/**
 * The local development token issuer: its private key lives in .dev.vars
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

export function loadDevIssuer(devVarsPath = ".dev.vars"): DevIssuer | null {
  if (!existsSync(devVarsPath)) return null;
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
}

export async function mintDevToken(issuer: DevIssuer, req: TokenRequest): Promise<string> {
  const key = await importJWK(issuer.key, "EdDSA");
  const jwt = new SignJWT({
    scope: req.scope,
    ...(req.tenant ? { tenant: req.tenant } : {}),
    ...(req.clientId ? { azp: req.clientId } : {}),
  })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", ...(issuer.key.kid ? { kid: issuer.key.kid } : {}) })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .setSubject(req.sub)
    .setIssuedAt()
    .setExpirationTime(`${req.ttlSeconds ?? 3600}s`);
  return jwt.sign(key);
}
