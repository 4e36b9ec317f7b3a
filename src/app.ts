import { OpenAPIHono } from "@hono/zod-openapi";
import { demoRelyingParty } from "../demo/rp/routes.js";
import type { AppEnv } from "./context.js";
import { methodIndex, notFoundHandler, onError } from "./errors/index.js";
import { cors } from "./http/cors.js";
import { requestContext } from "./http/request-context.js";
import { validationHook } from "./http/validation-hook.js";
import { registerAdmin } from "./routes/admin.js";
import { registerChallenges } from "./routes/challenges.js";
import { registerConsent } from "./routes/consent.js";
import { registerDocs } from "./routes/docs.js";
import { registerEnroll } from "./routes/enroll.js";
import { registerEnvelopeKey } from "./routes/envelope-key.js";
import { registerHealth } from "./routes/health.js";
import { registerJwks } from "./routes/jwks.js";
import { registerSubjectDelete } from "./routes/subject-delete.js";
import { registerSubjectRead } from "./routes/subject-read.js";
import { registerVerify } from "./routes/verify.js";

/**
 * The API: one OpenAPIHono app whose routes carry their zod schemas, so the
 * same definitions validate requests and generate /openapi.json.
 */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", requestContext);
  app.use("*", cors);

  registerHealth(app);
  registerJwks(app);
  registerEnvelopeKey(app);
  registerConsent(app);
  registerChallenges(app);
  registerEnroll(app);
  registerVerify(app);
  registerSubjectRead(app);
  registerSubjectDelete(app);
  registerAdmin(app);
  registerDocs(app);
  // The demo's relying party backend (local only: it answers 404 without the dev issuer key).
  app.route("/demo/rp", demoRelyingParty(async (req, env) => app.fetch(req, env as AppEnv["Bindings"])));

  app.onError(onError);
  app.notFound(notFoundHandler(methodIndex(() => app.routes)));
  return app;
}

export const app = createApp();
