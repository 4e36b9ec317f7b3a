/** OAuth scopes (space-separated in the token's `scope` claim). */
export const SCOPES = {
  enroll: "face:enroll",
  verify: "face:verify",
  delete: "face:delete",
  read: "face:read",
  admin: "face:admin",
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
