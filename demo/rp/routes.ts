import { Hono, type Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { importJWK, SignJWT, type JWK } from "jose";
import { z } from "zod";
import { SubjectId } from "../../src/protocol/schemas.js";
import { ACCESS_TOKEN_TTL_SECONDS, DEMO_CLIENT_ID, DEMO_POLICY_VERSION, LOGIN_COOKIE, SESSION_COOKIE, STEP_SCOPES } from "./config.js";
import type { DemoRpState } from "./state.js";
import { FaceAssertionError, verifyFaceAssertion } from "@facegate/relying-party";

/** What the demo relying party needs from the worker's environment (the dev entry, demo/worker.ts). */
export interface DemoRpEnv {
  DEV_ISSUER_KEY?: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  ASSERTION_ISSUER: string;
  DEMO_RP: DurableObjectNamespace<DemoRpState>;
}

/** The demo's users live in facegate's default tenant; an assertion for any other tenant is refused. */
const DEMO_TENANT = "default";
const LOGIN_TTL_MS = 300_000;

type Rp = { Bindings: DemoRpEnv };

const TokenRequest = z.strictObject({ username: SubjectId, step: z.enum(["signup", "signin", "privacy"]) });
const SessionRequest = z.strictObject({ assertion: z.string().min(1).max(4096) });

function problem(c: Context, status: 400 | 401 | 404, code: string, detail: string) {
  return c.json({ type: `urn:facegate:demo:${code}`, title: detail, status, code, detail }, status, {
    "content-type": "application/problem+json",
  });
}

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/**
 * The demo relying party (see README.md beside this file). `selfFetch`
 * serves the JWKS request from the same worker without a network loop.
 */
export function demoRelyingParty(selfFetch: (req: Request, env: DemoRpEnv) => Promise<Response>): Hono<Rp> {
  const rp = new Hono<Rp>();
  const cookieOpts = { httpOnly: true, sameSite: "Strict", path: "/demo/rp" } as const;
  // The dev issuer's private key doubles as the cookie signing secret: both are local-only demo secrets.
  const secretOf = (env: DemoRpEnv) => (JSON.parse(env.DEV_ISSUER_KEY!) as JWK).d!;

  const state = (env: DemoRpEnv) => env.DEMO_RP.get(env.DEMO_RP.idFromName("demo"));
  // One fetch function per environment object, so the package's JWKS cache (keyed by fetch) is reused.
  const selfFetches = new WeakMap<DemoRpEnv, typeof fetch>();
  const selfFetchFor = (env: DemoRpEnv): typeof fetch => {
    let f = selfFetches.get(env);
    if (!f) {
      f = (input, init) => selfFetch(new Request(input, init), env);
      selfFetches.set(env, f);
    }
    return f;
  };

  rp.use("*", async (c, next) => {
    if (!c.env.DEV_ISSUER_KEY) return problem(c, 404, "demo-disabled", "The demo runs only with the local dev issuer (npm start)");
    await next();
  });

  rp.post("/token", async (c) => {
    const parsed = TokenRequest.safeParse(await readJson(c));
    if (!parsed.success) return problem(c, 400, "invalid-username", "Usernames are 1-128 letters, digits or . _ @ + -");
    const { username, step } = parsed.data;
    const jwk = JSON.parse(c.env.DEV_ISSUER_KEY!) as JWK;
    const accessToken = await new SignJWT({ scope: STEP_SCOPES[step], azp: DEMO_CLIENT_ID })
      .setProtectedHeader({ alg: "EdDSA", typ: "JWT", ...(jwk.kid ? { kid: jwk.kid } : {}) })
      .setIssuer(c.env.AUTH_ISSUER)
      .setAudience(c.env.AUTH_AUDIENCE)
      .setSubject(username)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(await importJWK(jwk, "EdDSA"));
    let loginNonce: string | undefined;
    if (step === "signin") {
      // Kept server-side, single use; the browser holds only an opaque login id.
      // The assertion must carry the nonce back.
      loginNonce = crypto.randomUUID().replaceAll("-", "");
      const loginId = crypto.randomUUID();
      await state(c.env).startLogin(loginId, username, loginNonce, Date.now() + LOGIN_TTL_MS);
      await setSignedCookie(c, LOGIN_COOKIE, loginId, secretOf(c.env), { ...cookieOpts, maxAge: LOGIN_TTL_MS / 1000 });
    }
    return c.json({
      accessToken,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      policyVersion: DEMO_POLICY_VERSION,
      ...(loginNonce ? { loginNonce } : {}),
    });
  });

  rp.post("/session", async (c) => {
    const parsed = SessionRequest.safeParse(await readJson(c));
    if (!parsed.success) return problem(c, 400, "invalid-request", "Send {assertion}");
    const loginId = await getSignedCookie(c, secretOf(c.env), LOGIN_COOKIE);
    const login = loginId ? await state(c.env).takeLogin(loginId) : null;
    deleteCookie(c, LOGIN_COOKIE, cookieOpts);
    if (!login) return problem(c, 401, "no-login", "No sign-in is in progress in this browser (or it was used or expired)");
    const jwksUrl = new URL("/.well-known/jwks.json", c.req.url).toString();
    try {
      // What any relying party runs (@facegate/relying-party); the Durable Object is its replay store.
      const claims = await verifyFaceAssertion(parsed.data.assertion, {
        issuer: c.env.ASSERTION_ISSUER,
        jwksUrl,
        audience: DEMO_CLIENT_ID,
        subject: login.username,
        tenant: DEMO_TENANT,
        nonce: login.nonce,
        replayStore: state(c.env),
        // The demo runs inside the facegate worker itself: its JWKS is served without a network loop.
        fetch: selfFetchFor(c.env),
      });
      await setSignedCookie(c, SESSION_COOKIE, claims.sub, secretOf(c.env), { ...cookieOpts, maxAge: 3600 });
      return c.json({ signedInAs: claims.sub, authTime: claims.auth_time, amr: claims.amr, model: claims.model });
    } catch (err) {
      if (!(err instanceof FaceAssertionError)) throw err;
      return problem(c, 401, "assertion-rejected", `The face assertion was not accepted (${err.code}): ${err.message}`);
    }
  });

  rp.get("/me", async (c) => {
    const user = await getSignedCookie(c, secretOf(c.env), SESSION_COOKIE);
    return c.json({ signedInAs: user || null });
  });

  rp.post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, cookieOpts);
    return c.json({ signedInAs: null });
  });

  return rp;
}
