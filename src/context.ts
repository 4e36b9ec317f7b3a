import type { Env } from "./env.js";

/** Who is calling, as established by a verified bearer token. */
export interface Principal {
  /** The token's `sub`. */
  sub: string;
  /** The token's `tenant` claim, or `default`. */
  tenant: string;
  scopes: ReadonlySet<string>;
  /** `azp` or `client_id`: the relying party, the audience of the assertions it gets. */
  clientId?: string;
  /** `auth_time` (Unix seconds): when the user last authenticated at the relying party. */
  authTime?: number;
  /** `acr`: how strongly (a value the relying party sets, e.g. after a step-up). */
  acr?: string;
}

/** What the audit middleware records once the handler is done. */
export interface AuditNote {
  subjectId?: string;
  /** Set by the handler on success (`match`, `no-match`, `granted`...); refusals are derived from the error. */
  outcome?: string;
  /** The vault answered, and so appended this request's audit row in its own transaction. */
  recorded?: boolean;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    audit: AuditNote;
  };
}
