import { Hono } from "hono";
import type { Env } from "./env.js";

const app = new Hono<{ Bindings: Env }>();
app.get("/v1/health", (c) => c.json({ status: "ok" }));

export { SubjectVault } from "./vault/subject-vault.js";
export default app;
