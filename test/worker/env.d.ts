type FacegateD1Migration = import("cloudflare:test").D1Migration;

declare namespace Cloudflare {
  interface Env {
    /** D1 migrations read by vitest.config.ts and applied in setup.ts. */
    TEST_MIGRATIONS: FacegateD1Migration[];
    /** fuzz.test.ts: total generated requests (default 10,000) and seed, from the environment of `npm test`. */
    FACEGATE_FUZZ_RUNS?: string;
    FACEGATE_FUZZ_SEED?: string;
    /** A rate limiter of 3 per 60 s (vitest.config.ts), swapped in for RL_* by the rate-limit tests. */
    RL_SMALL: RateLimit;
    /** No practical limit (vitest.config.ts): the fuzz test's requests are about validation. */
    RL_UNLIMITED: RateLimit;
  }
}

declare module "*.md?raw" {
  const text: string;
  export default text;
}
