type FacegateD1Migration = import("cloudflare:test").D1Migration;

declare namespace Cloudflare {
  interface Env {
    /** D1 migrations read by vitest.config.ts and applied in setup.ts. */
    TEST_MIGRATIONS: FacegateD1Migration[];
  }
}
