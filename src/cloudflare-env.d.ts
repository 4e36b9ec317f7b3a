// Ties `import { env, exports } from "cloudflare:workers"` to our types
// (what `wrangler types` would generate, kept by hand so it stays readable).
type FacegateEnv = import("./env.js").Env;
type FacegateMain = typeof import("./index.js");

declare namespace Cloudflare {
  interface Env extends FacegateEnv {}
  interface GlobalProps {
    mainModule: FacegateMain;
    durableNamespaces: "SubjectVault";
  }
}
