import { afterAll, beforeAll } from "vitest";
import { startDevServer, type DevServer } from "../../scripts/lib/dev-server.js";
import { ensureDevKeys } from "./ensure-dev-keys.js";

/**
 * The real worker for a test file, as `npm start` runs it (wrangler dev on
 * workerd, local D1 and Durable Objects, its own state and port): started
 * before the file's tests, stopped after. Returns a getter (the server exists
 * only once beforeAll has run).
 */
export function useDevServer(opts: Parameters<typeof startDevServer>[0] = {}): () => DevServer {
  let server: DevServer | undefined;
  beforeAll(async () => {
    ensureDevKeys();
    server = await startDevServer(opts);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}
