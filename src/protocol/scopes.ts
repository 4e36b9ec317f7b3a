/**
 * OAuth scopes (space-separated in the token's `scope` claim). Every scope
 * acts on the token's own subject (`sub`) only, except `face:admin`, which
 * grants the operator endpoints (`/v1/admin/...`: KEK rewrap, integrity
 * check, unlock) within the token's tenant and nothing else: it does not let a
 * token enroll, verify, read or delete as another subject.
 */
export const SCOPES = {
  enroll: "face:enroll",
  verify: "face:verify",
  delete: "face:delete",
  read: "face:read",
  admin: "face:admin",
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * The `acr` a relying party puts in an access token right after its user
 * authenticated strongly (RFC 9470 step-up): what the default tenant policy
 * asks for before a template is added to a subject that already has one.
 */
export const STEP_UP_ACR = "urn:facegate:acr:step-up";

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
