import { z } from "zod";
import type { Env } from "../env.js";
import { ProblemError } from "../errors/problem-error.js";
import { LIVENESS_ACTIONS, LIVENESS_LEVELS, type LivenessAction, type LivenessLevel } from "../protocol/liveness.js";
import { STEP_UP_ACR } from "../protocol/scopes.js";

/**
 * Per-tenant policy, from the optional TENANT_POLICIES var: a JSON object
 * keyed by tenant (or `*` for every tenant without its own entry), e.g.
 *
 *   {"*": {"addTemplate": {"maxAuthAgeSeconds": 300, "acr": ["urn:facegate:acr:step-up"]}},
 *    "acme": {"addTemplate": {"maxAuthAgeSeconds": 120, "acr": ["http://schemas.openid.net/pape/policies/2007/06/multi-factor"]},
 *             "liveness": {"level": "active", "actions": ["blink", "turn-left-right"]}}}
 *
 * `addTemplate`: what the access token must show to add a template to a
 * subject that already has one (RFC 9470 step-up): an `auth_time` at most
 * `maxAuthAgeSeconds` old and an `acr` the relying party sets after a strong
 * authentication, one of `acr`. Malformed JSON is 500 `server-misconfigured`.
 */
export interface AddTemplatePolicy {
  maxAuthAgeSeconds: number;
  acr: readonly string[];
}

/**
 * `liveness`: what every verify of the tenant must show (protocol/liveness.ts):
 * `off`, `passive` (the SDK's PAD score, at the manifest's operating point,
 * in the sealed evidence) or `active` (the evidence shows an action the server
 * picks at random from `actions`). A relying party may ask for more per
 * challenge, never less.
 */
export interface LivenessPolicy {
  level: LivenessLevel;
  actions: readonly LivenessAction[];
}

/**
 * `device`: whether a verify needs a passkey (WebAuthn) bound to the subject at
 * enrollment, beside the face: `off`, `optional` (used when the subject has
 * one and the client sends it) or `required`. The relying party's RP ID and
 * origins come from WEBAUTHN_RP_ID / WEBAUTHN_ORIGINS, or the tenant's own.
 */
export interface DevicePolicy {
  mode: "off" | "optional" | "required";
  rpId: string | null;
  origins: readonly string[];
}

/**
 * `pipelines`: which face pipelines the tenant accepts embeddings from. `any`
 * (the default): the request's `pipelineVersion` is not checked. `calibrated`:
 * enroll and verify must name a version the model manifest lists for the
 * model (`embedding.pipelines`, the versions its thresholds were calibrated
 * on); any other, or none, is 422 `pipeline-not-calibrated` before anything is
 * opened, counted or spent. For tenants with native ports, so a port whose
 * preprocessing drifted is told so instead of being falsely rejected.
 */
export type PipelinePolicy = "any" | "calibrated";

export interface TenantPolicy {
  addTemplate: AddTemplatePolicy;
  liveness: LivenessPolicy;
  device: DevicePolicy;
  pipelines: PipelinePolicy;
}

export const DEFAULT_TENANT_POLICY: TenantPolicy = {
  addTemplate: { maxAuthAgeSeconds: 300, acr: [STEP_UP_ACR] },
  liveness: { level: "off", actions: LIVENESS_ACTIONS },
  device: { mode: "off", rpId: null, origins: [] },
  pipelines: "any",
};

const Entry = z.strictObject({
  addTemplate: z
    .strictObject({
      maxAuthAgeSeconds: z.number().int().min(30).max(3600),
      acr: z.array(z.string().min(1).max(256)).min(1).max(16),
    })
    .optional(),
  liveness: z
    .strictObject({
      level: z.enum(LIVENESS_LEVELS),
      actions: z.array(z.enum(LIVENESS_ACTIONS)).min(1).optional(),
    })
    .optional(),
  pipelines: z.enum(["any", "calibrated"]).optional(),
  device: z
    .strictObject({
      mode: z.enum(["off", "optional", "required"]),
      rpId: z
        .string()
        .regex(/^[a-z0-9.-]{1,253}$/)
        .optional(),
      origins: z.array(z.string().url()).min(1).max(16).optional(),
    })
    .optional(),
});

const Policies = z.record(z.string().regex(/^(\*|[a-z0-9][a-z0-9_-]{0,62})$/), Entry);

const parsed = new Map<string, z.infer<typeof Policies>>();

function policies(env: Env): z.infer<typeof Policies> {
  const raw = env.TENANT_POLICIES ?? "";
  let p = parsed.get(raw);
  if (!p) {
    if (raw.trim() === "") p = {};
    else {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const r = Policies.safeParse(json);
      if (!r.success) {
        console.error(JSON.stringify({ misconfigured: "TENANT_POLICIES", why: "not a JSON object of tenant policies" }));
        throw new ProblemError("server-misconfigured");
      }
      p = r.data;
    }
    parsed.set(raw, p);
  }
  return p;
}

export function tenantPolicy(env: Env, tenant: string): TenantPolicy {
  const all = policies(env);
  const own = Object.hasOwn(all, tenant) ? all[tenant] : undefined;
  const star = Object.hasOwn(all, "*") ? all["*"] : undefined;
  const liveness = own?.liveness ?? star?.liveness;
  const device = own?.device ?? star?.device;
  return {
    device: {
      mode: device?.mode ?? "off",
      rpId: device?.rpId ?? (env.WEBAUTHN_RP_ID || null),
      origins:
        device?.origins ??
        (env.WEBAUTHN_ORIGINS ?? "")
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
    },
    addTemplate: own?.addTemplate ?? star?.addTemplate ?? DEFAULT_TENANT_POLICY.addTemplate,
    pipelines: own?.pipelines ?? star?.pipelines ?? DEFAULT_TENANT_POLICY.pipelines,
    liveness: liveness ? { level: liveness.level, actions: liveness.actions ?? DEFAULT_TENANT_POLICY.liveness.actions } : DEFAULT_TENANT_POLICY.liveness,
  };
}
