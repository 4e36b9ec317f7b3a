/** Wire protocol identifier: the HPKE `info`, the AAD prefix and the API version in one place. */
export const PROTOCOL = "facegate/v1" as const;

/** Package version reported by `GET /v1/health`. Bumped with package.json. */
export const SERVICE_VERSION = "0.1.0" as const;
