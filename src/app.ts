import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.js";
import { productionGuard } from "./config/production-guard.js";
import { methodIndex, notFoundHandler, onError } from "./errors/index.js";
import { cors } from "./http/cors.js";
import { limitAddress } from "./http/rate-limit.js";
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
import { registerTemplates } from "./routes/templates.js";
import { registerVerify } from "./routes/verify.js";

export interface AppOptions {
  /**
   * Local development (the dev entry, demo/worker.ts): skip the production
   * configuration guard, which refuses the dev issuer. Never set in src/index.ts.
   */
  local?: boolean;
}

/**
 * The API: one OpenAPIHono app whose routes carry their zod schemas, so the
 * same definitions validate requests and generate /openapi.json. The
 * production entry (src/index.ts) serves exactly this; the demo relying party
 * exists only in the dev entry.
 */
export function createApp(opts: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", requestContext);
  if (!opts.local) app.use("*", productionGuard);
  app.use("*", cors);
  app.use("/v1/*", limitAddress);

  registerHealth(app);
  registerJwks(app);
  registerEnvelopeKey(app);
  registerConsent(app);
  registerChallenges(app);
  registerEnroll(app);
  registerVerify(app);
  registerSubjectRead(app);
  registerTemplates(app);
  registerSubjectDelete(app);
  registerAdmin(app);
  registerDocs(app);

  app.onError(onError);
  app.notFound(notFoundHandler(methodIndex(() => app.routes)));
  return app;
}
